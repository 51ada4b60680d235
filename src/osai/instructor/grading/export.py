"""``osai grade export``: the gradebook as CSV (``grade_rows`` also feeds ``osai grade plot``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from osai.instructor.grading.outcomes import read_outcomes
from osai.instructor.grading.workdir import Course, GradingError
from osai.instructor.grading.csvfile import write_rows


EXPORT_FIELDS = ["assignment", "student_id", "last_name", "first_name", "email", "timestamp",
                 "status", "raw_score", "late_submission_penalty", "score", "max_score",
                 "needs_manual_grade"]


def grade_rows(course: Course, assignments: Sequence[str] | None = None
               ) -> list[dict[str, Any]]:
    """One row per assignment and student in the gradebook (0 when not submitted)."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(course.db_url, course.course_id) as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            if assignments and assignment.name not in assignments:
                continue
            statuses = {o.student: o.status for o in read_outcomes(course, assignment.name)}
            for student in sorted(gb.students, key=lambda s: s.id):
                row: dict[str, Any] = {
                    "assignment": assignment.name, "student_id": student.id,
                    "last_name": student.last_name or "", "first_name": student.first_name or "",
                    "email": student.email or "", "max_score": float(assignment.max_score),
                }
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.update(timestamp="", status="no-submission", raw_score=0.0,
                               late_submission_penalty=0.0, score=0.0,
                               needs_manual_grade=False)
                else:
                    penalty = float(sub.late_submission_penalty or 0.0)
                    row.update(timestamp=sub.timestamp.isoformat() if sub.timestamp else "",
                               status=statuses.get(student.id, "graded"),
                               raw_score=float(sub.score), late_submission_penalty=penalty,
                               score=max(0.0, float(sub.score) - penalty),
                               needs_manual_grade=bool(sub.needs_manual_grade))
                rows.append(row)
    return rows


def export_grades(course: Course, output: Path | None = None,
                  assignments: Sequence[str] | None = None) -> Path:
    """Write the grades to CSV (default ``<workdir>/grades.csv``); returns its path."""
    if not course.db_path.is_file():
        raise GradingError(f"no gradebook at {course.db_path}; release and autograde first")
    rows = grade_rows(course, assignments)
    path = output or course.workdir / "grades.csv"
    return write_rows(path, EXPORT_FIELDS, rows)
