"""Load and validate the course's Frictionless Data Package (``data/``).

Every table is checked against its Table Schema in ``data/datapackage.json`` by
frictionless (types, required cells, patterns, enums, unique keys, unknown or missing
columns), then against the rules a schema cannot express:

* the file is UTF-8 (else: the row and column of the first bad byte), has no blank row,
  and no key (one column or several) twice;
* numbers are finite (frictionless accepts ``inf`` and ``NaN``);
* every id that points at another table exists there: ``foreignKeys`` in the schema
  (single or, with ``"osai:separator"``, ``;``-separated), a field's
  ``"osai:references": ["table.column", ...]`` (e.g. ``evidence_ids``), a column named like
  another table's one-column primary key (``org_id``, ``licence_id``), and the source
  columns (``source_id``/``source_ids``, which must not be empty);
* every date is a real calendar date at its stated precision, none is after the build
  date (:func:`build_date`) unless its field says ``"osai:plan": true``, and no ``end``
  comes before its ``start``;
* money has a currency.

Any problem raises :class:`DataError`, whose message names the file, the row
(spreadsheet numbering: the header is row 1) and the column, and says why, so a bad row
stops the book build with a message that says where to look.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "DataError",
    "build_date",
    "Dataset",
    "data_dir",
    "load",
    "load_dataset",
    "source_ids",
]

#: tables every package must have; any further resource in datapackage.json is loaded too
TABLES = ("sources", "organisations", "events", "metrics", "quotes", "context_events")
#: columns that hold one or more source ids separated by ``;``
SOURCE_COLUMNS = ("source_id", "source_ids")
#: a column X with a sibling X_precision (year, month, day) is checked and parsed as a date
_PRECISION_LENGTH = {"year": 4, "month": 7, "day": 10}
_FORMATS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
#: the schema pattern of a date column without a precision column (e.g. sources.date)
_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class DataError(ValueError):
    """A problem in ``data/``, located by file, row and column."""

    def __init__(self, file: str, message: str, row: int | None = None,
                 column: str | None = None):
        self.file, self.row, self.column, self.message = file, row, column, message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


def data_dir() -> Path:
    """The data folder: ``$OSAI_DATA_DIR`` if set, else ``data/`` of the checkout, else the
    copy installed with the package (see :mod:`osai.paths`)."""
    env = os.environ.get("OSAI_DATA_DIR")
    if env:
        return Path(env).resolve()
    from osai.paths import course_root

    try:
        return course_root() / "data"
    except FileNotFoundError as exc:
        raise DataError("data/datapackage.json", str(exc)) from None


class Dataset:
    """All tables of the package, validated and typed; each is an attribute
    (``ds.events``) and an item (``ds["events"]``)."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self._tables = dict(tables)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("_tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"no table '{name}' in data/datapackage.json "
                             f"(tables: {', '.join(tables)})")

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.__getattr__(name)

    @property
    def names(self) -> list[str]:
        return list(self._tables)

    def org_name(self, org_id: str) -> str:
        return str(self.organisations.loc[org_id, "name"])


def _parse_date(text: str, precision: str, file: str, row: int, column: str) -> pd.Timestamp:
    expected = _PRECISION_LENGTH[precision]
    if len(text) != expected:
        raise DataError(file, f"date '{text}' does not match its precision '{precision}' "
                        f"(expected {_FORMATS[expected].replace('%', '')})", row, column)
    try:
        return pd.Timestamp(dt.datetime.strptime(text, _FORMATS[expected]))
    except ValueError:
        raise DataError(file, f"'{text}' is not a real calendar date", row, column) from None


