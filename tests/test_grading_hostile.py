"""Submissions that attack the grader, autograded in the bubblewrap sandbox with real
nbgrader: endless loops (one that ignores the interrupt), memory, a kernel that exits, an
output flood, code that looks for the hidden tests and the gradebook, and code that writes
outside its folder (:func:`harness.grading.hostile_submissions`).  A module fixture releases
assignment 1, collects them with a right answer beside them, and autogrades them once.

Everything else of the pipeline (release, collect, broken layouts, feedback, export, plot)
runs without the sandbox in ``tests/test_grading_pipeline.py``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from harness.grading import (A1, EXPECTED_HOSTILE, cell, cell_output_text, hostile_submissions,
                             outcome_problems, run_pipeline, sandboxed, vandal_mark)
from osai import paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:.*not in session.*")]
MARK = vandal_mark()


@pytest.fixture(scope="module")
def graded(bwrap, tmp_path_factory):
    def build(course, name, release_nb, answers):
        return hostile_submissions(course, release_nb, answers, MARK)

    return run_pipeline(tmp_path_factory.mktemp("grading-hostile"), sandboxed(),
                        assignments=(A1,), submissions=build, after_autograde=False)


def test_each_hostile_submission_gets_its_expected_outcome(graded):
    got = {o.student: o for o in graded.outcomes[A1]}
    assert sorted(got) == sorted([*EXPECTED_HOSTILE, "nofile"])
    assert all(got[student].isolated for student in EXPECTED_HOSTILE)
    problems = outcome_problems(got, EXPECTED_HOSTILE)
    assert not problems, "\n".join(problems)


def test_every_sandboxed_run_was_prefetched(graded):
    """With --jobs 2 every notebook ran ahead in its sandbox; nbgrader found each ready."""
    assert graded.prefetch == {"hits": len(EXPECTED_HOSTILE), "misses": 0}


def test_hostile_code_finds_nothing_to_read(graded):
    text = cell_output_text(graded.course, A1, "snoop", "total-funding")
    assert "SNOOP:[]" in text, text[:2000]


def test_hostile_code_cannot_write_outside_its_folder(graded):
    text = cell_output_text(graded.course, A1, "vandal", "years-to-release")
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
    assert not (paths.project_root() / MARK).exists()
    assert not Path(f"/tmp/{MARK}").exists()  # the sandbox's /tmp was private
    assert not (Path(sys.prefix) / MARK).exists()
    # sources, release and the other submissions are untouched by any submission
    assert graded.before == graded.after


def test_flood_is_truncated_and_kept_small(graded):
    path = graded.course.folder("autograded", A1, "flood") / f"{A1}.ipynb"
    assert path.stat().st_size < 3 * 1024 * 1024
    assert "output truncated" in cell_output_text(graded.course, A1, "flood", "total-funding")


def test_cells_that_never_ran_score_zero(graded):
    from nbgrader.api import Gradebook

    with Gradebook(graded.course.db_url) as gb:
        grade = gb.find_grade("test-events-per-category", A1, A1, "exiter")
        assert grade.auto_score == 0
        grade = gb.find_grade("test-events-per-category", A1, A1, "stubborn")
        assert grade.auto_score == 0
    nb = nbformat.read(graded.course.folder("autograded", A1, "exiter") / f"{A1}.ipynb", 4)
    outs = cell(nb, "test-events-per-category").outputs
    assert outs and outs[0].ename == "CellNotRun"
