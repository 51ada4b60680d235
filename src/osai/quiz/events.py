"""The dated events quiz banks name, and the calendar intervals between them.

A bank never types a date, an amount or an interval: it names events of
``data/events.csv`` and ``data/context_events.csv`` by id.  This module is what the bank's
checks (:mod:`osai.quiz.bank_checks`: numeric answers, orderings) and its placeholders
(:mod:`osai.quiz.facts`) both read those events through:

* :func:`load_events`: every dated event by id (:class:`Event`);
* :func:`event_date`: an event's date as prose writes it (:func:`osai.formats.fmt_date`);
* :data:`INTERVALS`, :func:`too_coarse`, :func:`interval`: the interval kinds, whether an
  event's date is precise enough for one, and its value;
* :func:`period_end`: the first day after the period an event's date names (two events
  can be put in order only when the earlier one's period ends before the later starts).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, TypedDict

from osai.formats import PRECISIONS, fmt_date

__all__ = ["Event", "INTERVALS", "NEEDS", "event_date", "interval", "load_events",
           "period_end", "too_coarse"]

#: the calendar intervals a bank can ask for or write
INTERVALS = ("years_between", "months_between", "days_between")
#: the finest date precision each interval needs
NEEDS = {"years_between": "year", "months_between": "month", "days_between": "day"}


class Event(TypedDict):
    id: str
    date: str              #: as data/ writes it (e.g. "2019-03")
    precision: str         #: year, month or day (:data:`osai.formats.PRECISIONS`)
    start: dt.date         #: the first day the date names
    title: str
    who: str               #: the organisation (events.csv) or actor (context_events.csv)
    amount: float | None
    currency: str


def _amount(value: Any) -> float | None:
    try:
        return None if value is None or math.isnan(float(value)) else float(value)
    except (TypeError, ValueError):
        return None


def _currency(value: Any) -> str:
    text = "" if value is None else str(value)
    return "USD" if text in ("", "nan", "<NA>", "None") else text


def load_events() -> dict[str, Event]:
    """Every dated event of the data package (organisation and context events) by id."""
    from osai.data import load_dataset

    ds = load_dataset()
    out: dict[str, Event] = {}
    for frame, who in ((ds.events, "org_name"), (ds.context_events, "actor")):
        for row in frame.itertuples(index=False):
            out[row.event_id] = Event(
                id=row.event_id,
                date=str(row.date),
                precision=str(row.date_precision),
                start=row.date_start.to_pydatetime().date(),
                title=str(row.title),
                who=str(getattr(row, who)),
                amount=_amount(getattr(row, "amount", None)),
                currency=_currency(getattr(row, "currency", None)),
            )
    return out


def event_date(ev: Event) -> str:
    """An event's date as prose writes it, at its precision ("March 2019")."""
    return fmt_date(ev["start"], ev["precision"])


def too_coarse(kind: str, ev: Event) -> bool:
    """Whether the event is dated less precisely than the interval ``kind`` needs."""
    return PRECISIONS.index(ev["precision"]) < PRECISIONS.index(NEEDS[kind])


def interval(kind: str, a: Event, b: Event) -> int:
    """The calendar interval ``kind`` from event a to event b (negative if b is earlier)."""
    if kind == "years_between":
        return b["start"].year - a["start"].year
    if kind == "months_between":
        return (b["start"].year - a["start"].year) * 12 + b["start"].month - a["start"].month
    if kind == "days_between":
        return (b["start"] - a["start"]).days
    raise ValueError(f"unknown interval {kind!r} (known: {', '.join(INTERVALS)})")


def checked_interval(kind: str, a: Event, b: Event) -> int:
    """:func:`interval` from a to b, refused (``ValueError``, saying why) when either event
    is dated too coarsely for ``kind`` or b is earlier than a."""
    for ev in (a, b):
        if too_coarse(kind, ev):
            raise ValueError(f"event {ev['id']!r} is dated only to the {ev['precision']}, "
                             f"too coarse for {kind}")
    value = interval(kind, a, b)
    if value < 0:
        raise ValueError(f"{b['id']!r} is earlier than {a['id']!r}; swap them")
    return value


def period_end(ev: Event) -> dt.date:
    """The first day after the year, month or day the event's date names."""
    start = ev["start"]
    if ev["precision"] == "year":
        return dt.date(start.year + 1, 1, 1)
    if ev["precision"] == "month":
        y, m = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return dt.date(y, m, 1)
    return start + dt.timedelta(days=1)
