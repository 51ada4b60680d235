"""One SCORM interaction of an LMS export (an interaction id and a response) as an answer.

The readers of LMS exports (:mod:`.moodle_interactions`, :mod:`.generic`) hand each
interaction here; the response is decoded by the SCORM contract's one decoder
(:func:`osai.instructor.scorm.responses.decode`: SCORM 1.2 ``student_response`` or SCORM
2004 ``learner_response``, told apart by their separators) and checked against the
loaded bank.
"""

from __future__ import annotations

from osai.instructor.quiz_report.records import Answer
from osai.instructor.scorm.responses import decode, parse_interaction_id
from osai.quiz.answers import answer_problem
from osai.quiz.scoring import is_correct

__all__ = ["answer_from_interaction"]


def answer_from_interaction(banks: dict[str, dict], learner: str, interaction_id: str,
                            response: str, source: str, attempt: int = 0) -> Answer:
    """An :class:`~.records.Answer` for one interaction; ValueError with the reason when the
    id names no known chapter or question, or the response does not fit."""
    chapter, qid = parse_interaction_id(interaction_id)
    bank = banks.get(chapter)
    if bank is None:
        raise ValueError(f"unknown chapter {chapter!r} (no quiz bank)")
    question = next((q for q in bank["questions"] if q["id"] == qid), None)
    if question is None:
        raise ValueError(f"unknown question {qid!r} in chapter {chapter}")
    # one interaction per base question: the response may be to any of its variants
    reason = None
    for shown in (question, *(question.get("variants") or ())):
        try:
            answer = decode(shown, response)
        except ValueError as exc:
            reason = reason or exc
            continue
        problem = answer_problem(shown, answer)
        if problem:
            reason = reason or ValueError(f"answer dropped: {problem}")
            continue
        return Answer(learner, chapter, qid, answer, is_correct(shown, answer), source, attempt)
    raise reason
