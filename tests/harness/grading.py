"""Fixture submissions and a whole grading run, for the grading tests (real nbgrader on the
course's real assignments, in a temporary working folder).

* :func:`plain_submissions` builds, from an assignment's student version, the submissions
  whose grading needs no isolation: right, wrong and unanswered, and every broken layout
  (cells deleted, reordered, edited, an old notebook format, not JSON, not a notebook, an
  answer holding nbgrader's own marker, one printing its input history);
  :func:`hostile_submissions` the ones that attack the grader (endless loops, memory,
  a dying kernel, an output flood, reading and writing outside their folder).
* :func:`run_pipeline` releases the assignments, zips the submissions as an LMS download,
  collects, autogrades (with the :class:`~osai.instructor.grading.sandbox.SandboxSettings`
  given: the sandbox, or ``isolate=False``), makes feedback, exports and plots the grades,
  and returns what each step gave (:class:`Run`).
* :data:`EXPECTED` holds the outcome each submission must get:
  ``(status, score, needs a manual grade, text in the message or notes)``.

``tests/test_grading_pipeline.py`` runs the plain submissions without the sandbox (the no-
build tier); ``tests/test_grading_hostile.py`` runs the hostile ones in it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import sys
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from osai import paths
from osai.instructor.grading.authoring import fill_answers, solution_answers
from osai.instructor.grading.autograde import autograde
from osai.instructor.grading.cgroups import UncappedWarning, find_place
from osai.instructor.grading.collect import collect
from osai.instructor.grading.export import export_grades
from osai.instructor.grading.feedback import feedback
from osai.instructor.grading.plot import plot_grades
from osai.instructor.grading.preprocessors import ExecutionCache
from osai.instructor.grading.release import release
from osai.instructor.grading.sandbox import SandboxSettings, UnsandboxedWarning
from osai.instructor.grading.workdir import Course

A1, A2, A3 = "01-data-analysis", "02-comparison-chart", "03-case-analysis"
ASSIGNMENTS = (A1, A2, A3)
CELL_TIMEOUT = 8
#: students never autograded: their files are not notebooks, or there is no file
NEVER_GRADED = ("badjson", "notanotebook", "nofile")

#: assignment -> student -> (status, score, needs manual grade, text in message or notes)
EXPECTED: dict[str, dict[str, tuple[str, float, bool, str]]] = {
    A1: {
        "correct": ("graded", 6, False, ""),
        "wrong": ("graded", 2, False, ""),
        "unanswered": ("graded", 0, False, ""),
        "erroring": ("error", 4, False, "RuntimeError: student bug"),
        "badjson": ("invalid-notebook", 0, False, "not valid JSON"),
        "notanotebook": ("invalid-notebook", 0, False, "not a valid notebook"),
        "nofile": ("missing", 0, False, "no 01-data-analysis.ipynb"),
        "deleted": ("graded", 4, False, "restored 2 deleted cell(s)"),
        "reordered": ("graded", 6, False, "put back in the released order"),
        "edited": ("graded", 0, False, "restored 3 edited read-only cell(s)"),
        "leaker": ("graded", 6, False, ""),
        "oldformat": ("graded", 6, False, "restored 1 deleted cell(s): q2-prompt"),
        "marker": ("graded", 6, False, ""),
    },
    A2: {
        "correct": ("graded", 8, False, ""),
        "wrong": ("graded", 3, False, ""),
        "unanswered": ("graded", 0, False, ""),
    },
    A3: {
        "correct": ("graded", 4, True, ""),
        "wrong": ("graded", 2, True, ""),
        "unanswered": ("graded", 0, False, ""),
    },
}
#: the hostile submissions of assignment 1 (run in the sandbox only)
EXPECTED_HOSTILE = {
    "correct": ("graded", 6, False, ""),
    "loop": ("timeout", 4, False, f"ran past the {CELL_TIMEOUT} s limit"),
    "stubborn": ("timeout", 4, False, "did not stop when interrupted"),
    "memory": ("error", 4, False, "MemoryError"),
    "exiter": ("killed", 4, False, "the kernel died"),
    "flood": ("graded", 6, False, "output truncated"),
    "snoop": ("graded", 6, False, ""),
    "vandal": ("graded", 6, False, ""),
}


def cell(nb, grade_id):
    """The cell of ``nb`` with nbgrader's ``grade_id``."""
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return c
    raise KeyError(grade_id)


