"""The sandbox on its own (one small notebook per test, run by the real runner), and
nbgrader's Validator on a source that fails its own tests.  The tests that run in bubblewrap
take the ``bwrap`` fixture (the sandbox tier); the others need none."""

from __future__ import annotations

import os
import warnings

import nbformat
import pytest

from harness.grading import can_cap
from osai import paths
from osai.instructor.grading.sandbox import SandboxSettings, UnsandboxedWarning, check_sandbox, \
    merge_results, run_notebook

ROOT = paths.project_root()


def _notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def _text(cell) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") + o.get("ename", "")
                   for o in cell.outputs)


def test_sandboxed_run_sees_only_its_data_and_is_limited(bwrap, tmp_path):
    nb = _notebook(
        "import os, sys\nprint(sorted(os.listdir('.')), os.getuid())",
        "import pandas as pd\nprint(len(pd.read_csv('events.csv')) > 0)",
        "print('x' * 5_000_000)",
        "import time\ntime.sleep(60)",
        "print('still running after the interrupt')",
        "open('/etc/hosts-copy', 'w')",
        "open('/dev/osai-fill', 'w')",  # bubblewrap's /dev is a tmpfs without a size
    )
    settings = SandboxSettings(bwrap=bwrap, cgroup=can_cap()).with_limits(cell_timeout=4, notebook_timeout=90,
                                                        cell_output_kb=64)
    check_sandbox(settings)
    result = run_notebook(nb, [ROOT / "data" / "events.csv"], settings, tmp_path / "scratch")
    merge_results(nb, result)
    assert result.isolated and result.status == "timeout" and result.truncated
    assert _text(nb.cells[0]) == "['events.csv'] 1000\n"
    assert _text(nb.cells[1]) == "True\n"
    assert "output truncated" in _text(nb.cells[2]) and len(_text(nb.cells[2])) < 70_000
    assert "CellTimeoutError" in _text(nb.cells[3])
    assert _text(nb.cells[4]) == "still running after the interrupt\n"
    assert "Read-only file system" in _text(nb.cells[5])
    assert "Read-only file system" in _text(nb.cells[6])


def test_notebook_time_limit_kills_the_whole_sandbox(bwrap, tmp_path):
    nb = _notebook("print('first')", "import time\ntime.sleep(120)", "print('never')")
    settings = SandboxSettings(bwrap=bwrap, cgroup=can_cap()).with_limits(cell_timeout=300, notebook_timeout=12)
    result = run_notebook(nb, [], settings, tmp_path / "scratch")
    merge_results(nb, result)
    assert result.status == "timeout" and "whole notebook" in result.message
    assert result.seconds < 40
    assert _text(nb.cells[0]) == "first\n"
    assert nb.cells[2].outputs[0].ename == "CellNotRun"


def test_no_sandbox_still_runs_in_its_own_process_with_limits(tmp_path):
    nb = _notebook("import os\nprint(os.getcwd() != %r)" % os.getcwd(),
                   "bytearray(4 * 1024 ** 3)")
    settings = SandboxSettings(isolate=False, cgroup=can_cap()).with_limits(memory_mb=1024)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_sandbox(settings)
    assert any(issubclass(w.category, UnsandboxedWarning) for w in caught)
    result = run_notebook(nb, [], settings, tmp_path / "scratch")
    merge_results(nb, result)
    assert not result.isolated and result.status == "ok"
    assert _text(nb.cells[0]) == "True\n"
    assert "MemoryError" in _text(nb.cells[1])
    assert not any(p.name.startswith("run-") for p in (tmp_path / "scratch").iterdir())


@pytest.mark.parametrize("name", ["01-data-analysis", "02-comparison-chart",
                                  "03-case-analysis"])
def test_every_source_passes_its_own_tests(name):
    """nbgrader's Validator, solutions and hidden tests included (`nbgrader validate`
    exits 0 even when tests fail, so its result dictionary is read instead)."""
    from osai.instructor.grading.workdir import Course
    from osai.instructor.grading.validation import validate_assignment

    report = validate_assignment(Course.create(), name)
    assert report.ok, report.describe()


def test_validation_reports_a_source_that_fails_its_own_tests(tmp_path):
    from osai.instructor.grading.workdir import Course
    from osai.instructor.grading.validation import validate_assignment

    folder = tmp_path / "assignments" / "broken"
    folder.mkdir(parents=True)
    (folder / "broken.py").write_text(
        "# ---\n# jupyter:\n#   kernelspec: {display_name: Python 3, language: python, "
        "name: python3}\n#   osai: {title: Broken, data: []}\n# ---\n\n"
        '# %% grading={"kind": "answer", "id": "f"}\ndef f(x):\n    ### BEGIN SOLUTION\n'
        "    return x\n    ### END SOLUTION\n\n"
        '# %% grading={"kind": "tests", "id": "test-f", "points": 1}\nassert f(1) == 1\n'
        "### BEGIN HIDDEN TESTS\nassert f(1) == 2, 'the solution is wrong'\n"
        "### END HIDDEN TESTS\n")
    course = Course(workdir=tmp_path / "work", assignments_dir=tmp_path / "assignments",
                    data_dir=ROOT / "data")
    report = validate_assignment(course, "broken")
    assert not report.ok
    assert "FAILED" in report.describe() and "the solution is wrong" in report.describe()
