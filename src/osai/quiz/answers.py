"""Answer-shape rules, one set per question type (provisional copy for the class report's
tests; the quiz's own module replaces it).

:func:`answer_problem` says whether an answer (the JSON form quiz.js stores) has the shape
a question's controls give, right or wrong: None when it does, else a short reason.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MAX_NUMBER", "answer_problem"]

#: the largest number a numeric answer may hold
MAX_NUMBER = 1e12


def _number(x: Any) -> bool:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    try:
        return math.isfinite(float(x)) and abs(float(x)) <= MAX_NUMBER
    except OverflowError:
        return False


def _strings(x: Any) -> bool:
    return isinstance(x, list) and all(isinstance(v, str) for v in x)


def answer_problem(question: dict, answer: object) -> str | None:
    """None when ``answer`` fits ``question``; else why not (a short phrase)."""
    qtype = question.get("type")
    if qtype in ("single", "scenario"):
        ids = {o["id"] for o in question["options"]}
        if not isinstance(answer, str):
            return f"a {qtype} answer must be one option id"
        return None if answer in ids else "not one of the question's options"
    if qtype == "multiple":
        ids = {o["id"] for o in question["options"]}
        if not _strings(answer) or not answer:
            return "a multiple answer must be a non-empty list of option ids"
        if len(set(answer)) != len(answer):
            return "an option is given twice"
        return None if set(answer) <= ids else "not one of the question's options"
    if qtype == "numeric":
        return None if _number(answer) else \
            f"a numeric answer must be a finite number of at most {MAX_NUMBER:g}"
    if qtype in ("ordering", "matching"):
        keys = set(question["solution"])
        if not isinstance(answer, dict):
            return f"an {qtype} answer must be a mapping" if qtype == "ordering" \
                else "a matching answer must be a mapping"
        if set(answer) != keys:
            return "the items are not the question's"
        values = list(answer.values())
        if qtype == "ordering":
            if not all(_number(v) and float(v).is_integer() for v in values):
                return "positions must be whole numbers"
            if sorted(int(v) for v in values) != list(range(1, len(keys) + 1)):
                return f"positions must be 1 to {len(keys)}, each once"
            return None
        rights = {r["id"] for r in question["right"]}
        if not all(isinstance(v, str) and v in rights for v in values):
            return "a match is not one of the question's choices"
        return None
    return f"unknown question type {qtype!r}"