# ------------------------------------------------------------------ the submissions


def _wrong(name: str, answers: dict) -> dict:
    if name == A1:
        return {**answers,
                "total-funding": "def total_funding(events, currency='USD'):\n"
                                 "    return events.groupby('org_id')['amount'].sum()"
                                 ".sort_values(ascending=False)",
                "events-per-category": "def events_per_category(events):\n"
                                       "    return events['category'].value_counts()"}
    if name == A2:
        return {**answers,
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
                               "        x='category:N', y='count():Q', color='model:N')"}
    return {**answers,
            "years-between": "def years_between(events, first_id, second_id):\n"
                             "    d = events.set_index('event_id')['date'].str[:4]"
                             ".astype(float)\n"
                             "    return d[second_id] - d[first_id]"}


def plain_submissions(name: str, release_nb, answers: dict) -> dict[str, object]:
    """The submissions of :data:`EXPECTED` for assignment ``name``, as notebooks or raw
    text (``nofile`` has none: its folder holds another file)."""
    good = fill_answers(release_nb, answers)
    subs: dict[str, object] = {"correct": good, "unanswered": release_nb,
                               "wrong": fill_answers(release_nb, _wrong(name, answers))}
    if name != A1:
        return subs
    subs["erroring"] = fill_answers(release_nb, {
        **answers, "total-funding": "raise RuntimeError('student bug')\n"
                                    + answers["total-funding"]})
    # nbgrader's own marker in an answer: its feedback step refuses the notebook
    subs["marker"] = fill_answers(release_nb, {
        **answers, "total-funding": "# BEGIN HIDDEN TESTS (my own notes)\n"
                                    + answers["total-funding"]})
    subs["leaker"] = fill_answers(release_nb, {
        **answers, "events-per-category": "print(In)\n" + answers["events-per-category"]})
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

    edited = copy.deepcopy(release_nb)
    for gid in ("test-total-funding", "test-years-to-release", "test-events-per-category"):
        c = cell(edited, gid)
        c.source = "pass  # tests? what tests"
        c.metadata["nbgrader"]["points"] = 100
        c.metadata["nbgrader"]["grade"] = False
    forged = nbformat.v4.new_code_cell("pass")
    forged.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 50,
                                   "locked": True, "solution": False, "schema_version": 3,
                                   "task": False}
    edited.cells.append(forged)
    subs["edited"] = edited

    old = copy.deepcopy(good)  # saved by an older Jupyter (format 4.4: no cell ids)
    old.nbformat_minor = 4
    for c in old.cells:
        c.pop("id", None)
    old.cells = [c for c in old.cells if c.metadata["nbgrader"]["grade_id"] != "q2-prompt"]
    subs["oldformat"] = old
    return subs


