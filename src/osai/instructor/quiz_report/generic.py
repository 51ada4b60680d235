"""A plain CSV of SCORM interactions, one row per learner and interaction.

Columns (names compared without case; spaces, dots and dashes count as ``_``):

* the learner: ``learner``, ``learner_id``, ``learner_name``, ``student``,
  ``student_id``, ``student_name``, ``user``, ``user_id``, ``username`` or ``email``;
* the interaction id: ``interaction_id``, ``interaction`` or ``id``;
* the response: ``student_response`` (SCORM 1.2), ``learner_response`` (SCORM 2004) or
  ``response``;
* optional: ``result`` (ignored: the report checks each response against the bank) and
  ``attempt`` (a later attempt replaces an earlier one).

The response and result names are those of the SCORM data model
(``cmi.interactions.n.student_response`` in SCORM 1.2, ``learner_response`` in 2004), so a
table written from a runtime's ``cmi.interactions`` (scorm-again's, for instance) or a
per-interaction export of another LMS needs at most its columns renamed.  No other LMS
layout is guessed: a table without these columns is skipped as foreign.
"""

from __future__ import annotations

import re

from osai.instructor.quiz_report.interactions import answer_from_interaction
from osai.instructor.quiz_report.records import Reading, Skip

__all__ = ["generic_columns", "read_generic"]

LEARNER = ("learner", "learner_id", "learner_name", "student", "student_id", "student_name",
           "user", "user_id", "username", "email")
INTERACTION = ("interaction_id", "interaction", "id")
RESPONSE = ("student_response", "learner_response", "response")


def _norm(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", name.strip().lower())


def _find(names: list[str], wanted: tuple[str, ...]) -> int | None:
    for w in wanted:
        if w in names:
            return names.index(w)
    return None


def generic_columns(header: list[str]) -> tuple[int, int, int, int | None] | None:
    """(learner, interaction id, response, attempt) column indexes, or None."""
    names = [_norm(h) for h in header]
    cols = (_find(names, LEARNER), _find(names, INTERACTION), _find(names, RESPONSE))
    if None in cols:
        return None
    return (*cols, _find(names, ("attempt",)))  # type: ignore[return-value]


def read_generic(header: list[str], rows: list[list[str]], label: str,
                 banks: dict[str, dict]) -> Reading:
    out = Reading()
    learner_at, id_at, resp_at, attempt_at = generic_columns(header)  # type: ignore[misc]
    for n, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"row {n}"
        if len(row) != len(header):
            out.skips.append(Skip(label, f"{len(row)} cells, expected {len(header)}", where))
            continue
        learner = row[learner_at].strip()
        if not learner:
            out.skips.append(Skip(label, "no learner", where))
            continue
        attempt_text = row[attempt_at].strip() if attempt_at is not None else ""
        attempt = int(attempt_text) if attempt_text.isdigit() else 0
        try:
            ans = answer_from_interaction(banks, learner, row[id_at], row[resp_at], label,
                                          attempt)
        except ValueError as exc:
            out.skips.append(Skip(label, str(exc), where))
            continue
        out.answers.append(ans)
    return out
