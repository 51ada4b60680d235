"""The whole grading pipeline with real nbgrader on real notebooks.

A module-scoped fixture releases the three assignments into a temporary working folder,
builds fixture submissions from the student version (correct, wrong, unanswered and
every hostile kind), zips them like an LMS download, collects them (``osai.instructor.grading.collect``),
autogrades them in the bubblewrap sandbox, generates feedback, exports
grades and plots them, once.  The tests then check the recorded outcomes.

Golden files of the student versions are in ``tests/fixtures/grading/golden/``;
regenerate them after changing an assignment with::

    OSAI_UPDATE_GOLDENS=1 pytest tests/test_grading_pipeline.py -k golden
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
import os
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from osai.instructor.grading import workflow
from osai.instructor.grading.authoring import (BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION,
                                    fill_answers, solution_answers)
from osai.instructor.grading.workdir import Course
from osai.instructor.grading.preprocessors import ExecutionCache
from osai.instructor.grading.sandbox import SandboxSettings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.access("/usr/bin/bwrap", os.X_OK),
                       reason="bubblewrap (/usr/bin/bwrap) is not installed: the grading "
                              "pipeline tests run submissions in its sandbox (CI installs it)"),
]

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "fixtures" / "grading" / "golden"
A1, A2, A3 = "01-data-analysis", "02-comparison-chart", "03-case-analysis"
CELL_TIMEOUT = 8
MARK = f"osai-vandal-{os.getpid()}"

# ----------------------------------------------------------------- expected outcomes
#: student -> (status, score, needs manual grade, text expected in message or notes)
EXPECTED_A1 = {
    "correct": ("graded", 6, False, ""),
    "wrong": ("graded", 2, False, ""),
    "unanswered": ("graded", 0, False, ""),
    "erroring": ("error", 4, False, "RuntimeError: student bug"),
    "loop": ("timeout", 4, False, "ran past the 8 s limit"),
    "stubborn": ("timeout", 4, False, "did not stop when interrupted"),
    "memory": ("error", 4, False, "MemoryError"),
    "exiter": ("killed", 4, False, "the kernel died"),
    "flood": ("graded", 6, False, "output truncated"),
    "badjson": ("invalid-notebook", 0, False, "not valid JSON"),
    "notanotebook": ("invalid-notebook", 0, False, "not a valid notebook"),
    "nofile": ("missing", 0, False, "no 01-data-analysis.ipynb"),
    "deleted": ("graded", 4, False, "restored 2 deleted cell(s)"),
    "reordered": ("graded", 6, False, "put back in the released order"),
    "edited": ("graded", 0, False, "restored 3 edited read-only cell(s)"),
    "snoop": ("graded", 6, False, ""),
    "vandal": ("graded", 6, False, ""),
    "leaker": ("graded", 6, False, ""),
    "oldformat": ("graded", 6, False, "restored 1 deleted cell(s): q2-prompt"),
    "marker": ("graded", 6, False, ""),
}
EXPECTED_A2 = {
    "correct": ("graded", 8, False, ""),
    "wrong": ("graded", 3, False, ""),
    "unanswered": ("graded", 0, False, ""),
}
EXPECTED_A3 = {
    "correct": ("graded", 4, True, ""),
    "wrong": ("graded", 2, True, ""),
    "unanswered": ("graded", 0, False, ""),
}


# ----------------------------------------------------------------- building submissions


def _cell(nb, grade_id):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


def _a1_submissions(course: Course, release, answers) -> dict[str, object]:
    """Every fixture kind for assignment 1, as notebooks or raw text."""
    good = fill_answers(release, answers)
    subs: dict[str, object] = {"correct": good, "unanswered": release}
    subs["wrong"] = fill_answers(release, {
        **answers,
        "total-funding": "def total_funding(events, currency='USD'):\n"
                         "    return events.groupby('org_id')['amount'].sum()"
                         ".sort_values(ascending=False)",
        "events-per-category": "def events_per_category(events):\n"
                               "    return events['category'].value_counts()",
    })
    subs["erroring"] = fill_answers(release, {
        **answers, "total-funding": "raise RuntimeError('student bug')\n"
                                    + answers["total-funding"]})
    subs["loop"] = fill_answers(release, {
        **answers, "total-funding": "def total_funding(events, currency='USD'):\n"
                                    "    while True:\n        pass"})
    subs["stubborn"] = fill_answers(release, {
        **answers, "events-per-category": "import signal\n"
                                          "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                          "while True:\n    pass"})
    subs["memory"] = fill_answers(release, {
        **answers, "years-to-release": "_hog = bytearray(8 * 1024 ** 3)\n"
                                       + answers["years-to-release"]})
    subs["exiter"] = fill_answers(release, {
        **answers, "events-per-category": "import os\nos._exit(3)"})
    subs["flood"] = fill_answers(release, {
        **answers, "total-funding": "print('x' * 30_000_000)\n"
                                    "for _i in range(20_000):\n    print(_i, 'y' * 200)\n"
                                    + answers["total-funding"]})
    # nbgrader's own marker in an answer: its feedback step refuses the notebook
    subs["marker"] = fill_answers(release, {
        **answers, "total-funding": "# BEGIN HIDDEN TESTS (my own notes)\n"
                                    + answers["total-funding"]})
    subs["badjson"] = '{"cells": [ {"cell_type": "code", '
    subs["notanotebook"] = json.dumps({"hello": "a JSON file that is not a notebook"})

    deleted = copy.deepcopy(good)
    deleted.cells = [c for c in deleted.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id")
                     not in ("test-total-funding", "years-to-release")]
    subs["deleted"] = deleted

    reordered = copy.deepcopy(good)
    reordered.cells = reordered.cells[::-1]
    reordered.cells.insert(3, nbformat.v4.new_code_cell("helper = 42  # a cell I added"))
    subs["reordered"] = reordered

    edited = copy.deepcopy(release)
    for gid in ("test-total-funding", "test-years-to-release", "test-events-per-category"):
        cell = _cell(edited, gid)
        cell.source = "pass  # tests? what tests"
        cell.metadata["nbgrader"]["points"] = 100
        cell.metadata["nbgrader"]["grade"] = False
    forged = nbformat.v4.new_code_cell("pass")
    forged.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 50,
                                   "locked": True, "solution": False, "schema_version": 3,
                                   "task": False}
    edited.cells.append(forged)
    subs["edited"] = edited

    work = str(course.workdir)
    snoop = f'''import glob, json, os
_found = []
_paths = [{work!r} + "/gradebook.db", {work!r} + "/source", {work!r} + "/submitted",
          {work!r} + "/autograded", {work!r} + "/release", {str(ROOT)!r} + "/exercises",
          {str(ROOT)!r} + "/tests", "/root/.ssh", "/home/student/submission/{A1}.ipynb"]
_found += [p for p in _paths if os.path.exists(p)]
for _top in ("/home", "/tmp", "/work", "/root", "/etc", "/opt"):
    for _dir, _dirs, _files in os.walk(_top):
        _found += [os.path.join(_dir, f) for f in _files
                   if f.endswith((".ipynb", ".db")) and "site-packages" not in _dir]
_ppid = os.getppid()
for _name in ("mem", "environ"):
    try:
        open(f"/proc/{{_ppid}}/{{_name}}", "rb").read(1)
        _found.append(f"/proc/{{_ppid}}/{{_name}}")
    except OSError:
        pass
for _fd in os.listdir(f"/proc/{{_ppid}}/fd"):
    try:
        open(f"/proc/{{_ppid}}/fd/{{_fd}}", "rb").close()
        _found.append(f"/proc/{{_ppid}}/fd/{{_fd}}")
    except OSError:
        pass
print("SNOOP:" + json.dumps(_found))
''' + answers["total-funding"]
    subs["snoop"] = fill_answers(release, {**answers, "total-funding": snoop})

    targets = [f"{work}/gradebook.db", f"{work}/{MARK}",
               f"{work}/submitted/correct/{A1}/{A1}.ipynb", f"{ROOT}/{MARK}",
               f"{sys.prefix}/{MARK}", f"/root/{MARK}", f"/{MARK}", f"/usr/{MARK}",
               f"/home/{MARK}", f"/home/student/{MARK}", f"../{MARK}", f"/etc/{MARK}"]
    vandal = f'''import json, os
_wrote = []
for _t in {targets!r}:
    try:
        with open(_t, "a") as _f:
            _f.write("vandal")
        _wrote.append(_t)
    except OSError:
        pass
open("mine.txt", "w").write("my own folder is writable")
open("/tmp/{MARK}", "w").write("private tmpfs")
print("VANDAL:" + json.dumps(_wrote))
''' + answers["years-to-release"]
    subs["vandal"] = fill_answers(release, {**answers, "years-to-release": vandal})

    old = copy.deepcopy(good)  # saved by an older Jupyter (format 4.4: no cell ids)
    old.nbformat_minor = 4
    for cell in old.cells:
        cell.pop("id", None)
    old.cells = [c for c in old.cells if c.metadata["nbgrader"]["grade_id"] != "q2-prompt"]
    subs["oldformat"] = old

    subs["leaker"] = fill_answers(release, {
        **answers, "events-per-category": "print(In)\n" + answers["events-per-category"]})
    return subs


def _wrong_a2(answers):
    return {
        **answers,
        "funding-chart": "def funding_chart(events):\n"
                         "    usd = events[(events.category == 'funding') & "
                         "(events.currency == 'USD')]\n"
                         "    return alt.Chart(usd).mark_bar().encode(\n"
                         "        x=alt.X('org_id:N', sort='-y'),\n"
                         "        y=alt.Y('sum(amount):Q', title='Total funding (USD)'),\n"
                         "        tooltip=['org_id:N', 'sum(amount):Q'])",
        "model-chart": "def model_chart(events, organisations):\n"
                       "    data = events.merge(organisations[['org_id', 'model']])\n"
                       "    return alt.Chart(data).mark_bar().encode(\n"
                       "        x='category:N', y='count():Q', color='model:N')",
    }


def _wrong_a3(answers):
    return {
        **answers,
        "years-between": "def years_between(events, first_id, second_id):\n"
                         "    d = events.set_index('event_id')['date'].str[:4].astype(float)\n"
                         "    return d[second_id] - d[first_id]",
    }


def _zip(path: Path, assignment: str, subs: dict[str, object]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for student, nb in subs.items():
            text = nb if isinstance(nb, str) else nbformat.writes(nb)
            zf.writestr(f"download/{student}_{assignment}.ipynb", text)
        zf.writestr("download/zed_homework.ipynb", "{}")  # a wrong file name: skipped
    return path


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def gradebook_snapshot(course: Course) -> list[tuple]:
    """Everything autograde writes to the gradebook, as sortable tuples."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(course.db_url, course.course_id) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                rows.append(("submission", assignment.name, sub.student.id,
                             str(sub.timestamp), float(sub.score)))
                for notebook in sub.notebooks:
                    for grade in notebook.grades:
                        rows.append(("grade", assignment.name, sub.student.id, grade.name,
                                     grade.auto_score, grade.manual_score,
                                     grade.needs_manual_grade))
                    for comment in notebook.comments:
                        rows.append(("comment", assignment.name, sub.student.id,
                                     comment.name, comment.auto_comment, comment.manual_comment))
        rows.append(("students", tuple(sorted(s.id for s in gb.students))))
    return sorted(rows, key=repr)