def _frictionless_check(path: Path, schema: dict, rel: str) -> None:
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
    except csv.Error as exc:  # e.g. a NUL byte
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0].replace("\0", ""))))
        raise DataError(rel, f"cannot be read as CSV: {exc}", reader.line_num,
                        header[0] if header else None) from None
    header = [records[0][0].removeprefix("\ufeff"), *records[0][1:]]  # tolerate a BOM
    if text.count('"') % 2:
        # the unbalanced quote swallows the rest of the file into the last record, so
        # that record (not the last line: quoted cells may span lines) is where it opened
        last = records[-1]
        raise DataError(rel, "file ends inside a quoted cell (truncated or unbalanced quote)",
                        row=len(records),
                        column=header[len(last) - 1] if 0 < len(last) <= len(header) else None)
    if len([line for line in text.splitlines() if line.strip()]) < 2:
        raise DataError(rel, "file has a header but no data rows", row=1)
    # named columns, not positions: frictionless compares labels position by position, so
    # one missing column would be reported as the last one (or as a "bad header")
    names = [f["name"] for f in schema["fields"]]
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
    # foreign keys are checked by _check_references, across tables
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


def _decode(raw: bytes, rel: str) -> str:
    """The file as text; a byte that is not UTF-8 is located by row and column."""
    try:
        return raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start].decode("utf-8")
        records = list(csv.reader(io.StringIO(before, newline=""))) or [[""]]
        line = before.count("\n") + 1
        header_end = raw.find(b"\n")
        header = next(csv.reader(io.StringIO(
            raw[:header_end if header_end >= 0 else len(raw)].decode("utf-8", "replace"))))
        if before.endswith("\n"):
            records.append([""])
        cells = len(records[-1])
        where = ""
        if len(records) == 1:  # in the header itself: its labels cannot be trusted
            column, where = None, f" (header cell {cells})"
        else:
            column = header[cells - 1] if 0 < cells <= len(header) else None
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
    import math

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


def _read(name: str, folder: Path, schema: dict) -> pd.DataFrame:
    rel = f"data/{name}.csv"
    path = folder / f"{name}.csv"
    _frictionless_check(path, schema, rel)
    dtypes = {f["name"]: ("float64" if f["type"] == "number" else "string")
              for f in schema["fields"]}
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""],
                        encoding="utf-8")
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")  # spreadsheet row numbers
    return frame


