"""``osai`` command line: one entry point for the course's tools.

    osai grade ...      instructors: release, collect, autograde, feedback, export, plot
    osai quiz ...       quiz banks: validate, handouts and answer keys, LMS export, report
    osai scorm ...      instructors: the built book as a SCORM 1.2 or 2004 package
    osai data check     validate data/ and print a summary
    osai assets         fetch the offline front-end assets for the book
"""

from __future__ import annotations

import sys

from osai.paths import os_error_line


def _data(argv: list[str]) -> int:
    from osai.data import DataError, load_dataset

    try:
        ds = load_dataset()
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug or an unforeseen input: still one line, no traceback
        print(f"error: data/ could not be checked: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 1
    width = max(map(len, ds.names), default=0)
    for name in ds.names:
        print(f"{name:{width}s} {len(ds[name]):4d} rows")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one ``osai`` command; an ``OSError`` it meets ends it in one line, exit status 1."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except OSError as exc:
        print(f"error: osai {argv[0]} stopped: {os_error_line(exc)}", file=sys.stderr)
        return 1


def _main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "grade":
        try:
            from osai.instructor.grading import main as grade_main
        except ModuleNotFoundError as exc:  # a learner's install has no grading tools
            print(f"error: osai grade needs {exc.name}: run it from a checkout of the course "
                  "(make setup), or install the grading extra: "
                  "pip install 'osai-course[grading]'", file=sys.stderr)
            return 2

        return grade_main(rest) or 0
    if command == "quiz":
        from osai.instructor.quiz_cli import main as quiz_main

        return quiz_main(rest) or 0
    if command == "scorm":
        from osai.instructor.scorm.__main__ import main as scorm_main

        return scorm_main(rest) or 0
    if command == "data":
        return _data(rest)
    if command == "assets":
        from osai.book.assets import fetch

        fetch(force="--force" in rest)
        return 0
    print(f"unknown command '{command}'\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
