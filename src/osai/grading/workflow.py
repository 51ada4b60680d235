"""The instructor commands: release, collect, autograde, feedback, export, plot.

Each function takes a :class:`~osai.grading.course.Course` and drives nbgrader through
its ``NbGraderAPI`` (or ``ZipCollectApp`` for collecting), with the configuration of
:meth:`Course.config` that swaps in the sandboxed execution.  Errors are raised as
:class:`~osai.grading.course.GradingError` naming the assignment and student.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
import shutil
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from .authoring import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, \
    write_source_folder
from .course import Course, GradingError
from .preprocessors import RECORDS, ExecutionCache, NotebookRecord, code_key, data_files
from .sandbox import ABORT, _site_dir, check_sandbox, run_notebook

__all__ = [
    "COLLECT_PRESETS",
    "FeedbackOutcome",
    "Outcome",
    "STATUSES",
    "autograde",
    "collect",
    "export_grades",
    "feedback",
    "hidden_lines",
    "hidden_text_in",
    "plot_grades",
    "read_outcomes",
    "release",
]

log = logging.getLogger("osai.grading")

#: outcome of one student's submission, worst first
STATUSES = ("failed", "invalid-notebook", "missing", "killed", "timeout", "error", "graded")
STATUS_HELP = {
    "graded": "every cell ran; the score is what the tests gave",
    "error": "every cell ran, but code in an answer cell raised an error",
    "timeout": "a cell ran past its time limit and was interrupted (or the whole notebook "
               "was stopped); cells that did not run score 0",
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

#: zip_collect file-name patterns (matched against the full path of each extracted file)
COLLECT_PRESETS = {
    # <anything>/<student>_<notebook>.ipynb, e.g. alice_01-data-analysis.ipynb
    "simple": r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.@-]*)_(?P<file_id>[^/_]+\.ipynb)$",
    # <anything>/<student>/<notebook>.ipynb: one folder per student
    "folders": r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.@_-]*)/(?P<file_id>[^/]+\.ipynb)$",
    # Canvas: <student>_[late_]<id>_<id>_<notebook>[-<n>].ipynb
    "canvas": r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.@-]*)_(?:late_)?\d+_\d+_"
              r"(?P<file_id>[^/]+?)(?:-\d+)?"
              r"\.ipynb$",
}


# ====================================================================== release


def release(course: Course, name: str, check_data: bool = True) -> Path:
    """Build the source notebook of ``name`` and generate its student version.

    Returns the release folder.  The student version is also zipped into
    ``workdir/lms/<name>.zip`` for upload to an LMS.
    """
    with course.lock(f"release {name}"):
        return _release(course, name, check_data)


def _release(course: Course, name: str, check_data: bool = True) -> Path:
    spec = course.spec(name)
    if check_data:
        from osai.data import DataError, load_dataset

        try:
            load_dataset(course.data_dir)
        except DataError as exc:
            raise GradingError(f"assignment '{name}': the course data is invalid, not "
                               f"releasing: {exc}") from None
    write_source_folder(spec, course.folder("source", name), course.data_dir)
    api = course.api()
    result = api.generate_assignment(name, force=True, create=True)
    if not result.get("success"):
        raise GradingError(f"assignment '{name}': nbgrader generate_assignment failed:\n"
                           + _tail(result))
    folder = course.folder("release", name)
    for notebook in folder.glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
            if marker in text:
                shutil.rmtree(folder)
                raise GradingError(f"assignment '{name}': the student version {notebook} still "
                                   f"contains '{marker}'; not releasing it")
    lms = course.workdir / "lms"
    lms.mkdir(parents=True, exist_ok=True)
    archive = lms / f"{name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, Path(name) / path.relative_to(folder))
    return folder


def _tail(result: dict[str, Any], lines: int = 15) -> str:
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


# ====================================================================== collect


def collect(course: Course, assignment: str, archives: Sequence[Path],
            regexp: str | None = None, preset: str = "simple") -> list[str]:
    """Take LMS downloads (zip files or notebooks) in with nbgrader's ``zip_collect``.

    The files replace ``downloaded/<assignment>/archive``; each student found gets
    ``submitted/<student>/<assignment>/`` replaced.  Returns the students collected.
    """
    with course.lock(f"collect {assignment}"):
        return _collect(course, assignment, archives, regexp, preset)


def _collect(course: Course, assignment: str, archives: Sequence[Path],
            regexp: str | None = None, preset: str = "simple") -> list[str]:
    course.released_notebooks(assignment)
    pattern = regexp or COLLECT_PRESETS.get(preset)
    if pattern is None:
        raise GradingError(f"unknown preset '{preset}' (known: {', '.join(COLLECT_PRESETS)})")
    for archive in archives:
        if not Path(archive).is_file():
            raise GradingError(f"assignment '{assignment}': no such file {archive}")
    archive_dir = course.workdir / "downloaded" / assignment / "archive"
    if archive_dir.exists():
        shutil.rmtree(archive_dir)
    archive_dir.mkdir(parents=True)
    for archive in archives:
        shutil.copyfile(archive, archive_dir / Path(archive).name)

    from nbgrader.apps.zipcollectapp import ZipCollectApp
    from traitlets.config import Config

    api = course.api()  # writes nbgrader_config.py, puts alembic on PATH
    config = course.config()
    extra = Config()
    extra.ZipCollectApp.force = True
    extra.ExtractorPlugin.force = True
    extra.ZipCollectApp.strict = True
    extra.FileNameCollectorPlugin.named_regexp = pattern
    config.merge(extra)
    app = ZipCollectApp(config=config, log=api.log)
    with _captured(app.log) as buffer:
        try:
            app.initialize([assignment, f"--CourseDirectory.root={course.workdir}"])
            app.start()
        except SystemExit as exc:  # nbgrader apps report failures with sys.exit(1)
            if exc.code not in (0, None):
                raise GradingError(f"assignment '{assignment}': zip_collect failed:\n"
                                   + buffer.getvalue()[-3000:]) from None
    # the students whose files zip_collect accepted (strict: released notebook names)
    released = {f"{name}.ipynb" for name in course.released_notebooks(assignment)}
    extracted = course.workdir / "downloaded" / assignment / "extracted"
    students = set()
    for path in extracted.rglob("*"):
        match = re.match(pattern, str(path))
        if path.is_file() and match and \
                Path(match.group("file_id")).stem + ".ipynb" in released:
            students.add(match.group("student_id"))
    return sorted(s for s in students if course.folder("submitted", assignment, s).is_dir())


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


def _file_log(course: Course, text: str) -> None:
    logfile = course.workdir / "logs" / "nbgrader.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with logfile.open("a", encoding="utf-8") as handle:
        handle.write(text)


# ====================================================================== autograde


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

    def row(self) -> dict[str, Any]:
        return asdict(self)


def _check_submission(course: Course, assignment: str, student: str,
                      notebooks: Sequence[str]) -> Outcome | None:
    """An outcome when the submission cannot be graded, else None."""
    folder = course.folder("submitted", assignment, student)
    for name in notebooks:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            found = sorted(p.name for p in folder.glob("*.ipynb"))
            return Outcome(student, assignment, "missing",
                           f"no {name}.ipynb in the submission"
                           + (f" (found: {', '.join(found)})" if found else " (no notebook)"))
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return Outcome(student, assignment, "invalid-notebook",
                           f"{name}.ipynb is {size / 2**20:.1f} MiB; the limit is "
                           f"{MAX_NOTEBOOK_BYTES / 2**20:.0f} MiB")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            return Outcome(student, assignment, "invalid-notebook",
                           f"{name}.ipynb is not UTF-8 text ({exc.reason} at byte {exc.start})")
        try:
            json.loads(text)
        except ValueError as exc:
            return Outcome(student, assignment, "invalid-notebook",
                           f"{name}.ipynb is not valid JSON: {exc}")
        try:
            nb = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # nbformat raises several kinds
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Outcome(student, assignment, "invalid-notebook",
                           f"{name}.ipynb is not a valid notebook: {first[:300]}")
    return None


def _zero_submission(course: Course, assignment: str, student: str, flag: bool,
                     comment: str) -> None:
    """Record a submission whose cells all score 0 (``flag``: mark for manual grading)."""
    from nbgrader.api import Gradebook

    submitted = course.folder("submitted", assignment, student)
    timestamp = None
    stamp = submitted / "timestamp.txt"
    if stamp.is_file():
        timestamp = stamp.read_text().strip() or None
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_student(student)
        kwargs = {"timestamp": timestamp} if timestamp else {}
        try:
            submission = gb.update_or_create_submission(assignment, student, **kwargs)
        except Exception:
            submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = flag
            for comment_row in notebook.comments:
                comment_row.auto_comment = comment
        gb.db.commit()
    for step in ("autograded", "feedback"):
        stale = course.folder(step, assignment, student)
        if stale.exists():
            shutil.rmtree(stale)


def _scores(course: Course, assignment: str, student: str) -> tuple[float | None,
                                                                    float | None, bool]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None, None, False
        penalty = sub.late_submission_penalty or 0.0
        return (max(0.0, float(sub.score) - float(penalty)), float(sub.max_score),
                bool(sub.needs_manual_grade))


def _outcome_from_records(student: str, assignment: str, records: list[NotebookRecord],
                          result: dict[str, Any]) -> Outcome:
    notes: list[str] = []
    messages: list[str] = []
    status = "graded"
    seconds = 0.0
    isolated = True
    for record in records:
        prefix = f"{record.notebook}: " if len(records) > 1 else ""
        notes += [prefix + r for r in record.repairs]
        run = record.run
        if run is None:
            continue
        seconds += run.seconds
        isolated = isolated and run.isolated
        if run.truncated:
            notes.append(prefix + "output truncated")
        if run.status in ("timeout", "killed"):
            status = _worse(status, run.status)
            messages.append(prefix + run.message)
        if record.answer_errors:
            status = _worse(status, "error")
            messages.append(prefix + "an answer cell raised an error: "
                            + "; ".join(record.answer_errors))
        elif run.status == "ok" and run.message:
            messages.append(prefix + run.message)
    if not result.get("success"):
        status = "failed"
        detail = _failure_detail(result)
        messages.insert(0, f"nbgrader could not grade this submission: {detail}")
    return Outcome(student, assignment, status, " | ".join(m for m in messages if m),
                   notes="; ".join(notes), seconds=round(seconds, 2), isolated=isolated)


def _failure_detail(result: dict[str, Any]) -> str:
    error = (result.get("error") or "").strip().splitlines()
    for line in reversed((result.get("log") or "").splitlines()):
        if "GraderFailure" in line or "SandboxUnavailable" in line:
            return line.split(":", 1)[-1].strip()[:500]
    for line in reversed(error):
        if line.strip() and not line.startswith(" "):
            return line.strip()[:500]
    return "see logs/nbgrader.log"


def _worse(a: str, b: str) -> str:
    return a if STATUSES.index(a) <= STATUSES.index(b) else b


def _sanitized(course: Course, api: Any, assignment: str, student: str, notebook: str):
    """The notebook nbgrader's sanitize step will produce (for running ahead)."""
    from traitlets.utils.importstring import import_item

    path = course.folder("submitted", assignment, student) / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    resources = {"nbgrader": {"assignment": assignment, "student": student,
                              "notebook": notebook, "db_url": course.db_url},
                 "metadata": {"path": str(path.parent)}}
    for item in course.settings()["Autograde.sanitize_preprocessors"]:
        cls = import_item(item) if isinstance(item, str) else item
        pp = cls(parent=api, config=api.config)
        nb, resources = pp.preprocess(nb, resources)
    return nb