# ----------------------------------------------------------------- the module fixture


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    sandbox = SandboxSettings().with_limits(cell_timeout=CELL_TIMEOUT, notebook_timeout=120,
                                            memory_mb=1536)
    course = Course.create(workdir=tmp / "course-work", sandbox=sandbox)
    data = {n: hashlib.sha256((course.data_dir / n).read_bytes()).hexdigest()
            for n in ("events.csv", "organisations.csv")}
    for name in (A1, A2, A3):
        workflow.release(course, name)
    sources = {}
    releases = {}
    for name in (A1, A2, A3):
        sources[name] = nbformat.read(course.folder("source", name) / f"{name}.ipynb", 4)
        releases[name] = nbformat.read(course.folder("release", name) / f"{name}.ipynb", 4)
    answers = {name: solution_answers(nb) for name, nb in sources.items()}
    subs = {
        A1: _a1_submissions(course, releases[A1], answers[A1]),
        A2: {"correct": fill_answers(releases[A2], answers[A2]), "unanswered": releases[A2],
             "wrong": fill_answers(releases[A2], _wrong_a2(answers[A2]))},
        A3: {"correct": fill_answers(releases[A3], answers[A3]), "unanswered": releases[A3],
             "wrong": fill_answers(releases[A3], _wrong_a3(answers[A3]))},
    }
    nofile = subs[A1].pop("nofile", None)
    assert nofile is None
    collected = {}
    for name, group in subs.items():
        archive = _zip(tmp / f"{name}-download.zip", name, group)
        collected[name] = workflow.collect(course, name, [archive])
    # a submission folder without the notebook (e.g. a wrongly named upload)
    missing = course.folder("submitted", A1, "nofile")
    missing.mkdir(parents=True)
    (missing / "notes.txt").write_text("I forgot the notebook")

    before = {"source": _tree_digest(course.workdir / "source"),
              "release": _tree_digest(course.workdir / "release"),
              "submitted": _tree_digest(course.workdir / "submitted")}
    outcomes = {A1: workflow.autograde(course, A1, jobs=2, progress=False)}
    prefetch = dict(ExecutionCache.stats)
    outcomes[A2] = workflow.autograde(course, A2, jobs=2, progress=False)
    outcomes[A3] = workflow.autograde(course, A3, jobs=2, progress=False)
    after = {"source": _tree_digest(course.workdir / "source"),
             "release": _tree_digest(course.workdir / "release"),
             "submitted": _tree_digest(course.workdir / "submitted")}
    fb = {name: workflow.feedback(course, name) for name in (A1, A2, A3)}
    grades_csv = workflow.export_grades(course)
    charts = workflow.plot_grades(course, inline=False)
    return SimpleNamespace(course=course, sources=sources, releases=releases,
                           collected=collected, outcomes=outcomes, feedback=fb,
                           grades_csv=grades_csv, charts=charts, before=before, after=after,
                           prefetch=prefetch, data=data,
                           snapshot=gradebook_snapshot(course))


