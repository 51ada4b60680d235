"""Moodle's SCORM "Interactions report" download (mod/scorm/report/interactions).

What Moodle writes (read from ``mod/scorm/report/interactions/classes/report.php`` and
its language strings; the CSV download is tab-separated, the ODS and Excel downloads have
the same columns):

* ``Name`` (the learner's full name), then the identity fields the site shows
  (e.g. ``Email address``, ``ID number``), ``Attempt``, ``Started on``,
  ``Last accessed on``, ``Score``;
* one column per SCO (its title) holding that SCO's score or status;
* per interaction ``n`` (counted from 0), as the report's options choose:
  ``Question n`` (the interaction id; "Include question text"), ``Response n``
  ("Include responses", on by default), ``Right answer n`` ("Include right answers")
  and ``Result n`` ("Include results").

In a row, each SCO's cell is followed by that SCO's interaction cells (so a package of
several SCOs has more cells in a row than headers; the reader splits them per SCO).
A response can only be placed with its interaction id: a download without the
``Question n`` columns is skipped with that reason.  A learner is named by the first
identity field with a value (email, ID number, username), else by the full name; of
several attempts the latest is kept (by :func:`.sources.read_inputs`, which keeps one answer
per learner and question for every kind of input).
"""

from __future__ import annotations

import re

from osai.instructor.quiz_report.interactions import answer_from_interaction
from osai.instructor.quiz_report.records import Reading, Skip

__all__ = ["is_moodle", "read_moodle"]

_PER_Q = re.compile(r"^(Question|Response|Right answer|Result) (\d+)$")
_FIXED_END = "Score"
_IDENTITY = ("Email address", "ID number", "Username")


def is_moodle(header: list[str]) -> bool:
    return bool(header) and header[0] == "Name" and any(_PER_Q.match(h) for h in header)


def read_moodle(header: list[str], rows: list[list[str]], label: str,
                banks: dict[str, dict]) -> Reading:
    out = Reading()
    first_q = next(i for i, h in enumerate(header) if _PER_Q.match(h))
    if _FIXED_END not in header[:first_q]:
        out.skips.append(Skip(label, "Moodle interactions layout without a 'Score' column "
                                     "(download the report with English column names)"))
        return out
    score_at = header.index(_FIXED_END)
    n_sco = first_q - score_at - 1
    kinds = [(_PER_Q.match(h).group(1), int(_PER_Q.match(h).group(2)))
             if _PER_Q.match(h) else None for h in header[first_q:]]
    if None in kinds or n_sco < 1:
        out.skips.append(Skip(label, "Moodle interactions layout not recognised (expected SCO "
                                     "columns after 'Score', then only Question/Response/"
                                     "Right answer/Result columns)"))
        return out
    per_q = sorted({k for k, _ in kinds}, key=["Question", "Response", "Right answer",
                                               "Result"].index)
    if "Question" not in per_q or "Response" not in per_q:
        out.skips.append(Skip(label, "this interactions report has no "
                                     + ("'Question n' columns" if "Question" not in per_q
                                        else "'Response n' columns")
                                     + "; download it again with 'Include question text' and "
                                       "'Include responses' ticked"))
        return out
    k = len(per_q)
    n_questions = len(kinds) // k
    chunk = 1 + n_questions * k
    ident = [header.index(f) for f in _IDENTITY if f in header[:score_at]]
    attempt_at = header.index("Attempt") if "Attempt" in header[:score_at] else None
    for n, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"row {n}"
        attempt_text = row[attempt_at].strip() if attempt_at is not None and \
            attempt_at < len(row) else "0"
        if attempt_text in ("", "-"):
            continue  # a learner without an attempt
        expected = score_at + 1 + n_sco * chunk
        if len(row) != expected:
            out.skips.append(Skip(label, f"{len(row)} cells, expected {expected}", where))
            continue
        learner = next((row[i].strip() for i in ident if row[i].strip()), row[0].strip())
        if not learner:
            out.skips.append(Skip(label, "no learner name or id", where))
            continue
        attempt = int(attempt_text) if attempt_text.isdigit() else 0
        cells = row[score_at + 1:]
        chunks = [cells[i * chunk:(i + 1) * chunk] for i in range(n_sco)]
        for sco in chunks:
            values = sco[1:]
            for j in range(n_questions):
                group = dict(zip(per_q, values[j * k:(j + 1) * k]))
                qtext = group.get("Question", "").strip()
                resp = group.get("Response", "").strip()
                if not qtext and not resp:
                    continue
                try:
                    ans = answer_from_interaction(banks, learner, qtext, resp, label, attempt)
                except ValueError as exc:
                    out.skips.append(Skip(label, str(exc), f"{where}, interaction {j}"))
                    continue
                out.answers.append(ans)
    return out
