"""Progress files inside a zip, as an LMS hands in a class's submissions.

Moodle's *Download all submissions*, Canvas' *Download Submissions* and most other LMSs
give the instructor one zip: a folder or a prefixed name per learner, holding the files
each learner handed in.  Every ``.json`` entry is read as a progress file named by its
path inside the archive (``class.zip!Jane Doe_123_assignsubmission_file/03-...json``), so
learners stay apart; a zip inside the zip is read the same way (two levels at most).
Nothing is extracted to disk.  Every other entry, and every entry that is too large,
encrypted or unreadable, is skipped with a one-line reason naming it; a file that is not a
zip at all is one line.  Limits: 5 MiB per progress file, 200 MiB read in all, 10,000
entries, so a zip bomb is refused, not unpacked.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from osai.instructor.ziplimits import read_at_most
from osai.instructor.quiz_report.progress import read_progress_bytes
from osai.instructor.quiz_report.records import Reading, Skip

__all__ = ["MAX_ENTRIES", "MAX_ENTRY_BYTES", "MAX_TOTAL_BYTES", "read_archive"]

MAX_ENTRY_BYTES = 5 * 2 ** 20
MAX_TOTAL_BYTES = 200 * 2 ** 20
MAX_ENTRIES = 10_000
MAX_DEPTH = 2


class _Budget:
    def __init__(self) -> None:
        self.bytes = 0
        self.entries = 0


def read_archive(path: Path, label: str, banks: dict[str, dict]) -> Reading:
    """Answers of every progress file in the zip at ``path`` (``label`` names it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _walk(zf, label, banks, 1, _Budget())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        return Reading(skips=[Skip(label, f"not a readable zip archive ({exc})")])


def _walk(zf: zipfile.ZipFile, label: str, banks: dict[str, dict], depth: int,
          budget: _Budget) -> Reading:
    out = Reading()
    for info in zf.infolist():
        name = info.filename
        where = f"{label}!{name}"
        if info.is_dir():
            continue
        budget.entries += 1
        if budget.entries > MAX_ENTRIES:
            out.skips.append(Skip(label, f"more than {MAX_ENTRIES} entries; the rest were "
                                         "not read"))
            break
        lower = name.lower()
        base = lower.rsplit("/", 1)[-1]
        if base.startswith(".") or lower.startswith("__macosx/"):
            continue  # hidden files and macOS resource forks: not anything handed in
        nested = lower.endswith(".zip")
        if not (lower.endswith(".json") or nested):
            out.skips.append(Skip(where, "not a progress file (.json) or a zip"))
            continue
        if info.flag_bits & 0x1:
            out.skips.append(Skip(where, "encrypted entry"))
            continue
        limit = MAX_TOTAL_BYTES - budget.bytes if nested else MAX_ENTRY_BYTES
        if info.file_size > limit:
            out.skips.append(Skip(where, f"too large ({info.file_size:,} bytes; the limit "
                                         f"is {limit:,})"))
            continue
        try:
            data = read_at_most(zf, info, limit)
        except ValueError:
            out.skips.append(Skip(where, f"too large (more than {limit:,} bytes unpacked)"))
            continue
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            out.skips.append(Skip(where, f"cannot be read ({exc})"))
            continue
        budget.bytes += len(data)
        if budget.bytes > MAX_TOTAL_BYTES:
            out.skips.append(Skip(label, f"more than {MAX_TOTAL_BYTES:,} bytes unpacked; "
                                         "the rest was not read"))
            break
        if nested:
            if depth >= MAX_DEPTH:
                out.skips.append(Skip(where, f"a zip nested more than {MAX_DEPTH} deep"))
                continue
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    got = _walk(inner, where, banks, depth + 1, budget)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
                got = Reading(skips=[Skip(where, f"not a readable zip archive ({exc})")])
        else:
            try:
                got = read_progress_bytes(data, where, banks)
            except (RecursionError, TypeError, ValueError, OverflowError) as exc:
                got = Reading(skips=[Skip(where, f"could not be read ({type(exc).__name__})")])
        out.answers += got.answers
        out.skips += got.skips
    if not out.answers and not out.skips:
        out.skips.append(Skip(label, "archive holds no progress files"))
    return out