def _by_student(outcomes):
    return {o.student: o for o in outcomes}


# ----------------------------------------------------------------- sources and release


def _student_view(nb) -> list[list]:
    return [[c.cell_type, c.metadata.get("nbgrader", {}).get("grade_id"),
             c.metadata.get("nbgrader", {}).get("locked"),
             c.metadata.get("nbgrader", {}).get("points"), c.source] for c in nb.cells]


@pytest.mark.parametrize("name", [A1, A2, A3])
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
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and BEGIN_SOLUTION not in cell.source:
            secret += [line.strip() for line in cell.source.splitlines()]
            continue
        inside = False
        for line in cell.source.splitlines():
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


@pytest.mark.parametrize("name", [A1, A2, A3])
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
    for name in (A1, A2, A3):
        folder = graded.course.folder("release", name)
        for data, digest in graded.data.items():
            assert hashlib.sha256((folder / data).read_bytes()).hexdigest() == digest
        assert sorted(p.name for p in folder.iterdir()) == [
            f"{name}.ipynb", "events.csv", "organisations.csv"]


# ----------------------------------------------------------------- collect and autograde


def test_zip_collect_takes_every_well_named_file(graded):
    assert graded.collected[A1] == sorted(s for s in EXPECTED_A1 if s != "nofile")
    assert graded.collected[A2] == sorted(EXPECTED_A2)
    assert "zed" not in graded.collected[A1]


