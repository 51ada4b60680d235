"""``osai grade feedback``: one HTML page per student, hidden tests removed."""

from __future__ import annotations

import html
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from osai.instructor.grading.authoring import BEGIN_HIDDEN, END_HIDDEN
from osai.instructor.grading.outcomes import failure_detail, submitted_students
from osai.instructor.printable import printable
from osai.instructor.grading.workdir import Course
from osai.instructor.grading.csvfile import read_rows, write_rows


@dataclass
class FeedbackOutcome:
    student: str
    assignment: str
    status: str
    """generated, skipped, failed, withheld"""
    message: str = ""
    files: list[str] = field(default_factory=list)


def hidden_lines(source_notebook: Path, min_length: int = 6) -> list[str]:
    """The lines inside hidden-test regions of a source notebook.

    A line that also appears outside the hidden regions (e.g. a call shown in a visible
    cell) is not secret and is left out.
    """
    nb = nbformat.read(source_notebook, as_version=4)
    hidden, visible = [], []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if BEGIN_HIDDEN in line:
                inside = True
            elif END_HIDDEN in line:
                inside = False
            elif inside:
                if len(line.strip()) >= min_length:
                    hidden.append(line.strip())
            else:
                visible.append(line)
    shown = "\n".join(visible)
    return [line for line in dict.fromkeys(hidden) if line not in shown]


_TAG = re.compile(r"<[^>]*>")


def hidden_text_in(html_text: str, lines: Sequence[str]) -> list[str]:
    """The hidden lines that appear in an HTML page's text (tags removed)."""
    text = html.unescape(_TAG.sub("", html_text))
    squeezed = re.sub(r"\s+", " ", text)
    found = []
    for line in lines:
        if line in text or re.sub(r"\s+", " ", line) in squeezed:
            found.append(line)
    return found


def feedback(course: Course, assignment: str, students: Iterable[str] | None = None,
             echo: Callable[[str], object] | None = None) -> list[FeedbackOutcome]:
    """Generate feedback HTML for each autograded submission, hidden tests removed.

    Every student gets an outcome, also written to ``reports/<assignment>-feedback.csv``:
    ``generated``; ``skipped`` (no autograded submission); ``failed`` (nbgrader could not
    make this student's page, with the reason, e.g. an answer that contains nbgrader's own
    hidden-test marker); ``withheld`` (a hidden-test line appeared in the page, which was
    deleted).  One student's failure never stops the others' feedback.  ``echo`` gets the
    summary (:func:`feedback_summary`) before the report is written, so it is shown even
    when the report cannot be.
    """
    with course.lock(f"feedback {assignment}"):
        results = _feedback(course, assignment, students)
        if echo is not None:
            echo(feedback_summary(results))
        write_feedback_report(course, assignment, results)
        return results


#: nbgrader's markers: in a student's answer they make its feedback step fail or cut text
_MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION")


def _marker_in_answers(course: Course, assignment: str, student: str,
                       notebooks: Sequence[str]) -> str:
    """Why nbgrader would refuse or mangle this student's page, from the notebook itself."""
    for name in notebooks:
        path = course.folder("autograded", assignment, student) / f"{name}.ipynb"
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # unreadable: nbgrader's own error says more
            return f"{name}.ipynb cannot be read: {str(exc).splitlines()[0][:200]}"
        for index, cell in enumerate(nb.cells, start=1):
            grade = (cell.get("metadata", {}).get("nbgrader") or {})
            if grade.get("grade") and not grade.get("solution"):
                continue  # the instructor's test cells hold the markers legitimately
            for marker in _MARKERS:
                if marker in cell.get("source", ""):
                    return (f"{name}.ipynb, cell {index}: the answer contains "
                            f"'{marker}', nbgrader's own marker; its page cannot be made "
                            "safely, give this student's feedback by hand")
    return ""


def _student_failure(course: Course, api, assignment: str, student: str,
                     notebooks: Sequence[str]) -> str:
    """Run nbgrader for this student alone and return why it made no page."""
    result = api.generate_feedback(assignment, student, force=True)
    reason = _marker_in_answers(course, assignment, student, notebooks)
    if result.get("success"):
        return reason
    detail = ""
    for line in reversed(((result.get("log") or "") + "\n" + (result.get("error") or ""))
                         .splitlines()):
        text = line.strip()
        if text.startswith(("RuntimeError", "ValueError", "KeyError", "TypeError")) or \
                "Error:" in text.split(" ", 1)[0]:
            detail = text[:300]
            break
    detail = detail or failure_detail(result)
    return reason + (f" (nbgrader: {detail})" if reason else f"nbgrader: {detail}")


