"""Fast tests of the grading package: the text-source generator, the sandbox command
line and its refusal to pretend.  No kernel runs here (see test_grading_pipeline.py)."""

from __future__ import annotations

import os
import textwrap
import warnings
from pathlib import Path

import pytest

from osai.instructor.grading import authoring, cgroups, commands as cli
from osai.instructor.grading.authoring import AuthoringError, build_source_notebook, load_spec
from osai.instructor.grading.sandbox import (Limits, SandboxSettings, SandboxUnavailable,
                                  UnsandboxedWarning, bwrap_command, check_sandbox)

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "exercises" / "assignments"
EXPECTED = {  # name: (total points, autograded points, manual points)
    "01-data-analysis": (6, 6, 0),
    "02-comparison-chart": (8, 8, 0),
    "03-case-analysis": (16, 4, 12),
}


def test_every_assignment_has_a_source_a_rubric_and_known_data():
    specs = authoring.find_assignments(ASSIGNMENTS)
    assert sorted(specs) == sorted(EXPECTED)
    for spec in specs.values():
        assert spec.rubric.is_file(), f"{spec.name} has no rubric.md"
        assert spec.data_files, f"{spec.name} names no data files"
        for name in spec.data_files:
            assert (ROOT / "data" / name).is_file(), f"{spec.name}: data/{name} missing"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_generator_gives_nbgrader_metadata(name):
    nb = build_source_notebook(load_spec(ASSIGNMENTS / name))
    metas = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(metas) == len(nb.cells), "every cell is tracked (locked unless an answer)"
    auto = sum(m.get("points", 0) for m in metas if m["grade"] and not m["solution"])
    manual = sum(m.get("points", 0) for m in metas if m["grade"] and m["solution"])
    assert (auto + manual, auto, manual) == EXPECTED[name]
    for cell in nb.cells:
        meta = cell.metadata["nbgrader"]
        assert meta["schema_version"] == 3
        if meta["solution"] and not meta["grade"]:  # autograded answers
            assert "### BEGIN SOLUTION" in cell.source and cell.cell_type == "code"
        if meta["grade"] and not meta["solution"]:  # tests are read-only code
            assert meta["locked"] and cell.cell_type == "code"
        if meta["grade"] and meta["solution"]:  # manual answers
            assert not meta["locked"]
        if not meta["grade"] and not meta["solution"]:
            assert meta["locked"]
    # each manual answer follows its own read-only prompt cell
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata["nbgrader"]
        if meta["grade"] and meta["solution"] and cell.cell_type == "markdown":
            prev = nb.cells[i - 1]
            assert prev.cell_type == "markdown" and prev.metadata["nbgrader"]["locked"]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "jupytext" not in nb.metadata


def _source(tmp_path: Path, body: str, name: str = "demo") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    header = textwrap.dedent("""\
        # ---
        # jupyter:
        #   kernelspec: {display_name: Python 3, language: python, name: python3}
        #   osai: {title: Demo, data: []}
        # ---

        """)
    (folder / f"{name}.py").write_text(header + textwrap.dedent(body))
    return folder


GOOD = """\
# %% [markdown] grading={"kind": "prompt", "id": "intro"}
# # Demo

# %% grading={"kind": "answer", "id": "f"}
def f(x):
    ### BEGIN SOLUTION
    return x + 1
    ### END SOLUTION

# %% grading={"kind": "tests", "id": "test-f", "points": 2}
assert f(1) == 2
### BEGIN HIDDEN TESTS
assert f(2) == 3
### END HIDDEN TESTS

# %% [markdown]
# A note without a marker is read-only.

# %% [markdown] grading={"kind": "manual", "id": "essay", "points": 3}
# Model answer.

# %% grading={"kind": "free"}
# scratch
"""


def test_generator_expands_markers(tmp_path):
    nb = build_source_notebook(load_spec(_source(tmp_path, GOOD)))
    kinds = [(c.cell_type, c.metadata.get("nbgrader")) for c in nb.cells]
    assert kinds[0][1] == {"grade_id": "intro", "schema_version": 3, "task": False,
                           "grade": False, "locked": True, "solution": False}
    assert kinds[1][1]["solution"] and not kinds[1][1]["grade"] and not kinds[1][1]["locked"]
    assert kinds[2][1]["grade"] and kinds[2][1]["points"] == 2 and kinds[2][1]["locked"]
    assert kinds[3][1]["locked"] and kinds[3][1]["grade_id"] == "demo-cell-04"
    assert kinds[4] == ("markdown", {"grade_id": "essay", "schema_version": 3, "task": False,
                                     "grade": True, "locked": False, "solution": True,
                                     "points": 3})
    assert kinds[5][1] is None
    answers = authoring.solution_answers(nb)
    assert answers["f"] == "def f(x):\n    return x + 1"
    assert answers["essay"] == "Model answer."