@pytest.mark.parametrize("name, expected", [(A1, EXPECTED_A1), (A2, EXPECTED_A2),
                                            (A3, EXPECTED_A3)])
def test_each_submission_gets_its_expected_outcome(graded, name, expected):
    got = _by_student(graded.outcomes[name])
    assert sorted(got) == sorted(expected)
    problems = []
    for student, (status, score, manual, text) in expected.items():
        o = got[student]
        if (o.status, o.score, o.needs_manual_grade) != (status, score, manual) or \
                text not in f"{o.message} {o.notes}":
            problems.append(f"{student}: got {o.status} {o.score} manual={o.needs_manual_grade}"
                            f" '{o.message}' notes='{o.notes}'; expected {status} {score} "
                            f"manual={manual} '{text}'")
        assert o.isolated
    assert not problems, "\n".join(problems)


def test_parallel_runs_are_used_by_nbgrader(graded):
    """With --jobs 2 every gradable notebook ran ahead; nbgrader found each run ready."""
    gradable = sum(1 for s in EXPECTED_A1 if s not in ("badjson", "notanotebook", "nofile"))
    assert graded.prefetch == {"hits": gradable, "misses": 0}


def test_outcome_report_is_written(graded):
    csv_path, json_path = workflow.outcome_paths(graded.course, A1)
    rows = list(csv.DictReader(csv_path.open()))
    assert {r["student"] for r in rows} == set(EXPECTED_A1)
    assert {r["status"] for r in rows} >= {"graded", "timeout", "invalid-notebook", "missing",
                                           "killed", "error"}
    assert json.loads(json_path.read_text())[0].keys() >= {"student", "status", "message",
                                                           "score"}


