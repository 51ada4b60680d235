"""What the grading commands share: submission outcomes and their report, the student-id
rule, nbgrader's logs, and the gradebook handle."""

from __future__ import annotations

import io
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from osai.instructor.printable import printable
from osai.instructor.grading.workdir import Course
from osai.instructor.grading.csvfile import replaced, write_rows

log = logging.getLogger("osai.instructor.grading")

#: outcome of one student's submission, worst first
STATUSES = ("failed", "invalid-notebook", "missing", "memory-limit", "too-many-processes",
            "killed", "timeout", "error", "graded")
#: statuses of a run that its own code ended (the message says how)
RUN_ENDED = ("memory-limit", "too-many-processes", "killed", "timeout")
STATUS_HELP = {
    "graded": "every cell ran; the score is what the tests gave",
    "error": "every cell ran, but code in an answer cell raised an error",
    "timeout": "a cell ran past its time limit and was interrupted (or the whole notebook "
               "was stopped); cells that did not run score 0",
    "memory-limit": "the submission's processes together reached the memory limit for a "
                    "whole submission (--submission-memory-mb) and the kernel killed one or "
                    "more; cells that did not run score 0",
    "too-many-processes": "the submission started more processes and threads than allowed "
                          "(--processes; a fork bomb) and was stopped; cells that did not "
                          "run score 0",
    "killed": "the kernel died (memory, CPU or file-size limit, crash or exit); cells that "
              "did not run score 0",
    "missing": "the submission has no notebook with the released name; scored 0",
    "invalid-notebook": "the file is not a readable notebook; scored 0",
    "failed": "the grader could not grade it (not the student's doing); flagged for manual "
              "grading in the gradebook",
}
#: student ids (folder names in submitted/) that nbgrader's paths and globs handle
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
#: submitted notebooks larger than this are not parsed
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

def log_tail(result: dict[str, Any], lines: int = 15) -> str:
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


@contextmanager
def _captured(logger: logging.Logger) -> Iterator[io.StringIO]:
    """Collect what ``logger`` logs while the block runs."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    try:
        yield buffer
    finally:
        logger.removeHandler(handler)


def append_nbgrader_log(course: Course, text: str) -> None:
    logfile = course.workdir / "logs" / "nbgrader.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with logfile.open("a", encoding="utf-8") as handle:
        handle.write(text)


@dataclass
class Outcome:
    """What autograding did with one student's submission of one assignment."""

    student: str
    assignment: str
    status: str
    message: str = ""
    score: float | None = None
    max_score: float | None = None
    needs_manual_grade: bool = False
    notes: str = ""
    seconds: float = 0.0
    isolated: bool = True
    memory_mb: float | None = None
    """the most memory the submission's processes held at once (its cgroup's peak)"""

    def row(self) -> dict[str, Any]:
        return asdict(self)


def failure_detail(result: dict[str, Any]) -> str:
    error = (result.get("error") or "").strip().splitlines()
    for line in reversed((result.get("log") or "").splitlines()):
        if any(name in line for name in ("GraderFailure", "SandboxUnavailable",
                                         "CapsUnavailable")):
            return line.split(":", 1)[-1].strip()[:500]
    for line in reversed(error):
        if line.strip() and not line.startswith(" "):
            return line.strip()[:500]
    return "see logs/nbgrader.log"


def worse_status(a: str, b: str) -> str:
    return a if STATUSES.index(a) <= STATUSES.index(b) else b


def submitted_students(course: Course, assignment: str) -> list[str]:
    base = course.workdir / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


class GradebookSession:
    def __init__(self, course: Course):
        self.course = course

    def __enter__(self):
        from nbgrader.api import Gradebook

        self.gb = Gradebook(self.course.db_url, self.course.course_id)
        return self.gb

    def __exit__(self, *exc: Any) -> None:
        self.gb.close()


OUTCOME_FIELDS = ["student", "assignment", "status", "score", "max_score",
                  "needs_manual_grade", "message", "notes", "seconds", "isolated", "memory_mb"]


def outcome_paths(course: Course, assignment: str) -> tuple[Path, Path]:
    base = course.reports_dir / f"{assignment}-autograde"
    return base.with_suffix(".csv"), base.with_suffix(".json")


def read_outcomes(course: Course, assignment: str) -> list[Outcome]:
    """The outcomes recorded by earlier autograde runs (empty when none)."""
    _, json_path = outcome_paths(course, assignment)
    if not json_path.is_file():
        return []
    rows = json.loads(json_path.read_text(encoding="utf-8"))
    return [Outcome(**{k: row.get(k) for k in OUTCOME_FIELDS if k in row}) for row in rows]


def write_outcomes(course: Course, assignment: str, outcomes: list[Outcome]) -> None:
    """Merge ``outcomes`` into the assignment's report (one row per student)."""
    merged = {o.student: o for o in read_outcomes(course, assignment)}
    merged.update({o.student: o for o in outcomes})
    rows = [merged[s].row() for s in sorted(merged)]
    csv_path, json_path = outcome_paths(course, assignment)
    with replaced(json_path) as handle:
        handle.write(json.dumps(rows, indent=2) + "\n")
    write_rows(csv_path, OUTCOME_FIELDS, rows)


def summary(outcomes: list[Outcome]) -> str:
    """A short text summary of autograde outcomes."""
    if not outcomes:
        return "no submissions"
    counts = Counter(o.status for o in outcomes)
    lines = [", ".join(f"{counts[s]} {s}" for s in reversed(STATUSES) if counts[s])]
    width = max(len(o.student) for o in outcomes)
    for o in outcomes:
        score = "-" if o.score is None else f"{o.score:g}/{o.max_score:g}"
        extra = printable(o.message or "")
        if o.notes:
            extra = (extra + " | " if extra else "") + "repaired: " + printable(o.notes)
        manual = " (+ manual grading)" if o.needs_manual_grade else ""
        lines.append(f"  {o.student:<{width}}  {o.status:<16} {score:>9}{manual}  {extra}")
    for status in STATUSES:
        if counts[status] and status != "graded":
            lines.append(f"{status}: {STATUS_HELP[status]}")
    if any(not o.isolated for o in outcomes):
        lines.append("WARNING: these submissions ran WITHOUT a sandbox (--no-sandbox).")
    act = [o.student for o in outcomes if o.status == "failed"]
    if act:
        lines.append(f"ACTION NEEDED for {len(act)} student(s): {', '.join(act)} "
                     "(the grader could not grade them: grade them by hand)")
    return "\n".join(lines)
