"""Helpers the chapters call: learning objectives, tables, citations and number formats."""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml
from IPython.display import HTML, Markdown

from . import mdtext
from .data import Dataset, load_dataset
from .paths import course_root



def objectives_file() -> Path:
    """``exercises/objectives.yml`` of the checkout, else of the installed course."""
    return course_root() / "exercises" / "objectives.yml"


@lru_cache(maxsize=1)
def _objectives() -> dict:
    with objectives_file().open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def chapter_meta(chapter: str) -> dict:
    """Title, minutes and objectives of a teaching chapter from ``exercises/objectives.yml``."""
    data = _objectives()
    if chapter not in data:
        raise KeyError(f"{objectives_file().name}: no chapter '{chapter}' "
                       f"(known: {', '.join(data)})")
    return data[chapter]


def objectives(chapter: str) -> Markdown:
    """The chapter's learning objectives as a Markdown list (rendered in the book)."""
    meta = chapter_meta(chapter)
    return Markdown(mdtext.bullet_list((str(o["text"]) for o in meta["objectives"]),
                                       intro="By the end of this chapter you will be able to:"))


def markdown_list(items, numbered: bool = False) -> Markdown:
    """A Markdown list for a chapter cell whose items (text from ``data/``) show as text.

    An item is a string, or ``(lead, text)`` shown as "**Lead.** text"; markup in either
    is shown literally (see :mod:`osai.mdtext`)."""
    items = list(items)
    return Markdown(mdtext.numbered_list(items) if numbered else mdtext.bullet_list(items))


def fmt_money(value: float, currency: str = "USD") -> str:
    """$1.5B / $235M / EUR 13M: short money text for prose."""
    symbol = "$" if currency == "USD" else f"{currency} "
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            number = value / size
            text = f"{number:.1f}".rstrip("0").rstrip(".")
            return f"{symbol}{text}{suffix}"
    return f"{symbol}{value:,.0f}"


_PRECISION_FORMAT = {"year": "%Y", "month": "%B %Y", "day": "%-d %B %Y"}


def fmt_date(ts: pd.Timestamp, precision: str) -> str:
    """A date at its own precision, month names in full: 2012-08 -> 'August 2012';
    2023-08-24 -> '24 August 2023'; 2010 -> '2010'."""
    if pd.isna(ts):
        return ""
    if str(precision) not in _PRECISION_FORMAT:
        raise ValueError(f"unknown date precision {precision!r} "
                         f"(expected one of {', '.join(_PRECISION_FORMAT)})")
    return ts.strftime(_PRECISION_FORMAT[str(precision)])


def fmt_when(ts: pd.Timestamp, precision: str) -> str:
    """The date with the preposition prose needs: 'on 24 August 2023', 'in December 2019'."""
    text = fmt_date(ts, precision)
    if not text:
        return ""
    return ("on " if str(precision) == "day" else "in ") + text


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


def comparison_table(ds: Dataset | None = None) -> pd.DataFrame:
    """The case study's comparison table, rebuilt from ``data/`` with its errors corrected."""
    ds = ds or load_dataset()
    orgs = ds.organisations
    quotes = ds.quotes.set_index("org_id")
    rows = []
    for org_id, org in orgs.iterrows():
        if pd.notna(org["first_public_release"]):
            started = f"{org['founded']} (first public release {org['first_public_release']})"
        else:
            started = str(org["founded"])
        q = quotes.loc[org_id]
        motivation = f"\u201c{q['text']}\u201d \u2014 {q['speaker']}, {q['work']} ({q['date']})"
        rows.append({
            "Organisation": org["name"],
            "Course label": str(org["model"]),
            "What it is": org["org_type"],
            "Started": started,
            "Founders and setting": f"{org['founders']}; {org['founding_context']}",
            "First supporters": org["first_supporters"],
            "Motivation, as stated": motivation,
            "Sources": ", ".join(sorted(set(org["source_ids"].split(";"))
                                        | set(q["source_id"].split(";")))),
        })
    return pd.DataFrame(rows)


def html_table(frame: pd.DataFrame, caption: str, label: str | None = None) -> HTML:
    """An accessible HTML table with a caption (header cells scoped)."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for i, value in enumerate(row.tolist()):
            text = "" if (value is None or (isinstance(value, float) and pd.isna(value))) \
                else html.escape(str(value))
            cells.append(f'<th scope="row">{text}</th>' if i == 0 else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{html.escape(label)}"' if label else ""
    return HTML(f'<div class="osai-table-wrap" tabindex="0" role="region" '
                f'aria-label="{html.escape(caption)}"><table class="osai-table"{ident}>'
                f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table></div>")
