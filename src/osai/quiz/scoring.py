"""Scoring a learner's answers: the Python mirror of ``quiz.js``.

:func:`is_correct` and :func:`score_answers` score the loaded bank (by its key, for the
instructor's tools) and the learner's form (:mod:`osai.quiz.sealed`, by its hashes, as
``quiz.js``'s ``scoreAnswers`` does; a test runs both on the same answers).
:func:`well_formed` and :func:`clean_answers` say which answers fit a question at all
(:func:`osai.quiz.answers.answer_problem`: a progress file restored by the widget, a
response read by the class report or encoded for SCORM).

Answers have the JSON form quiz.js stores (:data:`osai.quiz.model.Answer`).  Used by the
widget (:mod:`osai.quiz.widget`), the class report (:mod:`osai.instructor.quiz_report`) and
the SCORM responses (:mod:`osai.instructor.scorm.responses`).
"""

from __future__ import annotations

from typing import Any

from osai.quiz.answers import answer_problem
from osai.quiz.model import Bank, Question
from osai.quiz.sealed import EPSILON, check, is_sealed

__all__ = ["EPSILON", "clean_answers", "is_correct", "question_index", "score_answers",
           "well_formed"]

def is_correct(question: Question | dict, answer: Any) -> bool:
    """Whether ``answer`` (in the widget's JSON form) is right for a question: a loaded
    question by its key, a sealed one (the learner's form) by its hashes."""
    if answer_problem(question, answer) is not None:
        return False
    if is_sealed(question):
        return check(question, answer)
    qtype = question["type"]
    if qtype in ("single", "scenario"):
        return answer == question["correct"][0]
    if qtype == "multiple":
        return len(set(answer)) == len(answer) and set(answer) == set(question["correct"])
    if qtype == "numeric":
        return abs(answer - question["answer"]) <= question["tolerance"] + EPSILON
    if qtype == "ordering":
        return all(int(answer[k]) == v for k, v in question["solution"].items())
    return all(answer[k] == v for k, v in question["solution"].items())


def question_index(bank: Bank | dict) -> dict[str, tuple[dict, str]]:
    """Every answerable id of a bank (base questions and their variants) -> (that
    question, its base question's id)."""
    index: dict[str, tuple[dict, str]] = {}
    for q in bank["questions"]:
        index[q["id"]] = (q, q["id"])
        for v in q.get("variants") or []:
            index[v["id"]] = (v, q["id"])
    return index


def _answered(q: dict, answers: dict) -> tuple[dict, str]:
    for candidate in [q, *(q.get("variants") or [])]:
        if candidate["id"] in answers:
            return candidate, candidate["id"]
    return q, q["id"]


def score_answers(bank: Bank | dict, answers: dict | None) -> dict:
    """Score answers: ``{score, total, correct: {qid: bool}}``, one entry per base
    question, under the id of the variant answered (the base id when none was).

    One point per question; unanswered or malformed answers score 0; answers to ids not
    in the bank are ignored.  Works on the loaded bank and on the learner's form.
    """
    answers = answers if isinstance(answers, dict) else {}
    correct = {}
    for q in bank["questions"]:
        shown, qid = _answered(q, answers)
        correct[qid] = is_correct(shown, answers.get(qid))
    return {"score": sum(correct.values()), "total": len(bank["questions"]),
            "correct": correct}


def well_formed(question: Question | dict, answer: Any) -> bool:
    """Whether ``answer`` has the shape the question's controls give, right or wrong
    (:func:`osai.quiz.answers.answer_problem`)."""
    return answer_problem(question, answer) is None


def clean_answers(bank: Bank | dict, answers: dict) -> tuple[dict, list[str]]:
    """Keep the answers that fit the bank (a known question or variant, the right shape,
    one per base question); returns (kept, ids of dropped answers)."""
    index = question_index(bank)
    kept: dict = {}
    bases: set[str] = set()
    dropped = []
    for qid, answer in answers.items():
        found = index.get(qid) if isinstance(qid, str) else None
        if found is None or found[1] in bases or answer_problem(found[0], answer) is not None:
            dropped.append(qid)
            continue
        kept[qid] = answer
        bases.add(found[1])
    return kept, dropped