def submitted_students(course: Course, assignment: str) -> list[str]:
    base = course.workdir / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def autograde(course: Course, assignment: str, students: Iterable[str] | None = None,
              jobs: int = 1, progress: bool = True) -> list[Outcome]:
    """Autograde every submission of ``assignment`` (or only ``students``).

    Each notebook runs in its own sandbox; every submission gets an :class:`Outcome`,
    also written to ``reports/<assignment>-autograde.csv`` and ``.json``.  Re-running
    regrades from the submitted files and gives the same gradebook.  With ``jobs`` > 1,
    that many notebooks execute at once (the gradebook is still written by one thread).
    """
    with warnings.catch_warnings():
        # nbgrader's gradebook code trips SQLAlchemy's autoflush warnings; they are noise
        warnings.filterwarnings("ignore", message=".*not in session.*")
        return _autograde(course, assignment, students, jobs, progress)


def _autograde(course: Course, assignment: str, students: Iterable[str] | None,
               jobs: int, progress: bool) -> list[Outcome]:
    check_sandbox(course.sandbox)
    with course.lock(f"autograde {assignment}"):
        return _autograde_locked(course, assignment, students, jobs, progress)


def _autograde_locked(course: Course, assignment: str, students: Iterable[str] | None,
                      jobs: int, progress: bool) -> list[Outcome]:
    from tqdm import tqdm

    notebooks = course.released_notebooks(assignment)
    api = course.api()
    with _gradebook(course) as gb:
        try:
            gb.find_assignment(assignment)
        except Exception:
            raise GradingError(f"assignment '{assignment}' is not in the gradebook; run: "
                               f"osai grade release {assignment}") from None
    everyone = submitted_students(course, assignment)
    wanted = list(students) if students is not None else everyone
    unknown = sorted(set(wanted) - set(everyone))
    if unknown:
        raise GradingError(f"assignment '{assignment}': no submission from "
                           f"{', '.join(unknown)} in {course.workdir / 'submitted'}")
    wanted = sorted(set(wanted))
    early = {s: (_check_submission(course, assignment, s, notebooks)
                 if STUDENT_ID.match(s) else
                 Outcome(s, assignment, "failed", f"student id '{s}' has characters nbgrader "
                         "cannot handle (use letters, digits, '.', '_', '@' and '-'); rename "
                         "the folder in submitted/"))
             for s in wanted}
    _site_dir(course.scratch_dir)

    ExecutionCache.clear()
    pool = None
    if jobs > 1:
        pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="osai-sandbox")
        files = data_files(course.folder("source", assignment))
        for student in wanted:
            if early[student] is not None:
                continue
            for notebook in notebooks:
                try:
                    nb = _sanitized(course, api, assignment, student, notebook)
                except Exception as exc:  # nbgrader will meet (and report) it again
                    log.debug("no prefetch for %s/%s: %s", student, assignment, exc)
                    continue
                key = (assignment, student, notebook, code_key(nb))
                ExecutionCache.put(key, pool.submit(run_notebook, nb, files, course.sandbox,
                                                    course.scratch_dir))
                RECORDS.clear(assignment, student)

    outcomes: list[Outcome] = []
    bar = tqdm(wanted, desc=f"autograde {assignment}", unit="submission", disable=not progress)
    try:
        for student in bar:
            outcome = early[student]
            if outcome is not None and outcome.status == "failed":
                pass  # nothing nbgrader can record under that id
            elif outcome is not None:
                _zero_submission(course, assignment, student, flag=False,
                                 comment=f"Not graded: {outcome.message}")
            else:
                RECORDS.clear(assignment, student)
                result = api.autograde(assignment, student, force=True, create=True)
                if "KeyboardInterrupt" in (result.get("error") or ""):
                    # nbgrader's API turns Ctrl-C into a failed result; stop for real
                    raise KeyboardInterrupt
                if not result.get("success"):
                    _file_log(course, _tail(result, 40) + "\n")
                outcome = _outcome_from_records(student, assignment,
                                                RECORDS.pop(assignment, student), result)
                if outcome.status == "failed":
                    _zero_submission(course, assignment, student, flag=True,
                                     comment="The grader failed; to be graded by hand.")
            outcome.score, outcome.max_score, outcome.needs_manual_grade = _scores(
                course, assignment, student)
            outcome.isolated = outcome.isolated and course.sandbox.isolate
            outcomes.append(outcome)
            bar.set_postfix_str(f"{student}: {outcome.status}")
    except BaseException:  # Ctrl-C or a bug: stop the sandboxes still running
        ABORT.set()
        write_outcomes(course, assignment, outcomes)  # keep what was finished
        raise
    finally:
        bar.close()
        stats = dict(ExecutionCache.stats)
        ExecutionCache.clear()
        ExecutionCache.stats = stats  # kept for the caller to inspect
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        ABORT.clear()
    write_outcomes(course, assignment, outcomes)
    return outcomes


