"""The quiz widget's Python side: traitlets, scoring, and the learner's progress file."""

from __future__ import annotations

import json

import pytest

import osai.quiz
from osai.quiz import Quiz, QuizError, score_answers

CH = "03-four-organisations"


@pytest.fixture
def quiz():
    return osai.quiz.show(CH)


def test_show_returns_the_widget(quiz):
    assert isinstance(quiz, Quiz)
    assert quiz.chapter == CH
    assert quiz.total == len(quiz.bank["questions"]) >= 6
    assert quiz.score == 0 and quiz.answers == {}
    assert quiz.storage_key == f"osai-quiz/v1/{CH}"
    state = quiz.get_state()
    assert "export default" in state["_esm"]  # the JS front end travels with the state
    assert {"bank", "answers", "score", "total", "storage_key"} <= set(state)


def test_the_widget_holds_no_answer_key(quiz):
    """The bank the widget syncs (and a page embeds) is the learner's form: no key, no
    feedback text readable before its option is chosen."""
    full = osai.quiz.load_bank(CH)
    text = json.dumps(quiz.get_state()["bank"], ensure_ascii=False)
    for name in ('"correct"', '"solution"', '"answer"', '"compute"', '"date"'):
        assert name not in text, name
    for q in full["questions"]:
        for said in [o["feedback"] for o in q.get("options", [])] + \
                [l["feedback"] for l in q.get("left", [])]:
            assert said not in text, (q["id"], said)
        if "feedback" in q:
            assert osai.quiz.model.fill_answer(q["feedback"]["correct"], q) not in text
    assert "Right" not in text


def test_answers_update_the_score(quiz):
    assert quiz.answer("lp-to-microsoft-days", 133) is True
    assert quiz.score == 1
    assert quiz.answer("opencv-start", "a") is False
    assert quiz.score == 1
    right = osai.quiz.load_bank(CH)["questions"][0]["correct"][0]  # the key: the checkout's
    quiz.answers = {**quiz.answers, "opencv-start": right}
    assert quiz.score == 2
    assert quiz.result() == score_answers(quiz.bank, quiz.answers)
    quiz.reset()
    assert quiz.score == 0 and quiz.answers == {}
    with pytest.raises(KeyError, match="no question 'nope'"):
        quiz.answer("nope", 1)


def test_progress_round_trip_keeps_other_chapters(quiz, tmp_path):
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"format": "osai-quiz-progress", "version": 1,
                                "chapters": {"02-why-open-source-ai": {"answers": {"x": 1}}}}))
    quiz.answer("lp-to-microsoft-days", 133)
    quiz.answer("sklearn-years-to-release", 5)
    quiz.save_progress(path)
    saved = json.loads(path.read_text())
    assert saved["chapters"]["02-why-open-source-ai"] == {"answers": {"x": 1}}
    assert saved["chapters"][CH]["score"] == 1
    fresh = osai.quiz.show(CH)
    assert fresh.load_progress(path) == []
    assert fresh.answers == quiz.answers and fresh.score == 1


def test_load_drops_answers_that_no_longer_fit(quiz, tmp_path):
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"format": "osai-quiz-progress", "version": 1, "chapters": {
        CH: {"answers": {"lp-to-microsoft-days": 133, "gone": "a", "opencv-start": "zz"}}}}))
    assert sorted(quiz.load_progress(path)) == ["gone", "opencv-start"]
    assert quiz.answers == {"lp-to-microsoft-days": 133} and quiz.score == 1


@pytest.mark.parametrize("content", [
    "{not json", json.dumps([1, 2]), json.dumps({"format": "other", "chapters": {}}),
    json.dumps({"format": "osai-quiz-progress", "version": 99, "chapters": {}}),
    b"\xff\xfe\x00garbage",
])
def test_bad_progress_file_never_loses_progress(quiz, tmp_path, content):
    path = tmp_path / "my-progress.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = path.read_bytes()
    quiz.answer("lp-to-microsoft-days", 133)
    with pytest.raises(QuizError, match="my-progress.json"):
        quiz.load_progress(path)
    assert quiz.answers == {"lp-to-microsoft-days": 133} and quiz.score == 1
    with pytest.raises(QuizError, match="my-progress.json.*left unchanged"):
        quiz.save_progress(path)
    assert path.read_bytes() == before


def test_missing_progress_file_and_missing_chapter(quiz, tmp_path):
    with pytest.raises(QuizError, match="nothing.json: no such progress file"):
        quiz.load_progress(tmp_path / "nothing.json")
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"format": "osai-quiz-progress", "version": 1, "chapters": {}}))
    with pytest.raises(QuizError, match=f"p.json: holds no progress for chapter {CH}"):
        quiz.load_progress(path)


def test_variants_answered_from_python_keep_one_answer_per_question(quiz):
    from osai.quiz.sealed import seal_bank
    from quiz_answers import right_answer, with_variants

    full = with_variants(osai.quiz.load_bank(CH))
    quiz.bank = seal_bank(full)
    q = next(q for q in full["questions"] if q.get("variants"))
    v2 = q["variants"][0]
    assert quiz.answer(q["id"], right_answer(q)) is True
    assert quiz.answer(v2["id"], right_answer(q)) is False  # another number for v2
    assert list(quiz.answers) == [v2["id"]]               # the base's answer replaced
    assert quiz.answer(v2["id"], right_answer(v2)) is True and quiz.score == 1
    quiz.answers = {**quiz.answers, q["id"]: right_answer(q), "constructor": 1}
    assert quiz.score == 1  # a second answer to one question and an unknown id count nothing
    assert quiz.result()["correct"][v2["id"]] is True
