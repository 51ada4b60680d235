"""``osai grade collect``: take an LMS download in, entry by entry, like a careful archive tool.

Each archive (a zip, or a notebook given directly) is read from its central directory;
nothing is extracted to disk except the notebooks collected.  Every entry of every
archive, nested zips included, gets one :class:`Entry`: collected as a student's notebook,
or skipped with its reason.  The entries are printed and written to
``reports/<assignment>-collect.csv``.

Refused by name or type, before any byte is read: absolute paths, ``..`` (traversal),
symbolic links and other non-regular files, encrypted entries.  Limits (flags of ``osai
grade collect``) bound what a hostile archive can cost: the size of one entry, the total
unpacked size, the compression ratio of an entry (a zip bomb), the number of entries and
the depth of nested zips.  Sizes are the ones the zip declares; Python's zipfile never
returns more bytes than declared, and a CRC mismatch is an error.

Names are matched in Unicode NFC (macOS writes NFD); a student id over
:data:`MAX_STUDENT_ID` characters, or two ids that differ only in letter case (one folder on
a case-insensitive file system), are not collected.  Control characters in names are shown
escaped (:func:`osai.instructor.grading.outcomes.printable`), so one entry is one line; the report is
written by :mod:`osai.instructor.grading.csvfile` (formula-safe).

A corrupt or truncated archive stops the command with one line naming it; nothing is
collected from a run that stops.  Each student found has ``submitted/<student>/<assignment>/``
replaced by the notebooks collected.
"""

from __future__ import annotations

import io
import re
import shutil
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from osai.instructor.ziplimits import read_at_most
from osai.instructor.grading.outcomes import MAX_NOTEBOOK_BYTES, STUDENT_ID
from osai.instructor.printable import printable
from osai.instructor.grading.workdir import Course, GradingError
from osai.instructor.grading.csvfile import write_rows

__all__ = ["COLLECT_PRESETS", "CollectLimits", "Entry", "collect", "collect_entries",
           "store_submissions"]

#: file-name patterns (matched against ``<workdir>/downloaded/<assignment>/extracted/<entry>``)
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
MIB = 2 ** 20
#: longest student id taken (a folder name; nbgrader keeps ids in its gradebook)
MAX_STUDENT_ID = 100


@dataclass(frozen=True)
class CollectLimits:
    """What one collect run may unpack (each has a flag on ``osai grade collect``)."""

    entry_mb: float = MAX_NOTEBOOK_BYTES / MIB  # --max-entry-mb
    total_mb: float = 500.0                     # --max-total-mb
    ratio: float = 100.0                        # --max-ratio (for entries over 1 MiB)
    files: int = 5000                           # --max-files (entries, nested included)
    depth: int = 3                              # zips inside zips

    @property
    def entry_bytes(self) -> int:
        return int(self.entry_mb * MIB)

    @property
    def total_bytes(self) -> int:
        return int(self.total_mb * MIB)


@dataclass
class Entry:
    """One entry of an archive and what collect did with it."""

    archive: str
    name: str
    outcome: str = "skipped"   # collected, skipped, opened (a nested archive)
    reason: str = ""           # for skipped: name pattern, traversal, absolute path, ...
    detail: str = ""
    student: str = ""
    notebook: str = ""
    size: int = 0
    date: tuple = ()
    data: bytes | None = field(default=None, repr=False)

    def line(self) -> str:
        """One line (control characters in names escaped) for the terminal."""
        where = f"{self.archive}: {self.name}" if self.name else self.archive
        if self.outcome == "collected":
            file = self.notebook if "." in self.notebook else f"{self.notebook}.ipynb"
            what = f"collected as student {self.student} ({file})"
        elif self.outcome == "opened":
            what = f"opened ({self.detail})"
        else:
            what = f"skipped: {self.reason}" + (f" ({self.detail})" if self.detail else "")
        return printable(f"{where}: {what}")


REPORT_FIELDS = ["archive", "entry", "outcome", "student", "notebook", "reason", "detail",
                 "bytes"]


