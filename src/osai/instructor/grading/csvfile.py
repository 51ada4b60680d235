"""CSV files an instructor opens in a spreadsheet or imports into an LMS, safe whatever they hold.

Student ids, file names, notebook messages and feedback reasons reach the grading reports
and the grade export.  A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return before one) as a formula: ``=HYPERLINK(...)`` in a
student's error message would run on the instructor's machine (CSV or formula injection).
Following OWASP's guidance, :func:`write_rows` prefixes such a text cell with ``'``, which
spreadsheets take as "this is text" and do not show.  The check looks past leading
spaces and at the compatibility form of the first character (a full-width ``＝`` or
``＋`` counts).  A text cell that already starts with ``'`` gets one more, so that
:func:`read_rows` can take exactly one off and give back the value written.  Numbers stay
numbers (a negative score is not text).  Separators, quotes and line breaks inside a cell
are quoted by :mod:`csv` as usual.

Every CSV the grading commands write goes through :func:`write_rows`, and every report
file through :func:`replaced`: a new file is written beside the old one and takes its place
only once complete, so a full disk or a crash never leaves half a report.
"""

from __future__ import annotations

import csv
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["FORMULA_START", "read_rows", "replaced", "unsafe_cell", "write_rows"]

#: first characters a spreadsheet may read as the start of a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def unsafe_cell(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (or it starts with ``'``)."""
    if text[0] in FORMULA_START or text[0] == "'":
        return True
    stripped = text.lstrip(" \u00a0\u3000")
    return bool(stripped) and unicodedata.normalize("NFKC", stripped[0])[:1] in FORMULA_START


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value and unsafe_cell(value):
        return "'" + value
    return value


def write_rows(path: Path, fieldnames: list[str], rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``rows`` (dicts) as CSV with a header, every text cell made formula-safe."""
    path = Path(path)
    with replaced(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return path


@contextmanager
def replaced(path: Path) -> Iterator:
    """A text file to write that replaces ``path`` once complete; on any error the old
    ``path`` stays as it was and the error names ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        if exc.filename in (None, tmp):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        os.unlink(tmp)
        raise


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV written by :func:`write_rows`, with each cell as it was given."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return [{k: (v[1:] if v and v.startswith("'") else v) for k, v in row.items()}
                for row in csv.DictReader(handle)]
