"""The data package is a boundary, and sources say what they are about.

Part 1: a copy of ``data/`` whose ``datapackage.json`` or files point outside the package
(a symlink out, ``..``, an absolute path, a device, a FIFO), whose schema is missing or
malformed, or whose cells hold control characters or whose header repeats a column, is
refused by ``osai data check`` with one line naming the file and the rule, never the
file's content.  Part 2: a row citing a source about another organisation is refused,
unless ``data/citation_exceptions.csv`` allows that citation with a reason.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import osai
from harness.csvfiles import read_records, write_records
from osai import cli

DATA = Path(__file__).resolve().parents[1] / "data"


def _copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "pkg" / "data"
    shutil.copytree(DATA, folder)
    return folder


def _edit_descriptor(folder: Path, edit) -> None:
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    edit(descriptor)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def _resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def _check(folder: Path, monkeypatch, capsys) -> str:
    """``osai data check`` on ``folder``: it must fail with exactly one line, returned."""
    monkeypatch.setenv("OSAI_DATA_DIR", str(folder))
    assert cli.main(["data", "check"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.count("\n") == 1, err
    return err.removeprefix("error: ").rstrip("\n")


SECRET = "secret-first-line,do-not-print"


@pytest.fixture
def secret(tmp_path) -> Path:
    """A CSV file outside the package whose content must never be shown."""
    path = tmp_path / "elsewhere" / "secret.csv"
    path.parent.mkdir()
    path.write_text(SECRET + "\nx,y\n", encoding="utf-8")
    return path


# ------------------------------------------------- 1. the package stays inside itself

def test_symlink_to_a_file_outside_is_refused(tmp_path, monkeypatch, capsys, secret):
    folder = _copy_data(tmp_path)
    (folder / "events.csv").unlink()
    (folder / "events.csv").symlink_to(secret)
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith("data/events.csv: resource 'events' in datapackage.json: path "
                          "refused: it is a symlink to a file outside the data package"), msg
    assert "secret" not in msg


def test_symlink_to_etc_passwd_never_prints_it(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    (folder / "quotes.csv").unlink()
    (folder / "quotes.csv").symlink_to("/etc/passwd")
    msg = _check(folder, monkeypatch, capsys)
    assert "symlink to a file outside the data package" in msg
    first = Path("/etc/passwd").read_text().splitlines()[0]
    assert first.split(":")[0] not in msg and "root" not in msg


def test_dotdot_path_is_refused(tmp_path, monkeypatch, capsys, secret):
    folder = _copy_data(tmp_path)
    up = os.path.relpath(secret, folder)
    assert up.startswith("../") and (folder / up).resolve() == secret.resolve()
    _edit_descriptor(folder, lambda d: _resource(d, "quotes").update(path=up))
    msg = _check(folder, monkeypatch, capsys)
    assert msg == (f"data/{up}: resource 'quotes' in datapackage.json: path refused: '..' "
                   "leaves the data package (a path in datapackage.json stays inside data/)")


def test_dotdot_that_comes_back_inside_is_refused_too(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    _edit_descriptor(folder, lambda d: _resource(d, "quotes").update(
        path="../data/quotes.csv"))
    assert "'..' leaves the data package" in _check(folder, monkeypatch, capsys)


def test_absolute_path_is_refused(tmp_path, monkeypatch, capsys, secret):
    folder = _copy_data(tmp_path)
    _edit_descriptor(folder, lambda d: _resource(d, "quotes").update(path=str(secret)))
    msg = _check(folder, monkeypatch, capsys)
    assert msg == (f"{secret}: resource 'quotes' in datapackage.json: path refused: absolute "
                   "path (a path in datapackage.json is relative to data/)")


def test_dev_zero_is_refused(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    (folder / "metrics.csv").unlink()
    (folder / "metrics.csv").symlink_to("/dev/zero")
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith("data/metrics.csv: resource 'metrics' in datapackage.json: path "
                          "refused: it is a symlink to a file outside the data package"), msg


def test_fifo_inside_the_package_is_refused_without_blocking(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    (folder / "metrics.csv").unlink()
    os.mkfifo(folder / "metrics.csv")
    msg = _check(folder, monkeypatch, capsys)
    assert msg == ("data/metrics.csv: resource 'metrics' in datapackage.json: path refused: "
                   "it is a device, FIFO or socket, not a regular file")


def test_symlink_inside_the_package_still_loads(tmp_path):
    folder = _copy_data(tmp_path)
    (folder / "tables").mkdir()
    (folder / "events.csv").rename(folder / "tables" / "events.csv")
    (folder / "events.csv").symlink_to(Path("tables") / "events.csv")
    assert len(osai.load_dataset(folder).events) == len(osai.load_dataset(DATA).events)


# --------------------------------------------- 2. every schema problem is a DataError

SCHEMA_FAULTS = {
    "no-schema": (lambda r: r.pop("schema"),
                  "data/datapackage.json: resource 'events' (data/events.csv) has no 'schema'"),
    "schema-as-path": (lambda r: r.update(schema="events.schema.json"),
                       "'schema' must be written inline"),
    "no-fields": (lambda r: r["schema"].pop("fields"),
                  "resource 'events' (data/events.csv): the schema has no list of 'fields'"),
    "field-without-type": (lambda r: r["schema"]["fields"][0].pop("type"),
                           "schema field 'event_id' has no 'type'"),
    "field-without-name": (lambda r: r["schema"]["fields"][1].pop("name"),
                           "schema field #2 has no 'name'"),
    "unknown-type": (lambda r: r["schema"]["fields"][0].update(type="strnig"),
                     "not a valid Table Schema: field type \"strnig\" is not supported"),
    "primary-key-not-a-field": (lambda r: r["schema"].update(primaryKey=["nope"]),
                                "not a valid Table Schema"),
    "pattern-not-a-regex": (lambda r: r["schema"]["fields"][0].update(
        constraints={"pattern": "("}), "field 'event_id': 'pattern' is not a regular"),
    "minimum-not-a-number": (lambda r: next(f for f in r["schema"]["fields"]
                                            if f["name"] == "amount").update(
        constraints={"minimum": "a"}), "field 'amount': 'minimum' must be a number"),
    "foreign-keys-not-a-list": (lambda r: r["schema"].update(foreignKeys=1),
                                "'foreignKeys' must be a list of objects"),
    "no-path": (lambda r: r.pop("path"), "resource 'events' in datapackage.json: 'path' "
                "must be one file name relative to data/"),
    "path-is-a-url": (lambda r: r.update(path="https://example.org/events.csv"),
                      "path refused"),
    "path-is-not-csv": (lambda r: r.update(path="events.json"), "is not a .csv file"),
}


@pytest.mark.parametrize("edit, fragment", SCHEMA_FAULTS.values(), ids=SCHEMA_FAULTS.keys())
def test_schema_problem_names_resource_and_file(tmp_path, monkeypatch, capsys, edit,
                                                fragment):
    folder = _copy_data(tmp_path)
    _edit_descriptor(folder, lambda d: edit(_resource(d, "events")))
    msg = _check(folder, monkeypatch, capsys)
    assert fragment in msg, msg
    assert "KeyError" not in msg and "resource 'events'" in msg


# ----------------------------------------------- 3. what a file holds: cells and header

def _set_cell(folder: Path, table: str, key: str, column: str, value: str) -> int:
    path = folder / f"{table}.csv"
    records = read_records(path)
    row = next(i for i, rec in enumerate(records, start=1) if rec[0] == key)
    records[row - 1][records[0].index(column)] = value
    write_records(path, records)
    return row


@pytest.mark.parametrize("char, name", [("\0", "NUL"), ("\x07", "control"), ("\t", "tab"),
                                        ("\x85", "control"), ("\u202e",
                                                              "RIGHT-TO-LEFT OVERRIDE")])
def test_control_character_in_a_cell_is_refused(tmp_path, monkeypatch, capsys, char, name):
    folder = _copy_data(tmp_path)
    row = _set_cell(folder, "events", "openai-lp", "title", f"OpenAI{char} LP")
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith(f"data/events.csv, row {row}, column 'title': control character "
                          f"U+{ord(char):04X} ({name})"), msg
    assert "OpenAI" not in msg


def test_nul_in_a_header_label_names_the_cell_not_the_label(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    path = folder / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"title,", b"ti\0tle,", 1))
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith("data/events.csv, row 1: control character U+0000 (NUL) in "
                          "header cell 6: remove it"), msg


def test_line_breaks_in_a_quoted_cell_still_load(tmp_path):
    folder = _copy_data(tmp_path)
    _set_cell(folder, "events", "openai-lp", "description", "one\r\ntwo\nthree")
    events = osai.load_dataset(folder).events.set_index("event_id")
    assert events.loc["openai-lp", "description"] == "one\r\ntwo\nthree"


def test_duplicate_header_is_named_as_a_duplicate(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    path = folder / "events.csv"
    records = read_records(path)
    records[0][records[0].index("confidence")] = "title"
    write_records(path, records)
    msg = _check(folder, monkeypatch, capsys)
    assert msg == ("data/events.csv, row 1, column 'title': duplicate column 'title': the "
                   "header has it twice (cells 6 and 11); each column appears once")


# ------------------------------------------- 4. sources say what they are about

def _row(folder: Path, table: str, key: str) -> int:
    records = read_records(folder / f"{table}.csv")
    return next(i for i, rec in enumerate(records, start=1) if rec[0] == key)


def test_the_real_package_passes_every_rule(monkeypatch, capsys):
    monkeypatch.setenv("OSAI_DATA_DIR", str(DATA))
    assert cli.main(["data", "check"]) == 0
    assert capsys.readouterr().err == ""
    ds = osai.load_dataset(DATA)
    assert set(ds.source_organisations["source_id"]) == set(ds.sources["source_id"])


def test_event_citing_a_source_about_another_organisation_is_refused(tmp_path, monkeypatch,
                                                                      capsys):
    folder = _copy_data(tmp_path)
    row = _set_cell(folder, "events", "opencv-alpha", "source_id", "S01;S17")
    msg = _check(folder, monkeypatch, capsys)
    assert msg == (f"data/events.csv, row {row}, column 'source_id': source S17 is about "
                   "OpenAI (openai), not OpenCV (opencv), the organisation of this row: cite "
                   "a source about opencv, or add (events, opencv-alpha, S17) with a reason "
                   "to data/citation_exceptions.csv")


@pytest.mark.parametrize("table, key, column, org", [
    ("metrics", "openai-pledge-2015", "source_id", "OpenAI (openai)"),
    ("quotes", None, "source_id", None),
    ("funding_sources", "opencv-fund-willow", "source_ids", "OpenCV (opencv)"),
    ("structures", "openai-lp", "source_ids", "OpenAI (openai)"),
    ("releases", None, "source_ids", None),
    ("revenue_streams", "opencv-rev-sponsorship", "source_ids", "OpenCV (opencv)"),
    ("organisations", "hf", "source_ids", "Hugging Face (hf)"),
])
def test_every_table_about_an_organisation_is_held_to_it(tmp_path, monkeypatch, capsys,
                                                         table, key, column, org):
    folder = _copy_data(tmp_path)
    records = read_records(folder / f"{table}.csv")
    if key is None:  # the first row
        key = records[1][0]
    org_id = records[_row(folder, table, key) - 1][records[0].index("org_id")]
    wrong = "S35" if org_id != "hf" else "S08"  # about Hugging Face / scikit-learn
    row = _set_cell(folder, table, key, column, wrong)
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith(f"data/{table}.csv, row {row}, column '{column}': source {wrong} "
                          "is about "), msg
    assert "the organisation of this row" in msg and f"({org_id})" in msg
    if org:
        assert f"not {org}" in msg


def test_an_assessment_is_named_by_its_two_column_key(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    path = folder / "assessments.csv"
    records = read_records(path)
    row = next(i for i, rec in enumerate(records, start=1) if rec[:2] == ["hf", "openness"])
    records[row - 1][-1] += ";S17"
    write_records(path, records)
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith(f"data/assessments.csv, row {row}, column 'source_ids': source "
                          "S17 is about OpenAI (openai), not Hugging Face (hf)"), msg
    assert "add (assessments, hf/openness, S17)" in msg


def test_a_reviewed_exception_allows_one_citation(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    _set_cell(folder, "events", "opencv-alpha", "source_id", "S01;S17")
    with (folder / "citation_exceptions.csv").open("a", encoding="utf-8") as f:
        f.write("events,opencv-alpha,S17,a reason written and reviewed by a person\n")
    events = osai.load_dataset(folder).events.set_index("event_id")
    assert events.loc["opencv-alpha", "source_id"] == "S01;S17"
    # the exception is for that row and source only
    row = _set_cell(folder, "events", "opencv-foundation", "source_id", "S17")
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith(f"data/events.csv, row {row}, column 'source_id': source S17 is "
                          "about OpenAI"), msg


def test_the_real_exception_is_needed(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    path = folder / "citation_exceptions.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n",
                    encoding="utf-8")
    msg = _check(folder, monkeypatch, capsys)
    row = _row(folder, "funding_sources", "sklearn-fund-gsoc")
    assert msg.startswith(f"data/funding_sources.csv, row {row}, column 'source_ids': source "
                          "S81 is about an organisation outside data/organisations.csv, not "
                          "scikit-learn (sklearn)"), msg


def test_an_exception_no_row_needs_is_refused(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    path = folder / "citation_exceptions.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write("events,openai-lp,S17,OpenAI's own post about OpenAI: no exception needed\n")
    row = len(read_records(path))
    msg = _check(folder, monkeypatch, capsys)
    assert msg == (f"data/citation_exceptions.csv, row {row}, column 'row_id': exception not "
                   "needed: no row 'openai-lp' of data/events.csv cites S17 about another "
                   "organisation (delete this exception)")


def test_a_source_that_says_nothing_about_itself_is_an_error(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    path = folder / "source_organisations.csv"
    records = [r for r in read_records(path) if r[0] != "S43"]
    write_records(path, records)
    msg = _check(folder, monkeypatch, capsys)
    row = _row(folder, "sources", "S43")
    assert msg == (f"data/sources.csv, row {row}, column 'source_id': source S43 does not say "
                   "what it is about: add it to data/source_organisations.csv (its "
                   "organisations, or scope 'general' or 'other')")


@pytest.mark.parametrize("line, column, fragment", [
    ("S43,openai,organisation", "scope", "source S43 is 'general' and has other rows"),
    ("S01,,organisation", "org_id", "scope 'organisation' needs an org_id"),
    ("S45,openai,other", "org_id", "scope 'other' takes no org_id"),
    ("S45,ibm,organisation", "org_id", "unknown organisation 'ibm'"),
    ("S99,openai,organisation", "source_id", "unknown source id 'S99'"),
])
def test_the_link_table_keeps_its_own_rules(tmp_path, monkeypatch, capsys, line, column,
                                            fragment):
    folder = _copy_data(tmp_path)
    path = folder / "source_organisations.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith("data/source_organisations.csv, row "), msg
    assert f"column '{column}': {fragment}" in msg, msg


# ------------------------------------ 5. odd files found by fuzzing: still one DataError

def test_an_empty_first_line_is_named(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    path = folder / "events.csv"
    path.write_bytes(b"\n" + path.read_bytes())
    assert _check(folder, monkeypatch, capsys) == (
        "data/events.csv, row 1: the first line is empty: the header (column names) must be "
        "row 1")


def test_a_carriage_return_in_the_header_and_a_bad_byte_later(tmp_path, monkeypatch,
                                                              capsys):
    folder = _copy_data(tmp_path)
    path = folder / "organisations.csv"
    raw = path.read_bytes().replace(b"name,", b"na\rme,", 1).replace(b"\xc3\xa9", b"\xc3", 1)
    path.write_bytes(raw)
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith("data/organisations.csv, row ") and "not UTF-8 text" in msg, msg


def test_the_descriptor_itself_may_not_be_a_symlink_out(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    outside = tmp_path / "datapackage.json"
    (folder / "datapackage.json").rename(outside)
    (folder / "datapackage.json").symlink_to(outside)
    msg = _check(folder, monkeypatch, capsys)
    assert msg.startswith("data/datapackage.json: the package descriptor: path refused: it "
                          "is a symlink to a file outside the data package"), msg


def test_a_folder_named_like_a_table_is_refused(tmp_path, monkeypatch, capsys):
    folder = _copy_data(tmp_path)
    (folder / "quotes.csv").unlink()
    (folder / "quotes.csv").mkdir()
    assert _check(folder, monkeypatch, capsys) == (
        "data/quotes.csv: resource 'quotes' in datapackage.json: path refused: it is a "
        "folder, not a regular file")
