"""nbgrader's exchange: the route of a class on a JupyterHub (``--exchange DIR``).

On a hub, assignments move through a folder every user can reach (nbgrader's *exchange*,
e.g. ``/srv/nbgrader/exchange``) instead of LMS uploads and downloads.  The same ``osai
grade`` commands serve both routes; with ``--exchange DIR``:

``release``   builds the student version as always (the LMS zip too), then puts it in the
              exchange's ``outbound`` folder with nbgrader's own ``release_assignment``, where
              students' ``nbgrader fetch_assignment`` (or JupyterLab's Assignments tab) take it
``collect``   takes the newest submission of each student from the exchange's ``inbound``
              folder (:func:`collect_exchange`) into ``submitted/``, with the same report as
              an LMS download: one line per file, collected or skipped with its reason
``feedback``  makes the feedback pages as always, then releases the pages of each student
              whose feedback was generated, with nbgrader's ``release_feedback``, so that
              their ``fetch_feedback`` finds them, and takes back the pages released
              before for a student whose feedback is now failed or withheld

Why ``collect`` is not nbgrader's own: nbgrader's ``collect`` believes the student id that a
folder's *name* gives and copies whatever the folder holds, following links.  The inbound
folder is writable by every student (that is how they submit), so one student can make a
folder named after another, or put a link to a file only the instructor can read.  Here
each submission folder must belong to the Unix user it names (its owner is checked with
``lstat``, and the user looked up), links and special files are never followed, files are
opened with ``O_NOFOLLOW`` and read up to the size limit, and only the assignment's
notebooks (and nbgrader's ``submission_secret.txt``, which the feedback's release needs)
are taken, each file owned by that user.  The submission time (``timestamp.txt``, for late
penalties) is written by collect: the folder name's, checked against the kernel's change
time of the files, so a backdated submission gets the time its files last changed; the
student's own ``timestamp.txt`` is not used.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from osai.instructor.grading.collect import MAX_STUDENT_ID, MIB, CollectLimits, Entry, \
    report_path, store_submissions, write_report
from osai.instructor.grading.outcomes import STUDENT_ID, log_tail
from osai.instructor.grading.workdir import Course, GradingError
from osai.instructor.printable import printable

__all__ = ["collect_exchange", "inbound_entries", "release_feedback", "release_to_exchange",
           "withdraw_feedback"]

#: what the archive column of the collect report says for the exchange
SOURCE = "exchange"
#: nbgrader's files beside a submission's notebooks, taken with them
STAMP, SECRET = "timestamp.txt", "submission_secret.txt"
_SECRET_TEXT = re.compile(r"^[0-9a-f]{16,256}$")
#: nbgrader's timestamp text (UTC)
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
#: seconds a submission's files may have changed after the time it claims (nbgrader writes
#: the timestamp first, then copies the files)
CLOCK_SLACK = 120


def exchange_folder(course: Course) -> Path:
    if course.exchange is None:
        raise GradingError("no exchange: pass --exchange DIR (nbgrader's exchange folder, "
                           "e.g. /srv/nbgrader/exchange)")
    return course.exchange / course.course_id


def release_to_exchange(course: Course, name: str) -> Path:
    """Put the released student version of ``name`` into the exchange (nbgrader's
    ``release_assignment``, replacing an earlier release); returns its outbound folder."""
    root = course.exchange
    if root is None or not root.is_dir():
        raise GradingError(f"the exchange folder {root} does not exist; a hub administrator "
                           "makes it once (docs-hub.md: mkdir, chmod 1777)")
    course.released_notebooks(name)  # the student version exists
    api = course.api()
    result = api.release_assignment(name)
    if not result.get("success"):
        raise GradingError(f"assignment '{name}': nbgrader release_assignment failed:\n"
                           + log_tail(result))
    return exchange_folder(course) / "outbound" / name


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _uid(student: str) -> int | None:
    try:
        return pwd.getpwnam(student).pw_uid
    except KeyError:
        return None


class _Refused(ValueError):
    """A file not taken, with the report's reason."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _read(name: str, folder_fd: int, limit: int, uid: int | None) -> tuple[bytes, float]:
    """At most ``limit`` bytes of the regular file ``name`` of an open folder, and its
    change time, never through a link; ValueError, naming why, for anything else.  What is
    checked is the file opened, not an earlier look at its name: its owner (``uid``), that
    it is a regular file with one name (no hard link to another user's file), its size."""
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("link", "not a regular file")
        if uid is not None and info.st_uid != uid:
            raise _Refused("owner", f"the file belongs to {_owner_name(info.st_uid)}")
        if info.st_nlink != 1:
            raise _Refused("link", "a file with other names (a hard link) is never taken")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        changed = os.fstat(fd).st_ctime
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _Refused("too large", f"over {limit / MIB:g} MiB")
    return data, changed


