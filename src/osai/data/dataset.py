"""The course's data package as one object: :class:`Dataset`, and how it is found and
loaded.

:func:`load_dataset` reads ``data/datapackage.json`` (from :func:`data_dir`), checks every
table's CSV file (:mod:`osai.data.checks`), reads it with the types its schema gives,
checks the rules across tables (:mod:`osai.data.references`), parses the dates at their
precision (:mod:`osai.data.dates`) and adds the columns the chapters use (organisation
names, years, sorted events and metrics).  The result is cached until a file of the folder
or the build date changes.  Chapters, analyses, quizzes and the grader use it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from osai.data.boundary import Resource, read_descriptor
from osai.data.checks import check_csv
from osai.data.source_scope import ABOUT, EXCEPTIONS, check_citations
from osai.data.dates import add_dates, build_date
from osai.data.errors import DataError
from osai.data.references import check_references
from osai.paths import course_root

__all__ = ["TABLES", "Dataset", "data_dir", "load", "load_dataset", "read_table"]

#: tables every package must have; any further resource in datapackage.json is loaded too
TABLES = ("sources", "organisations", "events", "metrics", "quotes", "context_events",
          ABOUT, EXCEPTIONS)


def data_dir() -> Path:
    """The data folder: ``$OSAI_DATA_DIR`` if set, else ``data/`` of the checkout, else the
    copy installed with the package (see :mod:`osai.paths`)."""
    env = os.environ.get("OSAI_DATA_DIR")
    if env:
        return Path(env).resolve()
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


def read_table(resource: Resource) -> pd.DataFrame:
    """One table, checked (:func:`osai.data.checks.check_csv`) and read with its schema's
    types; the index is the spreadsheet row number (the header is row 1)."""
    path, schema = resource.path, resource.schema
    check_csv(path, schema, resource.rel)
    dtypes = {f["name"]: ("float64" if f["type"] == "number" else "string")
              for f in schema["fields"]}
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""],
                        encoding="utf-8")
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")  # spreadsheet row numbers
    return frame


@lru_cache(maxsize=8)
def _load_cached(folder: str, stamp: tuple) -> Dataset:
    resources = read_descriptor(Path(folder))
    schemas = {r.name: r.schema for r in resources}
    missing = [t for t in TABLES if t not in schemas]
    if missing:
        raise DataError("data/datapackage.json", f"no resource for {', '.join(missing)}")
    tables = {r.name: read_table(r) for r in resources}
    check_references(tables, schemas)
    check_citations(tables, schemas)
    for name in tables:
        tables[name] = add_dates(name, tables[name], schemas[name])
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
