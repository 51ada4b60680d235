"""``osai grade autograde``: every submission in its own sandbox, one outcome each."""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import nbformat

from osai.instructor.grading.outcomes import (MAX_NOTEBOOK_BYTES, RUN_ENDED, STUDENT_ID,
                                              GradebookSession, Outcome, append_nbgrader_log,
                                              failure_detail, log, log_tail,
                                              submitted_students, worse_status, write_outcomes)
from osai.instructor.grading.cgroups import check_caps
from osai.instructor.grading.preprocessors import (RECORDS, ExecutionCache, NotebookRecord,
                                                   code_key, data_files)
from osai.instructor.grading.sandbox import ABORT, check_sandbox, run_notebook, site_dir
from osai.instructor.grading.workdir import Course, GradingError


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
    peak: float | None = None
    isolated = True
    for record in records:
        prefix = f"{record.notebook}: " if len(records) > 1 else ""
        notes += [prefix + r for r in record.repairs]
        run = record.run
        if run is None:
            continue
        seconds += run.seconds
        if run.peak_mb is not None:
            peak = max(peak or 0.0, run.peak_mb)
        isolated = isolated and run.isolated
        if run.truncated:
            notes.append(prefix + "output truncated")
        if run.status in RUN_ENDED:
            status = worse_status(status, run.status)
            messages.append(prefix + run.message)
        if record.answer_errors:
            status = worse_status(status, "error")
            messages.append(prefix + "an answer cell raised an error: "
                            + "; ".join(record.answer_errors))
        elif run.status == "ok" and run.message:
            messages.append(prefix + run.message)
    if not result.get("success"):
        status = "failed"
        detail = failure_detail(result)
        messages.insert(0, f"nbgrader could not grade this submission: {detail}")
    return Outcome(student, assignment, status, " | ".join(m for m in messages if m),
                   notes="; ".join(notes), seconds=round(seconds, 2), isolated=isolated,
                   memory_mb=peak)


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
    check_caps(course.sandbox.cgroup)
    with course.lock(f"autograde {assignment}"):
        return _autograde_locked(course, assignment, students, jobs, progress)


def _autograde_locked(course: Course, assignment: str, students: Iterable[str] | None,
                      jobs: int, progress: bool) -> list[Outcome]:
    from tqdm import tqdm

    notebooks = course.released_notebooks(assignment)
    api = course.api()
    with GradebookSession(course) as gb:
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
    site_dir(course.scratch_dir)

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
                    append_nbgrader_log(course, log_tail(result, 40) + "\n")
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
