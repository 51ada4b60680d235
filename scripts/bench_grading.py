#!/usr/bin/env python3
"""Benchmark the sandboxed autograder against bare nbclient (not a test).

Releases one assignment into a throw-away working folder, writes N copies of a correct
submission, and measures:

1. bare nbclient: the filled notebook executed in this process with
   ``nbclient.NotebookClient`` (a kernel per run, no sandbox, no limits, no nbgrader);
2. sandboxed run: the same notebook through :func:`osai.instructor.grading.sandbox.run_notebook`
   (bubblewrap + runner + kernel, no nbgrader);
3. ``autograde`` with ``--jobs 1`` on a sample (nbgrader sanitize, sandboxed execution,
   gradebook writes: seconds per submission);
4. ``autograde`` with ``--jobs J`` on all N submissions (the time to grade N).

Usage::

    .venv/bin/python scripts/bench_grading.py [--submissions 100] [--jobs 2]
        [--assignment 01-data-analysis] [--repeat 5] [--sample 10] [--workdir DIR]

Every figure is measured; nothing is extrapolated.  The machine's load average is
printed because other work on a shared machine slows every row alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # see osai.instructor.grading.commands

import nbformat  # noqa: E402

from osai.instructor.grading.autograde import autograde  # noqa: E402
from osai.instructor.grading.release import release as release_assignment  # noqa: E402
from osai.instructor.grading.authoring import fill_answers, solution_answers  # noqa: E402
from osai.instructor.grading.workdir import Course, ensure_tools_on_path  # noqa: E402
from osai.instructor.grading.preprocessors import data_files  # noqa: E402
from osai.instructor.grading.sandbox import SandboxSettings, check_sandbox, run_notebook  # noqa: E402


def bare_nbclient(nb, folder: Path, repeat: int) -> list[float]:
    from nbclient import NotebookClient

    times = []
    for _ in range(repeat):
        copy = nbformat.from_dict(nbformat.from_dict(nb))
        start = time.monotonic()
        NotebookClient(copy, timeout=60, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
        times.append(time.monotonic() - start)
    return times


def sandboxed(nb, files: list[Path], settings: SandboxSettings, scratch: Path,
              repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.monotonic()
        result = run_notebook(nbformat.from_dict(nb), files, settings, scratch)
        times.append(time.monotonic() - start)
        assert result.status == "ok", result.message
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="01-data-analysis")
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of the bare and sandboxed measurements")
    parser.add_argument("--sample", type=int, default=10,
                        help="submissions autograded with --jobs 1")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="working folder (default: a temporary folder, removed after)")
    args = parser.parse_args(argv)

    ensure_tools_on_path()
    tmp = None
    if args.workdir is None:
        tmp = Path(tempfile.mkdtemp(prefix="osai-bench-"))
        workdir = tmp / "course-work"
    else:
        workdir = args.workdir
    course = Course.create(workdir=workdir)
    check_sandbox(course.sandbox)
    name = args.assignment
    load_before = os.getloadavg()
    try:
        t0 = time.monotonic()
        release_assignment(course, name)
        release_s = time.monotonic() - t0
        source = nbformat.read(course.folder("source", name) / f"{name}.ipynb", 4)
        release = nbformat.read(course.folder("release", name) / f"{name}.ipynb", 4)
        good = fill_answers(release, solution_answers(source))
        text = nbformat.writes(good)
        students = [f"s{i:03d}" for i in range(1, args.submissions + 1)]
        for student in students:
            folder = course.folder("submitted", name, student)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.ipynb").write_text(text, encoding="utf-8")

        bare = bare_nbclient(good, course.folder("release", name), args.repeat)
        files = data_files(course.folder("source", name))
        boxed = sandboxed(good, files, course.sandbox, course.scratch_dir, args.repeat)

        sample = students[:args.sample]
        t0 = time.monotonic()
        one = autograde(course, name, students=sample, jobs=1, progress=False)
        one_s = time.monotonic() - t0
        t0 = time.monotonic()
        many = autograde(course, name, jobs=args.jobs, progress=True)
        many_s = time.monotonic() - t0
        bad = [o for o in one + many if o.status != "graded" or o.score != o.max_score]
        load_after = os.getloadavg()
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    rows = [
        ("bare nbclient (in-process kernel, no sandbox)", len(bare), statistics.mean(bare),
         sum(bare)),
        ("sandboxed run (bwrap + runner + kernel)", len(boxed), statistics.mean(boxed),
         sum(boxed)),
        ("autograde --jobs 1 (nbgrader + sandbox)", len(sample), one_s / len(sample), one_s),
        (f"autograde --jobs {args.jobs} (all submissions)", len(students),
         many_s / len(students), many_s),
    ]
    print()
    print(f"assignment {name}; {os.cpu_count()} CPUs; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; release took "
          f"{release_s:.1f} s")
    print(f"{'measurement':<48} {'runs':>5} {'s/submission':>13} {'total s':>9}")
    for label, runs, per, total in rows:
        print(f"{label:<48} {runs:>5} {per:>13.2f} {total:>9.1f}")
    print(f"time to grade {len(students)} submissions with --jobs {args.jobs}: "
          f"{many_s:.0f} s ({many_s / 60:.1f} min), measured, not extrapolated")
    if bad:
        print(f"WARNING: {len(bad)} submission(s) did not get full marks: "
              + "; ".join(f"{o.student}: {o.status} {o.message}" for o in bad[:5]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
