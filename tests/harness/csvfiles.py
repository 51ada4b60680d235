"""Read and write a data package's CSV files as lists of records, for tests that edit a
copy of ``data/`` (the loader's own rules are tested against such copies)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

__all__ = ["read_records", "write_records"]


def read_records(path: Path) -> list[list[str]]:
    """Every record of ``path`` as lists of strings, header first."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_records(path: Path, records: list[list[str]]) -> None:
    """``records`` written to ``path`` as CSV with ``\\n`` line ends."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(records)
    path.write_text(buf.getvalue(), encoding="utf-8")
