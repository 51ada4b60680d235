"""Variants of numeric and ordering questions (``variants:`` in a bank): loaded as complete
questions with ids ``<id>-v2`` ... and ``variant_of``; bad variants fail with the file and
the variant's id; every computed question of the real banks has at least three."""

from __future__ import annotations

import copy

import pytest
import yaml

from osai.quiz import QuizError, chapters, load_bank

CH = "03-four-organisations"
NUMERIC = {
    "id": "gap", "type": "numeric", "objective": "timeline-reading", "section": "Key points",
    "prompt": "Days from OpenAI LP to Microsoft's {amount:openai-microsoft-2019}?",
    "compute": {"days_between": ["openai-lp", "openai-microsoft-2019"]},
    "tolerance": 0, "unit": "days",
    "feedback": {"correct": "Right: {answer}.", "incorrect": "The data give {answer}."},
    "variants": [
        {"prompt": "Days from the Charter ({date:openai-charter}) to OpenAI LP?",
         "compute": {"days_between": ["openai-charter", "openai-lp"]}},
        {"prompt": "Months from the launch to the Charter?",
         "compute": {"months_between": ["openai-launch", "openai-charter"]},
         "feedback": {"correct": "Yes, {answer}.", "incorrect": "No: {answer}."}},
    ],
}
ORDERING = {
    "id": "order", "type": "ordering", "objective": "timeline-reading", "section": "Key points",
    "prompt": "Order these.", "events": ["openai-lp", "openai-launch", "openai-charter"],
    "feedback": {"correct": "c", "incorrect": "i"},
    "variants": [
        {"prompt": "Order these scikit-learn events.",
         "events": ["sklearn-p16", "sklearn-release", "sklearn-consortium"]},
        {"prompt": "Order these releases.",
         "events": ["openai-whisper", "openai-gpt2", "hf-bloom", "openai-gpt-oss"]},
    ],
}


def _load(tmp_path, *questions):
    path = tmp_path / f"{CH}.yml"
    path.write_text(yaml.safe_dump({"chapter": CH, "questions": list(questions)},
                                   sort_keys=False), encoding="utf-8")
    return load_bank(path)


def test_variants_load_as_complete_questions(tmp_path):
    bank = _load(tmp_path, NUMERIC, ORDERING)
    assert [q["id"] for q in bank["questions"]] == ["gap", "order"]  # base questions only
    num, order = bank["questions"]
    assert "variant_of" not in num
    assert [v["id"] for v in num["variants"]] == ["gap-v2", "gap-v3"]
    v2, v3 = num["variants"]
    assert v2["variant_of"] == v3["variant_of"] == "gap"
    # own prompt (placeholders filled), own computed answer, own or inherited feedback
    assert "{date:" not in v2["prompt"] and "2018" in v2["prompt"]
    assert v2["answer"] == 336 and v3["answer"] == 28 and num["answer"] == 133
    assert v2["feedback"] == num["feedback"] and v3["feedback"]["correct"] == "Yes, {answer}."
    # inherited: type, objective, section and its anchor, unit, tolerance
    for key in ("type", "objective", "section", "section_anchor", "unit", "tolerance"):
        assert v2[key] == num[key], key
    assert v2["compute"]["events"] == ["openai-charter", "openai-lp"]
    o3 = order["variants"][1]
    assert o3["id"] == "order-v3" and len(o3["items"]) == 4
    assert min(o3["solution"], key=o3["solution"].get) == "openai-gpt2"
    assert "variants" not in v2


def _bad(tmp_path, mutate, question=NUMERIC):
    q = copy.deepcopy(question)
    mutate(q)
    with pytest.raises(QuizError) as err:
        _load(tmp_path, q)
    return str(err.value)


def test_a_bad_variant_names_the_file_and_its_id(tmp_path):
    def unknown(q):
        q["variants"][1]["compute"] = {"days_between": ["openai-lp", "openai-moon"]}
    msg = _bad(tmp_path, unknown)
    assert f"{CH}.yml" in msg and "gap-v3" in msg and "openai-moon" in msg

    def same(q):
        q["variants"][0]["compute"] = q["compute"]
    assert "gap-v2" in _bad(tmp_path, same) and "same events as gap" in _bad(tmp_path, same)

    def one(q):
        del q["variants"][1]
    assert "at least two alternates" in _bad(tmp_path, one)

    def overrides(q):
        q["variants"][0]["unit"] = "weeks"
    assert "gap-v2" in _bad(tmp_path, overrides) and "unit" in _bad(tmp_path, overrides)

    def sorted_order(q):
        q["variants"][0]["events"] = ["sklearn-release", "sklearn-consortium", "sklearn-p16"]
    assert "order-v2" in _bad(tmp_path, sorted_order, ORDERING)

    def no_prompt(q):
        del q["variants"][0]["prompt"]
    assert "gap-v2" in _bad(tmp_path, no_prompt) and "prompt" in _bad(tmp_path, no_prompt)


def test_a_variant_id_cannot_clash_with_a_question(tmp_path):
    other = {**copy.deepcopy(ORDERING), "id": "gap-v2"}
    del other["variants"]
    with pytest.raises(QuizError, match="gap-v2"):
        _load(tmp_path, NUMERIC, other)


def test_only_numeric_and_ordering_questions_have_variants(tmp_path):
    single = {"id": "one", "type": "single", "objective": "origins", "section": "Key points",
              "prompt": "p", "options": [{"text": "a", "correct": True, "feedback": "f"},
                                         {"text": "b", "feedback": "f"}],
              "variants": NUMERIC["variants"]}
    with pytest.raises(QuizError, match=r"03-four-organisations\.yml.*one.*variants"):
        _load(tmp_path, single)




@pytest.mark.parametrize("chapter", chapters())
def test_every_computed_question_has_three_variants(chapter):
    bank = load_bank(chapter)
    for q in bank["questions"]:
        if q["type"] in ("numeric", "ordering"):
            assert len(q.get("variants", [])) >= 2, f"{chapter}: {q['id']}"
            assert all(v["objective"] == q["objective"] for v in q["variants"])
