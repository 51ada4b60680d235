"""``osai grade``: the instructor's command line for nbgrader.

Usage (also ``python -m osai.instructor.grading ...``)::

    osai grade release 01-data-analysis           # or: release --all
    osai grade collect 01-data-analysis downloads.zip [--preset canvas]
    # on a JupyterHub, nbgrader's exchange instead of LMS files (docs-hub.md):
    osai grade --exchange /srv/nbgrader/exchange release|collect|feedback 01-data-analysis
    osai grade autograde 01-data-analysis [--jobs 2] [--student alice]
    osai grade feedback 01-data-analysis
    osai grade export [--output grades.csv] [--format canvas --format moodle]
    osai grade plot
    osai grade validate [01-data-analysis]        # the sources pass their own tests

Common options (before or after the command): ``--workdir`` (default
``<repo>/course-work``), ``--assignments`` (default ``<repo>/exercises/assignments``),
``--data`` (default the course's ``data/``).

Exit status: 0 on success (a submission that timed out or is invalid is an outcome, not
a failure); 1 when a command failed, or when the instructor must act on a student (the
grader could not grade a submission; feedback could not be made or was withheld: the
summary names them); 2 when student code cannot be isolated (bubblewrap missing or
unusable) and ``--no-sandbox`` was not given, or when no cgroup can cap each submission
as a whole and ``--no-cgroup`` was not given.  Every failure is one line on stderr: an
``OSError`` (a read-only folder, a full disk, a missing permission) names the path and what
to do; reports are replaced only once written whole and the gradebook is SQLite, so nothing
already written is lost.

Jupyter's own configuration, data and runtime folders point into the working folder
(``<workdir>/.jupyter``) for these commands, so nothing is written to ``~/.jupyter``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from osai.paths import os_error_line

__all__ = ["main"]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("course folders")
    group.add_argument("--workdir", type=Path, default=argparse.SUPPRESS,
                       help="instructor working folder with the gradebook (default: "
                            "<repo>/course-work, git-ignored)")
    group.add_argument("--assignments", type=Path, default=argparse.SUPPRESS,
                       help="folder of assignment sources (default: "
                            "<repo>/exercises/assignments)")
    group.add_argument("--data", type=Path, default=argparse.SUPPRESS,
                       help="course data folder (default: data/)")
    group = common.add_argument_group("on a JupyterHub (docs-hub.md)")
    group.add_argument("--exchange", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                       help="nbgrader's exchange folder, e.g. /srv/nbgrader/exchange: release "
                            "puts the assignment there, collect takes the submissions from "
                            "there, feedback is released there")
    group.add_argument("--course-id", default=argparse.SUPPRESS, metavar="ID",
                       help="the course's folder in the exchange (default: osai)")
    return common


def _sandbox_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sandbox and limits")
    group.add_argument("--no-sandbox", action="store_true",
                       help="run submissions WITHOUT isolation (limits only); prints a "
                            "warning; only for trusted submissions")
    group.add_argument("--bwrap", default="", help="path of bubblewrap (default "
                       "/usr/bin/bwrap or bwrap on PATH)")
    group.add_argument("--cell-timeout", type=float, default=30.0,
                       help="seconds a cell may run (default 30)")
    group.add_argument("--timeout", type=float, default=300.0,
                       help="seconds a whole notebook may run (default 300)")
    group.add_argument("--memory-mb", type=int, default=2048,
                       help="address space per process in MiB (default 2048)")
    group.add_argument("--submission-memory-mb", type=int, default=2048,
                       help="memory of all of a submission's processes together, tmpfs "
                            "files included, in MiB (its cgroup; default 2048)")
    group.add_argument("--processes", type=int, default=256,
                       help="processes and threads of a submission together (its cgroup; "
                            "default 256)")
    group.add_argument("--shm-mb", type=int, default=64,
                       help="size of /dev/shm in the sandbox, MiB (default 64)")
    group.add_argument("--tmpfs-mb", type=int, default=64,
                       help="size of /tmp and of the working folder in the sandbox, MiB "
                            "each (default 64)")
    group.add_argument("--no-cgroup", action="store_true",
                       help="run submissions WITHOUT a cgroup capping each as a whole "
                            "(memory, processes), where none can be made; prints a warning; "
                            "only for trusted submissions")


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="osai grade", parents=[common],
        description="Release, collect, autograde and return the course's nbgrader "
                    "assignments.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("release", parents=[common],
                       help="build the student version of assignments")
    p.add_argument("names", nargs="*", metavar="ASSIGNMENT")
    p.add_argument("--all", action="store_true", help="every assignment")
    p.add_argument("--skip-data-check", action="store_true",
                   help="do not validate data/ before releasing")

    p = sub.add_parser("collect", parents=[common],
                       help="take in an LMS download (zip), or the exchange's submissions "
                            "(--exchange); one line per entry")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("archives", nargs="*", type=Path, metavar="ZIP",
                   help="zip files (or notebooks) downloaded from the LMS; none with "
                        "--exchange")
    p.add_argument("--preset", default="simple",
                   help="file-name pattern: simple (<student>_<notebook>.ipynb), folders "
                        "(<student>/<notebook>.ipynb) or canvas")
    p.add_argument("--regexp", default=None,
                   help="custom pattern with (?P<student_id>...) and (?P<file_id>...), "
                        "matched against each extracted file's full path")
    p.add_argument("--trust-folder-names", action="store_true",
                   help="with --exchange on a hub where every learner runs as the same Unix "
                        "user (Zero to JupyterHub's default): take the student id from each "
                        "submission folder's name without checking its owner; prints a "
                        "warning: a student can then submit as another")
    group = p.add_argument_group("limits (a hostile or broken archive)")
    group.add_argument("--max-entry-mb", type=float, default=20.0,
                       help="largest entry unpacked, MiB (default 20)")
    group.add_argument("--max-total-mb", type=float, default=500.0,
                       help="most bytes unpacked in all, MiB (default 500)")
    group.add_argument("--max-ratio", type=float, default=100.0,
                       help="highest compression ratio of an entry over 1 MiB (default 100)")
    group.add_argument("--max-files", type=int, default=5000,
                       help="most entries read, nested archives included (default 5000)")

    p = sub.add_parser("autograde", parents=[common],
                       help="grade every submission, each in its own sandbox")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--student", action="append", default=None, metavar="ID",
                   help="only this student (repeatable)")
    p.add_argument("--jobs", type=int, default=2,
                   help="notebooks executed at the same time (default 2; the gradebook is "
                        "still written by one thread)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _sandbox_options(p)

    p = sub.add_parser("feedback", parents=[common],
                       help="feedback HTML per student, hidden tests removed")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--student", action="append", default=None, metavar="ID")

    p = sub.add_parser("export", parents=[common], help="grades to CSV")
    p.add_argument("--assignment", action="append", default=None, metavar="ASSIGNMENT")
    p.add_argument("--output", type=Path, default=None,
                   help="CSV path (default <workdir>/grades.csv)")
    p.add_argument("--format", action="append", default=None, dest="formats",
                   choices=["canvas", "moodle"],
                   help="also write the LMS gradebook import CSV next to it "
                        "(grades-canvas.csv, grades-moodle.csv); repeatable")
    p.add_argument("--canvas-id-column", default="sis_login_id",
                   choices=["sis_login_id", "sis_user_id", "id"],
                   help="Canvas column that gets the nbgrader student id "
                        "(default sis_login_id)")
    p.add_argument("--canvas-assignment-id", action="append", default=None,
                   metavar="NAME=ID", help="Canvas id of an assignment, so its column "
                   "updates that assignment (repeatable)")
    p.add_argument("--missing-as-zero", action="store_true",
                   help="in the LMS files, 0 for a student without a submission "
                        "(default: an empty cell, no grade)")

    p = sub.add_parser("plot", parents=[common],
                       help="each assignment's grade distribution as an HTML chart")
    p.add_argument("--assignment", action="append", default=None, metavar="ASSIGNMENT")
    p.add_argument("--cdn", action="store_true",
                   help="load Vega from a CDN instead of embedding it (smaller files)")

    p = sub.add_parser("validate", parents=[common],
                       help="check that each assignment source passes its own tests")
    p.add_argument("names", nargs="*", metavar="ASSIGNMENT")
    return parser


def _course(args: argparse.Namespace):
    from osai.instructor.grading.workdir import Course
    from osai.instructor.grading.sandbox import SandboxSettings

    sandbox = SandboxSettings()
    if getattr(args, "command", "") == "autograde":
        sandbox = SandboxSettings(isolate=not args.no_sandbox, bwrap=args.bwrap,
                                  cgroup=not args.no_cgroup)
        sandbox = sandbox.with_limits(cell_timeout=args.cell_timeout,
                                      notebook_timeout=args.timeout,
                                      memory_mb=args.memory_mb,
                                      submission_memory_mb=args.submission_memory_mb,
                                      processes=args.processes, shm_mb=args.shm_mb,
                                      tmpfs_mb=args.tmpfs_mb)
    return Course.create(workdir=getattr(args, "workdir", None),
                         assignments_dir=getattr(args, "assignments", None),
                         data_dir=getattr(args, "data", None), sandbox=sandbox,
                         exchange=getattr(args, "exchange", None),
                         course_id=getattr(args, "course_id", None))


def _run(args: argparse.Namespace) -> int:
    course = _course(args)
    try:
        with course.own_jupyter_dirs():  # nothing lands in ~/.jupyter
            code = _command(args, course)
    except OSError as exc:
        log_error = course.log_error()
        if log_error is not None and log_error.errno == exc.errno:  # the same cause: one line
            exc.add_note(f"nbgrader's log {log_error.filename} could not be written either")
        raise
    log_error = course.log_error()
    if log_error is not None:
        print(f"warning: nbgrader's log could not be written: {os_error_line(log_error)}",
              file=sys.stderr)
    return code


def _command(args: argparse.Namespace, course) -> int:
    from osai.instructor.grading.autograde import autograde
    from osai.instructor.grading.collect import collect
    from osai.instructor.grading.export import export_grades
    from osai.instructor.grading.feedback import feedback, feedback_report_path
    from osai.instructor.grading.outcomes import outcome_paths, summary
    from osai.instructor.grading.plot import plot_grades
    from osai.instructor.grading.release import release
    from osai.instructor.grading.validation import validate_assignment

    if args.command == "release":
        names = list(course.specs()) if args.all else args.names
        if not names:
            print("error: name assignments to release, or pass --all", file=sys.stderr)
            return 1
        for name in names:
            folder = release(course, name, check_data=not args.skip_data_check)
            print(f"released {name}: {folder} (zip for the LMS: "
                  f"{course.workdir / 'lms' / (name + '.zip')})")
            if course.exchange is not None:
                from osai.instructor.grading.exchange import release_to_exchange

                print(f"released {name} to the exchange: {release_to_exchange(course, name)}")
        return 0
    if args.command == "collect":
        from osai.instructor.grading.collect import CollectLimits, report_path

        limits = CollectLimits(entry_mb=args.max_entry_mb, total_mb=args.max_total_mb,
                               ratio=args.max_ratio, files=args.max_files)
        if bool(args.archives) == (course.exchange is not None):
            print("error: collect takes LMS downloads (ZIP ...) or, with --exchange, the "
                  "exchange's submissions: give one of the two", file=sys.stderr)
            return 1
        if course.exchange is None and args.trust_folder_names:
            print("error: --trust-folder-names is for --exchange only", file=sys.stderr)
            return 1
        if course.exchange is not None and (args.regexp or args.preset != "simple"):
            print("error: --preset and --regexp read LMS downloads' names; the exchange's "
                  "are nbgrader's own", file=sys.stderr)
            return 1
        if course.exchange is not None:
            from osai.instructor.grading.exchange import collect_exchange

            if args.trust_folder_names:
                print("WARNING: --trust-folder-names: the student ids come from the "
                      "submission folders' names, which any student can write; check "
                      "surprising submissions by hand", file=sys.stderr)
            students = collect_exchange(course, args.assignment, limits=limits, echo=print,
                                        trust_names=args.trust_folder_names)
        else:
            students = collect(course, args.assignment, args.archives, regexp=args.regexp,
                               preset=args.preset, limits=limits, echo=print)
        print(f"collected {len(students)} submission(s) of {args.assignment}: "
              f"{', '.join(students) or 'none'}")
        print(f"report: {report_path(course, args.assignment)}")
        return 0
    if args.command == "autograde":
        outcomes = autograde(course, args.assignment, students=args.student,
                                      jobs=max(1, args.jobs), progress=not args.no_progress)
        print(summary(outcomes))
        if not course.sandbox.cgroup:
            print("WARNING: no submission was capped as a whole (--no-cgroup).")
        csv_path, _ = outcome_paths(course, args.assignment)
        print(f"report: {csv_path}")
        return 1 if any(o.status == "failed" for o in outcomes) else 0
    if args.command == "feedback":
        from osai.instructor.grading.feedback import NEEDS_ACTION

        results = feedback(course, args.assignment, students=args.student, echo=print)
        print(f"feedback in {course.workdir / 'feedback'}; report: "
              f"{feedback_report_path(course, args.assignment)}")
        if course.exchange is not None:
            from osai.instructor.grading.exchange import release_feedback, withdraw_feedback

            release_feedback(course, args.assignment,
                             [r.student for r in results if r.status == "generated"],
                             echo=print)
            withdraw_feedback(course, args.assignment,
                              [r.student for r in results if r.status in NEEDS_ACTION],
                              echo=print)
        return 1 if any(r.status in NEEDS_ACTION for r in results) else 0
    if args.command == "export":
        from osai.instructor.grading.export import grade_rows
        from osai.instructor.grading.lms import lms_path, parse_assignment_ids, write_lms

        try:
            canvas_ids = parse_assignment_ids(args.canvas_assignment_id)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        path = export_grades(course, args.output, args.assignment)
        print(f"grades written to {path}")
        if args.formats:
            rows = grade_rows(course, args.assignment)
            for fmt in dict.fromkeys(args.formats):
                out = write_lms(rows, fmt, lms_path(path, fmt), args.canvas_id_column,
                                canvas_ids, args.missing_as_zero)
                print(f"{fmt} gradebook import written to {out}")
        return 0
    if args.command == "plot":
        for path in plot_grades(course, args.assignment, inline=not args.cdn):
            print(f"chart written to {path}")
        return 0
    if args.command == "validate":
        names = args.names or list(course.specs())
        failed = 0
        for name in names:
            report = validate_assignment(course, name)
            print(report.describe())
            failed += not report.ok
        return 1 if failed else 0
    raise AssertionError(args.command)  # pragma: no cover


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``osai grade``; returns the exit status."""
    # jsonschema (imported by nbformat, nbgrader and altair) imports rfc3987_syntax when it
    # is installed, which takes seconds to build a grammar; no IRI is validated here.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    from osai.instructor.grading.authoring import AuthoringError
    from osai.instructor.grading.workdir import GradingError
    from osai.instructor.grading.cgroups import CapsUnavailable, UncappedWarning
    from osai.instructor.grading.sandbox import SandboxUnavailable, UnsandboxedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", UnsandboxedWarning)
        warnings.simplefilter("always", UncappedWarning)
        # nbgrader's own SQLAlchemy warnings are noise for the instructor (logged to file)
        warnings.filterwarnings("ignore", message=".*not in session.*")
        warnings.showwarning = _show_warning
        try:
            return _run(args)
        except SandboxUnavailable as exc:
            print(f"error: cannot isolate student code: {exc}", file=sys.stderr)
            return 2
        except CapsUnavailable as exc:
            print(f"error: cannot cap student code: {exc}", file=sys.stderr)
            return 2
        except (GradingError, AuthoringError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            notes = "; ".join(getattr(exc, "__notes__", []))
            print(f"error: osai grade {args.command} stopped: {os_error_line(exc)}"
                  + (f"; {notes}" if notes else "") + "; everything written before is kept "
                  "(the gradebook, the reports)", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("interrupted: the submissions finished so far are recorded; run the "
                  "command again to finish", file=sys.stderr)
            return 130


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from osai.instructor.grading.cgroups import UncappedWarning
    from osai.instructor.grading.sandbox import UnsandboxedWarning

    if issubclass(category, (UnsandboxedWarning, UncappedWarning)):
        bar = "!" * 78
        print(f"{bar}\nWARNING: {message}\n{bar}", file=sys.stderr)
    else:
        print(f"warning: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
