#!/usr/bin/env python3
"""A class on the local JupyterHub, measured (not a test; prints figures for docs-hub.md).

Starts the hub of ``deploy/local-hub`` with real Unix users, as ``tests/test_hub_class.py``
does (:class:`harness.hub.HubClass`; needs root and the built book), then:

1. each student in turn opens chapter 3's launch link in Chromium, logs in and runs every
   cell: seconds from the click to JupyterLab open, to a running kernel, to every cell
   run (the first launch of each: their server starts and nbgitpuller clones the course);
2. after their run, each student's processes (their JupyterLab server and the chapter's
   kernel) are read: memory as PSS (shared pages split between the processes sharing them,
   so learners add up) and CPU seconds;
3. the instructor releases assignment 1 to the exchange, every student submits the right
   answers from their own server, and ``osai grade collect`` and ``autograde`` (bubblewrap,
   a cgroup per submission) run as the instructor: seconds for each.

From 2, the capacity table: memory and CPU for 30, 300 and 3,000 learners working at the
same time, with the headroom docs-hub.md explains.

Usage: ``.venv/bin/python scripts/bench_hub.py [--students 3] [--json out.json]`` (as root).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the harness (tests/harness), never shipped

from harness import browser  # noqa: E402
from harness.hub import HubClass, delegated_cgroup  # noqa: E402
from harness.hub_course import fetch_and_submit, grade, instructor_checkout, \
    launch_and_run, learner_usage  # noqa: E402

CHAPTER = "03-four-organisations"
ASSIGNMENT = "01-data-analysis"
#: memory kept free beyond the learners' own (the hub, the proxy, the system, page cache)
HEADROOM = 1.25
#: how long a learner works through a chapter (the chapter says about 45 minutes)
CHAPTER_MINUTES = 45


def _launches(hub: HubClass) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        chromium = browser.launch(pw)
        try:
            for student in hub.students:
                context = chromium.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                timings = launch_and_run(page, hub, student, CHAPTER)
                time.sleep(2)  # the kernel settles after its last output
                pss, cpu = learner_usage(hub.uid(student))
                rows.append({"student": student, **timings, "pss_mib": pss, "cpu_s": cpu})
                print(f"{student}: kernel running {timings['kernel running']:.1f} s after "
                      f"the click, every cell {timings['every cell run']:.1f} s; "
                      f"{pss:.0f} MiB, {cpu:.1f} CPU s", flush=True)
                context.close()
        finally:
            chromium.close()
    return rows


def _grading(hub: HubClass) -> dict:
    from osai.instructor.grading.authoring import solution_answers
    import nbformat

    instructor_checkout(hub)
    proc = grade(hub, "release", ASSIGNMENT)
    if proc.returncode:
        raise RuntimeError(proc.stderr)
    source = nbformat.read(hub.home(hub.instructor) / "course-work" / "source" / ASSIGNMENT
                           / f"{ASSIGNMENT}.ipynb", 4)
    answers = solution_answers(source)
    for student in hub.students:
        hub.start_server(student)
        result = fetch_and_submit(hub, student, hub.user_token(student), ASSIGNMENT, answers)
        if not result["success"]:
            raise RuntimeError(result)
    out = {"submissions": len(hub.students)}
    started = time.monotonic()
    proc = grade(hub, "collect", ASSIGNMENT)
    out["collect_s"] = time.monotonic() - started
    if proc.returncode:
        raise RuntimeError(proc.stderr)
    with delegated_cgroup(hub.instructor) as prefix:
        started = time.monotonic()
        proc = grade(hub, "autograde", ASSIGNMENT, "--no-progress", prefix=prefix)
        out["autograde_s"] = time.monotonic() - started
    if proc.returncode:
        raise RuntimeError(proc.stdout + proc.stderr)
    return out


def capacity(pss_mib: float, cpu_s: float) -> list[dict]:
    """Memory and CPU for N learners at once from one learner's figures."""
    rows = []
    for learners in (30, 300, 3000):
        memory_gib = learners * pss_mib * HEADROOM / 1024
        # a chapter's CPU is spent in bursts; on average over the time a learner works on
        # it, and at the peak when a whole class presses "Run All" in the same minute
        average = learners * cpu_s / (CHAPTER_MINUTES * 60)
        peak = learners * cpu_s / 60
        rows.append({"learners": learners, "memory_gib": memory_gib,
                     "cores_average": average, "cores_same_minute": peak})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_hub: needs root (Unix users, PAM, setuid spawning); skipped")
        return 0
    hub = HubClass(students=args.students).start()
    try:
        launches = _launches(hub)
        grading = _grading(hub)
    finally:
        hub.close()
    kernel = [r["kernel running"] for r in launches]
    pss = statistics.median(r["pss_mib"] for r in launches)
    cpu = statistics.median(r["cpu_s"] for r in launches)
    run = statistics.median(r["every cell run"] - r["kernel running"] for r in launches)
    print()
    print("| on the local hub (median of %d learners) | value |" % len(launches))
    print("|---|---|")
    print(f"| launch link clicked -> kernel running (first launch) | "
          f"{statistics.median(kernel):.1f} s (range {min(kernel):.1f}-{max(kernel):.1f}) |")
    print(f"| chapter 3, every cell run | {run:.1f} s |")
    print(f"| memory per learner after chapter 3 (server + kernel, PSS) | {pss:.0f} MiB |")
    print(f"| CPU per learner for chapter 3 (server start, pull, run) | {cpu:.1f} s |")
    print(f"| collect {grading['submissions']} exchange submissions | "
          f"{grading['collect_s']:.1f} s |")
    print(f"| autograde {grading['submissions']} exchange submissions (sandbox, cgroups) | "
          f"{grading['autograde_s']:.1f} s |")
    table = capacity(pss, cpu)
    print()
    print("| learners at once | memory (x%.2f headroom) | cores, average over %d min | "
          "cores, all in the same minute |" % (HEADROOM, CHAPTER_MINUTES))
    print("|---|---|---|---|")
    for row in table:
        print(f"| {row['learners']:,} | {row['memory_gib']:.0f} GiB | "
              f"{row['cores_average']:.1f} | {row['cores_same_minute']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps({"launches": launches, "grading": grading,
                                         "capacity": table}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