def _feedback(course: Course, assignment: str,
              students: Iterable[str] | None = None) -> list[FeedbackOutcome]:
    notebooks = course.released_notebooks(assignment)
    api = course.api()
    secret: list[str] = []
    for notebook in notebooks:
        source = course.folder("source", assignment) / f"{notebook}.ipynb"
        if source.is_file():
            secret += hidden_lines(source)
    everyone = submitted_students(course, assignment)
    wanted = sorted(set(students)) if students is not None else everyone
    graded = [s for s in wanted if course.folder("autograded", assignment, s).is_dir()]
    if graded:
        for student in graded:  # never show a page left from an earlier run
            stale = course.folder("feedback", assignment, student)
            if stale.is_dir():
                shutil.rmtree(stale)
        if students is None:  # one nbgrader run for everyone: much faster than one each
            api.generate_feedback(assignment, None, force=True)
        else:
            for student in graded:
                api.generate_feedback(assignment, student, force=True)
    results = []
    for student in wanted:
        if student not in graded:
            results.append(FeedbackOutcome(student, assignment, "skipped",
                                           "no autograded submission (see the autograde "
                                           "report)"))
            continue
        folder = course.folder("feedback", assignment, student)
        files = sorted(folder.glob("*.html")) if folder.is_dir() else []
        if len(files) < len(notebooks):
            # this student alone, for the reason; the others' pages are already written
            reason = _student_failure(course, api, assignment, student, notebooks)
            files = sorted(folder.glob("*.html")) if folder.is_dir() else []
            if len(files) < len(notebooks) or reason:
                for page in files:
                    page.unlink()
                results.append(FeedbackOutcome(student, assignment, "failed",
                                               reason or "nbgrader wrote no feedback page"))
                continue
        leaked = []
        for page in files:
            leaked += hidden_text_in(page.read_text(encoding="utf-8"), secret)
        if leaked:
            for page in files:
                page.unlink()
            results.append(FeedbackOutcome(student, assignment, "withheld",
                                           f"{len(leaked)} hidden-test line(s) appeared in the "
                                           "feedback, which was deleted; check the outputs "
                                           "by hand"))
            continue
        results.append(FeedbackOutcome(student, assignment, "generated",
                                       files=[str(p) for p in files]))
    return results


FEEDBACK_FIELDS = ["student", "assignment", "status", "message", "files"]
#: outcomes the instructor must act on (``osai grade feedback`` exits 1 and names them)
NEEDS_ACTION = ("failed", "withheld")


def feedback_report_path(course: Course, assignment: str) -> Path:
    return course.reports_dir / f"{assignment}-feedback.csv"


def write_feedback_report(course: Course, assignment: str,
                          results: list[FeedbackOutcome]) -> Path:
    """Merge ``results`` into ``reports/<assignment>-feedback.csv`` (one row per student)."""
    path = feedback_report_path(course, assignment)
    rows: dict[str, dict] = {}
    if path.is_file():
        rows = {r["student"]: r for r in read_rows(path)}
    for r in results:
        rows[r.student] = {"student": r.student, "assignment": r.assignment,
                           "status": r.status, "message": r.message,
                           "files": ";".join(r.files)}
    return write_rows(path, FEEDBACK_FIELDS, (rows[s] for s in sorted(rows)))


def feedback_summary(results: list[FeedbackOutcome]) -> str:
    """Counts, one line per student, and who needs the instructor."""
    if not results:
        return "no submissions"
    counts = Counter(r.status for r in results)
    lines = [", ".join(f"{n} {status}" for status, n in sorted(counts.items()))]
    for r in results:
        lines.append(f"  {r.student}: {r.status}"
                     + (f" ({printable(r.message)})" if r.message else ""))
    act = [r.student for r in results if r.status in NEEDS_ACTION]
    if act:
        lines.append(f"ACTION NEEDED for {len(act)} student(s): {', '.join(act)} "
                     "(no feedback page was sent; see the reason on each line)")
    return "\n".join(lines)
