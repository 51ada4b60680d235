"""The checks of one table of ``data/`` on its own: its CSV file against its Table Schema.

:func:`check_csv` reads the file as text first, so a problem is reported where a person
editing the spreadsheet will look: a byte that is not UTF-8, a control character in a
cell (NUL among them: Python's csv module no longer refuses it, so this check is ours), a
quoted cell left open, a column twice in the header, an unknown or missing column (with
the near miss it may be), a blank or cut-off row, an id
with spaces around it, a number that is not finite (frictionless accepts ``inf`` and
``NaN``).  Then frictionless validates the schema's rules (types, required cells,
patterns, enums, unique keys) and its first error is reworded with the file, the row
(spreadsheet numbering: the header is row 1) and the column.  Used by
:mod:`osai.data.dataset` for every table before it is loaded.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from pathlib import Path

from osai.data.errors import DataError

__all__ = ["check_csv"]


def check_csv(path: Path, schema: dict, rel: str) -> None:
    """Check one table's CSV file against its Table Schema (``rel`` names it in messages,
    e.g. ``data/events.csv``); raises :class:`DataError` on the first problem.

    The file first, as text: present, not empty (a header and, unless the schema says
    ``"osai:mayBeEmpty": true``, data rows), UTF-8, no control characters, whole quoted
    cells, each column once and exactly the schema's columns, no blank row, ids without
    stray spaces, finite numbers; then the
    schema's own rules, by frictionless (types, required cells, patterns, enums, unique
    keys).  Foreign keys are left to :mod:`osai.data.references`, across tables.
    """
    from frictionless import Resource, Schema

    if not path.is_file():
        raise DataError(rel, "file is missing")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(rel, "file is empty (expected a header row and data rows)",
                        row=1)
    text = _decode(raw, rel)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        header = _labels(text.split("\n", 1)[0])
        raise DataError(rel, f"cannot be read as CSV: {exc}", reader.line_num,
                        (header or [None])[0] or None) from None
    if not records[0] or not "".join(records[0]).strip():
        raise DataError(rel, "the first line is empty: the header (column names) must be "
                        "row 1", row=1)
    header = [records[0][0].removeprefix("\ufeff"), *records[0][1:]]  # tolerate a BOM
    _check_characters([header, *records[1:]], header, rel)
    if text.count('"') % 2:
        # the unbalanced quote swallows the rest of the file into the last record, so
        # that record (not the last line: quoted cells may span lines) is where it opened
        last = records[-1]
        raise DataError(rel, "file ends inside a quoted cell (truncated or unbalanced quote)",
                        row=len(records),
                        column=header[len(last) - 1] if 0 < len(last) <= len(header) else None)
    if len([line for line in text.splitlines() if line.strip()]) < 2 \
            and not schema.get("osai:mayBeEmpty"):
        raise DataError(rel, "file has a header but no data rows", row=1)
    # named columns, not positions: frictionless compares labels position by position, so
    # one missing column would be reported as the last one (or as a "bad header")
    names = [f["name"] for f in schema["fields"]]
    for position, label in enumerate(header, start=1):
        if header.index(label) + 1 < position:
            raise DataError(rel, f"duplicate column '{label}': the header has it twice "
                            f"(cells {header.index(label) + 1} and {position}); each "
                            "column appears once", 1, label)
    for label in header:
        if label not in names:
            near = [n for n in names if n.casefold() == label.strip().casefold()]
            hint = (f"; did you mean '{near[0]}'? Column names are exact: lower case, no "
                    "spaces around them") if near else ""
            raise DataError(rel, f"unknown column '{label}' (not in the schema in "
                            f"datapackage.json{hint})", 1, label)
    for name in names:
        if name not in header:
            raise DataError(rel, f"missing column '{name}'", 1, name)
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            raise DataError(rel, "blank row: every cell is empty (delete the row or fill "
                            f"it in; columns {header[0]} to {header[-1]})", number, header[0])
    _check_ids(records, header, schema, rel)
    _check_numbers(records, header, schema, rel)
    # foreign keys are checked across tables, by osai.data.references
    plain = {k: v for k, v in schema.items() if k != "foreignKeys"}
    resource = Resource(path=path.name, basepath=str(path.parent),
                        schema=Schema.from_descriptor(plain),
                        format="csv", encoding="utf-8")
    report = resource.validate()
    if report.valid:
        return
    errors = report.tasks[0].errors
    err = errors[0]
    # a cut-off row also breaks rules in the cells it still has; say it is cut off
    same_row = [e for e in errors if getattr(e, "row_number", None) is not None
                and e.row_number == getattr(err, "row_number", None)]
    err = next((e for e in same_row if e.type in ("missing-cell", "extra-cell")), err)
    row = getattr(err, "row_number", None)
    column = getattr(err, "field_name", None) or getattr(err, "label", None)
    kind = err.type
    if kind == "extra-label":
        msg = f"unknown column '{err.label}' (not in the schema in datapackage.json)"
        row = 1
    elif kind == "missing-label":
        msg = f"missing column '{column}'"
        row = 1
    elif kind in ("incorrect-label", "duplicate-label", "blank-label"):
        msg = f"bad header: {err.note}"
        row = 1
    elif kind == "primary-key":
        key = schema.get("primaryKey") or []
        key = [key] if isinstance(key, str) else list(key)
        msg, column = _duplicate_key(records, header, key, row)
    elif kind == "unique-error":
        msg = f"duplicate id: the value '{getattr(err, 'cell', '')}' must be unique in " \
              f"column '{column}' ({err.note})"
    elif kind == "blank-row":
        msg = "blank row: every cell is empty (delete the row or fill it in)"
        column = header[0]
    elif kind == "extra-cell":
        # a cell with no header: name its position (a stray comma, or an unquoted comma
        # or line break inside a cell, shifts the cells after it)
        position = getattr(err, "field_number", None) or len(header) + 1
        msg = (f"row has more cells than the header ({len(header)} columns): an unquoted "
               "comma or line break inside a cell? Quote cells that hold them")
        column = f"#{position} (after {header[-1]})"
    elif kind == "missing-cell":
        msg = "row has fewer cells than the header (truncated row?)"
    elif kind == "type-error":
        msg = f"wrong type: {err.note}"
    elif kind == "constraint-error":
        cell = getattr(err, "cell", "")
        msg = f"value '{cell}' breaks a rule: {err.note}"
    else:
        msg = f"{kind}: {err.note}"
    raise DataError(rel, msg, row, column)


#: characters no cell may hold: the C0 and C1 controls and DEL (NUL among them), except
#: the line feed and carriage return that end rows or break a quoted cell's lines; and the
#: bidirectional controls, which make a cell display in another order than it reads.
#: A tab is refused too: no cell of the course needs one, and it shows as spaces.
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _check_characters(records: list[list[str]], header: list[str], rel: str) -> None:
    """No control character in any cell or header label (Python's csv module reads a NUL
    as an ordinary character since 3.11, so this is the check).  The message names the
    character by its code point, never the cell's text."""
    for number, record in enumerate(records, start=1):
        for position, cell in enumerate(record, start=1):
            found = _CONTROL.search(cell)
            if not found:
                continue
            char = found.group()
            name = {"\0": "NUL", "\t": "tab"}.get(char) or unicodedata.name(char, "control")
            where, column = f" in header cell {position}", None  # a label holding it
            if number > 1:                                        # cannot name a column
                label = header[position - 1] if position <= len(header) else ""
                where, column = "", label if label and not _CONTROL.search(label) \
                    else f"#{position}"
            hint = " (a NUL often means the file was saved as UTF-16 or is not text)" \
                if char == "\0" else ""
            raise DataError(rel, f"control character U+{ord(char):04X} ({name}){where}: "
                            f"remove it{hint}", number, column)


