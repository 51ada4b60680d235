"""The instructor's working folder and the nbgrader configuration that uses it.

Everything nbgrader writes lives in one folder outside the tracked sources, by default
``course-work/`` at the repository root (git-ignored)::

    course-work/
      nbgrader_config.py     written by every command; lets formgrader/nbgrader CLI
                             use the same settings (and the sandbox)
      gradebook.db           nbgrader's SQLite gradebook
      source/<a>/            source notebook built from exercises/assignments/<a>/ + data
      release/<a>/           the student version (nbgrader generate_assignment)
      lms/<a>.zip            the student version, zipped for upload to an LMS
      downloaded/<a>/        LMS downloads (archive/) and their extracted files
      submitted/<s>/<a>/     collected submissions
      autograded/<s>/<a>/    graded copies
      feedback/<s>/<a>/      feedback HTML
      grades.csv             exported grades
      reports/               autograde outcomes (CSV, JSON), grade charts (HTML)
      logs/nbgrader.log      everything nbgrader logged
      sandbox/               helper files of the sandbox
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osai.instructor.grading.authoring import AssignmentSpec, find_assignments
from osai.instructor.grading.sandbox import SandboxSettings

__all__ = [
    "Course",
    "GradingError",
    "LogFile",
    "ensure_tools_on_path",
    "nbgrader_config_text",
    "repo_root",
]

COURSE_ID = "osai"
#: stderr lines that are only warnings do not cost a test its points
WARNING_PATTERN = r"\b[A-Z]\w*Warning: "


class GradingError(RuntimeError):
    """A grading command could not do its job (the message says who and what)."""


def repo_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder above ``start`` (or the current
    folder, then this package) holding ``exercises/assignments``."""
    candidates = [start or Path.cwd(), Path(__file__).resolve()]
    for base in candidates:
        for folder in [base, *base.parents]:
            if (folder / "exercises" / "assignments").is_dir():
                return folder
    raise GradingError("cannot find the repository root (a folder with exercises/assignments); "
                       "pass --workdir and --assignments explicitly")


def ensure_tools_on_path() -> None:
    """Put this interpreter's ``bin`` first on PATH: nbgrader runs ``alembic`` as a
    subprocess, which must be the virtual environment's."""
    bindir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if not parts or parts[0] != bindir:
        os.environ["PATH"] = os.pathsep.join([bindir, *[p for p in parts if p != bindir]])


class LogFile(logging.FileHandler):
    """nbgrader's log file.  A record it cannot write (a full disk) is not printed as
    logging's ``--- Logging error ---`` traceback: the first error is kept in
    :attr:`error`, for the command to report in one line."""

    error: OSError | None = None

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        if self.error is None and isinstance(exc, OSError):
            self.error = OSError(exc.errno, exc.strerror, self.baseFilename)
        if not isinstance(exc, OSError):
            super().handleError(record)


def _logger(logfile: Path) -> logging.Logger:
    log = logging.getLogger(f"osai.instructor.grading.nbgrader.{logfile}")
    if not log.handlers:
        logfile.parent.mkdir(parents=True, exist_ok=True)
        handler = LogFile(logfile, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s [%(levelname)s] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def _class_path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _preprocessor_lists() -> dict[str, list[type]]:
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearHiddenTests,
        ClearOutput,
        DeduplicateIds,
        GetGrades,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )

    from osai.instructor.grading.preprocessors import RedactHiddenTests, RestoreLayout, SandboxedExecute

    return {
        # stock nbgrader lists with RestoreLayout added and Execute replaced
        "Autograde.sanitize_preprocessors": [
            ClearOutput, RestoreLayout, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
            CheckCellMetadata],
        "Autograde.autograde_preprocessors": [
            SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
            SaveAutoGrades, AssignLatePenalties, CheckCellMetadata],
        # RedactHiddenTests reads the hidden regions, so it runs before ClearHiddenTests
        "GenerateFeedback.preprocessors": [
            GetGrades, RedactHiddenTests, ClearHiddenTests, CSSHTMLHeaderPreprocessor],
    }