class _gradebook:
    def __init__(self, course: Course):
        self.course = course

    def __enter__(self):
        from nbgrader.api import Gradebook

        self.gb = Gradebook(self.course.db_url, self.course.course_id)
        return self.gb

    def __exit__(self, *exc: Any) -> None:
        self.gb.close()


OUTCOME_FIELDS = ["student", "assignment", "status", "score", "max_score",
                  "needs_manual_grade", "message", "notes", "seconds", "isolated"]


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
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=OUTCOME_FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def summary(outcomes: list[Outcome]) -> str:
    """A short text summary of autograde outcomes."""
    if not outcomes:
        return "no submissions"
    counts = Counter(o.status for o in outcomes)
    lines = [", ".join(f"{counts[s]} {s}" for s in reversed(STATUSES) if counts[s])]
    width = max(len(o.student) for o in outcomes)
    for o in outcomes:
        score = "-" if o.score is None else f"{o.score:g}/{o.max_score:g}"
        extra = o.message or ""
        if o.notes:
            extra = (extra + " | " if extra else "") + "repaired: " + o.notes
        manual = " (+ manual grading)" if o.needs_manual_grade else ""
        lines.append(f"  {o.student:<{width}}  {o.status:<16} {score:>9}{manual}  {extra}")
    for status in STATUSES:
        if counts[status] and status != "graded":
            lines.append(f"{status}: {STATUS_HELP[status]}")
    if any(not o.isolated for o in outcomes):
        lines.append("WARNING: these submissions ran WITHOUT a sandbox (--no-sandbox).")
    return "\n".join(lines)