class _State:
    def __init__(self, limits: CollectLimits):
        self.limits = limits
        self.count = 0
        self.total = 0
        self.entries: list[Entry] = []


def _unsafe_name(name: str) -> tuple[str, str] | None:
    """(reason, detail) when the entry's name alone is refused (``name`` as stored in the
    zip: :mod:`zipfile` cuts a name at a NUL byte, so pass ``ZipInfo.orig_filename``)."""
    norm = name.replace("\\", "/")
    if "\x00" in name:
        return "traversal", "the name holds a NUL byte"
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm) or norm.startswith("//"):
        return "absolute path", "entries must be relative paths"
    if ".." in norm.split("/"):
        return "traversal", "the name climbs out of the archive with '..'"
    return None


def _walk(zf: zipfile.ZipFile, label: str, prefix: str, depth: int, state: _State,
          match) -> None:
    limits = state.limits
    for info in zf.infolist():
        name = info.filename
        entry = Entry(label, name, size=info.file_size, date=info.date_time)
        state.entries.append(entry)
        state.count += 1
        mode = info.external_attr >> 16
        unsafe = _unsafe_name(info.orig_filename)
        if state.count > limits.files:
            entry.reason, entry.detail = "file count", \
                f"more than {limits.files} entries in all (--max-files)"
        elif unsafe:
            entry.reason, entry.detail = unsafe
        elif stat.S_ISLNK(mode):
            entry.reason, entry.detail = "link", "symbolic links are never followed or made"
        elif info.is_dir():
            entry.reason = "folder"
        elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            entry.reason, entry.detail = "link", "not a regular file (device, pipe or socket)"
        elif info.flag_bits & 0x1:
            entry.reason, entry.detail = "encrypted", "password-protected entries are not read"
        elif info.file_size > limits.entry_bytes:
            entry.reason, entry.detail = "too large", \
                f"{info.file_size / MIB:.1f} MiB unpacked; the limit is " \
                f"{limits.entry_mb:g} MiB per entry (--max-entry-mb)"
        elif info.file_size > MIB and \
                info.file_size > limits.ratio * max(info.compress_size, 1):
            entry.reason, entry.detail = "too large", \
                f"compression ratio {info.file_size / max(info.compress_size, 1):.0f}:1; " \
                f"the limit is {limits.ratio:g}:1 (--max-ratio): a zip bomb?"
        elif state.total + info.file_size > limits.total_bytes:
            entry.reason, entry.detail = "too large", \
                f"the total unpacked size would pass {limits.total_mb:g} MiB (--max-total-mb)"
        else:
            _take(zf, info, entry, prefix, depth, state, match)


def _take(zf, info, entry: Entry, prefix: str, depth: int, state: _State, match) -> None:
    norm = info.filename.replace("\\", "/")
    lower = norm.lower()
    if not lower.endswith((".ipynb", ".zip")):
        entry.reason = "not a notebook"
        return
    try:
        data = read_at_most(zf, info, state.limits.entry_bytes)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
            OSError) as exc:
        if depth == 0:
            raise GradingError(printable(f"{entry.archive}: corrupt or truncated archive: "
                                         f"entry '{info.filename}' cannot be read ({exc})")
                               ) from None
        entry.reason, entry.detail = "corrupt", f"cannot be read: {exc}"
        return
    state.total += len(data)
    if lower.endswith(".zip"):
        if depth + 1 >= state.limits.depth:
            entry.reason, entry.detail = "too large", \
                f"zips nested more than {state.limits.depth} deep"
            return
        try:
            inner = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            entry.reason, entry.detail = "corrupt", f"nested archive cannot be read: {exc}"
            return
        with inner:
            entry.outcome, entry.detail = "opened", f"nested archive, {len(inner.infolist())} " \
                                                     "entries"
            _walk(inner, f"{entry.archive}!{norm}", f"{prefix}/{norm[:-4]}", depth + 1,
                  state, match)
        return
    match(entry, f"{prefix}/{norm}", data)


