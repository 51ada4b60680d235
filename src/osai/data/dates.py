"""Dates in ``data/`` at their stated precision: parsed, and checked against the calendar,
the build date and each other.

A column ``X`` with a sibling ``X_precision`` (``year``, ``month``, ``day``) is a date
written to that precision (``2012``, ``2012-08``, ``2012-08-24``); a string column whose
schema pattern is :data:`DATE_PATTERN` is a date whose precision is its length.
:func:`add_dates` parses them all (``X`` gets ``X_start``) for :mod:`osai.data.dataset`, and
raises :class:`~osai.data.errors.DataError` for a date that is not a real calendar date,
that does not match its precision, that is after :func:`build_date` (unless its field is a
plan), or an ``end`` before its ``start``.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from osai.data.errors import DataError

__all__ = ["DATE_PATTERN", "add_dates", "build_date", "date_columns", "parse_date"]

#: characters of a date written at each precision, and the format that reads it
_PRECISION_LENGTH = {"year": 4, "month": 7, "day": 10}
_FORMATS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
#: the schema pattern of a date column without a precision column (e.g. sources.date)
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


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


def parse_date(text: str, precision: str, file: str, row: int, column: str) -> pd.Timestamp:
    """The first day of the date ``text`` written at ``precision``; a
    :class:`DataError` at ``file``/``row``/``column`` if it is not."""
    expected = _PRECISION_LENGTH[precision]
    if len(text) != expected:
        raise DataError(file, f"date '{text}' does not match its precision '{precision}' "
                        f"(expected {_FORMATS[expected].replace('%', '')})", row, column)
    try:
        return pd.Timestamp(dt.datetime.strptime(text, _FORMATS[expected]))
    except ValueError:
        raise DataError(file, f"'{text}' is not a real calendar date", row, column) from None


def _period_end(start: pd.Timestamp, precision: str) -> pd.Timestamp:
    if precision == "year":
        return start + pd.offsets.YearEnd(0)
    if precision == "month":
        return start + pd.offsets.MonthEnd(0)
    return start


def date_columns(frame: pd.DataFrame, schema: dict) -> list[tuple[str, str | None]]:
    """(column, its precision column or None) for every date column of a table: a column
    with an ``X_precision`` sibling, or a string column whose pattern is an ISO date."""
    out = []
    for field in schema["fields"]:
        column = field["name"]
        if column.endswith("_precision") or column not in frame:
            continue
        if f"{column}_precision" in frame:
            out.append((column, f"{column}_precision"))
        elif (field.get("constraints") or {}).get("pattern") == DATE_PATTERN:
            out.append((column, None))
    return out


def add_dates(name: str, frame: pd.DataFrame, schema: dict,
              today: dt.date | None = None) -> pd.DataFrame:
    """Parse every date column (``X`` gets ``X_start``), then check the rules a schema
    cannot say: no date after the build date unless the field is a plan
    (``"osai:plan": true``), and no ``end`` before its ``start``."""
    rel = f"data/{name}.csv"
    today = today or build_date()
    plans = {f["name"] for f in schema["fields"] if f.get("osai:plan")}
    ends: dict[str, pd.Series] = {}
    for column, precision_col in date_columns(frame, schema):
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
            start = parse_date(str(text), str(precision), rel, row, column)
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