def hostile_submissions(course: Course, release_nb, answers: dict, mark: str
                        ) -> dict[str, object]:
    """The submissions of :data:`EXPECTED_HOSTILE` (assignment 1).  ``snoop`` prints
    ``SNOOP:[...]``, what it could read; ``vandal`` prints ``VANDAL:[...]``, where it could
    write a file named ``mark``."""
    root = paths.project_root()
    subs: dict[str, object] = {"correct": fill_answers(release_nb, answers)}
    subs["loop"] = fill_answers(release_nb, {
        **answers, "total-funding": "def total_funding(events, currency='USD'):\n"
                                    "    while True:\n        pass"})
    subs["stubborn"] = fill_answers(release_nb, {
        **answers, "events-per-category": "import signal\n"
                                          "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                          "while True:\n    pass"})
    subs["memory"] = fill_answers(release_nb, {
        **answers, "years-to-release": "_hog = bytearray(8 * 1024 ** 3)\n"
                                       + answers["years-to-release"]})
    subs["exiter"] = fill_answers(release_nb, {
        **answers, "events-per-category": "import os\nos._exit(3)"})
    subs["flood"] = fill_answers(release_nb, {
        **answers, "total-funding": "print('x' * 30_000_000)\n"
                                    "for _i in range(20_000):\n    print(_i, 'y' * 200)\n"
                                    + answers["total-funding"]})
    work = str(course.workdir)
    snoop = f'''import glob, json, os
_found = []
_paths = [{work!r} + "/gradebook.db", {work!r} + "/source", {work!r} + "/submitted",
          {work!r} + "/autograded", {work!r} + "/release", {str(root)!r} + "/exercises",
          {str(root)!r} + "/tests", "/root/.ssh", "/home/student/submission/{A1}.ipynb"]
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
    subs["snoop"] = fill_answers(release_nb, {**answers, "total-funding": snoop})
    targets = [f"{work}/gradebook.db", f"{work}/{mark}",
               f"{work}/submitted/correct/{A1}/{A1}.ipynb", f"{root}/{mark}",
               f"{sys.prefix}/{mark}", f"/root/{mark}", f"/{mark}", f"/usr/{mark}",
               f"/home/{mark}", f"/home/student/{mark}", f"../{mark}", f"/etc/{mark}"]
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
open("/tmp/{mark}", "w").write("private tmpfs")
print("VANDAL:" + json.dumps(_wrote))
''' + answers["years-to-release"]
    subs["vandal"] = fill_answers(release_nb, {**answers, "years-to-release": vandal})
    return subs


# ------------------------------------------------------------------ the run


def zip_download(path: Path, assignment: str, subs: dict[str, object]) -> Path:
    """``subs`` zipped as an LMS download (``<student>_<assignment>.ipynb``), with one
    badly named file that collect must skip."""
    with zipfile.ZipFile(path, "w") as zf:
        for student, nb in subs.items():
            text = nb if isinstance(nb, str) else nbformat.writes(nb)
            zf.writestr(f"download/{student}_{assignment}.ipynb", text)
        zf.writestr("download/zed_homework.ipynb", "{}")  # a wrong file name: skipped
    return path


def outcome_problems(got: dict, expected: dict) -> list[str]:
    """For each student of ``expected`` (student -> (status, score, needs manual grade, a
    text the message or notes hold)), what their outcome in ``got`` does not match."""
    problems = []
    for student, (status, score, manual, text) in expected.items():
        o = got[student]
        if (o.status, o.score, o.needs_manual_grade) != (status, score, manual) or \
                text not in f"{o.message} {o.notes}":
            problems.append(f"{student}: got {o.status} {o.score} manual={o.needs_manual_grade}"
                            f" '{o.message}' notes='{o.notes}'; expected {status} {score} "
                            f"manual={manual} '{text}'")
    return problems


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def work_digest(course: Course) -> dict[str, dict[str, str]]:
    """Digests of what autograde must never change: sources, release, submissions."""
    return {step: tree_digest(course.workdir / step)
            for step in ("source", "release", "submitted")}


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


def cell_output_text(course: Course, assignment: str, student: str, grade_id: str) -> str:
    """The text a cell of a student's autograded notebook printed."""
    nb = nbformat.read(course.folder("autograded", assignment, student)
                       / f"{assignment}.ipynb", 4)
    return "".join(o.get("text", "") for o in cell(nb, grade_id).outputs)


@dataclass
class Run:
    """What one grading run gave, step by step."""

    course: Course
    sources: dict = field(default_factory=dict)     #: assignment -> source notebook
    releases: dict = field(default_factory=dict)    #: assignment -> student version
    data: dict = field(default_factory=dict)        #: data file -> sha256 (before release)
    collected: dict = field(default_factory=dict)   #: assignment -> students collected
    outcomes: dict = field(default_factory=dict)    #: assignment -> autograde outcomes
    prefetch: dict = field(default_factory=dict)    #: ExecutionCache stats of the first
    before: dict = field(default_factory=dict)      #: work_digest before autograde
    after: dict = field(default_factory=dict)       #: and after
    feedback: dict = field(default_factory=dict)    #: assignment -> feedback outcomes
    grades_csv: Path | None = None
    charts: list = field(default_factory=list)
    snapshot: list = field(default_factory=list)    #: gradebook_snapshot after the run


def run_pipeline(tmp: Path, sandbox: SandboxSettings, assignments=ASSIGNMENTS,
                 submissions=None, jobs: int = 2, after_autograde: bool = True) -> Run:
    """Release ``assignments`` into ``tmp/course-work``, collect the submissions that
    ``submissions(course, name, release, answers)`` gives (default
    :func:`plain_submissions`) from a zipped download, add ``nofile`` (a folder without the
    notebook) to assignment 1, autograde each with ``sandbox``; then, when
    ``after_autograde``, feedback, export and plot."""
    course = Course.create(workdir=tmp / "course-work", sandbox=sandbox)
    run = Run(course=course)
    run.data = {n: hashlib.sha256((course.data_dir / n).read_bytes()).hexdigest()
                for n in ("events.csv", "organisations.csv")}
    build = submissions or (lambda course, name, nb, answers:
                            plain_submissions(name, nb, answers))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsandboxedWarning)
        warnings.simplefilter("ignore", UncappedWarning)
        warnings.filterwarnings("ignore", message=".*not in session.*")
        with course.own_jupyter_dirs():
            for name in assignments:
                release(course, name)
                run.sources[name] = nbformat.read(
                    course.folder("source", name) / f"{name}.ipynb", 4)
                run.releases[name] = nbformat.read(
                    course.folder("release", name) / f"{name}.ipynb", 4)
                subs = build(course, name, run.releases[name],
                             solution_answers(run.sources[name]))
                archive = zip_download(tmp / f"{name}-download.zip", name, subs)
                run.collected[name] = collect(course, name, [archive])
            if A1 in assignments:
                # a submission folder without the notebook (e.g. a wrongly named upload)
                missing = course.folder("submitted", A1, "nofile")
                missing.mkdir(parents=True)
                (missing / "notes.txt").write_text("I forgot the notebook")
            run.before = work_digest(course)
            for name in assignments:
                run.outcomes[name] = autograde(course, name, jobs=jobs, progress=False)
                if not run.prefetch:
                    run.prefetch = dict(ExecutionCache.stats)
            run.after = work_digest(course)
            if after_autograde:
                run.feedback = {name: feedback(course, name) for name in assignments}
                run.grades_csv = export_grades(course)
                run.charts = plot_grades(course, inline=False)
    run.snapshot = gradebook_snapshot(course)
    return run


def cgroup_place():
    """Where this machine makes the runs' cgroups, or the reason it cannot (a str)."""
    return find_place()


def can_cap() -> bool:
    """Whether each run can be capped as a whole here (a cgroup with memory and pids).

    Where it cannot, the grading tests pass ``--no-cgroup`` (``cgroup=False``), as an
    instructor must; the tests of the caps themselves skip, saying why."""
    return not isinstance(find_place(), str)


def unsandboxed(**limits) -> SandboxSettings:
    """``--no-sandbox`` with the pipeline tests' limits: every notebook still runs in its
    own process with the limits (in its own cgroup where the machine can make one), but not
    isolated."""
    return SandboxSettings(isolate=False, cgroup=can_cap()).with_limits(
        **{"cell_timeout": CELL_TIMEOUT, "notebook_timeout": 120, "memory_mb": 1536, **limits})


def sandboxed(**limits) -> SandboxSettings:
    """The bubblewrap sandbox with the pipeline tests' limits (and the cgroup caps where the
    machine can make them)."""
    return SandboxSettings(cgroup=can_cap()).with_limits(
        **{"cell_timeout": CELL_TIMEOUT, "notebook_timeout": 120, "memory_mb": 1536, **limits})


def vandal_mark() -> str:
    """A file name no one else uses, for the vandal to try to write."""
    return f"osai-vandal-{os.getpid()}"