def collect_entries(archives: Sequence[Path], pattern: str, released: Sequence[str],
                    extracted: Path, limits: CollectLimits,
                    existing: Sequence[str] = ()) -> list[Entry]:
    """Every entry of every archive, classified; collected entries carry their bytes.

    ``existing``: student ids that already have a folder (for the letter-case check)."""
    regexp = re.compile(pattern)
    wanted = {unicodedata.normalize("NFC", n) for n in released}
    state = _State(limits)

    def match(entry: Entry, path: str, data: bytes) -> None:
        # one name whatever the normalisation the archive's system wrote (macOS writes NFD)
        found = regexp.match(unicodedata.normalize("NFC", path))
        if not found or "student_id" not in regexp.groupindex \
                or "file_id" not in regexp.groupindex:
            entry.reason, entry.detail = "name pattern", \
                "the name does not match the pattern of --preset/--regexp"
            return
        student = found.group("student_id") or ""
        notebook = PurePosixPath(found.group("file_id") or "").stem
        if len(student) > MAX_STUDENT_ID:
            entry.reason, entry.detail = "name pattern", \
                f"the student id is {len(student)} characters long (at most {MAX_STUDENT_ID})"
            return
        if not STUDENT_ID.match(student):
            entry.reason, entry.detail = "name pattern", \
                f"student id '{student}' has characters nbgrader cannot handle"
            return
        if notebook not in wanted:
            entry.reason, entry.detail = "not a notebook", \
                f"'{notebook}.ipynb' is not a notebook of this assignment (expected: " \
                f"{', '.join(n + '.ipynb' for n in released)})"
            return
        entry.outcome, entry.student, entry.notebook, entry.data = \
            "collected", student, notebook, data
        if "timestamp" in regexp.groupindex and found.group("timestamp"):
            entry.detail = found.group("timestamp")

    for archive in archives:
        archive = Path(archive)
        label = archive.name
        prefix = str(extracted)
        if archive.suffix.lower() == ".ipynb":
            size = archive.stat().st_size
            entry = Entry(label, "", size=size)
            state.entries.append(entry)
            state.count += 1
            if size > limits.entry_bytes:
                entry.reason, entry.detail = "too large", \
                    f"{size / MIB:.1f} MiB; the limit is {limits.entry_mb:g} MiB (--max-entry-mb)"
            else:
                match(entry, f"{prefix}/{archive.name}", archive.read_bytes())
            continue
        try:
            zf = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise GradingError(printable(f"{archive}: not a readable zip archive (corrupt, "
                                         f"truncated or another format): {exc}")) from None
        with zf:
            _walk(zf, label, prefix, 0, state, match)
    _mark_duplicates(state.entries)
    _mark_case_collisions(state.entries, existing)
    return state.entries


def _mark_duplicates(entries: list[Entry]) -> None:
    """Two files for the same student and notebook: the newest (zip date) is kept."""
    best: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        if entry.outcome != "collected":
            continue
        key = (entry.student, entry.notebook)
        other = best.get(key)
        if other is None:
            best[key] = entry
            continue
        keep, drop = (entry, other) if (entry.detail, entry.date) >= (other.detail, other.date) \
            else (other, entry)
        best[key] = keep
        drop.outcome, drop.reason = "skipped", "duplicate"
        drop.detail = f"{keep.archive}: {keep.name or keep.archive} is newer for " \
                      f"{keep.student}/{keep.notebook}.ipynb"
        drop.data = None


def _mark_case_collisions(entries: list[Entry], existing: Sequence[str]) -> None:
    """Student ids that differ only in letter case are one folder on a case-insensitive
    file system (macOS, Windows): the later would silently replace the earlier.  Neither
    is collected; the instructor decides."""
    spellings: dict[str, set[str]] = {}
    for student in existing:
        spellings.setdefault(student.casefold(), set()).add(student)
    taken = [e for e in entries if e.outcome == "collected"]
    for entry in taken:
        spellings.setdefault(entry.student.casefold(), set()).add(entry.student)
    for entry in taken:
        same = spellings[entry.student.casefold()]
        if len(same) > 1:
            others = ", ".join(f"'{s}'" for s in sorted(same - {entry.student}))
            entry.outcome, entry.reason, entry.data = "skipped", "duplicate", None
            entry.detail = (f"student id '{entry.student}' differs from {others} only in "
                            "letter case, one folder on a case-insensitive file system: "
                            "rename one and collect again")