#: nbgrader's submission time in a folder name (its default format, in UTC)
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})? UTC")


def _claimed_time(text: str, now: datetime) -> datetime | None:
    """The time a folder name claims (nbgrader's ``%Y-%m-%d %H:%M:%S.%f UTC``), or None when
    it is not one, or lies in the future (past the clock slack)."""
    if not _STAMP.fullmatch(text):
        return None
    try:
        when = datetime.strptime(text[:-4], "%Y-%m-%d %H:%M:%S.%f" if "." in text
                                 else "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return when if (when - now).total_seconds() <= CLOCK_SLACK else None


def _stamp_text(when: datetime) -> str:
    return when.strftime(STAMP_FORMAT)


def inbound_entries(course: Course, assignment: str, released: Sequence[str],
                    limits: CollectLimits, trust_names: bool = False) -> list[Entry]:
    """Every submission folder of ``assignment`` in the exchange's inbound folder, and every
    file of the folder taken for each student, classified; collected notebooks carry their
    bytes (``Entry.detail`` holds the submission time).

    A student's newest folder that yields a notebook is taken; a newer one that yields none
    (unreadable, or every file refused) leaves the next one to be tried."""
    inbound = exchange_folder(course) / "inbound"
    try:
        info = os.lstat(inbound)
        if not stat.S_ISDIR(info.st_mode):
            raise GradingError(f"{inbound} is not a folder (a link?): not read")
        names = sorted(os.listdir(inbound))
    except FileNotFoundError:
        raise GradingError(f"no inbound folder {inbound}: release the assignment to the "
                           "exchange first (osai grade release --exchange)") from None
    now = datetime.now(timezone.utc)
    entries: list[Entry] = []
    folders: dict[str, list[tuple[datetime, str, Entry]]] = {}
    per_owner: dict[int, int] = {}
    for name in names:
        parts = name.split("+")
        if len(parts) < 3 or parts[1] != assignment:
            continue  # another assignment's submissions (or not nbgrader's)
        entry = Entry(SOURCE, name)
        entries.append(entry)
        student = parts[0]
        when = _claimed_time(parts[2], now)
        try:
            info = os.lstat(inbound / name)
        except OSError as exc:
            entry.reason, entry.detail = "unreadable", f"gone or unreadable: {exc.strerror}"
            continue
        per_owner[info.st_uid] = per_owner.get(info.st_uid, 0) + 1
        if per_owner[info.st_uid] > limits.files:
            entry.reason, entry.detail = "file count", \
                f"{_owner_name(info.st_uid)} has more than {limits.files} submission " \
                "folders (--max-files)"
        elif not stat.S_ISDIR(info.st_mode):
            entry.reason, entry.detail = "link", "not a folder (a link or a file): never followed"
        elif len(student) > MAX_STUDENT_ID or not STUDENT_ID.match(student):
            entry.reason, entry.detail = "name pattern", \
                f"student id '{student}' is not one nbgrader can handle"
        elif when is None:
            entry.reason, entry.detail = "name pattern", \
                f"'{parts[2]}' is not nbgrader's time (YYYY-MM-DD HH:MM:SS.ffffff UTC), or " \
                "lies in the future"
        elif trust_names:
            entry.outcome, entry.student, entry.detail = "opened", student, _stamp_text(when)
        elif _uid(student) is None:
            entry.reason, entry.detail = "owner", f"no Unix user '{student}' on this machine"
        elif info.st_uid != _uid(student):
            entry.reason, entry.detail = "owner", \
                f"the folder names '{student}' but belongs to {_owner_name(info.st_uid)}: " \
                "a student can only submit as themselves"
        else:
            entry.outcome, entry.student, entry.detail = "opened", student, _stamp_text(when)
        if entry.outcome == "opened":
            folders.setdefault(student, []).append((when, name, entry))
    for student in sorted(folders):
        taken = None
        for when, name, entry in sorted(folders[student], key=lambda f: (f[0], f[1]),
                                        reverse=True):
            if taken is not None:
                entry.outcome, entry.reason = "skipped", "duplicate"
                entry.detail = f"{taken} is newer for {student}"
                continue
            files = _folder_files(inbound / name, entry, when, released, limits, trust_names)
            entries += files
            if any(f.outcome == "collected" and f.notebook in released for f in files):
                taken = name
            elif entry.outcome == "opened":
                entry.detail += "; no notebook taken from it: an older submission is tried"
    return entries


def _folder_files(folder: Path, owner: Entry, claimed: datetime, released: Sequence[str],
                  limits: CollectLimits, trust_names: bool = False) -> list[Entry]:
    """The files of one submission folder, read through a descriptor of the folder opened
    without following links, whose owner is checked again: a student who swaps the folder
    for a link after it was listed gains nothing."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        owner.outcome, owner.reason = "skipped", "unreadable"
        owner.detail = f"the folder cannot be opened: {exc.strerror}"
        return []
    try:
        uid = None if trust_names else _uid(owner.student)
        if uid is not None and os.fstat(fd).st_uid != uid:
            owner.outcome, owner.reason = "skipped", "owner"
            owner.detail = "the folder changed owner while it was read"
            return []
        return _files(fd, folder.name, owner, claimed, released, limits, uid)
    finally:
        os.close(fd)


def _files(fd: int, folder: str, owner: Entry, claimed: datetime, released: Sequence[str],
           limits: CollectLimits, uid: int | None) -> list[Entry]:
    found: list[Entry] = []
    names = sorted(os.listdir(fd))
    changed = 0.0  # the newest change time of the files taken
    total = 0      # bytes taken from this student (--max-total-mb is per student here)
    for name in names[:limits.files]:
        entry = Entry(SOURCE, f"{folder}/{name}", student=owner.student)
        found.append(entry)
        try:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError as exc:
            entry.reason, entry.detail = "unreadable", f"gone or unreadable: {exc.strerror}"
            continue
        entry.size = info.st_size
        notebook = name[:-6] if name.endswith(".ipynb") else ""
        if stat.S_ISLNK(info.st_mode) or not (stat.S_ISREG(info.st_mode)
                                              or stat.S_ISDIR(info.st_mode)):
            entry.reason, entry.detail = "link", "links and special files are never followed"
        elif stat.S_ISDIR(info.st_mode):
            entry.reason = "folder"
        elif uid is not None and info.st_uid != uid:
            # nbgrader leaves submission folders writable by all (mode 777), so each file's
            # owner is checked too: another student may have dropped it there
            entry.reason, entry.detail = "owner", \
                f"the file belongs to {_owner_name(info.st_uid)}, not {owner.student}"
        elif name == STAMP:
            # the student's own clock: the time is taken from the folder's name and the
            # kernel's change time of the files instead (:func:`_submission_time`)
            entry.reason = "timestamp"
            entry.detail = "written by the student; the submission time is taken from the " \
                           "folder's name and the files' change time"
        elif name != SECRET and notebook not in released:
            entry.reason = "not a notebook"
            entry.detail = f"not a notebook of this assignment (expected: " \
                           f"{', '.join(n + '.ipynb' for n in released)})"
        elif info.st_size > limits.entry_bytes:
            entry.reason, entry.detail = "too large", \
                f"{info.st_size / MIB:.1f} MiB; the limit is {limits.entry_mb:g} MiB " \
                "(--max-entry-mb)"
        elif total + info.st_size > limits.total_bytes:
            entry.reason, entry.detail = "too large", \
                f"this student's files would pass {limits.total_mb:g} MiB (--max-total-mb)"
        else:
            try:
                data, ctime = _read(name, fd, limits.entry_bytes, uid)
            except _Refused as exc:
                entry.reason, entry.detail = exc.reason, str(exc)
                continue
            except OSError as exc:
                entry.reason, entry.detail = "unreadable", exc.strerror or str(exc)
                continue
            if name == SECRET and not _SECRET_TEXT.match(data.decode("ascii", "replace")
                                                         .strip()):
                entry.reason, entry.detail = "corrupt", "not nbgrader's submission secret"
                continue
            total += len(data)
            changed = max(changed, ctime)
            entry.outcome, entry.data = "collected", data
            entry.notebook = notebook or name
    _submission_time(found, owner, claimed, changed)
    if len(names) > limits.files:
        owner.detail += f"; only the first {limits.files} files were read (--max-files)"
    return found


def _submission_time(found: list[Entry], owner: Entry, claimed: datetime,
                     changed: float) -> None:
    """The submission's time for nbgrader (late penalties; collect writes ``timestamp.txt``
    in ``submitted/`` itself): the time the folder's name claims (written by the student's
    nbgrader), unless the files taken last changed more than :data:`CLOCK_SLACK` seconds
    later (the kernel's change time, which no student can set back): then that time, and
    the report says so.  The student's own ``timestamp.txt`` is never used.  (A restore or
    a ``chown -R`` of the exchange changes those times too: collect before either.)"""
    when = claimed
    if changed and changed - claimed.timestamp() > CLOCK_SLACK:
        when = datetime.fromtimestamp(changed, timezone.utc)
        owner.detail = f"{_stamp_text(claimed)} claimed, but the files last changed at " \
                       f"{_stamp_text(when)}: taken as the submission time"
    for entry in found:
        if entry.outcome == "collected":
            entry.detail = _stamp_text(when)


def collect_exchange(course: Course, assignment: str, limits: CollectLimits | None = None,
                     echo: Callable[[str], object] | None = None,
                     trust_names: bool = False) -> list[str]:
    """Take each student's newest submission of ``assignment`` from the exchange into
    ``submitted/``; returns the students collected.  The report is the LMS route's
    (``reports/<assignment>-collect.csv``), with ``exchange`` as the archive.

    ``trust_names`` (``--trust-folder-names``) skips the owner check, for hubs where every
    learner runs as the same Unix user (Zero to JupyterHub's default): there, nothing tells
    one student's folder from another's, and a student can submit as another."""
    with course.lock(f"collect {assignment}"):
        released = course.released_notebooks(assignment)
        entries = inbound_entries(course, assignment, released, limits or CollectLimits(),
                                  trust_names)
        write_report(report_path(course, assignment), entries)
        if echo:
            for entry in entries:
                echo(entry.line())
        notebooks = [e for e in entries if e.outcome == "collected" and e.notebook in released]
        extras = {(e.student, e.notebook): e.data for e in entries
                  if e.outcome == "collected" and e.notebook == SECRET}
        students = store_submissions(course, assignment, notebooks)
        for student in students:
            folder = course.folder("submitted", assignment, student)
            for (who, name), data in extras.items():
                if who == student:
                    (folder / name).write_bytes(data or b"")
        return students


def release_feedback(course: Course, assignment: str, students: Iterable[str],
                     echo: Callable[[str], object] | None = None) -> list[str]:
    """Release the feedback pages of ``students`` (those whose feedback was generated) to
    the exchange; returns those released.  A student whose submission came without
    nbgrader's secret (an LMS download) cannot fetch feedback: they are named, not
    released."""
    api = course.api()
    released = []
    for student in sorted(students):
        folder = course.folder("feedback", assignment, student)
        missing = [n for n in (STAMP, SECRET) if not (folder / n).is_file()]
        if missing:
            if echo:
                echo(printable(f"{student}: feedback not released to the exchange (no "
                               f"{' or '.join(missing)}: not submitted through it)"))
            continue
        result = api.release_feedback(assignment, student_id=student)
        if not result.get("success"):
            raise GradingError(f"assignment '{assignment}': nbgrader release_feedback failed "
                               f"for {student}:\n" + log_tail(result))
        released.append(student)
    if echo:
        echo(f"feedback released to the exchange for {len(released)} student(s): "
             f"{', '.join(released) or 'none'}")
    return released


def withdraw_feedback(course: Course, assignment: str, students: Iterable[str],
                      echo: Callable[[str], object] | None = None) -> list[str]:
    """Take back from the exchange the pages an earlier run released for ``students``, whose
    feedback this run could not make or withheld (a hidden-test line in it): a page once
    released stays fetchable otherwise.  Returns the students whose pages were removed."""
    from nbgrader.utils import notebook_hash

    outbound = exchange_folder(course) / "feedback"
    withdrawn = []
    for student in sorted(students):
        secret_file = course.folder("submitted", assignment, student) / SECRET
        if not secret_file.is_file():
            continue
        secret = secret_file.read_text(encoding="ascii", errors="replace")
        pages = [outbound / f"{notebook_hash(secret=secret, notebook_id=nb)}.html"
                 for nb in course.released_notebooks(assignment)]
        gone = [page for page in pages if page.is_file()]
        for page in gone:
            page.unlink()
        if gone:
            withdrawn.append(student)
            if echo:
                echo(printable(f"{student}: the feedback released before was taken back "
                               "from the exchange"))
    return withdrawn
