"""The grades in the layouts LMS gradebooks import: Canvas and Moodle.

``osai grade export --format canvas|moodle`` writes these next to the course's own
``grades.csv`` (:mod:`.export`), from the same rows (:func:`.export.grade_rows`): the
score after any late penalty, one column per assignment.  A student without a submission
gets an empty cell (``missing_as_zero``: 0): Moodle imports an empty cell as "no grade"
(``grade/import/csv/classes/load_data.php``), and Canvas compares it with the grade it
holds and lists the difference in its preview.  Every file is written through
:func:`.csvfile.write_rows`, so a name or id that looks like a formula stays text.

Canvas (Grades > Import; the layout of Canvas' own gradebook export): columns
``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per
assignment, named ``<assignment>`` or, when its Canvas id is given, ``<assignment> (<id>)``
(Canvas matches ``(<id>)`` first, then the exact title; a column it cannot match becomes a
new assignment).
The second row is ``Points Possible`` with each assignment's maximum.  nbgrader knows its
own student ids only, so they go in one of Canvas' identifying columns (by default
``SIS Login ID``, the login a student signs in with; ``--canvas-id-column`` chooses
``ID`` or ``SIS User ID`` instead) and the others stay empty.  Canvas' importer
(``app/models/gradebook_importer.rb``) looks a row's student up by ``ID``, then
``SIS User ID``, then ``SIS Login ID``, then by the ``Student`` name or sortable name;
``Student`` is "Last, First" (Canvas' sortable name) when the gradebook has the names,
else the id.

Moodle (Grades > Import > CSV file): one identifying column, ``Username`` (the nbgrader
student id), plus ``Email address``, ``First name`` and ``Last name``; one column per
assignment with the points; one ``<assignment> feedback`` column per assignment with a
short note (no submission, late penalty, needs manual grading).  In Moodle's import screen
the instructor maps "Map from" ``Username`` to "Map to" ``username`` (or ``Email address``
to ``useremail``), each assignment column to its grade item (or a new grade item) and each
feedback column to that item's feedback.  Moodle stops the whole import at a row whose user
it cannot find, so the gradebook's students must all be enrolled in the Moodle course.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from osai.instructor.grading.csvfile import write_rows

__all__ = ["CANVAS_ID_COLUMNS", "FORMATS", "canvas_rows", "moodle_rows", "write_lms"]

FORMATS = ("canvas", "moodle")
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: option value -> Canvas column that holds the nbgrader student id
CANVAS_ID_COLUMNS = {"id": "ID", "sis_user_id": "SIS User ID", "sis_login_id": "SIS Login ID"}
#: Canvas' own export puts this label (with its leading spaces) in the Student column
POINTS_POSSIBLE = "    Points Possible"


def number(x: float) -> str:
    """A score as a gradebook reads it: ``6``, ``5.5``, ``3.25`` (no ``6.0``)."""
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"


def _students(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(r["student_id"], r)
    return [seen[k] for k in sorted(seen)]


def _assignments(rows: list[dict[str, Any]]) -> list[tuple[str, float]]:
    out: dict[str, float] = {}
    for r in rows:
        out.setdefault(r["assignment"], float(r["max_score"]))
    return sorted(out.items())


def _score(row: dict[str, Any] | None, missing_as_zero: bool = False) -> str:
    if row is None or row["status"] == "no-submission":
        return "0" if missing_as_zero else ""
    return number(row["score"])


def canvas_rows(rows: list[dict[str, Any]], id_column: str = "sis_login_id",
                assignment_ids: Mapping[str, str] | None = None,
                missing_as_zero: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
    """(header, rows) of Canvas' gradebook import CSV, the Points Possible row first."""
    if id_column not in CANVAS_ID_COLUMNS:
        raise ValueError(f"unknown Canvas id column {id_column!r} "
                         f"(known: {', '.join(CANVAS_ID_COLUMNS)})")
    ids = assignment_ids or {}
    names = _assignments(rows)
    columns = {a: (f"{a} ({ids[a]})" if a in ids else a) for a, _ in names}
    header = CANVAS_FIXED + [columns[a] for a, _ in names]
    points = {k: "" for k in CANVAS_FIXED}
    points["Student"] = POINTS_POSSIBLE
    points.update({columns[a]: number(m) for a, m in names})
    by = {(r["student_id"], r["assignment"]): r for r in rows}
    out = [points]
    for s in _students(rows):
        last, first = s["last_name"], s["first_name"]
        row = {k: "" for k in CANVAS_FIXED}
        row["Student"] = f"{last}, {first}" if last and first else (last or first
                                                                     or s["student_id"])
        row[CANVAS_ID_COLUMNS[id_column]] = s["student_id"]
        row.update({columns[a]: _score(by.get((s["student_id"], a)), missing_as_zero)
                    for a, _ in names})
        out.append(row)
    return header, out


def _note(row: dict[str, Any] | None) -> str:
    if row is None or row["status"] == "no-submission":
        return "No submission."
    notes = []
    if row["late_submission_penalty"]:
        notes.append(f"Late: {number(row['late_submission_penalty'])} points taken off.")
    if row["needs_manual_grade"]:
        notes.append("Part of this assignment is still to be graded by hand.")
    if row["status"] != "graded":
        notes.append(f"Autograde status: {row['status']}.")
    return " ".join(notes)


def moodle_rows(rows: list[dict[str, Any]], missing_as_zero: bool = False
                ) -> tuple[list[str], list[dict[str, Any]]]:
    """(header, rows) for Moodle's grade import from a CSV file."""
    names = _assignments(rows)
    header = ["Username", "Email address", "First name", "Last name"]
    for a, _ in names:
        header += [a, f"{a} feedback"]
    by = {(r["student_id"], r["assignment"]): r for r in rows}
    out = []
    for s in _students(rows):
        row = {"Username": s["student_id"], "Email address": s["email"],
               "First name": s["first_name"], "Last name": s["last_name"]}
        for a, _ in names:
            got = by.get((s["student_id"], a))
            row[a] = _score(got, missing_as_zero)
            row[f"{a} feedback"] = _note(got)
        out.append(row)
    return header, out


def write_lms(rows: list[dict[str, Any]], fmt: str, path: Path,
              canvas_id_column: str = "sis_login_id",
              canvas_assignment_ids: Mapping[str, str] | None = None,
              missing_as_zero: bool = False) -> Path:
    """Write ``rows`` (from :func:`.export.grade_rows`) in an LMS layout; returns the path."""
    if fmt == "canvas":
        header, out = canvas_rows(rows, canvas_id_column, canvas_assignment_ids,
                                  missing_as_zero)
    elif fmt == "moodle":
        header, out = moodle_rows(rows, missing_as_zero)
    else:
        raise ValueError(f"unknown LMS format {fmt!r} (known: {', '.join(FORMATS)})")
    return write_rows(path, header, out)


def lms_path(grades_csv: Path, fmt: str) -> Path:
    """``grades.csv`` -> ``grades-canvas.csv`` (next to it)."""
    return grades_csv.with_name(f"{grades_csv.stem}-{fmt}.csv")


def parse_assignment_ids(pairs: Sequence[str] | None) -> dict[str, str]:
    """``["01-data-analysis=1234"]`` -> ``{"01-data-analysis": "1234"}``; ValueError names
    a malformed pair."""
    out = {}
    for pair in pairs or []:
        name, sep, cid = pair.partition("=")
        if not sep or not name.strip() or not cid.strip().isdigit():
            raise ValueError(f"--canvas-assignment-id {pair!r}: expected NAME=NUMBER")
        out[name.strip()] = cid.strip()
    return out