def _split_ids(value) -> list[str]:
    if value is None or pd.isna(value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _schema_references(name: str, schema: dict) -> list[tuple[str, list[tuple[str, str]], bool]]:
    """(column, [(table, key column)], list-valued) for every reference of a table.

    From ``foreignKeys`` in datapackage.json (``reference.resource`` may be a list of
    tables; ``"osai:separator": ";"`` marks a list-valued column), then from the field
    property ``"osai:references"`` (``["events.event_id", ...]``), then by convention: a
    column named like another table's one-column primary key (``org_id``, ``licence_id``)
    refers to that table, and the source columns refer to ``sources``.
    """
    out: dict[str, tuple[list[tuple[str, str]], bool]] = {}
    for fk in schema.get("foreignKeys") or []:
        fields = fk.get("fields")
        ref = fk.get("reference") or {}
        tables = ref.get("resource")
        tables = [tables] if isinstance(tables, str) else list(tables or [])
        keys = ref.get("fields")
        if isinstance(fields, list):
            if len(fields) != 1:
                continue  # composite foreign keys are not used by the course
            fields = fields[0]
        keys = keys[0] if isinstance(keys, list) else keys
        out[fields] = ([(t or name, keys) for t in tables], bool(fk.get("osai:separator")))
    for field in schema["fields"]:
        refs = field.get("osai:references")
        if refs and field["name"] not in out:
            out[field["name"]] = ([tuple(r.split(".", 1)) for r in refs], True)
    return [(column, targets, is_list) for column, (targets, is_list) in out.items()]


def _conventional_references(tables: dict[str, pd.DataFrame], schemas: dict[str, dict]
                             ) -> dict[str, list[tuple[str, list[tuple[str, str]], bool]]]:
    keys: dict[str, list[str]] = {}
    for table, schema in schemas.items():
        pk = schema.get("primaryKey")
        pk = [pk] if isinstance(pk, str) else list(pk or [])
        if len(pk) == 1:
            keys.setdefault(pk[0], []).append(table)
    out: dict[str, list] = {}
    for name, schema in schemas.items():
        declared = _schema_references(name, schema)
        seen = {column for column, _, _ in declared}
        pk = schema.get("primaryKey")
        own = {pk} if isinstance(pk, str) else set(pk or [])
        for field in schema["fields"]:
            column = field["name"]
            if column in seen or name == "sources":
                continue
            if column in SOURCE_COLUMNS:
                declared.append((column, [("sources", "source_id")], True))
            elif column in keys and (column not in own or len(own) > 1):
                targets = [(t, column) for t in keys[column] if t != name]
                if targets:
                    declared.append((column, targets, False))
        out[name] = declared
    return out


def _check_references(tables: dict[str, pd.DataFrame], schemas: dict[str, dict]) -> None:
    """Every id that points at another table exists there; every fact cites a source."""
    references = _conventional_references(tables, schemas)
    for name, frame in tables.items():
        rel = f"data/{name}.csv"
        for column, targets, is_list in references[name]:
            if column not in frame:
                continue
            known: set[str] = set()
            for table, key in targets:
                if table not in tables or key not in tables[table]:
                    raise DataError("data/datapackage.json", f"{name}.{column} refers to "
                                    f"{table}.{key}, which does not exist")
                known |= set(tables[table][key].dropna().astype(str))
            where = " or ".join(f"data/{t}.csv" for t, _ in targets)
            for row, value in frame[column].items():
                ids = _split_ids(value) if is_list else \
                    ([] if value is None or pd.isna(value) else [str(value)])
                if not ids and column in SOURCE_COLUMNS:
                    raise DataError(rel, "missing source id: every fact must cite a source",
                                    row, column)
                for ref in ids:
                    if ref not in known:
                        kind = {"sources": "source id", "organisations": "organisation"}.get(
                            targets[0][0], "id")
                        hint = f" (known: {', '.join(sorted(known))})" if len(known) <= 12 \
                            else ""
                        raise DataError(rel, f"unknown {kind} '{ref}': no row of {where} has "
                                        f"that {targets[0][1]}{hint}", row, column)
        if "amount" in frame and "currency" in frame:
            for row, (amount, currency) in frame[["amount", "currency"]].iterrows():
                if pd.notna(amount) and pd.isna(currency):
                    raise DataError(rel, "amount given without a currency", row, "currency")


def build_date() -> dt.date:
    """The day the book is built: ``$OSAI_BUILD_DATE`` (YYYY-MM-DD), else
    ``$SOURCE_DATE_EPOCH``, else today.  No fact may be dated after it."""
    text = os.environ.get("OSAI_BUILD_DATE")
    if text:
        return dt.date.fromisoformat(text)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def _period_end(start: pd.Timestamp, precision: str) -> pd.Timestamp:
    if precision == "year":
        return start + pd.offsets.YearEnd(0)
    if precision == "month":
        return start + pd.offsets.MonthEnd(0)
    return start


def _date_columns(frame: pd.DataFrame, schema: dict) -> list[tuple[str, str | None]]:
    """(column, its precision column or None) for every date column of a table: a column
    with an ``X_precision`` sibling, or a string column whose pattern is an ISO date."""
    out = []
    for field in schema["fields"]:
        column = field["name"]
        if column.endswith("_precision") or column not in frame:
            continue
        if f"{column}_precision" in frame:
            out.append((column, f"{column}_precision"))
        elif (field.get("constraints") or {}).get("pattern") == _DATE_PATTERN:
            out.append((column, None))
    return out


def _add_dates(name: str, frame: pd.DataFrame, schema: dict,
               today: dt.date | None = None) -> pd.DataFrame:
    """Parse every date column (``X`` gets ``X_start``), then check the rules a schema
    cannot say: no date after the build date unless the field is a plan
    (``"osai:plan": true``), and no ``end`` before its ``start``."""
    rel = f"data/{name}.csv"
    today = today or build_date()
    plans = {f["name"] for f in schema["fields"] if f.get("osai:plan")}
    ends: dict[str, pd.Series] = {}
    for column, precision_col in _date_columns(frame, schema):
        parsed, last = [], []
        for row, text in frame[column].items():
            precision = frame.at[row, precision_col] if precision_col else None
            if pd.isna(text):
                if precision_col and pd.notna(precision):
                    raise DataError(rel, "precision given for an empty date", row, precision_col)
                parsed.append(pd.NaT)
                last.append(pd.NaT)
                continue
            if precision_col and pd.isna(precision):
                raise DataError(rel, "date has no precision", row, precision_col)
            if precision is None:
                precision = {4: "year", 7: "month", 10: "day"}.get(len(str(text)), "day")
            start = _parse_date(str(text), str(precision), rel, row, column)
            if start.date() > today and column not in plans:
                raise DataError(rel, f"date '{text}' is after the build date {today} (a fact "
                                "cannot be dated in the future; mark the field "
                                "\"osai:plan\": true in datapackage.json if it is a plan)",
                                row, column)
            parsed.append(start)
            last.append(_period_end(start, str(precision)))
        if precision_col:
            frame[f"{column}_start"] = pd.to_datetime(pd.Series(parsed, index=frame.index))
        ends[column] = pd.Series(last, index=frame.index)
        ends[f"{column}@start"] = pd.Series(parsed, index=frame.index)
    for column in list(ends):
        if column.endswith("@start") or not (column == "end" or column.endswith("_end")):
            continue
        start_col = "start" if column == "end" else column.removesuffix("_end") + "_start"
        if f"{start_col}@start" not in ends:
            continue
        for row, end in ends[column].items():
            begin = ends[f"{start_col}@start"].get(row)
            if pd.notna(end) and pd.notna(begin) and end < begin:
                raise DataError(rel, f"ends ({frame.at[row, column]}) before it starts "
                                f"({frame.at[row, start_col]} in column '{start_col}')",
                                row, column)
    return frame


@lru_cache(maxsize=8)
def _load_cached(folder: str, stamp: tuple) -> Dataset:
    import json

    folder_path = Path(folder)
    descriptor_path = folder_path / "datapackage.json"
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError("data/datapackage.json", f"cannot be read: {exc}") from None
    schemas = {r["path"].removesuffix(".csv"): r["schema"] for r in descriptor["resources"]}
    missing = [t for t in TABLES if t not in schemas]
    if missing:
        raise DataError("data/datapackage.json", f"no resource for {', '.join(missing)}")
    tables = {name: _read(name, folder_path, schemas[name]) for name in schemas}
    _check_references(tables, schemas)
    for name in tables:
        tables[name] = _add_dates(name, tables[name], schemas[name])
    orgs = tables["organisations"].set_index("org_id", drop=False)
    orgs["model"] = pd.Categorical(orgs["model"], ["community-led", "investor-led"])
    tables["organisations"] = orgs
    tables["sources"] = tables["sources"].set_index("source_id", drop=False)
    events = tables["events"]
    events["org_name"] = events["org_id"].map(orgs["name"]).astype("string")
    events["year"] = events["date_start"].dt.year
    tables["events"] = events.sort_values(["date_start", "event_id"]).reset_index(drop=True)
    metrics = tables["metrics"]
    metrics["org_name"] = metrics["org_id"].map(orgs["name"]).astype("string")
    tables["metrics"] = metrics.sort_values(["metric", "as_of_start"]).reset_index(drop=True)
    return Dataset(tables)


def load_dataset(folder: str | Path | None = None) -> Dataset:
    """Load and validate every table; raises :class:`DataError` on the first problem."""
    folder_path = Path(folder).resolve() if folder else data_dir()
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                         for p in folder_path.glob("*") if p.is_file())) + (str(build_date()),)
    return _load_cached(str(folder_path), stamp)


def load(name: str, folder: str | Path | None = None) -> pd.DataFrame:
    """One table by name (``events``, ``organisations`` ...), validated and typed."""
    ds = load_dataset(folder)
    if name not in ds.names:
        raise KeyError(f"unknown table '{name}'; tables are: {', '.join(ds.names)}")
    return ds[name].copy()


def source_ids(value: str) -> list[str]:
    """Split a ``S01;S02`` cell into ids."""
    return _split_ids(value)