def _labels(line: str) -> list[str]:
    """The header's labels, as far as they can name a column in a message (a label with a
    control character cannot: it is left out)."""
    try:
        labels = next(csv.reader(io.StringIO(line, newline="")), [])
    except csv.Error:
        return []
    return [label if not _CONTROL.search(label) else "" for label in labels]


def _decode(raw: bytes, rel: str) -> str:
    """The file as text; a byte that is not UTF-8 is located by row and column."""
    try:
        return raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start].decode("utf-8")
        records = list(csv.reader(io.StringIO(before, newline=""))) or [[""]]
        line = before.count("\n") + 1
        header_end = raw.find(b"\n")
        header = _labels(raw[:header_end if header_end >= 0 else len(raw)]
                         .decode("utf-8", "replace"))
        if before.endswith("\n"):
            records.append([""])
        cells = len(records[-1])
        where = ""
        if len(records) == 1:  # in the header itself: its labels cannot be trusted
            column, where = None, f" (header cell {cells})"
        else:
            column = header[cells - 1] if 0 < cells <= len(header) else None
            column = column or None
        raise DataError(rel, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line}"
                        f"{where} cannot be read (save the file as UTF-8)",
                        len(records), column) from None


def _duplicate_key(records: list[list[str]], header: list[str], key: list[str],
                   row: int | None) -> tuple[str, str]:
    """The message and column(s) for a primary key seen twice (``row`` is the later)."""
    idx = [header.index(k) for k in key if k in header]
    def value(rec):
        return tuple(rec[i] if i < len(rec) else "" for i in idx)
    later = value(records[row - 1]) if row and row <= len(records) else None
    first = next((n for n, rec in enumerate(records[1:], start=2)
                  if later is not None and value(rec) == later and n != row), None)
    shown = ", ".join(f"{k}={v!r}" for k, v in zip(key, later or ()))
    columns = ", ".join(key)
    what = "duplicate id" if len(key) == 1 else f"duplicate key ({columns} together)"
    return (f"{what}: {shown} is already used"
            + (f" by row {first}" if first else "")
            + (" (the key must be unique)" if len(key) == 1 else
               " (each combination must be unique)")), columns


def _check_ids(records: list[list[str]], header: list[str], schema: dict, rel: str) -> None:
    """Ids (key columns and ``*_id``/``*_ids``) match exactly: a space before or after one
    would make it a different id, reported later as unknown or as breaking a pattern."""
    key = schema.get("primaryKey") or []
    key = {key} if isinstance(key, str) else set(key)
    for i, name in enumerate(header):
        if not (name in key or name.endswith(("_id", "_ids"))):
            continue
        for number, record in enumerate(records[1:], start=2):
            cell = record[i] if i < len(record) else ""
            if cell != cell.strip():
                raise DataError(rel, f"the id {cell!r} has spaces before or after it (ids "
                                "must match exactly: remove the spaces)", number, name)


_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity",
               "-infinity"}


def _check_numbers(records: list[list[str]], header: list[str], schema: dict,
                   rel: str) -> None:
    """Numbers must be finite: frictionless accepts 'inf' and 'NaN' as numbers."""
    for field in schema["fields"]:
        if field["type"] not in ("number", "integer") or field["name"] not in header:
            continue
        i = header.index(field["name"])
        for number, record in enumerate(records[1:], start=2):
            cell = record[i].strip() if i < len(record) else ""
            if not cell:
                continue
            try:
                finite = math.isfinite(float(cell))
            except ValueError:
                finite = cell.lower() not in _NON_FINITE
            if not finite:
                raise DataError(rel, f"'{cell}' is not a finite number (leave the cell empty "
                                "when the value is unknown)", number, field["name"])
