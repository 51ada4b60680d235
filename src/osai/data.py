"""Load and validate the course's Frictionless Data Package (``data/``).

Every table is checked against its Table Schema in ``data/datapackage.json`` by
frictionless (types, required cells, patterns, enums, unique keys, unknown or missing
columns), then against the rules a schema cannot express: every cited source id exists,
every organisation id is known, every date is a real calendar date at its stated
precision, and money has a currency.  Any problem raises :class:`DataError`, whose
message names the file, the row (spreadsheet numbering: the header is row 1) and the
column, so a bad row stops the book build with a message that says where to look.
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
    from .paths import course_root

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
    text = raw.decode("utf-8", errors="strict")
    records = list(csv.reader(io.StringIO(text, newline="")))
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
            raise DataError(rel, f"unknown column '{label}' (not in the schema in "
                            "datapackage.json)", 1, label)
    for name in names:
        if name not in header:
            raise DataError(rel, f"missing column '{name}'", 1, name)
    resource = Resource(path=path.name, basepath=str(path.parent),
                        schema=Schema.from_descriptor(schema),
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
    elif kind == "primary-key" or kind == "unique-error":
        msg = f"duplicate id ({err.note})"
    elif kind == "extra-cell":
        msg = "row has more cells than the header"
        column = None
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


def _check_references(tables: dict[str, pd.DataFrame]) -> None:
    known_sources = set(tables["sources"]["source_id"])
    known_orgs = set(tables["organisations"]["org_id"])
    for name, frame in tables.items():
        rel = f"data/{name}.csv"
        for column in SOURCE_COLUMNS:
            if column not in frame or name == "sources":
                continue
            for row, value in frame[column].items():
                ids = _split_ids(value)
                if not ids:
                    raise DataError(rel, "missing source id: every fact must cite a source",
                                    row, column)
                for sid in ids:
                    if sid not in known_sources:
                        raise DataError(rel, f"unknown source id '{sid}' "
                                        "(not in data/sources.csv)", row, column)
        if "org_id" in frame and name != "organisations":
            for row, value in frame["org_id"].items():
                if value not in known_orgs:
                    raise DataError(rel, f"unknown organisation '{value}' "
                                    f"(known: {', '.join(sorted(known_orgs))})", row, "org_id")
        if "amount" in frame:
            for row, (amount, currency) in frame[["amount", "currency"]].iterrows():
                if pd.notna(amount) and pd.isna(currency):
                    raise DataError(rel, "amount given without a currency", row, "currency")


def _add_dates(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    rel = f"data/{name}.csv"
    pairs = [(c, f"{c}_precision") for c in frame.columns if f"{c}_precision" in frame.columns]
    for column, precision_col in pairs:
        parsed = []
        for row, (text, precision) in frame[[column, precision_col]].iterrows():
            if pd.isna(text):
                if pd.notna(precision):
                    raise DataError(rel, "precision given for an empty date", row, precision_col)
                parsed.append(pd.NaT)
                continue
            if pd.isna(precision):
                raise DataError(rel, "date has no precision", row, precision_col)
            parsed.append(_parse_date(str(text), str(precision), rel, row, column))
        frame[f"{column}_start"] = pd.to_datetime(pd.Series(parsed, index=frame.index))
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
    _check_references(tables)
    for name in tables:
        tables[name] = _add_dates(name, tables[name])
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
                         for p in folder_path.glob("*") if p.is_file()))
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


