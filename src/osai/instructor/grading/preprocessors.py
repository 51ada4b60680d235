"""nbgrader preprocessors that make autograding and feedback safe for hostile notebooks.

* :class:`RestoreLayout` (sanitize step, before nbgrader's ``OverwriteCells``) puts the
  cells of a submission back into the released order with the released nbgrader
  metadata: deleted cells come back from the release, reordered cells are put back,
  metadata a student edited or forged is replaced, cells a student added keep their
  place but lose any nbgrader marks.  Each repair is recorded for the report.
* :class:`SandboxedExecute` (autograde step) replaces nbgrader's ``Execute``: the
  notebook runs in :mod:`osai.instructor.grading.sandbox` and only its outputs come back.
* :class:`RedactHiddenTests` (feedback step, before nbgrader's ``ClearHiddenTests``)
  removes hidden-test lines that appear verbatim in *outputs*, e.g. a traceback that
  quotes the failing hidden ``assert``.

These classes are importable by nbgrader from ``nbgrader_config.py`` (see
:func:`osai.instructor.grading.workdir.nbgrader_config_text`), so the formgrader UI uses them too.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer, Unicode

from osai.instructor.grading.sandbox import Limits, RunResult, SandboxSettings, check_sandbox, merge_results, \
    run_notebook

__all__ = [
    "ExecutionCache",
    "GraderFailure",
    "NotebookRecord",
    "RECORDS",
    "RedactHiddenTests",
    "RestoreLayout",
    "SandboxedExecute",
    "code_key",
]


# --------------------------------------------------------------------------- records


class GraderFailure(RuntimeError):
    """The grader itself could not run a notebook (not the student's doing)."""


@dataclass
class NotebookRecord:
    """What the preprocessors saw for one notebook of one submission."""

    assignment: str
    student: str
    notebook: str
    repairs: list[str] = field(default_factory=list)
    run: RunResult | None = None
    answer_errors: list[str] = field(default_factory=list)
    """answer cells whose own code raised, as ``grade_id (ErrorName: message)``"""


class _Records:
    """Thread-safe store of :class:`NotebookRecord`, read by the autograde command."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str, str], NotebookRecord] = {}

    def get(self, assignment: str, student: str, notebook: str) -> NotebookRecord:
        key = (assignment, student, notebook)
        with self._lock:
            if key not in self._items:
                self._items[key] = NotebookRecord(assignment, student, notebook)
            return self._items[key]

    def pop(self, assignment: str, student: str) -> list[NotebookRecord]:
        with self._lock:
            keys = [k for k in self._items if k[0] == assignment and k[1] == student]
            return [self._items.pop(k) for k in sorted(keys)]

    def clear(self, assignment: str, student: str) -> None:
        self.pop(assignment, student)


RECORDS = _Records()


def code_key(nb: NotebookNode) -> str:
    """Hash of what a run depends on and is merged by: each cell's type and source."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        digest.update(cell.cell_type.encode() + b"\x00")
        digest.update(cell.source.encode("utf-8", "surrogatepass") + b"\x00\x01")
    return digest.hexdigest()


class ExecutionCache:
    """Runs started ahead of nbgrader (``--jobs``), keyed by submission and code.

    A miss is harmless: :class:`SandboxedExecute` then runs the notebook itself.
    """

    _lock = threading.Lock()
    _futures: ClassVar[dict[tuple[str, str, str, str], Future]] = {}
    #: lookups since the last :meth:`clear`: runs found ready, runs started here
    stats: ClassVar[dict[str, int]] = {"hits": 0, "misses": 0}

    @classmethod
    def put(cls, key: tuple[str, str, str, str], future: Future) -> None:
        with cls._lock:
            cls._futures[key] = future

    @classmethod
    def take(cls, key: tuple[str, str, str, str]) -> Future | None:
        with cls._lock:
            future = cls._futures.pop(key, None)
            cls.stats["hits" if future is not None else "misses"] += 1
            return future

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            for future in cls._futures.values():
                future.cancel()
            cls._futures.clear()
            cls.stats = {"hits": 0, "misses": 0}


# --------------------------------------------------------------------------- helpers


def _ids(resources: ResourcesDict) -> tuple[str, str, str]:
    info = resources["nbgrader"]
    return info["assignment"], info["student"], info["notebook"]


def _coursedir(pp: Any):
    """The CourseDirectory of the converter that owns ``pp`` (None if not found)."""
    node = pp
    while node is not None:
        found = getattr(node, "coursedir", None)
        if found is not None:
            return found
        node = getattr(node, "parent", None)
    return None


def _course_path(pp: Any, step: str, assignment: str) -> Path:
    coursedir = _coursedir(pp)
    if coursedir is None:
        return Path(os.getcwd()) / step / assignment
    directory = getattr(coursedir, f"{step}_directory")
    return Path(coursedir.format_path(directory, ".", assignment))


def _grade_id(cell: NotebookNode) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
        return meta["grade_id"]
    return None


# --------------------------------------------------------------------------- sanitize


class RestoreLayout(NbGraderPreprocessor):
    """Give a submission the released notebook's cells, order and nbgrader metadata.

    The released notebook (``release/<assignment>/<notebook>.ipynb``) is the template.
    A tracked cell (one with a ``grade_id`` of the template) keeps the student's source
    but gets the template's metadata; a missing tracked cell is copied from the
    template; tracked cells are put back in template order, each followed by the
    cells the student added after it; cells the student added lose any ``nbgrader``
    metadata.  When a ``grade_id`` appears twice, the first cell keeps it.  nbgrader's
    ``OverwriteCells`` then restores the content of read-only cells from the gradebook.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict
                   ) -> tuple[NotebookNode, ResourcesDict]:
        assignment, student, notebook = _ids(resources)
        record = RECORDS.get(assignment, student, notebook)
        release = _course_path(self, "release", assignment) / f"{notebook}.ipynb"
        if not release.is_file():
            self.log.warning("No released notebook %s; cells are not reordered", release)
            return nb, resources
        template = nbformat.read(release, as_version=4)
        tracked = {gid: i for i, c in enumerate(template.cells)
                   if (gid := _grade_id(c)) is not None}
        found: dict[str, NotebookNode] = {}
        after: dict[str | None, list[NotebookNode]] = {None: []}
        order: list[str] = []
        forged = 0
        current: str | None = None
        for cell in nb.cells:
            gid = _grade_id(cell)
            if gid in tracked and gid not in found:
                found[gid] = cell
                order.append(gid)
                after[gid] = []
                current = gid
                continue
            if "nbgrader" in cell.get("metadata", {}):
                del cell.metadata["nbgrader"]
                forged += 1
            for key in ("editable", "deletable"):
                cell.metadata.pop(key, None)
            after[current].append(cell)

        cells = list(after[None])
        missing, edited, retyped = [], [], []
        for gid, index in sorted(tracked.items(), key=lambda item: item[1]):
            model = template.cells[index]
            if gid in found:
                cell = found[gid]
                if cell.cell_type != model.cell_type:
                    retyped.append(gid)
                elif model.metadata["nbgrader"].get("locked") and \
                        cell.source.strip() != model.source.strip():
                    edited.append(gid)
                cell.metadata["nbgrader"] = copy.deepcopy(model.metadata["nbgrader"])
                for key in ("editable", "deletable"):
                    if key in model.metadata:
                        cell.metadata[key] = model.metadata[key]
                    else:
                        cell.metadata.pop(key, None)
                cells.append(cell)
                cells.extend(after[gid])
            else:
                missing.append(gid)
                cells.append(copy.deepcopy(model))
        nb.cells = cells
        _unique_cell_ids(nb, template)

        expected = [gid for gid, _ in sorted(tracked.items(), key=lambda item: item[1])
                    if gid in found]
        repairs = []
        if order != expected:
            repairs.append("cells were out of order; put back in the released order")
        if missing:
            repairs.append(f"restored {len(missing)} deleted cell(s): {', '.join(missing)}")
        if edited:
            repairs.append(f"restored {len(edited)} edited read-only cell(s): "
                           f"{', '.join(edited)}")
        if retyped:
            repairs.append(f"restored the type of {len(retyped)} cell(s): {', '.join(retyped)}")
        if forged:
            repairs.append(f"removed nbgrader marks from {forged} added or duplicated cell(s)")
        record.repairs = repairs
        for message in repairs:
            self.log.warning("%s/%s/%s: %s", student, assignment, notebook, message)
        return nb, resources


def _unique_cell_ids(nb: NotebookNode, template: NotebookNode) -> None:
    """Keep cell ids valid after cells were moved in from the template.

    A notebook older than format 4.5 is raised to the template's minor version; any
    cell without an id, or with an id seen before, gets a new one.
    """
    from nbformat.corpus.words import generate_corpus_id

    minor = max(int(nb.get("nbformat_minor", 0)), int(template.get("nbformat_minor", 0)))
    if minor < 5:
        for cell in nb.cells:
            cell.pop("id", None)
        return
    nb.nbformat, nb.nbformat_minor = 4, minor
    seen: set[str] = set()
    for cell in nb.cells:
        cell_id = cell.get("id")
        if not isinstance(cell_id, str) or not cell_id or cell_id in seen:
            cell_id = generate_corpus_id()
            while cell_id in seen:
                cell_id = generate_corpus_id()
            cell["id"] = cell_id
        seen.add(cell_id)


# --------------------------------------------------------------------------- execute


class SandboxedExecute(NbGraderPreprocessor):
    """Execute the notebook in :mod:`osai.instructor.grading.sandbox` instead of nbgrader's Execute.

    Never raises because of the student's code: timeouts, crashes and floods become
    error outputs in the cells concerned, and the outcome is recorded in
    :data:`RECORDS`.  Raises :class:`~osai.instructor.grading.sandbox.SandboxUnavailable` when
    isolation was asked for but is not possible.
    """

    isolate = Bool(True, help="Run under bubblewrap; False runs WITHOUT isolation "
                   "(limits only)").tag(config=True)
    bwrap = Unicode("", help="Path of bwrap (default /usr/bin/bwrap or PATH)").tag(config=True)
    cell_timeout = Float(Limits.cell_timeout, help="Seconds per cell").tag(config=True)
    timeout = Float(Limits.notebook_timeout, help="Seconds per notebook").tag(config=True)
    memory_mb = Integer(Limits.memory_mb, help="Address space per process, MiB"
                        ).tag(config=True)
    cgroup = Bool(True, help="Cap each run as a whole in a cgroup").tag(config=True)
    submission_memory_mb = Integer(Limits.submission_memory_mb, help="Memory of a whole "
                                   "run, MiB").tag(config=True)
    processes = Integer(Limits.processes, help="Processes of a whole run").tag(config=True)
    shm_mb = Integer(Limits.shm_mb, help="Size of /dev/shm, MiB").tag(config=True)
    file_size_mb = Integer(Limits.file_size_mb, help="Largest file written, MiB"
                           ).tag(config=True)
    tmpfs_mb = Integer(Limits.tmpfs_mb, help="Size of each private tmpfs, MiB").tag(config=True)
    cell_output_kb = Integer(Limits.cell_output_kb, help="Output kept per cell, KiB"
                             ).tag(config=True)
    total_output_kb = Integer(Limits.total_output_kb, help="Output kept per notebook, KiB"
                              ).tag(config=True)
    scratch_dir = Unicode("", help="Folder for sandbox helper files (default "
                          "<course root>/sandbox)").tag(config=True)

    @property
    def settings(self) -> SandboxSettings:
        return SandboxSettings(self.isolate, self.bwrap, self.cgroup, Limits(
            cell_timeout=self.cell_timeout, notebook_timeout=self.timeout,
            memory_mb=self.memory_mb, submission_memory_mb=self.submission_memory_mb,
            processes=self.processes, shm_mb=self.shm_mb, file_size_mb=self.file_size_mb,
            tmpfs_mb=self.tmpfs_mb, cell_output_kb=self.cell_output_kb,
            total_output_kb=self.total_output_kb))

    def scratch(self) -> Path:
        if self.scratch_dir:
            return Path(self.scratch_dir)
        coursedir = _coursedir(self)
        return Path(coursedir.root if coursedir is not None else os.getcwd()) / "sandbox"

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict
                   ) -> tuple[NotebookNode, ResourcesDict]:
        assignment, student, notebook = _ids(resources)
        record = RECORDS.get(assignment, student, notebook)
        key = (assignment, student, notebook, code_key(nb))
        future = ExecutionCache.take(key)
        result: RunResult | None = None
        if future is not None:
            try:
                result = future.result()
            except Exception as exc:  # the prefetch failed: run again here
                self.log.warning("prefetched run of %s/%s failed (%s); running again",
                                 student, assignment, exc)
        attempts = 0
        while result is None or (result.status == "failed" and attempts < 2):
            if result is not None:  # the grader's own failure (e.g. no fork under load)
                self.log.warning("run of %s/%s failed (%s); trying again", student,
                                 assignment, result.message)
            settings = self.settings
            if settings.isolate:
                check_sandbox(settings)
            files = data_files(_course_path(self, "source", assignment))
            result = run_notebook(nb, files, settings, self.scratch())
            attempts += 1
        record.run = result
        if result.status == "failed":
            tail = " | ".join(result.stderr.strip().splitlines()[-3:])
            raise GraderFailure(f"student '{student}', assignment '{assignment}', notebook "
                                f"'{notebook}': {result.message}" + (f" ({tail})" if tail else ""))
        merge_results(nb, result)
        record.answer_errors = _answer_errors(nb, result)
        self.log.info("%s/%s/%s ran in %.1f s: %s %s", student, assignment, notebook,
                      result.seconds, result.status, result.message)
        return nb, resources


def _answer_errors(nb: NotebookNode, result: RunResult) -> list[str]:
    found = []
    for index, ran in sorted(result.cells.items()):
        if ran.status != "error" or index >= len(nb.cells):
            continue
        meta = nb.cells[index].metadata.get("nbgrader", {})
        if meta.get("solution") and not meta.get("grade"):
            error = next((o for o in nb.cells[index].outputs if o.output_type == "error"), None)
            what = f"{error.ename}: {error.evalue}"[:120] if error is not None else "error"
            found.append(f"{meta.get('grade_id')} ({what})")
    return found


def data_files(source_folder: Path) -> list[Path]:
    """The files a notebook of this assignment may read: non-notebook top-level files."""
    if not source_folder.is_dir():
        return []
    return sorted(p for p in source_folder.iterdir()
                  if p.is_file() and p.suffix != ".ipynb" and not p.name.startswith("."))


# --------------------------------------------------------------------------- feedback

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_ARROW = re.compile(r"^\s*-*>\s*\d*\s")


class RedactHiddenTests(NbGraderPreprocessor):
    """Replace hidden-test lines quoted in outputs (tracebacks, printed text).

    Put it *before* nbgrader's ``ClearHiddenTests``: it reads the hidden regions from
    the cell sources, then scrubs every output of the notebook.  An error whose
    traceback quoted a hidden line also loses its message (``evalue``).  Matching is
    literal (also in ``repr``/JSON-escaped form), for lines of at least
    ``min_length`` characters; code that encodes the text it prints is not caught.
    """

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)
    min_length = Integer(6, help="Shorter hidden lines are not searched for").tag(config=True)
    replacement = Unicode("[hidden test]").tag(config=True)

    def _hidden_lines(self, nb: NotebookNode) -> list[str]:
        lines: set[str] = set()
        visible: list[str] = []
        for cell in nb.cells:
            inside = False
            for line in cell.source.splitlines():
                if self.begin_test_delimeter in line:
                    inside = True
                elif self.end_test_delimeter in line:
                    inside = False
                elif inside:
                    if len(line.strip()) >= self.min_length:
                        lines.add(line.strip())
                else:
                    visible.append(line)
        shown = "\n".join(visible)  # shown elsewhere in the notebook: not a secret
        variants: set[str] = {self.begin_test_delimeter, self.end_test_delimeter}
        for line in lines:
            if line not in shown:
                variants.update({line, repr(line)[1:-1], json.dumps(line)[1:-1],
                                 line.replace("'", "\\'"), line.replace('"', '\\"')})
        return sorted(variants, key=len, reverse=True)

    def _scrub(self, text: str, hidden: list[str]) -> tuple[str, bool]:
        plain = _ANSI.sub("", text)
        region = re.compile(re.escape(self.begin_test_delimeter) + ".*?"
                            + re.escape(self.end_test_delimeter), re.DOTALL)
        if not any(h in plain for h in hidden) and not region.search(plain):
            return text, False
        plain = region.sub(self.replacement, plain)  # e.g. printed cell sources
        for h in hidden:
            plain = plain.replace(h, self.replacement)
        return plain, True

    def _scrub_value(self, value: Any, hidden: list[str]) -> tuple[Any, bool]:
        if isinstance(value, str):
            return self._scrub(value, hidden)
        if isinstance(value, list):
            changed = False
            out = []
            for item in value:
                new, hit = self._scrub_value(item, hidden)
                out.append(new)
                changed |= hit
            return out, changed
        if isinstance(value, dict):
            changed = False
            out_d = {}
            for k, item in value.items():
                new, hit = self._scrub_value(item, hidden)
                out_d[k] = new
                changed |= hit
            return out_d, changed
        return value, False

    def _failed_on_hidden(self, traceback: list[str]) -> bool:
        """Whether the line IPython marks as failing (``---->``) was a hidden one."""
        for entry in traceback:
            for line in _ANSI.sub("", entry).splitlines():
                if _ARROW.match(line) and self.replacement in line:
                    return True
        return False

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict
                   ) -> tuple[NotebookNode, ResourcesDict]:
        hidden = self._hidden_lines(nb)
        if not hidden:
            return nb, resources
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                kind = out.get("output_type")
                if kind == "stream":
                    out["text"], _ = self._scrub(out.get("text", ""), hidden)
                elif kind == "error":
                    out["traceback"], hit = self._scrub_value(out.get("traceback", []), hidden)
                    evalue, _ = self._scrub(out.get("evalue", ""), hidden)
                    if hit and self._failed_on_hidden(out["traceback"]):
                        evalue = "(a hidden test failed)"
                    out["evalue"] = evalue
                elif kind in ("display_data", "execute_result"):
                    out["data"], _ = self._scrub_value(out.get("data", {}), hidden)
        return nb, resources
