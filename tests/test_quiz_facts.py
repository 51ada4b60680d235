"""Tests for osai.quiz.facts: quiz text reads its dates and amounts from data/."""

from __future__ import annotations

import re

import pytest
import yaml

from osai.quiz import bank
from osai.quiz.bank_checks import validate_raw
from osai.quiz.events import load_events
from osai.quiz.facts import fill_facts
from osai.quiz.quiz_error import QuizError


@pytest.fixture(scope="module")
def events():
    return load_events()


def _fail(message):
    raise QuizError("x.yml", message, "q1")


def test_placeholders_are_filled_from_data(events):
    q = {"id": "q1", "prompt": "{date:openai-lp} {year:opencv-start} {date:hf-series-a} "
                               "{amount:sklearn-probabl-seed} {amount:openai-microsoft-2019} "
                               "{days_between:openai-lp,openai-microsoft-2019} "
                               "{months_between:hf-series-a, hf-series-d} {answer}",
         "section": "{year:x} is not text", "events": ["{year:x}"]}
    out = fill_facts(q, events, _fail)
    assert out["prompt"] == ("11 March 2019 1999 December 2019 EUR 13M $1B 133 44 {answer}")
    assert out["section"] == q["section"] and out["events"] == q["events"]
    assert q["prompt"].startswith("{date:")  # the input is not changed


def test_right_and_wrong_feedback_texts_are_filled_too(events):
    """``correct`` is both an option's flag and the right answer's feedback text: the
    flag stays a flag, the text is filled."""
    q = {"id": "q1", "options": [{"text": "x", "correct": True, "feedback": "{year:opencv-start}"}],
         "feedback": {"correct": "Since {year:opencv-start}.", "incorrect": "{year:openai-lp}"}}
    out = fill_facts(q, events, _fail)
    assert out["feedback"] == {"correct": "Since 1999.", "incorrect": "2019"}
    assert out["options"][0]["correct"] is True and out["options"][0]["feedback"] == "1999"


@pytest.mark.parametrize("text, message", [
    ("{year:no-such-event}", "unknown event id 'no-such-event'"),
    ("{colour:openai-lp}", "unknown placeholder"),
    ("{amount:openai-lp}", "has no amount"),
    ("{days_between:opencv-start,opencv-alpha}", "dated only to the year"),
    ("{days_between:openai-microsoft-2019,openai-lp}", "earlier than"),
    ("{years_between:openai-lp}", "two event ids"),
])
def test_bad_placeholders_name_the_file_and_question(events, text, message):
    with pytest.raises(QuizError, match=re.escape(message)) as err:
        fill_facts({"id": "q1", "options": [{"feedback": text}]}, events, _fail)
    assert "x.yml" in str(err.value) and "q1" in str(err.value)


def test_a_bank_with_a_bad_placeholder_fails_to_load():
    raw = yaml.safe_load(bank.bank_path("03-four-organisations").read_text())
    raw["questions"][0]["prompt"] = "When did {year:opencv-nothing} happen?"
    with pytest.raises(QuizError, match="opencv-start|opencv-nothing") as err:
        validate_raw(raw, "exercises/quizzes/03-four-organisations.yml")
    assert "question 'opencv-start'" in str(err.value)


def test_table_placeholders_read_licences_and_metrics(events):
    from osai.data import load_dataset

    ds = load_dataset()
    limit = ds.licences.set_index("licence_id").loc["llama-2", "user_limit"]
    hub = ds.metrics.set_index("metric_id").loc["hf-models-2022-05", "value"]
    gifts = ds.metrics.set_index("metric_id").loc["openai-donations-2021", "value"]
    out = fill_facts({"prompt": "{users:llama-2} / {metric:hf-models-2022-05} / "
                                "{metric:openai-donations-2021} / {as_of:hf-models-2022-05}"},
                     events, _fail)
    assert out["prompt"] == (f"{int(limit) // 10**6}M / {int(hub) // 1000}K / "
                             f"${gifts / 1e6:g}M / May 2022")
    for text, message in (("{users:mit}", "gives no user_limit for 'mit'"),
                          ("{users:nope}", "no row 'nope' in data/licences.csv"),
                          ("{metric:nope}", "no row 'nope' in data/metrics.csv")):
        with pytest.raises(QuizError, match=re.escape(message)):
            fill_facts({"prompt": text}, events, _fail)
