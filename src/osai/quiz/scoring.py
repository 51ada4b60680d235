"""Scoring a learner's answers: the Python mirror of ``quiz.js``.

:func:`is_correct` and :func:`score_answers` follow ``isCorrect`` and ``scoreAnswers`` in
``quiz.js`` line for line (a test runs both on the same answers); :func:`well_formed` and
:func:`clean_answers` say which answers fit a question at all (a progress file restored
by the widget, a response read by the class report or encoded for SCORM).

Answers have the JSON form quiz.js stores (:data:`osai.quiz.model.Answer`).  Used by the
widget (:mod:`osai.quiz.widget`), the class report (:mod:`osai.instructor.quiz_report`) and
the SCORM responses (:mod:`osai.instructor.scorm.responses`).
"""

from __future__ import annotations

import math
from typing import Any

from osai.quiz.model import Bank, Question

__all__ = ["EPSILON", "clean_answers", "is_correct", "score_answers", "well_formed"]

#: slack for floating-point comparisons of numeric answers (same constant in quiz.js)
EPSILON = 1e-9


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _is_int(x: Any) -> bool:
    return _is_number(x) and float(x) == int(x)


def is_correct(question: Question, answer: Any) -> bool:
    """Whether ``answer`` (in the widget's JSON form) is right for a loaded question."""
    qtype = question["type"]
    if answer is None:
        return False
    if qtype in ("single", "scenario"):
        return isinstance(answer, str) and answer == question["correct"][0]
    if qtype == "multiple":
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            return False
        return len(set(answer)) == len(answer) and set(answer) == set(question["correct"])
    if qtype == "numeric":
        return _is_number(answer) and \
            abs(answer - question["answer"]) <= question["tolerance"] + EPSILON
    if qtype in ("ordering", "matching"):
        solution = question["solution"]
        if not isinstance(answer, dict) or set(answer) != set(solution):
            return False
        if qtype == "ordering":
            return all(_is_int(answer[k]) and int(answer[k]) == v for k, v in solution.items())
        return all(answer[k] == v for k, v in solution.items())
    return False


def score_answers(bank: Bank | dict, answers: dict | None) -> dict:
    """Score answers against a loaded bank: ``{score, total, correct: {qid: bool}}``.

    One point per question; unanswered or malformed answers score 0; answers to question
    ids not in the bank are ignored.
    """
    answers = answers or {}
    correct = {q["id"]: is_correct(q, answers.get(q["id"])) for q in bank["questions"]}
    return {"score": sum(correct.values()), "total": len(bank["questions"]),
            "correct": correct}


def well_formed(question: Question, answer: Any) -> bool:
    """Whether ``answer`` has the form the question's controls give, right or wrong: a
    known option id (ids), a finite number, a whole-number position or a known choice for
    every item."""
    qtype = question["type"]
    if qtype in ("single", "scenario"):
        return isinstance(answer, str) and answer in {o["id"] for o in question["options"]}
    if qtype == "multiple":
        ids = {o["id"] for o in question["options"]}
        return isinstance(answer, list) and bool(answer) and all(a in ids for a in answer)
    if qtype == "numeric":
        return _is_number(answer)
    if qtype == "ordering":
        return isinstance(answer, dict) and set(answer) == set(question["solution"]) and \
            all(_is_int(v) for v in answer.values())
    if qtype == "matching":
        rights = {r["id"] for r in question["right"]}
        return isinstance(answer, dict) and set(answer) == set(question["solution"]) and \
            all(v in rights for v in answer.values())
    return False


def clean_answers(bank: Bank | dict, answers: dict) -> tuple[dict, list[str]]:
    """Keep the answers that fit the bank; returns (kept, ids of dropped answers)."""
    by_id = {q["id"]: q for q in bank["questions"]}
    kept, dropped = {}, []
    for qid, answer in answers.items():
        if qid in by_id and well_formed(by_id[qid], answer):
            kept[qid] = answer
        else:
            dropped.append(qid)
    return kept, dropped
