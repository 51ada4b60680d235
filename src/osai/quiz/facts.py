"""Facts from ``data/`` written into quiz text at load time, so a bank never retypes them.

A bank's prompts, options, pairs and feedback may contain placeholders that name dated
events of ``data/events.csv`` (or ``data/context_events.csv``):

``{year:EVENT}``
    the year of the event, e.g. ``1999``;
``{date:EVENT}``
    its date at the precision the data give: ``1999``, ``March 2019`` or ``9 April 2018``;
``{amount:EVENT}``
    its amount in short form with its currency, e.g. ``$1B`` or ``EUR 13M``;
``{years_between:A,B}``, ``{months_between:A,B}``, ``{days_between:A,B}``
    the calendar interval from event A to event B;
``{users:LICENCE}``
    the user limit of a licence of ``data/licences.csv`` in short form, e.g. ``700M``;
``{metric:METRIC}``
    the value of a row of ``data/metrics.csv`` in short form, e.g. ``100K``, or as money
    when its unit is a currency (``$133.2M``);
``{as_of:METRIC}``
    the date of that value at its precision, e.g. ``2021`` or ``May 2022``.

``{answer}`` (the computed answer of a numeric question) is left for the widget.  An
unknown placeholder or event id, an event without an amount, or an interval finer than
the events' dates raises :class:`~osai.quiz.quiz_error.QuizError` naming the file and question.

Used by the bank's checks (:func:`osai.quiz.bank_checks.validate_raw`) before anything else is
checked; events, dates and intervals come from :mod:`osai.quiz.events`, dates written by
:func:`osai.formats.fmt_date` and numbers by :func:`osai.formats.fmt_number`.
"""

from __future__ import annotations

import re
from typing import Any

from osai.formats import fmt_count, fmt_date, fmt_money, fmt_number
from osai.quiz.events import INTERVALS, Event, checked_interval, event_date

__all__ = ["PLACEHOLDER", "fill_facts"]

#: ``{kind:argument}``; ``{answer}`` has no colon and never matches
PLACEHOLDER = re.compile(r"\{([a-z_]+):([^{}]*)\}")
#: keys whose values are identifiers or structure, never text to fill
_SKIP = {"id", "type", "objective", "section", "events", "compute", "tolerance"}


def _one(kind: str, arg: str, events: dict[str, Event], fail) -> str:
    if kind in INTERVALS:
        ids = [a.strip() for a in arg.split(",")]
        if len(ids) != 2:
            fail(f"placeholder {{{kind}:{arg}}} needs two event ids separated by a comma")
        for eid in ids:
            if eid not in events:
                fail(f"placeholder {{{kind}:{arg}}}: unknown event id {eid!r}")
        a, b = (events[e] for e in ids)
        try:
            return fmt_number(checked_interval(kind, a, b))
        except ValueError as exc:
            fail(f"placeholder {{{kind}:{arg}}}: {exc}")
    if kind in _TABLES:
        return _table_value(kind, arg.strip(), fail)
    if kind not in ("year", "date", "amount"):
        fail(f"unknown placeholder {{{kind}:{arg}}} (known: year, date, amount, "
             + ", ".join(INTERVALS) + ", " + ", ".join(_TABLES) + ")")
    eid = arg.strip()
    if eid not in events:
        fail(f"placeholder {{{kind}:{arg}}}: unknown event id {eid!r} (not in "
             "data/events.csv or data/context_events.csv)")
    ev = events[eid]
    if kind == "year":
        return fmt_date(ev["start"], "year")
    if kind == "date":
        return event_date(ev)
    if ev.get("amount") is None:
        fail(f"placeholder {{amount:{eid}}}: the event has no amount in the data")
    return fmt_money(ev["amount"], ev["currency"])


#: placeholders that read one value of another table: kind -> (table, its id column,
#: the value column, the file named in messages)
_TABLES = {"users": ("licences", "licence_id", "user_limit", "data/licences.csv"),
           "metric": ("metrics", "metric_id", "value", "data/metrics.csv"),
           "as_of": ("metrics", "metric_id", "as_of_start", "data/metrics.csv")}


def _table_value(kind: str, key: str, fail) -> str:
    from osai.data import load_dataset

    table, id_col, col, file = _TABLES[kind]
    frame = load_dataset()[table]
    rows = frame[frame[id_col] == key]
    if rows.empty:
        fail(f"placeholder {{{kind}:{key}}}: no row {key!r} in {file}")
    value = rows.iloc[0][col]
    if kind == "as_of":
        return fmt_date(value, str(rows.iloc[0]["as_of_precision"]))
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if number != number:
        fail(f"placeholder {{{kind}:{key}}}: {file} gives no {col} for {key!r}")
    unit = str(rows.iloc[0].get("unit", "")) if kind == "metric" else ""
    return fmt_money(number, unit) if unit in _CURRENCIES else fmt_count(number)


#: units of data/metrics.csv that are money
_CURRENCIES = {"USD", "EUR"}


def fill_facts(question: Any, events: dict[str, Event], fail) -> Any:
    """A copy of a raw question with every placeholder replaced by its value from data.

    ``fail(message)`` raises the caller's located error.
    """
    def text(value: str) -> str:
        return PLACEHOLDER.sub(lambda m: _one(m.group(1), m.group(2), events, fail), value)

    def walk(node: Any, key: str | None = None) -> Any:
        if key in _SKIP:
            return node
        if isinstance(node, str):
            return text(node)
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        return node

    return walk(question)
