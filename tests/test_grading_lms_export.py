"""``osai grade export --format canvas|moodle``: the gradebook in each LMS's import layout.

The gradebook is built here with nbgrader's Gradebook API (no sandbox run): two
assignments, four students (one with a late penalty, one with a part still to grade by
hand, one who submitted nothing, one whose names look like spreadsheet formulas).  The
written files are compared byte for byte with the golden files in
``tests/fixtures/grades/`` and read back by each LMS's rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from osai.instructor.grading.commands import main as grade_main
from osai.instructor.grading.workdir import Course

pytestmark = pytest.mark.filterwarnings("ignore:.*not in session.*")
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "grades"
#: regenerate the golden files: OSAI_UPDATE_GOLDEN=1 pytest tests/test_grading_lms_export.py
UPDATE = os.environ.get("OSAI_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    from nbgrader.api import Gradebook

    work = tmp_path_factory.mktemp("lms") / "work"
    course = Course.create(workdir=work, assignments_dir=work.parent / "none",
                           data_dir=work.parent / "none-data")
    course.db_path.parent.mkdir(parents=True, exist_ok=True)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), old])  # alembic
    try:
        with Gradebook(course.db_url, course.course_id) as gb:
            for name, cells in (("01-data-analysis", {"q1": 2, "q2": 4}),
                                ("02-comparison-chart", {"c1": 5, "c2": 3})):
                gb.add_assignment(name, duedate=dt.datetime(2026, 5, 1))
                gb.add_notebook("main", name)
                for cell, points in cells.items():
                    gb.add_grade_cell(cell, "main", name, max_score=points, cell_type="code")
            gb.add_student("ada", first_name="Ada", last_name="Lovelace",
                           email="ada@example.org")
            gb.add_student("bo", first_name="Bo", last_name="Chen", email="bo@example.org")
            gb.add_student("cy", first_name="", last_name="", email="")
            gb.add_student("-dee", first_name="=HYPERLINK(\"http://x\")", last_name="+Dee",
                           email="@dee")
            scores = {("01-data-analysis", "ada"): {"q1": 2, "q2": 4},
                      ("01-data-analysis", "bo"): {"q1": 1.5, "q2": 2},
                      ("01-data-analysis", "-dee"): {"q1": 0, "q2": 1},
                      ("02-comparison-chart", "ada"): {"c1": 5, "c2": 2.25},
                      ("02-comparison-chart", "cy"): {"c1": 3, "c2": 3}}
            for (assignment, student), cells in scores.items():
                sub = gb.add_submission(assignment, student,
                                        timestamp=dt.datetime(2026, 4, 30, 12))
                for cell, score in cells.items():
                    grade = gb.find_grade(cell, "main", assignment, student)
                    grade.auto_score = score
                    grade.needs_manual_grade = False
                if (assignment, student) == ("01-data-analysis", "bo"):
                    sub.notebooks[0].late_submission_penalty = 0.5
                if (assignment, student) == ("02-comparison-chart", "cy"):
                    grade = gb.find_grade("c2", "main", assignment, student)
                    grade.auto_score = None
                    grade.needs_manual_grade = True
                gb.db.commit()
    finally:
        os.environ["PATH"] = old
    return work


@pytest.fixture(scope="module")
def exported(workdir):
    code = grade_main(["export", "--workdir", str(workdir), "--format", "canvas",
                       "--format", "moodle"])
    assert code == 0
    return workdir


@pytest.mark.parametrize("fmt", ["canvas", "moodle"])
def test_lms_files_match_golden(exported, fmt):
    got = (exported / f"grades-{fmt}.csv").read_bytes()
    golden = GOLDEN / f"grades-{fmt}.csv"
    if UPDATE:
        golden.write_bytes(got)
    assert got == golden.read_bytes()
    assert (exported / "grades.csv").is_file()  # today's CSV still written


def _read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_canvas_file_reads_as_canvas_does(exported):
    rows = _read(exported / "grades-canvas.csv")
    header, points, *students = rows
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[5:] == ["01-data-analysis", "02-comparison-chart"]
    assert points[0].strip() == "Points Possible" and points[1:5] == [""] * 4
    assert [float(x) for x in points[5:]] == [6.0, 8.0]
    by_login = {r[3]: r for r in students}
    assert set(by_login) == {"ada", "bo", "cy", "'-dee"}
    assert all(r[1] == "" and r[2] == "" for r in students)
    for r in students:
        for cell, most in zip(r[5:], (6, 8)):
            assert cell == "" or 0 <= float(cell) <= most
    assert by_login["bo"][5] == "3"  # 3.5 less the 0.5 late penalty
    assert by_login["ada"][5:] == ["6", "7.25"]
    assert by_login["cy"][5] == ""  # no submission: no grade, not 0
    assert by_login["cy"][0] == "cy"  # no names: the id
    assert by_login["'-dee"][0].startswith("'")  # formula-looking names are text


def test_moodle_file_reads_as_moodle_does(exported):
    header, *students = _read(exported / "grades-moodle.csv")
    assert header == ["Username", "Email address", "First name", "Last name",
                      "01-data-analysis", "01-data-analysis feedback",
                      "02-comparison-chart", "02-comparison-chart feedback"]
    by = {r[0]: dict(zip(header, r)) for r in students}
    assert by["ada"]["01-data-analysis"] == "6" and by["ada"]["Email address"] == "ada@example.org"
    assert by["bo"]["01-data-analysis feedback"] == "Late: 0.5 points taken off."
    assert by["cy"]["02-comparison-chart feedback"] == \
        "Part of this assignment is still to be graded by hand."
    assert by["cy"]["01-data-analysis"] == "" and by["cy"]["01-data-analysis feedback"] == \
        "No submission."
    assert by["'-dee"]["First name"].startswith("'=") and by["'-dee"]["Email address"] == "'@dee"
    for r in students:
        for item in ("01-data-analysis", "02-comparison-chart"):
            value = dict(zip(header, r))[item]
            assert value == "" or float(value) >= 0


def test_canvas_id_column_and_assignment_ids(workdir, tmp_path):
    out = tmp_path / "g.csv"
    code = grade_main(["export", "--workdir", str(workdir), "--output", str(out), "--format",
                       "canvas", "--canvas-id-column", "sis_user_id",
                       "--canvas-assignment-id", "01-data-analysis=1234"])
    assert code == 0
    header, _, *rows = _read(tmp_path / "g-canvas.csv")
    assert header[5] == "01-data-analysis (1234)"
    assert {r[2] for r in rows} == {"ada", "bo", "cy", "'-dee"} and {r[3] for r in rows} == {""}


def test_missing_as_zero(workdir, tmp_path):
    code = grade_main(["export", "--workdir", str(workdir), "--output", str(tmp_path / "g.csv"),
                       "--format", "moodle", "--missing-as-zero"])
    assert code == 0
    header, *rows = _read(tmp_path / "g-moodle.csv")
    by = {r[0]: dict(zip(header, r)) for r in rows}
    assert by["cy"]["01-data-analysis"] == "0" and by["bo"]["02-comparison-chart"] == "0"
    assert by["cy"]["01-data-analysis feedback"] == "No submission."


def test_bad_canvas_assignment_id_is_refused(workdir, tmp_path, capsys):
    code = grade_main(["export", "--workdir", str(workdir), "--output",
                       str(tmp_path / "g.csv"), "--format", "canvas",
                       "--canvas-assignment-id", "01-data-analysis"])
    assert code == 1 and "NAME=NUMBER" in capsys.readouterr().err
