"""``osai quiz`` (also ``python -m osai.instructor.quiz_cli``): check, print, export and report
on the banks.

    osai quiz check [--items]       # validate every bank and measure its cues (longest
                                    # option keyed, length ratio, stem overlap, all/none
                                    # of the above); exit 1 with each problem
    osai quiz handouts --out DIR    # per chapter: questions + answer key (HTML)
    osai quiz report FILES... --out report.html   # class report (HTML)
    osai quiz export --format moodle|qti|gift [chapters] --out DIR
                                              # banks as Moodle XML, QTI 1.2 (Canvas), GIFT
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from osai.quiz.bank import load_all, load_bank
from osai.quiz.quiz_error import QuizError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="osai quiz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate every quiz bank and lint its choice items")
    check.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    check.add_argument("--items", action="store_true",
                       help="one line per choice item, not only per bank")
    hand = sub.add_parser("handouts", help="write printable handouts and answer keys")
    hand.add_argument("--out", required=True, type=Path, help="output folder")
    hand.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    rep = sub.add_parser("report", help="class report from progress files and LMS exports")
    rep.add_argument("files", nargs="+", type=Path, metavar="FILE",
                     help="progress files (.json), folders of them, LMS interaction CSVs")
    rep.add_argument("--out", required=True, type=Path, help="HTML file to write")
    rep.add_argument("--book-url", default=None,
                     help="URL of the built book (http(s) or a relative path): the sections "
                          "to revisit become links")
    exp = sub.add_parser("export", help="write the banks as Moodle XML, QTI 1.2 or GIFT")
    exp.add_argument("--format", action="append", required=True,
                     choices=["moodle", "qti", "gift", "all"],
                     help="moodle, qti or gift (repeat it, or 'all')")
    exp.add_argument("--out", required=True, type=Path, help="output folder")
    exp.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    args = parser.parse_args(argv)
    if args.command == "report":
        return _report(args)
    if args.command == "export":
        return _export(args)
    if args.command == "check":
        return _check(args)
    try:
        banks = ({c: load_bank(c) for c in args.chapters} if args.chapters else load_all())
    except QuizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from osai.instructor.handouts import write_handouts

    written = write_handouts(banks, args.out)
    for path in written:
        print(path)
    return 0


def _check(args: argparse.Namespace) -> int:
    """Load every bank (a bank that does not load is named, the others still checked) and
    lint it (:mod:`osai.quiz.lint`); exit 1 when a bank fails to load or breaks a
    threshold."""
    from osai.quiz.lint import lint_bank, problems, report_lines
    from osai.syllabus import chapters

    failed, n = 0, 0
    for chapter in args.chapters or chapters():
        try:
            bank = load_bank(chapter)
        except QuizError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        n += len(bank["questions"])
        lint = lint_bank(bank)
        print("\n".join(report_lines(lint, args.items)))
        for line in problems(lint):
            print(f"error: {line}", file=sys.stderr)
            failed += 1
    print(f"{n} questions checked; {failed} problem(s)")
    return 1 if failed else 0


def _report(args: argparse.Namespace) -> int:
    """Exit 0 when anything was reported, 1 when no input gave a usable answer."""
    from osai.instructor.quiz_report import build_report, check_book_url, write_report

    url = args.book_url
    if url is not None:
        try:
            url = check_book_url(url)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    try:
        banks = load_all()
    except QuizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = build_report(args.files, banks)
    for skip in report.skips:
        print(skip.line(), file=sys.stderr)
    if not report.answers:
        print("error: no usable answer in the inputs; no report written", file=sys.stderr)
        return 1
    path = write_report(report, banks, args.out, url)
    print(f"{path}: {len(report.answers)} answer(s) from {report.learners} learner(s), "
          f"{len(report.skips)} input(s) or part(s) skipped")
    return 0


def _export(args) -> int:
    """Export the good banks; a bank that does not load is named and left out (exit 1)."""
    from osai.instructor.quiz_export import FORMATS, export_chapters

    formats = list(FORMATS) if "all" in args.format else list(dict.fromkeys(args.format))
    try:
        written, failed = export_chapters(args.chapters, formats, args.out)
    except OSError as exc:
        print(f"error: cannot write the export into {args.out}: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
