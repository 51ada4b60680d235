"""How the course writes dates, money and counts in prose, tables, charts and quizzes.

One rule per kind of value, so every chapter, table and quiz item says the same figure the
same way:

* a date at the precision its source gives: :func:`fmt_date` ("2010", "August 2012",
  "24 August 2023"), :func:`fmt_when` with the preposition prose needs, and the short names
  :func:`year`, :func:`month`, :func:`day` for a chosen precision; a fact no source dates
  is :data:`UNDATED` in every table and chart;
* money, short: :func:`fmt_money` ("$1.5B", "EUR 13M");
* counts: :func:`fmt_count` for things ("2M" models), :func:`fmt_people` for people
  ("3,192"), :func:`fmt_number` for a number as the quiz widget shows it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

__all__ = ["PRECISIONS", "UNDATED", "day", "fmt_count", "fmt_date", "fmt_money",
           "fmt_number", "fmt_people", "fmt_when", "month", "number_word", "year"]

#: small counts as prose writes them ("five concerns"); larger ones stay digits
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten")


def number_word(n: int) -> str:
    """A count as prose writes it: 0 -> 'no', 5 -> 'five', 12 -> '12'."""
    n = int(n)
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)

#: date precisions of ``data/`` (its ``*_precision`` columns), coarsest first
PRECISIONS = ("year", "month", "day")
#: what a table or chart cell says for a fact that no source dates (the course's one word)
UNDATED = "undated"


def fmt_date(ts: pd.Timestamp | dt.date | None, precision: str) -> str:
    """A date at its own precision, month names in full: 2012-08 -> 'August 2012';
    2023-08-24 -> '24 August 2023'; 2010 -> '2010'.  No date: ''."""
    if ts is None or pd.isna(ts):
        return ""
    precision = str(precision)
    if precision == "year":
        return str(ts.year)
    if precision == "month":
        return ts.strftime("%B %Y")
    if precision == "day":
        return f"{ts.day} {ts.strftime('%B %Y')}"
    raise ValueError(f"unknown date precision {precision!r} "
                     f"(expected one of {', '.join(PRECISIONS)})")


def year(ts) -> str:
    """'2019'."""
    return fmt_date(ts, "year")


def month(ts) -> str:
    """'July 2019'."""
    return fmt_date(ts, "month")


def day(ts) -> str:
    """'22 July 2019'."""
    return fmt_date(ts, "day")


def fmt_when(ts, precision: str) -> str:
    """The date with the preposition prose needs: 'on 24 August 2023', 'in December 2019'."""
    text = fmt_date(ts, precision)
    if not text:
        return ""
    return ("on " if str(precision) == "day" else "in ") + text


def fmt_money(value: float, currency: str = "USD") -> str:
    """$1.5B / $235M / EUR 13M: short money text for prose."""
    symbol = "$" if currency == "USD" else f"{currency} "
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            number = value / size
            text = f"{number:.1f}".rstrip("0").rstrip(".")
            return f"{symbol}{text}{suffix}"
    return f"{symbol}{value:,.0f}"


def fmt_people(value: float) -> str:
    """A count of people as a comma-separated whole number: 3192 -> '3,192'.

    The course's one rule for people (committers, researchers, staff), so every chapter
    quotes the same figure the same way; compare :func:`fmt_count` for large counts of
    things (models, users)."""
    if pd.isna(value):
        raise ValueError("fmt_people: no value")
    return f"{value:,.0f}"


def fmt_count(value: float) -> str:
    """2,000,000 -> '2M'; 170 -> '170'."""
    for size, suffix in ((1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:,.0f}"


def fmt_number(x: float) -> str:
    """A number as the quiz widget (quiz.js) shows it: integers plain, else at most two
    decimals."""
    if float(x) == int(x):
        return str(int(x))
    return str(round(float(x), 2))
