"""Answer shapes: one set of rules per question type, for every path an answer comes in by.

A learner's answer (the JSON form ``quiz.js`` stores, :data:`osai.quiz.model.Answer`)
reaches Python and the page from places nobody checks: a progress file, ``localStorage``,
an LMS's ``suspend_data``, a class zip.  :func:`answer_problem` says whether it has the
shape its question's controls give, right or wrong:

=====================  =========================================================
single, scenario       a string, one of the option ids
multiple               a non-empty list of option ids (one given twice is a shape the
                       controls never give, but still wrong rather than unreadable)
numeric                a finite number (not a boolean), at most :data:`MAX_NUMBER`
                       in size
ordering               an object giving every item id a whole-number position,
                       the positions 1..n each once
matching               an object giving every left id one of the right ids
=====================  =========================================================

It reads only ids (option, item, left and right), so it works on the loaded bank and on
the learner's form (:mod:`osai.quiz.sealed`) alike.  ``quiz.js``'s ``answerProblem``
applies the same rules with the same reasons (a test runs both on a table of shapes).
Used by :mod:`osai.quiz.scoring` (well_formed, clean_answers), the widget, and the class
report.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MAX_NUMBER", "answer_problem"]

#: the largest size of a numeric answer (no interval in the course comes near it)
MAX_NUMBER = 1e9


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_whole(x: Any) -> bool:
    if isinstance(x, int) and not isinstance(x, bool):
        return True
    return isinstance(x, float) and math.isfinite(x) and x == int(x)


def _ids(rows: Any) -> list[str]:
    return [r["id"] for r in rows or []]


def _choice(question: dict, answer: Any) -> str | None:
    ids = set(_ids(question.get("options")))
    if question["type"] != "multiple":
        if not isinstance(answer, str):
            return "not an option id"
        return None if answer in ids else "not one of this question's options"
    if not isinstance(answer, list):
        return "not a list of option ids"
    if not answer:
        return "no option chosen"
    if not all(isinstance(a, str) for a in answer):
        return "not a list of option ids"
    if not all(a in ids for a in answer):
        return "not one of this question's options"
    return None


def _numeric(answer: Any) -> str | None:
    if not _is_number(answer):
        return "not a number"
    try:
        x = float(answer)
    except OverflowError:
        return "a number out of range"
    if not math.isfinite(x) or abs(x) > MAX_NUMBER:
        return "a number out of range"
    return None


def _keyed(question: dict, answer: Any, rows: str) -> str | None:
    if not isinstance(answer, dict):
        return "not an object of items"
    want = _ids(question.get(rows))
    if len(answer) != len(want) or set(answer) != set(want):
        return "not the items of this question"
    values = [answer[k] for k in want]
    if question["type"] == "ordering":
        if not all(_is_whole(v) for v in values):
            return "a position that is not a whole number"
        if sorted(int(v) for v in values) != list(range(1, len(want) + 1)):
            return f"positions that are not 1 to {len(want)} each once"
        return None
    choices = set(_ids(question.get("right")))
    if not all(isinstance(v, str) and v in choices for v in values):
        return "a match that is not one of this question's choices"
    return None


def answer_problem(question: dict, answer: Any) -> str | None:
    """None when ``answer`` has the right shape for ``question`` (right or wrong); else a
    short reason, e.g. ``"not one of this question's options"``."""
    qtype = question.get("type")
    if qtype in ("single", "scenario", "multiple"):
        return _choice(question, answer)
    if qtype == "numeric":
        return _numeric(answer)
    if qtype == "ordering":
        return _keyed(question, answer, "items")
    if qtype == "matching":
        return _keyed(question, answer, "left")
    return "unknown question type"
