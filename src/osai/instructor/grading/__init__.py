"""Grading the course's exercises with nbgrader, safely.

* :mod:`.authoring`: assignment sources (jupytext percent files with ``grading`` markers)
  become nbgrader source notebooks;
* :mod:`.workdir`: the instructor's working folder (``course-work/``) and nbgrader's
  configuration;
* :mod:`.sandbox` and :mod:`.preprocessors`: every submission runs in its own
  bubblewrap sandbox with limits, and its cells are put back in the released layout;
  :mod:`.cgroups` caps each run as a whole (memory, processes) in a cgroup made for it,
  and :mod:`.supervisor` starts a run, stops it at its limits and reads its result;
* the commands, one module each: :mod:`.release`, :mod:`.collect` (LMS downloads, entry by
  entry, with limits and a report), :mod:`.autograde`, :mod:`.feedback` (one outcome per
  student), :mod:`.export`, :mod:`.plot`, :mod:`.lms` (grades as CSV, charts, LMS
  gradebook layouts), sharing :mod:`.outcomes` (submission outcomes, the student-id rule,
  nbgrader's log, the gradebook session);
* :mod:`.commands`: ``main(argv)``, the ``osai grade`` command line.
"""

from __future__ import annotations

from osai.instructor.grading.authoring import (AssignmentSpec, AuthoringError,
                                               build_source_notebook, fill_answers,
                                               find_assignments, solution_answers)
from osai.instructor.grading.commands import main
from osai.instructor.grading.sandbox import Limits, SandboxSettings, SandboxUnavailable
from osai.instructor.grading.workdir import Course, GradingError

__all__ = [
    "AssignmentSpec",
    "AuthoringError",
    "Course",
    "GradingError",
    "Limits",
    "SandboxSettings",
    "SandboxUnavailable",
    "build_source_notebook",
    "fill_answers",
    "find_assignments",
    "main",
    "solution_answers",
]
