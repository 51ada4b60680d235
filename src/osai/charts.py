"""Altair charts used by the chapters.  Each returns a :class:`osai.render.Figure` (chart +
text alternative + data table), so it shows offline in the book and in JupyterLab.

Interactive filters are Vega-Lite params bound to HTML inputs: they work on a static page
with no kernel.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from osai.data import Dataset, load_dataset
from osai.render import Figure

#: colour per organisation, chosen to be distinguishable with colour-vision deficiencies
#: (Okabe-Ito palette); shape is used as well, so colour is never the only cue
ORG_COLOURS = {
    "OpenCV": "#0072B2",
    "scikit-learn": "#E69F00",
    "OpenAI": "#009E73",
    "Hugging Face": "#CC79A7",
}
#: organisation names in the course's order (community-led first), for sorting axes and legends
ORG_ORDER = list(ORG_COLOURS)
ORG_SHAPES = {
    "OpenCV": "circle",
    "scikit-learn": "square",
    "OpenAI": "triangle-up",
    "Hugging Face": "diamond",
}
CATEGORY_ORDER = ["founding", "release", "funding", "governance", "licence", "revenue", "research"]


def wrap_label(chars: int = 16) -> str:
    """A Vega expression for an axis's ``labelExpr``: the label in lines of at most
    ``chars`` characters, broken at spaces (a longer word keeps a line of its own), so long
    category names take height instead of the plot's width."""
    return ("split(replace(replace(datum.label, regexp('(.{1,%d})(\\\\s+|$)', 'g'), '$1|'), "
            "regexp('\\\\|$'), ''), '|')" % chars)


#: axis labels in lines of at most 16 characters
WRAP_LABEL = wrap_label(16)


def org_scales() -> tuple[alt.Scale, alt.Scale]:
    return (alt.Scale(domain=ORG_ORDER, range=[ORG_COLOURS[n] for n in ORG_ORDER]),
            alt.Scale(domain=ORG_ORDER, range=[ORG_SHAPES[n] for n in ORG_ORDER]))


def _events_frame(ds: Dataset) -> pd.DataFrame:
    ev = ds.events.copy()
    sources = ds.sources
    ev["source"] = ev["source_id"].map(
        lambda ids: "; ".join(f"{s}: {sources.loc[s, 'publisher']}" for s in str(ids).split(";")))
    ev["date_label"] = ev["date"]
    ev["date_iso"] = ev["date_start"].dt.strftime("%Y-%m-%d")
    return ev


def events_timeline(ds: Dataset | None = None, *, width: int = 620) -> Figure:
    """All dated events of the four organisations, with a category filter (no kernel needed).

    The filter is a Vega-Lite param bound to a drop-down; choosing a category hides the
    other events.  Hovering or focusing a point shows its date, description and source.
    """
    ds = ds or load_dataset()
    ev = _events_frame(ds)
    colour, shape = org_scales()
    options = [None, *CATEGORY_ORDER]
    labels = ["all categories", *CATEGORY_ORDER]
    category = alt.param(
        name="category_filter",
        value=None,
        bind=alt.binding_select(options=options, labels=labels, name="Show events of type: "),
    )
    chart = (
        alt.Chart(ev[["date_iso", "date_label", "org_name", "category", "title",
                      "description", "source"]])
        .mark_point(size=120, filled=True, opacity=0.9)
        .encode(
            x=alt.X("date_iso:T", title="Date", axis=alt.Axis(format="%Y")),
            y=alt.Y("org_name:N", title=None, sort=list(ORG_COLOURS)),
            color=alt.Color("org_name:N", scale=colour, title="Organisation"),
            shape=alt.Shape("org_name:N", scale=shape, title="Organisation"),
            tooltip=[
                alt.Tooltip("date_label:N", title="Date"),
                alt.Tooltip("org_name:N", title="Organisation"),
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("description:N", title="What happened"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .add_params(category)
        .transform_filter("category_filter == null || datum.category == category_filter")
        .properties(width=width, height=220,
                    title="Events of the four organisations, 1999 to 2025")
    )
    counts = ev.groupby("org_name").size()
    alt_text = (
        "Timeline of " + str(len(ev)) + " dated events: "
        + "; ".join(f"{name} {counts.get(name, 0)} events from {int(g.year.min())} to "
                    f"{int(g.year.max())}" for name, g in ev.groupby("org_name", sort=False))
        + ". A drop-down filters the events by category."
    )
    table = ev[["date_label", "org_name", "category", "title", "source_id"]].rename(
        columns={"date_label": "Date", "org_name": "Organisation", "category": "Category",
                 "title": "Event", "source_id": "Source"})
    return Figure(chart, alt_text, table, "Every event in the timeline, oldest first")