def _cell_output_text(course, assignment, student, grade_id) -> str:
    nb = nbformat.read(course.folder("autograded", assignment, student) / f"{assignment}.ipynb",
                       4)
    return "".join(o.get("text", "") for o in _cell(nb, grade_id).outputs)


def test_hostile_code_finds_nothing_to_read(graded):
    text = _cell_output_text(graded.course, A1, "snoop", "total-funding")
    assert "SNOOP:[]" in text, text[:2000]


def test_hostile_code_cannot_write_outside_its_folder(graded):
    text = _cell_output_text(graded.course, A1, "vandal", "years-to-release")
    match = re.search(r"VANDAL:(\[.*?\])", text)
    assert match, text[:2000]
    wrote = json.loads(match.group(1))
    # Inside the sandbox /tmp is a private tmpfs. When the repository itself lives under
    # /tmp (a CI clone, say), the folders leading to the read-only venv bind exist in that
    # tmpfs, so a write "to the repository" there succeeds -- into memory that vanishes with
    # the sandbox.  Anything else written, or any such file reaching the host, is an escape.
    escaped = [t for t in wrote if not t.startswith("/tmp/") or Path(t).exists()]
    assert escaped == [], text[:2000]
    assert not (graded.course.workdir / MARK).exists()
    assert not (ROOT / MARK).exists()
    assert not Path(f"/tmp/{MARK}").exists()  # the sandbox's /tmp was private
    assert not (Path(sys.prefix) / MARK).exists()
    # sources, release and the other submissions are untouched by any submission
    assert graded.before == graded.after


def test_flood_is_truncated_and_kept_small(graded):
    path = graded.course.folder("autograded", A1, "flood") / f"{A1}.ipynb"
    assert path.stat().st_size < 3 * 1024 * 1024
    assert "output truncated" in _cell_output_text(graded.course, A1, "flood", "total-funding")


def test_cells_that_never_ran_score_zero(graded):
    from nbgrader.api import Gradebook

    with Gradebook(graded.course.db_url) as gb:
        grade = gb.find_grade("test-events-per-category", A1, A1, "exiter")
        assert grade.auto_score == 0
        grade = gb.find_grade("test-events-per-category", A1, A1, "stubborn")
        assert grade.auto_score == 0
    nb = nbformat.read(graded.course.folder("autograded", A1, "exiter") / f"{A1}.ipynb", 4)
    outs = _cell(nb, "test-events-per-category").outputs
    assert outs and outs[0].ename == "CellNotRun"


def test_invalid_submissions_are_in_the_gradebook_with_zero(graded):
    from nbgrader.api import Gradebook

    with Gradebook(graded.course.db_url) as gb:
        for student in ("badjson", "notanotebook", "nofile"):
            sub = gb.find_submission(A1, student)
            assert sub.score == 0 and not sub.needs_manual_grade
    for student in ("badjson", "notanotebook", "nofile"):
        assert not graded.course.folder("autograded", A1, student).exists()


# ----------------------------------------------------------------- feedback


