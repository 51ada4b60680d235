"""Exercise 2, chapter 3: the timeline explorer (category, organisation and event
drop-downs; the picked event's details written under the chart)."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from osai import render
from osai.charts import CATEGORY_ORDER, org_scales
from osai.data import Dataset, load_dataset
from osai.explore.common import (ORG_IDS, STACKED_BELOW, STACKED_CHART_WIDTH, ids_text,
                                 sources_text)

# -------------------------------------------------------- exercise 2: timeline explorer

def _timeline_frame(ds: Dataset) -> pd.DataFrame:
    ev = ds.events.copy()
    ev = ev[ev["org_id"].isin(ORG_IDS)].reset_index(drop=True)
    ev["org_name"] = ev["org_name"].astype(str)
    ev["date_iso"] = ev["date_start"].dt.strftime("%Y-%m-%d")
    ev["sources"] = ev["source_id"].map(lambda ids: sources_text(ds, ids))
    ev["source_ids"] = ev["source_id"].map(ids_text)
    ev["label"] = ev.apply(lambda e: f"{e['date']}, {e['org_name']}: {e['title']}", axis=1)
    # lines short enough for a phone's column in a wide font (DejaVu Sans) in the narrow layout
    for column, chars in (("details", 95), ("details_narrow", 28)):
        ev[column] = ev.apply(
            lambda e: "\n".join([f"{e['date']} · {e['org_name']} · {e['category']}",
                                 *textwrap.wrap(e["description"], chars),
                                 *textwrap.wrap(f"Source: {e['sources']}", chars)]), axis=1)
    ev["aria"] = ev.apply(
        lambda e: f"{e['date']}, {e['org_name']}, {e['category']}: {e['description']} "
                  f"Source {e['source_ids']}.", axis=1)
    return ev


def timeline_explorer(ds: Dataset | None = None, *, width: int = 640) -> render.Figure:
    """Exercise 2: the four organisations' events, filtered by category AND organisation.

    Two drop-downs (Vega-Lite params) filter the points.  A third drop-down lists every
    event: choosing one (with the mouse, or by focusing it and pressing the arrow keys)
    rings the point and writes its date, description and source in the panel under the
    chart.  Clicking a point does the same, and hovering shows a tooltip.  The drop-down
    is the keyboard route to every event's details, since SVG points cannot take focus.
    """
    ds = ds or load_dataset()
    ev = _timeline_frame(ds)
    names = [ds.org_name(o) for o in ORG_IDS]
    categories = [c for c in CATEGORY_ORDER if c in set(ev["category"])]
    category = alt.param(
        name="tl_category", value=None,
        bind=alt.binding_select(options=[None, *categories],
                                labels=["all categories", *categories], name="Category: "))
    org = alt.param(
        name="tl_org", value=None,
        bind=alt.binding_select(options=[None, *names], labels=["all organisations", *names],
                                name="Organisation: "))
    first = ev.iloc[0]["event_id"]
    picked = alt.selection_point(
        name="tl_event", fields=["event_id"], value=[{"event_id": first}], empty=False,
        on="click", clear=False, toggle=False,
        bind=alt.binding_select(options=ev["event_id"].tolist(), labels=ev["label"].tolist(),
                                name="Event details: "))
    shown = ("(tl_category == null || datum.category == tl_category) && "
             "(tl_org == null || datum.org_name == tl_org)")
    data = ev[["event_id", "date", "date_iso", "org_name", "category", "title", "description",
               "sources", "source_ids", "details", "details_narrow", "aria"]]
    chart = _timeline_chart(ev, data, width, "details", category, org, picked, shown, names)
    lines = int(ev["details_narrow"].str.count("\n").max()) + 1
    narrow = _timeline_chart(ev, data, STACKED_CHART_WIDTH, "details_narrow", category, org,
                             picked, shown, names, details_height=17 * lines + 8
                             ).configure_legend(orient="bottom", direction="horizontal")
    counts = ev.groupby("org_name", sort=False).size()
    alt_text = (
        f"Timeline explorer of {len(ev)} dated events: "
        + "; ".join(f"{n} {counts.get(n, 0)} events" for n in names)
        + ". Two drop-downs filter the events by category and by organisation; a third "
        "drop-down picks one event, whose date, description and source are written under the "
        "chart. The full data is in the table below."
    )
    table = ev[["date", "org_name", "category", "title", "description", "source_ids"]].rename(
        columns={"date": "Date", "org_name": "Organisation", "category": "Category",
                 "title": "Event", "description": "What happened", "source_ids": "Sources"})
    return render.Figure(chart, alt_text, table, "Every event in the timeline explorer",
                         narrow=narrow, narrow_below=STACKED_BELOW)


def _timeline_chart(ev, data, width, details_field, category, org, picked, shown, names,
                    details_height=92):
    """The timeline explorer's chart at one width, its details wrapped in `details_field`."""
    colour, shape = org_scales()
    base = alt.Chart(data).transform_calculate(shown=shown)
    x = alt.X("date_iso:T", title="Date", axis=alt.Axis(format="%Y"),
              scale=alt.Scale(domain=[f"{int(ev.year.min()) - 1}-07-01",
                                      f"{int(ev.year.max()) + 1}-06-30"]))
    yy = alt.Y("org_name:N", title=None, sort=names, scale=alt.Scale(domain=names))
    tooltip = [alt.Tooltip("date:N", title="Date"), alt.Tooltip("org_name:N", title="Organisation"),
               alt.Tooltip("category:N", title="Category"),
               alt.Tooltip("description:N", title="What happened"),
               alt.Tooltip("sources:N", title="Source")]
    points = (
        base.transform_filter("datum.shown")
        .mark_point(filled=True, opacity=0.9, cursor="pointer",
                    description="Event points (none match the current filters when empty)")
        .encode(x=x, y=yy,
                color=alt.Color("org_name:N", scale=colour, title="Organisation"),
                shape=alt.Shape("org_name:N", scale=shape, title="Organisation"),
                size=alt.condition(picked, alt.value(260), alt.value(110)),
                tooltip=tooltip, description=alt.Description("aria:N"))
        .add_params(picked)
        .properties(name="tl_points")
    )
    ring = (base.transform_filter(picked)
            .mark_point(size=520, filled=False, strokeWidth=2.5, color="#222222", aria=False)
            .encode(x=x, y=yy))
    count = (base.transform_filter("datum.shown").transform_aggregate(n="count()")
             .transform_calculate(msg="'Showing ' + datum.n + ' of " + str(len(ev))
                                  + " events'")
             .mark_text(align="left", baseline="bottom", fontSize=11, color="#444444")
             .encode(x=alt.value(0), y=alt.value(-4), text="msg:N"))
    timeline = alt.layer(points, ring, count).properties(
        width=width, height=220,
        title=alt.Title("Events of the four organisations",
                        subtitle="Filter with the first two drop-downs; pick an event with "
                                 "the third, or click a point."))
    details = (
        alt.Chart(data)
        .transform_filter(picked)
        .mark_text(align="left", baseline="top", fontSize=12, lineBreak="\n", lineHeight=17)
        .encode(x=alt.value(0), y=alt.value(4), text=f"{details_field}:N",
                description=alt.Description("aria:N"))
        .properties(width=width, height=details_height,
                    title=alt.Title("Details of the chosen event", fontSize=12, anchor="start"))
    )
    hidden_note = (
        alt.Chart(data).transform_filter(picked).transform_calculate(shown=shown)
        .transform_filter("!datum.shown")
        .mark_text(align="left", baseline="top", fontSize=11, fontStyle="italic",
                   color="#8a3b00")
        .encode(x=alt.value(0), y=alt.value(details_height - 16),
                text=alt.value("This event is hidden by the current filters."))
    )
    chart = (
        alt.vconcat(timeline, alt.layer(details, hidden_note), spacing=18)
        .add_params(category, org)
        .configure_view(stroke=None)
    )
    return chart


