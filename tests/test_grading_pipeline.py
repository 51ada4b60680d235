"""The whole grading pipeline with real nbgrader on the course's three assignments, run
without the sandbox (``--no-sandbox``: every notebook in its own process with the limits,
not isolated), so it needs no bubblewrap and no build.

A module-scoped fixture releases the assignments into a temporary working folder, builds
submissions from the student versions (right, wrong, unanswered, and every broken layout:
cells deleted, reordered or edited, an old format, not JSON, not a notebook, nbgrader's
marker in an answer; :func:`harness.grading.plain_submissions`), zips them like an LMS
download, collects, autogrades, generates feedback, exports grades and plots them, once
(:func:`harness.grading.run_pipeline`).  The tests then check the recorded outcomes.
Submissions that attack the grader run in the sandbox: ``tests/test_grading_hostile.py``.

Golden files of the student versions are in ``tests/fixtures/grading/golden/``;
regenerate them after changing an assignment with::

    OSAI_UPDATE_GOLDENS=1 pytest tests/test_grading_pipeline.py -k golden
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from harness.grading import (A1, A2, A3, ASSIGNMENTS, EXPECTED, NEVER_GRADED, cell,
                             gradebook_snapshot, outcome_problems, run_pipeline, unsandboxed)
from osai.instructor.grading.authoring import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, \
    END_SOLUTION
from osai.instructor.grading.autograde import autograde
from osai.instructor.grading.commands import main as grade_main
from osai.instructor.grading.export import export_grades
from osai.instructor.grading.feedback import feedback_report_path, hidden_lines, \
    hidden_text_in
from osai.instructor.grading.outcomes import outcome_paths, read_outcomes

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:.*not in session.*"),
              pytest.mark.filterwarnings("ignore::osai.instructor.grading.sandbox."
                                         "UnsandboxedWarning")]

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "grading" / "golden"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return run_pipeline(tmp_path_factory.mktemp("grading"), unsandboxed())


def _by_student(outcomes):
    return {o.student: o for o in outcomes}


# ----------------------------------------------------------------- sources and release


def _student_view(nb) -> list[list]:
    return [[c.cell_type, c.metadata.get("nbgrader", {}).get("grade_id"),
             c.metadata.get("nbgrader", {}).get("locked"),
             c.metadata.get("nbgrader", {}).get("points"), c.source] for c in nb.cells]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_matches_golden(graded, name):
    view = _student_view(graded.releases[name])
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("OSAI_UPDATE_GOLDENS"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(view, indent=1, ensure_ascii=False) + "\n")
    assert golden.is_file(), f"no golden file {golden}; set OSAI_UPDATE_GOLDENS=1 to write it"
    assert view == json.loads(golden.read_text()), (
        f"the student version of {name} changed; if intended, regenerate the goldens "
        "(OSAI_UPDATE_GOLDENS=1)")


def _secret_lines(source_nb) -> list[str]:
    """Solution and hidden-test lines, and the model answers of manual cells."""
    secret, visible = [], []
    for c in source_nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("solution") and BEGIN_SOLUTION not in c.source:
            secret += [line.strip() for line in c.source.splitlines()]
            continue
        inside = False
        for line in c.source.splitlines():
            if BEGIN_SOLUTION in line or BEGIN_HIDDEN in line:
                inside = True
            elif END_SOLUTION in line or END_HIDDEN in line:
                inside = False
            elif inside:
                secret.append(line.strip())
            else:
                visible.append(line)
    shown = "\n".join(visible)
    return [s for s in secret if len(s) >= 6 and s not in shown]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_holds_no_solution_or_hidden_test(graded, name):
    secret = _secret_lines(graded.sources[name])
    assert len(secret) > 5
    text = "\n".join(c.source for c in graded.releases[name].cells)
    for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
        assert marker not in text
    leaked = [line for line in secret if line in text]
    assert leaked == []
    zipped = zipfile.ZipFile(graded.course.workdir / "lms" / f"{name}.zip").namelist()
    assert sorted(zipped) == sorted([f"{name}/{name}.ipynb", f"{name}/events.csv",
                                     f"{name}/organisations.csv"])


def test_release_copies_the_data_next_to_the_notebook(graded):
    for name in ASSIGNMENTS:
        folder = graded.course.folder("release", name)
        for data, digest in graded.data.items():
            assert hashlib.sha256((folder / data).read_bytes()).hexdigest() == digest
        assert sorted(p.name for p in folder.iterdir()) == [
            f"{name}.ipynb", "events.csv", "organisations.csv"]


# ----------------------------------------------------------------- collect and autograde


def test_zip_collect_takes_every_well_named_file(graded):
    assert graded.collected[A1] == sorted(s for s in EXPECTED[A1] if s != "nofile")
    assert graded.collected[A2] == sorted(EXPECTED[A2])
    assert "zed" not in graded.collected[A1]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_submission_gets_its_expected_outcome(graded, name):
    got = _by_student(graded.outcomes[name])
    assert sorted(got) == sorted(EXPECTED[name])
    # run with --no-sandbox, and the outcome says so
    assert not any(got[student].isolated for student in EXPECTED[name])
    problems = outcome_problems(got, EXPECTED[name])
    assert not problems, "\n".join(problems)


def test_parallel_runs_are_used_by_nbgrader(graded):
    """With --jobs 2 every gradable notebook ran ahead; nbgrader found each run ready."""
    gradable = sum(1 for s in EXPECTED[A1] if s not in NEVER_GRADED)
    assert graded.prefetch == {"hits": gradable, "misses": 0}


def test_autograde_leaves_sources_release_and_submissions_alone(graded):
    assert graded.before == graded.after
    assert graded.before["submitted"]  # the digests saw the files


def test_outcome_report_is_written(graded):
    csv_path, json_path = outcome_paths(graded.course, A1)
    rows = list(csv.DictReader(csv_path.open()))
    assert {r["student"] for r in rows} == set(EXPECTED[A1])
    assert {r["status"] for r in rows} >= {"graded", "invalid-notebook", "missing", "error"}
    assert json.loads(json_path.read_text())[0].keys() >= {"student", "status", "message",
                                                           "score"}


def test_invalid_submissions_are_in_the_gradebook_with_zero(graded):
    from nbgrader.api import Gradebook

    with Gradebook(graded.course.db_url) as gb:
        for student in NEVER_GRADED:
            sub = gb.find_submission(A1, student)
            assert sub.score == 0 and not sub.needs_manual_grade
    for student in NEVER_GRADED:
        assert not graded.course.folder("autograded", A1, student).exists()


def test_restored_cells_are_graded_with_the_released_tests(graded):
    """The edited tests were put back: the student's `pass` never ran in their place."""
    nb = nbformat.read(graded.course.folder("autograded", A1, "edited") / f"{A1}.ipynb", 4)
    for gid in ("test-total-funding", "test-years-to-release", "test-events-per-category"):
        restored = cell(nb, gid)
        assert "what tests" not in restored.source
        assert restored.metadata["nbgrader"]["grade"] is True
    assert not any(c.metadata.get("nbgrader", {}).get("grade_id") == "bonus"
                   for c in nb.cells)