@pytest.mark.parametrize("body, message", [
    ('# %% grading={"kind": "answer", "id": "f"}\ndef f():\n    return 1\n',
     "needs '### BEGIN SOLUTION'"),
    ('# %% grading={"kind": "readonly", "id": "r"}\n### BEGIN HIDDEN TESTS\nx = 1\n'
     '### END HIDDEN TESTS\n', "hidden-test delimiters are only allowed in 'tests'"),
    ('# %% grading={"kind": "tests", "id": "t"}\nassert True\n', "positive number of 'points'"),
    ('# %% grading={"kind": "tests", "id": "t", "points": 1}\nassert True\n'
     '# %% grading={"kind": "tests", "id": "t", "points": 1}\nassert True\n', "duplicate id"),
    ('# %% grading={"kind": "bonus", "id": "b"}\nx = 1\n', "unknown kind 'bonus'"),
    ('# %% grading={"kind": "prompt", "id": "p"}\nx = 1\n', "must be a markdown cell"),
    ('# %% grading={"kind": "tests", "id": "t", "points": 1}\nassert True\n'
     '### BEGIN HIDDEN TESTS\nassert 1\n', "is never closed"),
    ('# %% grading={"kind": "tests", "points": 1}\nassert True\n', "needs an explicit 'id'"),
    ('# %% [markdown] grading={"kind": "prompt", "id": "p"}\n# hi\n',
     "has no graded cells"),
])
def test_generator_rejects_mistakes_with_a_located_message(tmp_path, body, message):
    folder = _source(tmp_path, body)
    with pytest.raises(AuthoringError) as info:
        build_source_notebook(load_spec(folder))
    assert message in str(info.value)
    assert "demo.py" in str(info.value)


def test_fill_answers_replaces_only_named_cells():
    nb = build_source_notebook(load_spec(ASSIGNMENTS / "01-data-analysis"))
    filled = authoring.fill_answers(nb, {"total-funding": "def total_funding(e): return 1"})
    changed = [i for i, (a, b) in enumerate(zip(nb.cells, filled.cells)) if a.source != b.source]
    assert len(changed) == 1
    assert filled.cells[changed[0]].metadata["nbgrader"]["grade_id"] == "total-funding"


def test_bwrap_command_isolates_and_mounts_tmp_first(tmp_path):
    data = tmp_path / "events.csv"
    data.write_text("a\n1\n")
    cmd = bwrap_command("/usr/bin/bwrap", [data], tmp_path / "site", Limits())
    joined = " ".join(cmd)
    for flag in ("--unshare-all", "--die-with-parent", "--disable-userns", "--clearenv",
                 "--cap-drop ALL", "--remount-ro /"):
        assert flag in joined
    tmp_at = cmd.index("/tmp") if "/tmp" in cmd else None
    assert cmd[tmp_at - 1] == "--tmpfs"
    for i, arg in enumerate(cmd):  # nothing is mounted under /tmp before the tmpfs
        if arg.startswith("/tmp/") and cmd[i - 2] in ("--bind", "--ro-bind"):
            assert i > tmp_at
    writable = [cmd[i + 2] for i, a in enumerate(cmd) if a in ("--bind", "--bind-try")]
    assert writable == [], "nothing of the host is bound writable"
    assert f"--ro-bind {data} /home/student/submission/events.csv" in joined
    # /dev read-only (its tmpfs has no size); /dev/shm a sized tmpfs
    assert f"--dev /dev --remount-ro /dev --size {64 * 2 ** 20} --tmpfs /dev/shm" in joined
    assert str(ROOT / "course-work") not in joined and str(ROOT / "exercises") not in joined


def test_missing_bubblewrap_is_an_error_not_a_silent_fallback():
    with pytest.raises(SandboxUnavailable, match="not installed"):
        check_sandbox(SandboxSettings(bwrap="/nonexistent/bwrap"))


def test_no_sandbox_warns_loudly():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_sandbox(SandboxSettings(isolate=False))
    assert any(issubclass(w.category, UnsandboxedWarning) and "WITHOUT isolation"
               in str(w.message) for w in caught)


def test_cli_reports_missing_bubblewrap_with_exit_status_2(tmp_path, capsys):
    status = cli.main(["autograde", "01-data-analysis", "--workdir", str(tmp_path),
                       "--bwrap", "/nonexistent/bwrap"])
    err = capsys.readouterr().err
    assert status == 2 and "cannot isolate student code" in err and "not installed" in err


def test_cli_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("release", "collect", "autograde", "feedback", "export", "plot",
                    "validate"):
        assert command in out