def test_feedback_holds_no_hidden_test_text(graded):
    for name in (A1, A2, A3):
        secret = workflow.hidden_lines(graded.course.folder("source", name) / f"{name}.ipynb")
        assert secret
        statuses = {r.student: r.status for r in graded.feedback[name]}
        for student, status in statuses.items():
            if student in ("badjson", "notanotebook", "nofile"):
                assert status == "skipped"
                continue
            if student == "marker":
                continue  # see test_one_hostile_notebook_is_that_students_outcome
            assert status == "generated", (name, student, status)
            page = graded.course.folder("feedback", name, student) / f"{name}.html"
            html_text = page.read_text(encoding="utf-8")
            assert workflow.hidden_text_in(html_text, secret) == [], (name, student)
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
    assert len(generated) == len(results) - 4  # marker and the three never autograded
    report = workflow.feedback_report_path(graded.course, A1)
    rows = {r["student"]: r for r in csv.DictReader(report.open(encoding="utf-8"))}
    assert rows["marker"]["status"] == "failed"
    assert "BEGIN HIDDEN TESTS" in rows["marker"]["message"]
    assert rows["correct"]["status"] == "generated" and rows["correct"]["files"]
    from osai.instructor.grading import main as grade_main

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
    students = set(EXPECTED_A1) | set(EXPECTED_A2) | set(EXPECTED_A3)
    assert len(rows) == 3 * len(students)
    by_key = {(r["assignment"], r["student_id"]): r for r in rows}
    for name, expected in ((A1, EXPECTED_A1), (A2, EXPECTED_A2), (A3, EXPECTED_A3)):
        for student, (status, score, manual, _) in expected.items():
            row = by_key[(name, student)]
            assert (row["status"], float(row["score"])) == (status, score)
            assert row["needs_manual_grade"] == str(manual)
    assert by_key[(A2, "snoop")]["status"] == "no-submission"
    assert float(by_key[(A2, "snoop")]["score"]) == 0
    assert {float(by_key[(n, "correct")]["max_score"]) for n in (A1, A2, A3)} == {6, 8, 16}


def test_plot_writes_one_chart_per_assignment(graded):
    assert sorted(p.name for p in graded.charts) == [f"{n}-grades.html" for n in (A1, A2, A3)]
    for path in graded.charts:
        text = path.read_text()
        assert "vega" in text and "grade distribution" in text


# ----------------------------------------------------------------- re-running


def test_rerunning_autograde_gives_the_same_gradebook(graded):
    course = graded.course
    again = ["wrong", "reordered", "edited", "badjson", "nofile"]
    outcomes = workflow.autograde(course, A1, students=again, jobs=2, progress=False)
    assert gradebook_snapshot(course) == graded.snapshot
    first = _by_student(graded.outcomes[A1])
    for o in outcomes:
        assert (o.status, o.score, o.message, o.notes) == (
            first[o.student].status, first[o.student].score, first[o.student].message,
            first[o.student].notes)
    rows = workflow.read_outcomes(course, A1)
    assert {r.student for r in rows} == set(EXPECTED_A1)  # merged, not replaced


def test_manual_grades_survive_autograding_again(graded):
    from nbgrader.api import Gradebook

    course = graded.course
    with Gradebook(course.db_url) as gb:
        for grade_id, points in (("answer-choice", 3), ("answer-trade-offs", 4),
                                 ("answer-recommendation", 2)):
            grade = gb.find_grade(grade_id, A3, A3, "correct")
            grade.manual_score = points
        gb.db.commit()
    workflow.autograde(course, A3, students=["correct"], progress=False)
    path = workflow.export_grades(course, course.reports_dir / "after-manual.csv")
    rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(path.open())}
    assert float(rows[(A3, "correct")]["score"]) == 4 + 9


def test_cli_runs_export_and_plot(graded, capsys):
    from osai.instructor.grading.commands import main

    out = graded.course.reports_dir / "cli-grades.csv"
    assert main(["export", "--workdir", str(graded.course.workdir), "--output", str(out)]) == 0
    assert out.is_file()
    assert main(["plot", "--workdir", str(graded.course.workdir), "--cdn"]) == 0
    assert "chart written" in capsys.readouterr().out