def report_path(course: Course, assignment: str) -> Path:
    return course.reports_dir / f"{assignment}-collect.csv"


def write_report(path: Path, entries: list[Entry]) -> None:
    write_rows(path, REPORT_FIELDS, ({"archive": printable(e.archive),
                                      "entry": printable(e.name), "outcome": e.outcome,
                                      "student": e.student, "notebook": e.notebook,
                                      "reason": e.reason, "detail": printable(e.detail),
                                      "bytes": e.size} for e in entries))


def collect(course: Course, assignment: str, archives: Sequence[Path],
            regexp: str | None = None, preset: str = "simple",
            limits: CollectLimits | None = None, echo=None) -> list[str]:
    """Take LMS downloads (zip files or notebooks) in; returns the students collected.

    ``echo`` (e.g. ``print``) gets one line per entry as it is decided; the same lines
    are in ``reports/<assignment>-collect.csv``.
    """
    with course.lock(f"collect {assignment}"):
        return _collect(course, assignment, archives, regexp, preset,
                        limits or CollectLimits(), echo)


def _collect(course: Course, assignment: str, archives: Sequence[Path],
             regexp: str | None, preset: str, limits: CollectLimits, echo) -> list[str]:
    released = course.released_notebooks(assignment)
    pattern = regexp or COLLECT_PRESETS.get(preset)
    if pattern is None:
        raise GradingError(f"unknown preset '{preset}' (known: {', '.join(COLLECT_PRESETS)})")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise GradingError(f"--regexp is not a valid regular expression: {exc}") from None
    missing = {"student_id", "file_id"} - set(compiled.groupindex)
    if missing:
        raise GradingError(f"--regexp needs the named groups {', '.join(sorted(missing))}")
    for archive in archives:
        if not Path(archive).is_file():
            raise GradingError(f"assignment '{assignment}': no such file {archive}")
    extracted = course.workdir / "downloaded" / assignment / "extracted"
    submitted = course.workdir / "submitted"
    existing = [p.name for p in submitted.iterdir() if (p / assignment).is_dir()] \
        if submitted.is_dir() else []
    entries = collect_entries(archives, pattern, released, extracted, limits, existing)
    report = report_path(course, assignment)
    write_report(report, entries)
    if echo:
        for entry in entries:
            echo(entry.line())
    # keep the downloads with the course, then replace each collected student's folder
    archive_dir = course.workdir / "downloaded" / assignment / "archive"
    if archive_dir.exists():
        shutil.rmtree(archive_dir)
    archive_dir.mkdir(parents=True)
    for archive in archives:
        shutil.copyfile(archive, archive_dir / Path(archive).name)
    return store_submissions(course, assignment, entries)


def store_submissions(course: Course, assignment: str, entries: Sequence[Entry]) -> list[str]:
    """Replace ``submitted/<student>/<assignment>/`` of each student with a collected entry
    by their collected notebooks (and ``timestamp.txt`` from the newest ``detail``); returns
    the students."""
    by_student: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.outcome == "collected":
            by_student.setdefault(entry.student, []).append(entry)
    for student, taken in sorted(by_student.items()):
        folder = course.folder("submitted", assignment, student)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for entry in taken:
            (folder / f"{entry.notebook}.ipynb").write_bytes(entry.data or b"")
        stamps = sorted(e.detail for e in taken if e.detail)
        if stamps:
            (folder / "timestamp.txt").write_text(stamps[-1] + "\n", encoding="utf-8")
    return sorted(by_student)