def test_redaction_scrubs_hidden_lines_from_outputs():
    import nbformat
    from nbformat.v4 import new_code_cell, new_output

    from osai.instructor.grading.preprocessors import RedactHiddenTests

    nb = nbformat.v4.new_notebook()
    cell = new_code_cell("assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(41) == 42\n"
                         "### END HIDDEN TESTS")
    cell.outputs = [
        new_output("error", ename="AssertionError", evalue="",
                   traceback=["\x1b[0;31m----> 3\x1b[0m \x1b[38;5;28;01massert\x1b[39;00m "
                              "f(\x1b[38;5;241m41\x1b[39m) \x1b[38;5;241m==\x1b[39m 42"]),
        new_output("stream", name="stdout", text="['assert f(1) == 2\\n### BEGIN HIDDEN TESTS"
                                                 "\\nassert f(41) == 42\\n### END HIDDEN "
                                                 "TESTS']\n"),
        new_output("stream", name="stdout", text="nothing secret here\n"),
    ]
    shown = new_code_cell("print(f(41))  # also visible, so not a secret")
    nb.cells = [cell, new_code_cell("x = 1"), shown]
    nb, _ = RedactHiddenTests().preprocess(nb, {})
    error, printed, plain = cell.outputs
    assert "f(41) == 42" not in "".join(error.traceback) and "[hidden test]" in error.traceback[0]
    assert error.evalue == "(a hidden test failed)"
    assert "f(41) == 42" not in printed.text and "HIDDEN TESTS" not in printed.text
    assert "assert f(1) == 2" in printed.text
    assert plain.text == "nothing secret here\n"


def test_hidden_text_in_ignores_markup():
    from osai.instructor.grading.feedback import hidden_text_in

    page = '<span class="k">assert</span> <span>f</span>(41) == 42'
    assert hidden_text_in(page, ["assert f(41) == 42"]) == ["assert f(41) == 42"]
    assert hidden_text_in("<p>fine</p>", ["assert f(41) == 42"]) == []


def test_two_commands_never_change_one_working_folder_at_once(tmp_path):
    from osai.instructor.grading.workdir import Course, GradingError

    course = Course(workdir=tmp_path, assignments_dir=ASSIGNMENTS, data_dir=ROOT / "data")
    with course.lock("autograde 01-data-analysis"):
        with pytest.raises(GradingError, match="'osai grade autograde 01-data-analysis'"):
            with course.lock("feedback 01-data-analysis"):
                pass
    with course.lock("feedback 01-data-analysis"):  # free again
        pass


def test_cli_refuses_where_no_cgroup_can_cap_a_submission(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cgroups, "find_place", lambda: "no cgroup file system is mounted")
    status = cli.main(["autograde", "01-data-analysis", "--workdir", str(tmp_path),
                       "--no-sandbox"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "error: cannot cap student code: no cgroup with the memory and pids controllers " \
           "can be made here (no cgroup file system is mounted)" in err
    assert "pass --no-cgroup" in err
    assert not (tmp_path / "gradebook.db").exists()  # refused before anything was done


def test_no_cgroup_warns_loudly():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cgroups.check_caps(False)
    assert any(issubclass(w.category, cgroups.UncappedWarning) and "NOTHING caps a "
               "submission as a whole" in str(w.message) for w in caught)


def test_cgroup_detection_says_why_it_cannot(tmp_path):
    own = tmp_path / "cgroup"
    own.write_text("0::/\n")
    none = tmp_path / "mountinfo-none"
    none.write_text("22 1 0:21 / /proc rw - proc proc rw\n")
    assert cgroups.find_place(str(none), str(own)) == "no cgroup file system is mounted"
    fs = tmp_path / "fs"  # a cgroup v2 mount whose root offers neither controller
    fs.mkdir()
    (fs / "cgroup.controllers").write_text("cpu io\n")
    v2 = tmp_path / "mountinfo-v2"
    v2.write_text(f"41 31 0:38 / {fs} rw,relatime - cgroup2 cgroup2 rw\n")
    reason = cgroups.find_place(str(v2), str(own))
    assert reason == f"the cgroup v2 group {fs} has no memory and pids controllers (it has: " \
                     "cpu io)"


def test_a_group_delegated_to_the_grader_is_used_from_a_leaf_of_its_own(tmp_path, monkeypatch):
    """cgroup v2, a group delegated to the instructor (systemd's Delegate=yes): the group
    above is not theirs.  The grader moves itself into the leaf ``grader`` and the run
    groups go beside it, with the controllers enabled in the delegated group.  (A fake
    cgroup tree: the real one needs a v2 machine and a non-root grader.)"""
    fs = tmp_path / "fs"
    delegated = fs / "system.slice" / "grading.service"
    (delegated / "grader").mkdir(parents=True)
    (delegated / "grader" / "cgroup.procs").write_text("")
    (delegated / "cgroup.controllers").write_text("memory pids cpu\n")
    (delegated / "cgroup.subtree_control").write_text("")
    (delegated / "cgroup.procs").write_text(f"{os.getpid()}\n")  # the grader, alone there
    real_access = os.access
    monkeypatch.setattr(cgroups.os, "access", lambda path, mode: Path(path) != delegated.parent
                        and real_access(path, mode))
    place = cgroups._v2(str(fs), "/", "/system.slice/grading.service")
    assert place.parents == [delegated / cgroups.PARENT]
    assert (delegated / "grader" / "cgroup.procs").read_text() == str(os.getpid())
    assert (delegated / "cgroup.subtree_control").read_text() == "+memory +pids"