# ----------------------------------------------------------------- feedback


def test_feedback_holds_no_hidden_test_text(graded):
    for name in ASSIGNMENTS:
        secret = hidden_lines(graded.course.folder("source", name) / f"{name}.ipynb")
        assert secret
        statuses = {r.student: r.status for r in graded.feedback[name]}
        assert set(statuses) == set(EXPECTED[name])
        for student, status in statuses.items():
            if student in NEVER_GRADED:
                assert status == "skipped"
                continue
            if student == "marker":
                continue  # see test_one_hostile_notebook_is_that_students_outcome
            assert status == "generated", (name, student, status)
            page = graded.course.folder("feedback", name, student) / f"{name}.html"
            html_text = page.read_text(encoding="utf-8")
            assert hidden_text_in(html_text, secret) == [], (name, student)
            assert "BEGIN HIDDEN TESTS" not in html_text


def test_one_hostile_notebook_is_that_students_outcome(graded, capsys):
    """An answer holding 'BEGIN HIDDEN TESTS' makes nbgrader refuse that notebook: the
    student gets a recorded outcome with the reason, everyone else gets feedback, and the
    command exits 1 naming the student the instructor must see to."""
    results = {r.student: r for r in graded.feedback[A1]}
    marker = results["marker"]
    assert marker.status == "failed"
    assert "BEGIN HIDDEN TESTS" in marker.message and "cell" in marker.message
    assert not list(graded.course.folder("feedback", A1, "marker").glob("*.html"))
    generated = [s for s, r in results.items() if r.status == "generated"]
    assert len(generated) == len(results) - 1 - len(NEVER_GRADED)
    report = feedback_report_path(graded.course, A1)
    rows = {r["student"]: r for r in csv.DictReader(report.open(encoding="utf-8"))}
    assert rows["marker"]["status"] == "failed"
    assert "BEGIN HIDDEN TESTS" in rows["marker"]["message"]
    assert rows["correct"]["status"] == "generated" and rows["correct"]["files"]

    course = graded.course
    code = grade_main(["feedback", A1, "--workdir", str(course.workdir),
                       "--assignments", str(course.assignments_dir),
                       "--data", str(course.data_dir)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "Traceback" not in out + err
    assert "ACTION NEEDED for 1 student(s): marker" in out
    assert (course.folder("feedback", A1, "correct") / f"{A1}.html").is_file()


def test_feedback_redacts_hidden_lines_quoted_in_outputs(graded):
    for student in ("leaker", "wrong"):  # printed history; a traceback of a hidden assert
        page = graded.course.folder("feedback", A1, student) / f"{A1}.html"
        assert "[hidden test]" in page.read_text(encoding="utf-8"), student


# ----------------------------------------------------------------- export and plot


def test_export_has_a_row_per_student_and_assignment(graded):
    rows = list(csv.DictReader(graded.grades_csv.open()))
    students = set().union(*(set(e) for e in EXPECTED.values()))
    assert len(rows) == len(ASSIGNMENTS) * len(students)
    by_key = {(r["assignment"], r["student_id"]): r for r in rows}
    for name, expected in EXPECTED.items():
        for student, (status, score, manual, _) in expected.items():
            row = by_key[(name, student)]
            assert (row["status"], float(row["score"])) == (status, score)
            assert row["needs_manual_grade"] == str(manual)
    assert by_key[(A2, "leaker")]["status"] == "no-submission"
    assert float(by_key[(A2, "leaker")]["score"]) == 0
    assert {float(by_key[(n, "correct")]["max_score"]) for n in ASSIGNMENTS} == {6, 8, 16}


def test_plot_writes_one_chart_per_assignment(graded):
    assert sorted(p.name for p in graded.charts) == [f"{n}-grades.html" for n in ASSIGNMENTS]
    for path in graded.charts:
        text = path.read_text()
        assert "vega" in text and "grade distribution" in text


# ----------------------------------------------------------------- re-running


def test_rerunning_autograde_gives_the_same_gradebook(graded):
    course = graded.course
    again = ["wrong", "reordered", "edited", "badjson", "nofile"]
    outcomes = autograde(course, A1, students=again, jobs=2, progress=False)
    assert gradebook_snapshot(course) == graded.snapshot
    first = _by_student(graded.outcomes[A1])
    for o in outcomes:
        assert (o.status, o.score, o.message, o.notes) == (
            first[o.student].status, first[o.student].score, first[o.student].message,
            first[o.student].notes)
    rows = read_outcomes(course, A1)
    assert {r.student for r in rows} == set(EXPECTED[A1])  # merged, not replaced


def test_manual_grades_survive_autograding_again(graded):
    from nbgrader.api import Gradebook

    course = graded.course
    with Gradebook(course.db_url) as gb:
        for grade_id, points in (("answer-choice", 3), ("answer-trade-offs", 4),
                                 ("answer-recommendation", 2)):
            grade = gb.find_grade(grade_id, A3, A3, "correct")
            grade.manual_score = points
        gb.db.commit()
    autograde(course, A3, students=["correct"], progress=False)
    path = export_grades(course, course.reports_dir / "after-manual.csv")
    rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(path.open())}
    assert float(rows[(A3, "correct")]["score"]) == 4 + 9


def test_cli_runs_export_and_plot(graded, capsys):
    out = graded.course.reports_dir / "cli-grades.csv"
    assert grade_main(["export", "--workdir", str(graded.course.workdir),
                       "--output", str(out)]) == 0
    assert out.is_file()
    assert grade_main(["plot", "--workdir", str(graded.course.workdir), "--cdn"]) == 0
    assert "chart written" in capsys.readouterr().out
