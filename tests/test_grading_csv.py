"""Every CSV the grading commands write is safe to open in a spreadsheet
(osai.instructor.grading.csvfile), and their terminal summaries keep one student to a line.

A text cell a spreadsheet would read as a formula (OWASP: ``=``, ``+``, ``-``, ``@``, tab,
carriage return; also after spaces and in full-width forms) is written with a leading
``'``; numbers stay numbers; reading the file back gives the values written.
"""

from __future__ import annotations

import csv

import pytest

from osai.instructor.grading import csvfile
from osai.instructor.grading.collect import Entry, write_report
from osai.instructor.grading.outcomes import Outcome, write_outcomes
from osai.instructor.grading.workdir import Course
from osai.instructor.grading.feedback import FeedbackOutcome, write_feedback_report

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
            "  =1+1", "\uff1d1+1", "\uff0bcmd", "'=1"]
SAFE = ["alice", "1.5", "a=b", "", "x-y@z"]


def _cells(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_get_a_quote_and_read_back(tmp_path, text):
    path = csvfile.write_rows(tmp_path / "r.csv", ["a", "n"], [{"a": text, "n": -2.5}])
    row = _cells(path)[0]
    assert row["a"] == "'" + text
    assert row["n"] == "-2.5"  # a number is not text
    assert csvfile.read_rows(path) == [{"a": text, "n": "-2.5"}]


@pytest.mark.parametrize("text", SAFE)
def test_plain_cells_are_untouched(tmp_path, text):
    path = csvfile.write_rows(tmp_path / "r.csv", ["a"], [{"a": text}])
    assert _cells(path)[0]["a"] == text


@pytest.fixture
def course(tmp_path):
    return Course.create(workdir=tmp_path / "work", assignments_dir=tmp_path / "none",
                         data_dir=tmp_path / "none-data")


def test_reports_of_autograde_collect_and_feedback_are_formula_safe(course, tmp_path):
    evil = "=HYPERLINK(\"http://evil\",\"click\")"
    write_outcomes(course, "a1", [Outcome(student="-bob", assignment="a1", status="failed",
                                          message=evil)])
    rows = _cells(course.reports_dir / "a1-autograde.csv")
    assert rows[0]["student"] == "'-bob" and rows[0]["message"] == "'" + evil
    write_report(tmp_path / "c.csv", [Entry("dl.zip", f"@x/{evil}", reason="name pattern",
                                            detail=evil)])
    row = _cells(tmp_path / "c.csv")[0]
    assert row["entry"] == "'@x/" + evil and row["detail"] == "'" + evil
    for _ in range(2):  # merged with what is there: one row for the student, as written
        write_feedback_report(course, "a1", [FeedbackOutcome("-bob", "a1", "failed", evil)])
    rows = _cells(course.reports_dir / "a1-feedback.csv")
    assert [(r["student"], r["message"]) for r in rows] == [("'-bob", "'" + evil)]


def test_grade_export_of_a_hostile_roster_is_formula_safe(course, monkeypatch):
    import os
    import sys

    from nbgrader.api import Gradebook

    from osai.instructor.grading.export import export_grades

    # nbgrader runs this environment's alembic
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable),
                                                os.environ.get("PATH", "")]))

    course.db_path.parent.mkdir(parents=True, exist_ok=True)
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.add_assignment("a1")
        gb.add_student("s1", first_name="=HYPERLINK(\"http://evil\",\"x\")", last_name="+1",
                       email="@SUM(A1)")
    path = export_grades(course)
    row = _cells(path)[0]
    assert (row["first_name"], row["last_name"], row["email"]) == (
        "'=HYPERLINK(\"http://evil\",\"x\")", "'+1", "'@SUM(A1)")
    assert row["student_id"] == "s1" and row["score"] == "0.0"


def test_summaries_show_one_line_per_student_whatever_the_message():
    from osai.instructor.grading.outcomes import summary
    from osai.instructor.grading.feedback import feedback_summary

    message = "line one\nline two\r\x1b[2J\x1b]8;;http://evil\x07click\u202e"
    text = summary([Outcome(student="bob", assignment="a1", status="failed",
                            message=message, notes="x\ny")])
    student_lines = [line for line in text.splitlines() if "bob" in line]
    assert len(student_lines) == 2  # bob's line and the ACTION NEEDED line
    assert not any(c in text for c in "\r\x1b\x07\u202e")
    text = feedback_summary([FeedbackOutcome("bob", "a1", "failed", message)])
    assert len([line for line in text.splitlines() if line.startswith("  bob")]) == 1
    assert "\\u001b[2J" in text and not any(c in text for c in "\r\x1b\x07\u202e")
