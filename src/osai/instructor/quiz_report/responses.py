"""SCORM learner responses back into the widget's answers (the shared contract).

The course's SCORM packages report one interaction per question, with the id
``<chapter>/<question id>`` and ``cmi.interactions.n.student_response`` (SCORM 1.2) written
as:

* single, scenario: the option id (``c``);
* multiple: option ids sorted, comma-separated (``a,c``);
* numeric: the number as typed (``133``);
* ordering (``sequencing``): item ids in the order of the positions the learner gave,
  comma-separated;
* matching: ``left.right`` pairs, comma-separated (``l1.r2,l2.r1``).

The SCORM 2004 package writes ``cmi.interactions.n.learner_response`` in the formats of
the SCORM 2004 data model: the same ids, but lists joined with ``[,]`` (``a[,]c``) and
matching pairs joined with ``[.]`` (``l1[.]r2[,]l2[.]r1``); its result is ``incorrect``
where 1.2 says ``wrong`` (the report ignores results and checks each response itself).
Both forms are read: a response that holds ``[,]`` or ``[.]`` is split on those, any
other on ``,`` and ``.``.

Ids are those of the loaded bank (:func:`osai.quiz.bank.load_bank`).
:func:`parse_response` turns such a string back into the JSON form quiz.js stores, and
raises :class:`ValueError` with a reason when the string does not fit the question.
"""

from __future__ import annotations

import math
from typing import Any

from osai.quiz.bank import clean_answers

__all__ = ["parse_interaction_id", "parse_response"]


def parse_interaction_id(text: str) -> tuple[str, str]:
    """``"03-four-organisations/opencv-start"`` -> (chapter, question id)."""
    chapter, sep, qid = text.strip().partition("/")
    if not sep or not chapter or not qid or "/" in qid:
        raise ValueError(f"interaction id {text!r} is not <chapter>/<question id>")
    return chapter, qid


def _ids(text: str) -> list[str]:
    sep = "[,]" if "[,]" in text else ","
    parts = [p.strip() for p in text.split(sep)]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"empty item in a {sep!r}-separated response")
    return parts


def _parse(question: dict, text: str) -> Any:
    qtype = question["type"]
    if qtype in ("single", "scenario"):
        return text.strip()
    if qtype == "multiple":
        return _ids(text)
    if qtype == "numeric":
        try:
            value = float(text.strip().replace(",", "."))
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return int(value) if value == int(value) else value
    if qtype == "ordering":
        items = _ids(text)
        known = {it["id"] for it in question["items"]}
        if sorted(items) != sorted(known):
            raise ValueError("an ordering response must name every item exactly once")
        return {item: i + 1 for i, item in enumerate(items)}
    if qtype == "matching":
        pairs = {}
        pair = "[.]" if "[.]" in text else "."
        for part in _ids(text):
            left, sep, right = part.partition(pair)
            if not sep or not left or not right:
                raise ValueError(f"matching pair {part!r} is not left{pair}right")
            if left in pairs:
                raise ValueError(f"matching item {left!r} is given twice")
            pairs[left] = right
        return pairs
    raise ValueError(f"unknown question type {qtype!r}")  # pragma: no cover


def parse_response(question: dict, text: str) -> Any:
    """The widget answer for a SCORM ``student_response`` (1.2) or ``learner_response``
    (2004) string; ValueError if it does not
    fit the question (unknown option id, missing item, not a number ...)."""
    answer = _parse(question, text)
    kept, _ = clean_answers({"questions": [question]}, {question["id"]: answer})
    if question["id"] not in kept:
        raise ValueError(f"response {text!r} does not fit this {question['type']} question")
    return answer


def answer_from_interaction(banks: dict[str, dict], learner: str, interaction_id: str,
                            response: str, source: str, attempt: int = 0):
    """An :class:`~.records.Answer` for one interaction; ValueError with the reason when the
    id names no known chapter or question, or the response does not fit."""
    from osai.quiz.bank import is_correct
    from osai.instructor.quiz_report.records import Answer

    chapter, qid = parse_interaction_id(interaction_id)
    bank = banks.get(chapter)
    if bank is None:
        raise ValueError(f"unknown chapter {chapter!r} (no quiz bank)")
    question = next((q for q in bank["questions"] if q["id"] == qid), None)
    if question is None:
        raise ValueError(f"unknown question {qid!r} in chapter {chapter}")
    answer = parse_response(question, response)
    return Answer(learner, chapter, qid, answer, is_correct(question, answer), source, attempt)