@dataclass
class Course:
    """Where things are, and how nbgrader is configured to use them."""

    workdir: Path
    assignments_dir: Path
    data_dir: Path
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    course_id: str = COURSE_ID
    #: nbgrader's exchange on a hub (``--exchange``); None: the LMS route, and nbgrader's
    #: exchange settings point into the working folder
    exchange: Path | None = None

    @classmethod
    def create(cls, workdir: str | Path | None = None, assignments_dir: str | Path | None = None,
               data_dir: str | Path | None = None,
               sandbox: SandboxSettings | None = None, exchange: str | Path | None = None,
               course_id: str | None = None) -> "Course":
        """A course with defaults: ``<repo>/course-work``, ``<repo>/exercises/assignments``
        and the data folder of :func:`osai.data.data_dir`."""
        root = None
        if workdir is None or assignments_dir is None:
            root = repo_root()
        if data_dir is None:
            from osai.data import data_dir as default_data_dir

            data_dir = default_data_dir()
        return cls(
            workdir=Path(workdir).resolve() if workdir else root / "course-work",  # type: ignore[operator]
            assignments_dir=(Path(assignments_dir).resolve() if assignments_dir
                             else root / "exercises" / "assignments"),  # type: ignore[operator]
            data_dir=Path(data_dir).resolve(),
            sandbox=sandbox or SandboxSettings(),
            course_id=_checked_course_id(course_id) if course_id else COURSE_ID,
            exchange=Path(exchange).resolve() if exchange else None,
        )

    # ------------------------------------------------------------------ paths
    @property
    def db_path(self) -> Path:
        return self.workdir / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    @property
    def reports_dir(self) -> Path:
        return self.workdir / "reports"

    @property
    def scratch_dir(self) -> Path:
        return self.workdir / "sandbox"

    def folder(self, step: str, assignment: str, student: str = ".") -> Path:
        """``workdir/<step>/<student>/<assignment>`` (``student='.'`` for source/release)."""
        if student == ".":
            return self.workdir / step / assignment
        return self.workdir / step / student / assignment

    def specs(self) -> dict[str, AssignmentSpec]:
        return find_assignments(self.assignments_dir)

    def spec(self, name: str) -> AssignmentSpec:
        specs = self.specs()
        if name not in specs:
            known = ", ".join(specs) or "none"
            raise GradingError(f"unknown assignment '{name}' (known: {known})")
        return specs[name]

    def released_notebooks(self, assignment: str) -> list[str]:
        """Notebook ids of a released assignment (error if it was not released)."""
        release = self.folder("release", assignment)
        names = sorted(p.stem for p in release.glob("*.ipynb"))
        if not names:
            raise GradingError(f"assignment '{assignment}' has not been released into "
                               f"{release}; run: osai grade release {assignment}")
        return names

    @contextmanager
    def lock(self, what: str) -> Iterator[None]:
        """Hold ``workdir/.lock`` so two commands never change the gradebook at once."""
        import fcntl

        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / ".lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another command"
                raise GradingError(f"cannot {what}: {holder} is running in {self.workdir}; "
                                   "wait for it to finish") from None
            try:  # the lock is the flock; the holder's name is only for the message, so a
                # full disk does not stop the command here (unbuffered: nothing left to flush)
                os.ftruncate(handle.fileno(), 0)
                os.pwrite(handle.fileno(), f"'osai grade {what}' (pid {os.getpid()})\n"
                          .encode(), 0)
            except OSError:
                pass
            try:
                with self.own_jupyter_dirs():  # nothing lands in ~/.jupyter
                    yield
            finally:
                try:
                    os.ftruncate(handle.fileno(), 0)
                except OSError:
                    pass
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ------------------------------------------------------------------ nbgrader
    def settings(self) -> dict[str, Any]:
        """nbgrader settings as ``{"Class.trait": value}``."""
        limits = self.sandbox.limits
        values: dict[str, Any] = {
            "CourseDirectory.root": str(self.workdir),
            "CourseDirectory.course_id": self.course_id,
            "CourseDirectory.db_url": self.db_url,
            "Exchange.root": str(self.exchange or self.workdir / "exchange"),
            "IgnorePattern.enabled": True,
            "IgnorePattern.pattern": WARNING_PATTERN,
            "SandboxedExecute.isolate": self.sandbox.isolate,
            "SandboxedExecute.bwrap": self.sandbox.bwrap,
            "SandboxedExecute.cell_timeout": float(limits.cell_timeout),
            "SandboxedExecute.timeout": float(limits.notebook_timeout),
            "SandboxedExecute.memory_mb": limits.memory_mb,
            "SandboxedExecute.cgroup": self.sandbox.cgroup,
            "SandboxedExecute.submission_memory_mb": limits.submission_memory_mb,
            "SandboxedExecute.processes": limits.processes,
            "SandboxedExecute.shm_mb": limits.shm_mb,
            "SandboxedExecute.file_size_mb": limits.file_size_mb,
            "SandboxedExecute.tmpfs_mb": limits.tmpfs_mb,
            "SandboxedExecute.cell_output_kb": limits.cell_output_kb,
            "SandboxedExecute.total_output_kb": limits.total_output_kb,
            "SandboxedExecute.scratch_dir": str(self.scratch_dir),
        }
        if self.exchange is not None:  # releasing again replaces the exchange's copy
            values["ExchangeReleaseAssignment.force"] = True
        values.update(_preprocessor_lists())
        return values

    def config(self):
        """A traitlets ``Config`` with :meth:`settings`."""
        from traitlets.config import Config

        config = Config()
        for key, value in self.settings().items():
            section, trait = key.split(".")
            config[section][trait] = value
        return config

    def write_nbgrader_config(self) -> Path:
        """Write ``workdir/nbgrader_config.py`` so nbgrader's own tools (formgrader for
        manual grading, ``nbgrader autograde``) use the same settings and sandbox."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "nbgrader_config.py"
        text = nbgrader_config_text(self.settings())
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
        return path

    def jupyter_dirs(self) -> dict[str, str]:
        """Jupyter's and IPython's folders, inside the working folder: nothing nbgrader or
        jupyter_core writes (e.g. its migration marker) lands in the user's home."""
        base = self.workdir / ".jupyter"
        return {"JUPYTER_CONFIG_DIR": str(base / "config"),
                "JUPYTER_DATA_DIR": str(base / "data"),
                "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
                "IPYTHONDIR": str(base / "ipython")}

    def _make_jupyter_dirs(self) -> dict[str, str]:
        dirs = self.jupyter_dirs()
        for path in dirs.values():  # IPython warns about (and avoids) a missing folder
            Path(path).mkdir(parents=True, exist_ok=True)
        return dirs

    @contextmanager
    def own_jupyter_dirs(self) -> Iterator[None]:
        """:meth:`jupyter_dirs` while the block runs; the caller's values come back after."""
        saved = {key: os.environ.get(key) for key in self.jupyter_dirs()}
        os.environ.update(self._make_jupyter_dirs())
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def log_error(self) -> OSError | None:
        """The first error writing nbgrader's log in this process (None if none)."""
        log = logging.getLogger(f"osai.instructor.grading.nbgrader."
                                f"{self.workdir / 'logs' / 'nbgrader.log'}")
        return next((h.error for h in log.handlers if isinstance(h, LogFile) and h.error),
                    None)

    def api(self):
        """An ``NbGraderAPI`` on this course, logging to ``workdir/logs/nbgrader.log``."""
        ensure_tools_on_path()
        if self.exchange is None:
            (self.workdir / "exchange").mkdir(parents=True, exist_ok=True)
        self.write_nbgrader_config()
        from nbgrader.apps.api import NbGraderAPI

        return NbGraderAPI(config=self.config(), log=_logger(self.workdir / "logs" /
                                                             "nbgrader.log"))


def _checked_course_id(course_id: str) -> str:
    """A course id nbgrader can use as a folder name of the exchange."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", course_id):
        raise GradingError(f"--course-id {course_id!r}: use letters, digits, '.', '_' and '-' "
                           "(it is a folder of the exchange)")
    return course_id


def nbgrader_config_text(settings: dict[str, Any]) -> str:
    """The text of an ``nbgrader_config.py`` holding ``settings``."""
    lines = [
        "# Written by `osai grade` (src/osai/instructor/grading/workdir.py); regenerated by every",
        "# command, so change the command-line options rather than this file.",
        "# Start Jupyter in this folder to grade by hand with formgrader.",
        "c = get_config()  # noqa: F821",
    ]
    for key, value in settings.items():
        if isinstance(value, list):
            value = [_class_path(v) if isinstance(v, type) else v for v in value]
        lines.append(f"c.{key} = {value!r}")
    return "\n".join(lines) + "\n"