# ====================================================================== feedback


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


def feedback(course: Course, assignment: str,
             students: Iterable[str] | None = None) -> list[FeedbackOutcome]:
    """Generate feedback HTML for each autograded submission, hidden tests removed.

    As a last check, a page in which any hidden-test line still appears is deleted and
    reported as ``withheld``.
    """
    with course.lock(f"feedback {assignment}"):
        return _feedback(course, assignment, students)


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
    failure = ""
    if graded:
        if students is None:  # one nbgrader run for everyone: much faster than one each
            runs = [api.generate_feedback(assignment, None, force=True)]
        else:
            runs = [api.generate_feedback(assignment, s, force=True) for s in graded]
        failure = "; ".join(_failure_detail(r) for r in runs if not r.get("success"))
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
            results.append(FeedbackOutcome(student, assignment, "failed",
                                           failure or "nbgrader wrote no feedback page"))
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


# ====================================================================== export / plot

EXPORT_FIELDS = ["assignment", "student_id", "last_name", "first_name", "email", "timestamp",
                 "status", "raw_score", "late_submission_penalty", "score", "max_score",
                 "needs_manual_grade"]


def grade_rows(course: Course, assignments: Sequence[str] | None = None
               ) -> list[dict[str, Any]]:
    """One row per assignment and student in the gradebook (0 when not submitted)."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(course.db_url, course.course_id) as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            if assignments and assignment.name not in assignments:
                continue
            statuses = {o.student: o.status for o in read_outcomes(course, assignment.name)}
            for student in sorted(gb.students, key=lambda s: s.id):
                row: dict[str, Any] = {
                    "assignment": assignment.name, "student_id": student.id,
                    "last_name": student.last_name or "", "first_name": student.first_name or "",
                    "email": student.email or "", "max_score": float(assignment.max_score),
                }
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.update(timestamp="", status="no-submission", raw_score=0.0,
                               late_submission_penalty=0.0, score=0.0,
                               needs_manual_grade=False)
                else:
                    penalty = float(sub.late_submission_penalty or 0.0)
                    row.update(timestamp=sub.timestamp.isoformat() if sub.timestamp else "",
                               status=statuses.get(student.id, "graded"),
                               raw_score=float(sub.score), late_submission_penalty=penalty,
                               score=max(0.0, float(sub.score) - penalty),
                               needs_manual_grade=bool(sub.needs_manual_grade))
                rows.append(row)
    return rows


def export_grades(course: Course, output: Path | None = None,
                  assignments: Sequence[str] | None = None) -> Path:
    """Write the grades to CSV (default ``<workdir>/grades.csv``); returns its path."""
    if not course.db_path.is_file():
        raise GradingError(f"no gradebook at {course.db_path}; release and autograde first")
    rows = grade_rows(course, assignments)
    path = output or course.workdir / "grades.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def grade_chart(rows: list[dict[str, Any]], assignment: str):
    """An Altair histogram of one assignment's scores, as a percentage of the maximum."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame([r for r in rows if r["assignment"] == assignment])
    if frame.empty:
        frame = pd.DataFrame({"student_id": [], "score": [], "max_score": [], "status": []})
    frame = frame.assign(percent=(100 * frame["score"] / frame["max_score"]).round(1))
    mean = float(frame["percent"].mean()) if len(frame) else 0.0
    title = alt.TitleParams(f"{assignment}: grade distribution",
                            subtitle=f"{len(frame)} students, mean {mean:.1f}% of the maximum")
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("percent:Q", bin=alt.Bin(extent=[0, 100], step=10),
                title="Score (% of the maximum)"),
        y=alt.Y("count():Q", title="Students"),
        tooltip=[alt.Tooltip("count():Q", title="Students")],
    )
    rule = alt.Chart(pd.DataFrame({"mean": [mean]})).mark_rule(strokeDash=[4, 3]).encode(
        x="mean:Q", tooltip=[alt.Tooltip("mean:Q", format=".1f", title="Mean (%)")])
    return (bars + rule).properties(title=title, width=420, height=240)


def plot_grades(course: Course, assignments: Sequence[str] | None = None,
                inline: bool = True) -> list[Path]:
    """Save each assignment's grade distribution as ``reports/<a>-grades.html``.

    ``inline`` embeds the Vega JavaScript so the page works offline.
    """
    if not course.db_path.is_file():
        raise GradingError(f"no gradebook at {course.db_path}; release and autograde first")
    rows = grade_rows(course, assignments)
    names = sorted({r["assignment"] for r in rows} | set(assignments or []))
    paths = []
    course.reports_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = course.reports_dir / f"{name}-grades.html"
        grade_chart(rows, name).save(str(path), inline=inline)
        paths.append(path)
    return paths
