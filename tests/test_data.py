"""The course's Data Package (``data/``) and its loader (``osai.data``).

Part 1 checks the real package: it loads, its columns are typed, every cited source
exists, and the facts the course's corrected comparison table relies on are right.
Part 2 feeds one kind of bad data at a time through a copy of ``data/`` and checks that
the loader stops with a :class:`osai.DataError` that says where: file, row (spreadsheet
numbering, header = row 1) and column.  Parts 3 and 4 check ``osai.load`` and
``osai data``.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from harness.csvfiles import read_records, write_records

import osai
from osai import cli, data as osai_data
from osai.analysis.profiles import comparison_table

DATA = Path(__file__).resolve().parents[1] / "data"


# --------------------------------------------------------------------------- helpers

def _row_of(records: list[list[str]], key: str) -> int:
    """Spreadsheet row (header = 1) of the record whose first cell is ``key``."""
    rows = [i + 1 for i, rec in enumerate(records) if rec and rec[0] == key]
    assert len(rows) == 1, f"fixture row '{key}' not found once in the real data"
    return rows[0]


def _copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


@pytest.fixture(scope="module")
def ds():
    return osai.load_dataset(DATA)


def _event(ds, event_id: str) -> pd.Series:
    rows = ds.events[ds.events["event_id"] == event_id]
    assert len(rows) == 1, event_id
    return rows.iloc[0]


# ---------------------------------------------------------- 1. the real package loads

def test_real_package_loads_every_resource(ds):
    import json

    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    # tables are named by file (resource names may use hyphens: context-events)
    resources = [r["path"].removesuffix(".csv") for r in descriptor["resources"]]
    assert set(osai_data.TABLES) <= set(resources)
    assert ds.names == resources
    for name in ds.names:
        expected = len(read_records(DATA / f"{name}.csv")) - 1
        assert len(ds[name]) == expected > 0, name


def test_columns_are_typed(ds):
    events = ds.events
    assert pd.api.types.is_datetime64_any_dtype(events["date_start"])
    assert events["date_start"].notna().all()
    assert events["amount"].dtype == "float64"
    assert events["amount"].notna().any()
    model = ds.organisations["model"]
    assert isinstance(model.dtype, pd.CategoricalDtype)
    assert list(model.cat.categories) == ["community-led", "investor-led"]
    assert model.notna().all()
    assert pd.api.types.is_datetime64_any_dtype(ds.organisations["founded_start"])
    assert pd.api.types.is_datetime64_any_dtype(ds.metrics["as_of_start"])
    # events are sorted by date for the timeline
    assert events["date_start"].is_monotonic_increasing


def test_every_cited_source_id_exists(ds):
    known = set(ds.sources["source_id"])
    checked = 0
    for name in ds.names:
        if name == "sources":
            continue
        for column in osai_data.SOURCE_COLUMNS:
            if column not in ds[name]:
                continue
            for value in ds[name][column]:
                ids = osai_data.source_ids(value)
                assert ids, f"{name}.{column}: a row cites no source"
                assert set(ids) <= known, f"{name}.{column}: {set(ids) - known}"
                checked += 1
    assert checked > 100


@pytest.fixture(scope="module")
def table(ds):
    return comparison_table(ds).set_index("Organisation")


def test_opencv_founder_and_dates(ds, table):
    assert table.loc["OpenCV", "Founders and setting"].startswith("Gary Bradski;")
    assert table.loc["OpenCV", "Started"] == "1999 (first public release 2000)"
    org = ds.organisations.loc["opencv"]
    assert org["founders"] == "Gary Bradski"
    assert org["founded_start"].year == 1999 and org["founded_precision"] == "year"
    assert org["first_public_release_start"].year == 2000


def test_the_misspelling_bradsky_appears_nowhere_in_data():
    hits = [p.name for p in DATA.iterdir()
            if p.is_file() and "bradsky" in p.read_text(encoding="utf-8").lower()]
    assert hits == []


def test_scikit_learn_founder_and_dates(ds, table):
    assert table.loc["scikit-learn", "Started"] == "2007 (first public release 1 February 2010)"
    assert table.loc["scikit-learn", "Founders and setting"].startswith("David Cournapeau;")
    org = ds.organisations.loc["sklearn"]
    assert org["founders"] == "David Cournapeau"
    assert org["founded_start"] == pd.Timestamp("2007-01-01")
    assert org["first_public_release_start"] == pd.Timestamp("2010-02-01")
    assert org["first_public_release_precision"] == "day"


def test_openai_founded_2015_12_11(ds, table):
    assert table.loc["OpenAI", "Started"] == "11 December 2015"
    assert ds.organisations.loc["openai", "founded_start"] == pd.Timestamp("2015-12-11")
    assert _event(ds, "openai-launch")["date_start"] == pd.Timestamp("2015-12-11")


def test_openai_lp_strictly_before_microsoft_investment(ds):
    lp, msft = _event(ds, "openai-lp"), _event(ds, "openai-microsoft-2019")
    assert lp["date_start"] == pd.Timestamp("2019-03-11")
    assert msft["date_start"] == pd.Timestamp("2019-07-22")
    assert lp["date_start"] < msft["date_start"]
    order = list(ds.events["event_id"])
    assert order.index("openai-lp") < order.index("openai-microsoft-2019")


def test_hugging_face_founders_with_accent(ds, table):
    founders = ds.organisations.loc["hf", "founders"]
    assert "Thomas Wolf" in founders
    assert "Cl\u00e9ment" in founders  # precomposed e-acute, as typed in the source
    assert "Cl\u00e9ment" in table.loc["Hugging Face", "Founders and setting"]
    for path in DATA.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert "Clement" not in text, path.name  # accent dropped
        assert text == unicodedata.normalize("NFC", text), path.name


def test_no_row_has_confidence_u(ds):
    seen = 0
    for name in ds.names:
        if "confidence" in ds[name]:
            values = set(ds[name]["confidence"].dropna())
            assert "U" not in values, name
            assert values <= {"V", "S"}, name
            seen += 1
    assert seen >= 5


def test_openai_2015_billion_is_a_pledge_not_an_investment(ds):
    launch = _event(ds, "openai-launch")
    assert launch["amount"] == 1e9 and launch["currency"] == "USD"
    assert launch["category"] != "funding"
    assert "pledge" in launch["description"].lower()
    pledge = ds.funding_sources.set_index("funding_id").loc["openai-fund-pledge"]
    assert pledge["funder_type"] == "pledge" and pledge["amount"] == 1e9
    assert "pledged" in ds.organisations.loc["openai", "founding_context"]
    # no 2015 OpenAI row calls the billion an investment, except to say it is not one
    for name in ("events", "funding_sources", "metrics"):
        frame = ds[name]
        date_col = "date_start" if "date_start" in frame else "as_of_start"
        rows = frame[(frame["org_id"] == "openai") & (frame[date_col].dt.year == 2015)]
        assert len(rows), name
        for _, row in rows.iterrows():
            text = " ".join(str(v) for v in row.to_numpy() if isinstance(v, str))
            text = re.sub(r"not an investment", "", text, flags=re.I)
            assert "invest" not in text.lower(), (name, text)


# ---------------------------------------------------------------- 2. bad data, located

def set_cell(table: str, key: str, column: str, value: str):
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        records = read_records(path)
        row = _row_of(records, key)
        records[row - 1][records[0].index(column)] = value
        write_records(path, records)
        return row
    return corrupt


def set_cells(table: str, key: str, **values: str):
    def corrupt(folder: Path) -> int:
        rows = {set_cell(table, key, column, value)(folder) for column, value in values.items()}
        (row,) = rows
        return row
    return corrupt


def duplicate_id(table: str, first: str, later: str):
    """Give the row ``later`` the id of the earlier row ``first``."""
    def corrupt(folder: Path) -> int:
        records = read_records(folder / f"{table}.csv")
        assert _row_of(records, first) < _row_of(records, later)
        return set_cell(table, later, records[0][0], first)(folder)
    return corrupt


def empty_file(table: str):
    def corrupt(folder: Path) -> int:
        (folder / f"{table}.csv").write_bytes(b"")
        return 1
    return corrupt


def header_only(table: str):
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines(True)[0], encoding="utf-8")
        return 1
    return corrupt


def cut_after(table: str, key: str, marker: str, keep: int):
    """Cut the file ``keep`` characters after ``marker`` in row ``key``."""
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        text = path.read_text(encoding="utf-8")
        row = _row_of(read_records(path), key)
        start = text.index(f"\n{key},") + 1
        cut = text.index(marker, start) + keep
        assert text.index("\n", start) > cut  # the cut falls inside the row
        path.write_text(text[:cut], encoding="utf-8")
        return row
    return corrupt


def multiline_cell_then_cut(table: str, earlier: str, column: str, key: str, marker: str):
    """An earlier quoted cell spans two lines, then the file is cut inside a quoted cell:
    rows are records, not lines."""
    def corrupt(folder: Path) -> int:
        set_cell(table, earlier, column, "first line\nsecond line")(folder)
        return cut_after(table, key, marker, 10)(folder)
    return corrupt


def add_column(table: str, name: str):
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        records = read_records(path)
        records[0].append(name)
        for rec in records[1:]:
            rec.append("")
        write_records(path, records)
        return 1
    return corrupt


def rename_column(table: str, old: str, new: str):
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        records = read_records(path)
        records[0][records[0].index(old)] = new
        write_records(path, records)
        return 1
    return corrupt


def drop_column(table: str, name: str):
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        records = read_records(path)
        i = records[0].index(name)
        for rec in records:
            del rec[i]
        write_records(path, records)
        return 1
    return corrupt


def latin1(table: str, key: str, column: str):
    """The cell (row ``key``, ``column``) and all after it saved as Latin-1: the first
    byte that is not UTF-8 is in that cell."""
    def corrupt(folder: Path) -> int:
        marker = "Zo\u00eb-latin1-marker"
        row = set_cell(table, key, column, marker)(folder)
        path = folder / f"{table}.csv"
        text = path.read_text(encoding="utf-8")
        cut = text.index(marker)
        path.write_bytes(text[:cut].encode("utf-8")
                         + text[cut:].encode("latin-1", errors="replace"))
        return row
    return corrupt


def blank_row(table: str, after: str, separator: str):
    """Insert an empty row (``,,,``) or an empty line after row ``after``."""
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        records = read_records(path)
        row = _row_of(records, after) + 1
        text = path.read_text(encoding="utf-8")
        start = text.index(f"\n{after},") + 1
        end = start + len(_write_one(records[row - 2]))
        blank = separator * (len(records[0]) - 1) + "\n"
        path.write_text(text[:end] + blank + text[end:], encoding="utf-8")
        return row
    return corrupt


def _write_one(record: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(record)
    return buf.getvalue()


def duplicate_key(table: str, column: str):
    """Give the second row of the first key (first column) seen twice the ``column`` value
    of the first: the composite key (first column, ``column``) is then repeated."""
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        records = read_records(path)
        i = records[0].index(column)
        seen: dict[str, int] = {}
        for n, rec in enumerate(records[1:], start=1):
            if rec[0] in seen:
                rec[i] = records[seen[rec[0]]][i]
                write_records(path, records)
                return n + 1
            seen[rec[0]] = n
        raise AssertionError(f"no two rows of {table} share a first column")
    return corrupt


def append_cell(table: str, key: str, value: str):
    """One cell more than the header in row ``key`` (an unquoted comma in a cell)."""
    def corrupt(folder: Path) -> int:
        path = folder / f"{table}.csv"
        records = read_records(path)
        row = _row_of(records, key)
        records[row - 1].append(value)
        write_records(path, records)
        return row
    return corrupt


# (table, corruption, expected column, fragment of the message)
BAD = {
    "missing-source-id": (
        "events", set_cell("events", "openai-lp", "source_id", ""), "source_id", "required"),
    "missing-source-id-metrics": (
        "metrics", set_cell("metrics", "openai-pledge-2015", "source_id", ""), "source_id",
        "required"),
    "unknown-source-id": (
        "events", set_cell("events", "openai-lp", "source_id", "S99"), "source_id",
        "unknown source id 'S99'"),
    "unknown-source-id-in-list": (
        "organisations", set_cell("organisations", "hf", "source_ids", "S32;S99"),
        "source_ids", "unknown source id 'S99'"),
    "unknown-organisation": (
        "events", set_cell("events", "hf-series-b", "org_id", "ibm"), "org_id",
        "unknown organisation 'ibm'"),
    "impossible-date": (
        "events", set_cells("events", "openai-lp", date="2019-13-45", date_precision="day"),
        "date", "not a real calendar date"),
    "date-less-precise-than-stated": (
        "events", set_cells("events", "openai-lp", date="2019-03", date_precision="day"),
        "date", "does not match its precision 'day'"),
    "duplicate-id": (
        "events", duplicate_id("events", "openai-lp", "openai-api"), "event_id",
        "duplicate id"),
    "wrong-type-amount": (
        "events", set_cell("events", "openai-lp", "amount", "lots"), "amount", "wrong type"),
    "amount-without-currency": (
        "events", set_cell("events", "openai-microsoft-2019", "currency", ""), "currency",
        "without a currency"),
    "empty-file": ("events", empty_file("events"), None, "file is empty"),
    "header-only": ("events", header_only("events"), None, "no data rows"),
    "truncated-mid-row": (
        "events", cut_after("events", "openai-lp", ",governance,", 4), "title",
        "fewer cells"),
    "truncated-in-quoted-cell": (
        "events", cut_after("events", "openai-lp", '"OpenAI creates', 10), "description",
        "quoted cell"),
    "truncated-after-multiline-cell": (
        "events", multiline_cell_then_cut("events", "opencv-alpha", "description",
                                          "openai-lp", '"OpenAI creates'),
        "description", "quoted cell"),
    "unknown-column": ("events", add_column("events", "notes"), "notes", "unknown column"),
    "misspelt-column": (
        "events", rename_column("events", "currency", "curency"), "curency",
        "unknown column 'curency'"),
    "missing-column": (
        "events", drop_column("events", "currency"), "currency", "missing column 'currency'"),
    # rules a schema cannot say
    "future-event": (
        "events", set_cells("events", "openai-lp", date="2099-03-11"), "date",
        "after the build date"),
    "future-metric-year": (
        "metrics", set_cells("metrics", "openai-pledge-2015", as_of="2099",
                             as_of_precision="year"), "as_of", "after the build date"),
    "future-source-without-precision-column": (
        "sources", set_cell("sources", "S02", "date", "2098-01"), "date",
        "after the build date"),
    "source-date-not-a-calendar-date": (
        "sources", set_cell("sources", "S02", "date", "2008-02-30"), "date",
        "not a real calendar date"),
    "structure-ends-before-start": (
        "structures", set_cells("structures", "openai-lp", end="2018", end_precision="year"),
        "end", "before it starts"),
    "funding-ends-before-start": (
        "funding_sources", set_cells("funding_sources", "openai-fund-donations", end="2015-11",
                                     end_precision="month"), "end", "before it starts"),
    "metric-infinite": (
        "metrics", set_cell("metrics", "openai-pledge-2015", "value", "inf"), "value",
        "not a finite number"),
    "metric-nan": (
        "metrics", set_cell("metrics", "openai-pledge-2015", "value", "NaN"), "value",
        "not a finite number"),
    "amount-minus-infinity": (
        "events", set_cell("events", "openai-microsoft-2019", "amount", "-Infinity"), "amount",
        "not a finite number"),
    "unknown-evidence-id": (
        "bigtech_claims", set_cell("bigtech_claims", "concern-advantage", "evidence_ids",
                                   "no-moat-memo;no-such-event"), "evidence_ids",
        "unknown id 'no-such-event'"),
    "unknown-licence-id": (
        "model_releases", set_cell("model_releases", "gpt-2", "licence_id", "wtfpl"),
        "licence_id", "unknown id 'wtfpl': no row of data/licences.csv"),
    "unknown-organisation-in-funding": (
        "funding_sources", set_cell("funding_sources", "opencv-fund-willow", "org_id", "ibm"),
        "org_id", "unknown organisation 'ibm'"),
    "unknown-organisation-in-revenue-streams": (
        "revenue_streams", set_cell("revenue_streams", "opencv-rev-sponsorship", "org_id",
                                    "ibm"),
        "org_id", "unknown organisation 'ibm'"),
    "latin-1-file": ("organisations", latin1("organisations", "hf", "founders"), "founders",
                     "not UTF-8 text: byte 0xeb on line"),
    "blank-row": ("events", blank_row("events", "openai-lp", ","), "event_id", "blank row"),
    "empty-line": ("events", blank_row("events", "openai-lp", ""), "event_id", "blank row"),
    # messy exports: refused with what to change
    "header-in-other-case": (
        "events", rename_column("events", "event_id", "Event_ID"), "Event_ID",
        "did you mean 'event_id'?"),
    "header-with-spaces": (
        "events", rename_column("events", "currency", " currency "), " currency ",
        "did you mean 'currency'?"),
    "trailing-space-in-id": (
        "events", set_cell("events", "openai-lp", "event_id", "openai-lp "), "event_id",
        "spaces before or after it"),
    "trailing-space-in-reference": (
        "events", set_cell("events", "openai-lp", "org_id", "openai "), "org_id",
        "spaces before or after it"),
    "space-only-reference": (
        "model_releases", set_cell("model_releases", "gpt-2", "licence_id", " "),
        "licence_id", "spaces before or after it"),
    "negative-amount": (
        "funding_sources", set_cell("funding_sources", "opencv-fund-willow", "amount", "-5"),
        "amount", 'constraint "minimum" is "0"'),
    "extra-cell": (
        "events", append_cell("events", "openai-lp", "stray"), "#13 (after org_role)",
        "more cells than the header"),
    "duplicate-composite-key": (
        "assessments", duplicate_key("assessments", "dimension"), "org_id, dimension",
        "duplicate key (org_id, dimension together): org_id="),
}


@pytest.mark.parametrize("table, corrupt, column, fragment", BAD.values(), ids=BAD.keys())
def test_bad_data_is_located(tmp_path, table, corrupt, column, fragment):
    folder = _copy_data(tmp_path)
    row = corrupt(folder)
    with pytest.raises(osai.DataError) as info:
        osai.data.load_dataset(folder)
    err = info.value
    rel = f"data/{table}.csv"
    assert (err.file, err.row, err.column) == (rel, row, column), str(err)
    where = f"{rel}, row {row}" + (f", column '{column}'" if column else "")
    assert str(err).startswith(where + ": "), str(err)
    assert fragment in str(err)


def test_cache_sees_an_edit_in_the_same_folder(tmp_path):
    folder = _copy_data(tmp_path)
    assert len(osai.load_dataset(folder).events) > 0
    assert osai.load_dataset(folder) is osai.load_dataset(folder)
    row = set_cell("events", "openai-lp", "org_id", "unknown")(folder)
    with pytest.raises(osai.DataError) as info:
        osai.load_dataset(folder)
    assert (info.value.row, info.value.column) == (row, "org_id")


# ------------------------------------------------------------------- 3. osai.load(...)

def test_load_returns_a_copy(monkeypatch):
    monkeypatch.setenv("OSAI_DATA_DIR", str(DATA))
    first = osai.load("events")
    original = first.copy()
    first.loc[:, "title"] = "changed"
    first.iloc[:3, first.columns.get_loc("event_id")] = "x"
    second = osai.load("events")
    assert second is not first
    pd.testing.assert_frame_equal(second, original)
    assert (second["title"] != "changed").all()


def test_load_unknown_table_names_the_known_tables(monkeypatch):
    monkeypatch.setenv("OSAI_DATA_DIR", str(DATA))
    with pytest.raises(KeyError) as info:
        osai.load("nope")
    message = str(info.value)
    assert "nope" in message
    for name in osai_data.TABLES:
        assert name in message


# ------------------------------------------------------------------- 4. `osai data`

def test_cli_data_prints_row_counts(monkeypatch, capsys, ds):
    monkeypatch.delenv("OSAI_DATA_DIR", raising=False)
    assert cli.main(["data"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    counts = dict(re.findall(r"^(\w+)\s+(\d+) rows$", out, flags=re.M))
    assert counts == {name: str(len(ds[name])) for name in ds.names}


def test_cli_data_reports_a_located_error(monkeypatch, capsys, tmp_path):
    folder = _copy_data(tmp_path)
    row = set_cell("events", "hf-series-b", "org_id", "ibm")(folder)
    monkeypatch.setenv("OSAI_DATA_DIR", str(folder))
    assert cli.main(["data"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(
        f"error: data/events.csv, row {row}, column 'org_id': unknown organisation 'ibm'")


def test_cli_data_latin1_file_is_one_located_line(monkeypatch, capsys, tmp_path):
    folder = _copy_data(tmp_path)
    row = latin1("organisations", "hf", "founders")(folder)
    monkeypatch.setenv("OSAI_DATA_DIR", str(folder))
    assert cli.main(["data", "check"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.count("\n") == 1
    assert err.startswith(f"error: data/organisations.csv, row {row}, column 'founders': "
                          "not UTF-8 text"), err


@pytest.mark.parametrize("mess", ["bom", "crlf", "bom-and-crlf", "quoted-line-break"])
def test_messy_but_equal_files_load_as_the_same_data(tmp_path, mess):
    folder = _copy_data(tmp_path)
    path = folder / "events.csv"
    raw = path.read_bytes()
    if "crlf" in mess:
        raw = raw.replace(b"\n", b"\r\n")
    if "bom" in mess:
        raw = b"\xef\xbb\xbf" + raw
    if mess == "quoted-line-break":
        records = read_records(path)
        records[_row_of(records, "openai-lp") - 1][records[0].index("title")] = "a\nb, c"
        write_records(path, records)
        got = osai.data.load_dataset(folder).events.set_index("event_id")
        assert got.loc["openai-lp", "title"] == "a\nb, c"
        return
    path.write_bytes(raw)
    got = osai.data.load_dataset(folder).events
    pd.testing.assert_frame_equal(got, osai.load_dataset(DATA).events)
