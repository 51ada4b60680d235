"""Open an LMS export as a table: UTF-8 (a byte-order mark is fine), comma or tab separated.

Moodle's CSV download of a SCORM report is tab-separated (``csv_export_writer("tab")``,
saved as ``.txt``); most other exports use commas.  The separator is taken from the
header line.  Cells are HTML-unescaped (Moodle writes them through ``s()``, so ``&amp;``
arrives for ``&``).
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

__all__ = ["TableError", "read_table"]


class TableError(ValueError):
    """The file cannot be read as a table (its reason is the message)."""


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a CSV/TSV file; rows keep their file order (row 2 is the first)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TableError(f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(f"not UTF-8 text (byte {exc.start}); save it from the LMS or "
                         "spreadsheet as UTF-8") from None
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise TableError("empty, or no header line")
    delimiter = "\t" if "\t" in first else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise TableError(f"not a readable CSV file ({exc})") from None
    header = [html.unescape(h).strip() for h in rows[0]]
    body = [[html.unescape(c) for c in row] for row in rows[1:]]
    return header, body
