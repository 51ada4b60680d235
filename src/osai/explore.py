"""Widget exercises that compare the four organisations (issue 4).

Three exercises, each a :class:`osai.render.Figure` whose controls are Vega-Lite params
bound to HTML inputs, so they work on the static book page with no kernel (DESIGN.md,
decision 5: a control that changes while its output does not is worse than none):

* :func:`comparison_explorer`: tick organisations (check boxes) and choose a dimension
  (drop-down); a table-like chart lists the sourced facts for that choice, each line with
  its source ids.
* :func:`timeline_explorer`: the dated events, filtered by category and organisation (two
  drop-downs); a third drop-down (or a click on a point) picks one event, whose date,
  description and source are written out under the chart, so the details are reachable
  with the keyboard as well as on hover.
* :func:`tradeoff_weighing`: six sliders weight the course's own 1-5 assessments
  (``data/assessments.csv``); Vega-Lite transforms compute the weighted score per
  organisation and the bars re-sort as the weights move.  :func:`weighted_ranking` gives
  the same numbers in Python.

:func:`live_tradeoff` is the live-notebook extra: ipywidgets with Python callbacks, where
the learner may also enter their own scores and save them to a JSON file.  It is never
shown on a built page: in the book context it returns a note that says how to run it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from . import render
from .analysis.tradeoffs import DIMENSIONS
from .charts import CATEGORY_ORDER, ORG_COLOURS, org_scales
from .data import Dataset, load_dataset, source_ids

__all__ = [
    "ASSESSMENT_DIMENSIONS",
    "COMPARISON_DIMENSIONS",
    "LiveTradeoff",
    "assessment_scores",
    "comparison_explorer",
    "comparison_facts",
    "live_tradeoff",
    "timeline_explorer",
    "tradeoff_prompts",
    "tradeoff_weighing",
    "weighted_ranking",
]

#: organisation ids in the course's fixed order (community-led first)
ORG_IDS = ["opencv", "sklearn", "openai", "hf"]

#: the comparison explorer's dimensions: key -> label shown in the drop-down
COMPARISON_DIMENSIONS = {
    "founding": "Founding and first release",
    "money": "Money raised over time",
    "licence": "Licence of the main code and models",
    "governance": "Who governs",
    "revenue": "Revenue streams",
    "openness": "What is open: code, weights, data",
}

#: the trade-off dimensions: key (column value in data/assessments.csv) -> slider label;
#: defined once, in osai.analysis.tradeoffs
ASSESSMENT_DIMENSIONS = DIMENSIONS

#: the largest weight a slider of the weighing exercise offers (the smallest is 0)
MAX_WEIGHT = 5

#: characters per line of the "what" column before it wraps onto a new row
_WHAT_WIDTH = 44
#: characters per line of the narrow (phone) layout of the comparison explorer
_STACKED_WIDTH = 44
#: width (px) of the narrow layout, and the column width under which it is drawn
_STACKED_CHART_WIDTH = 290
_STACKED_BELOW = 680


# --------------------------------------------------------------------------- helpers

def _org_names(ds: Dataset) -> dict[str, str]:
    return {o: ds.org_name(o) for o in ORG_IDS}


def _sources_text(ds: Dataset, ids: str) -> str:
    """'S17: OpenAI; S25: The Decoder' for a tooltip."""
    sources = ds.sources
    return "; ".join(f"{s}: {sources.loc[s, 'publisher']}" for s in source_ids(ids))


def _ids_text(ids: str) -> str:
    return ", ".join(source_ids(ids))


def _money(amount: float, currency: str) -> str:
    from .course import fmt_money
    return fmt_money(float(amount), str(currency))


def _first(*values) -> Any:
    for v in values:
        if v is not None and not pd.isna(v):
            return v
    return None


# ------------------------------------------------------ exercise 1: comparison explorer

def comparison_facts(ds: Dataset | None = None) -> pd.DataFrame:
    """Every dimension's facts in one long table (one row per fact), built from ``data/``.

    Columns: ``dimension``, ``org_id``, ``org_name``, ``when`` (date as text), ``aspect``
    (a short label), ``what`` (the fact), ``amount_usd`` (money raised, for the bar; empty
    for pledges and other currencies), ``source_ids``, ``sources`` (ids with publishers),
    ``sort_date`` and ``fact_id``.
    """
    ds = ds or load_dataset()
    names = _org_names(ds)
    rows: list[dict] = []

    def add(dimension, org_id, when, aspect, what, ids, fact_id, sort_date, amount=None):
        rows.append({
            "dimension": dimension, "org_id": org_id, "org_name": names[org_id],
            "when": when or "undated", "aspect": aspect, "what": what,
            "amount_usd": amount, "source_ids": _ids_text(ids) or "none",
            "sources": _sources_text(ds, ids) or "none: a gap in the course data",
            "sort_date": sort_date, "fact_id": fact_id,
        })

    # founding and first release: the founding events, and the release event that
    # matches organisations.first_public_release (when the data has one)
    ev = ds.events
    orgs = ds.organisations
    for org_id in ORG_IDS:
        org = orgs.loc[org_id]
        mine = ev[ev["org_id"] == org_id]
        for _, e in mine[mine["category"] == "founding"].iterrows():
            add("founding", org_id, e["date"], "started", e["description"], e["source_id"],
                e["event_id"], e["date_start"])
        release = org["first_public_release"]
        first = mine[(mine["category"] == "release") & (mine["date"] == release)]
        if pd.notna(release) and len(first):
            e = first.iloc[0]
            add("founding", org_id, e["date"], "first public release", e["description"],
                e["source_id"], e["event_id"], e["date_start"])
        else:
            add("founding", org_id, None, "first public release",
                "No sourced date for a first public release in the course data.",
                "", f"{org_id}-no-release", pd.Timestamp.max)

    # money raised over time: funding_sources (amounts where stated)
    for _, f in ds.funding_sources.iterrows():
        start, end, as_of = f["start"], f["end"], f["as_of"]
        if pd.notna(start):
            when, sort_date = str(start), f["start_start"]
        elif pd.notna(end):
            when, sort_date = f"until {end}", f["end_start"]
        else:
            when, sort_date = f"as of {as_of}", f["as_of_start"]
        what = f["description"]
        if str(f["funder"]).split(" (")[0] not in what:
            what = f"{f['funder']}: {what}"
        amount = None
        if pd.notna(f["amount"]):
            what = f"{_money(f['amount'], f['currency'])}. {what}"
            if f["currency"] == "USD" and f["funder_type"] != "pledge":
                amount = float(f["amount"])
        add("money", f["org_id"], when, f["funder_type"], what, f["source_ids"],
            f["funding_id"], sort_date, amount)

    # licence: each release's licence; openness: what each release opens and withholds
    for _, r in ds.releases.iterrows():
        date = r["date"] if pd.notna(r["date"]) else None
        sort_date = r["date_start"] if pd.notna(r["date_start"]) else pd.Timestamp.max
        add("licence", r["org_id"], date, r["licence"], f"{r['artefact']} ({r['access']})",
            r["source_ids"], f"{r['release_id']}-licence", sort_date)
        add("openness", r["org_id"], date, r["access"],
            f"{r['artefact']}. Open: {r['what_is_open']}. Not open: {r['what_is_not']}.",
            r["source_ids"], f"{r['release_id']}-openness", sort_date)

    # who governs: each legal structure and who controls it
    for _, s in ds.structures.iterrows():
        until = f" (until {s['end']})" if pd.notna(s["end"]) else ""
        add("governance", s["org_id"], s["start"], s["form"],
            f"{s['entity']}{until}: controlled by {s['controlled_by']}.",
            s["source_ids"], s["structure_id"], s["start_start"])

    # revenue streams
    for _, r in ds.revenue_streams.iterrows():
        add("revenue", r["org_id"], f"{r['date_meaning']} {r['date']}", r["stream"],
            r["description"], r["source_ids"], r["stream_id"], r["date_start"])

    out = pd.DataFrame(rows)
    out["org_rank"] = out["org_id"].map({o: i for i, o in enumerate(ORG_IDS)})
    out["dim_rank"] = out["dimension"].map({d: i for i, d in enumerate(COMPARISON_DIMENSIONS)})
    out = out.sort_values(["dim_rank", "org_rank", "sort_date", "fact_id"],
                          kind="stable").reset_index(drop=True)
    out["fact_order"] = range(len(out))
    return out


def _stacked_lines(facts: pd.DataFrame) -> pd.DataFrame:
    """Lines of the narrow (phone) layout: organisation, date and kind on the first line,
    the fact wrapped under it, then its sources."""
    lines = []
    for _, f in facts.iterrows():
        head = f"{f['org_name']} · {f['when']} · {f['aspect']}"
        body = textwrap.wrap(f["what"], _STACKED_WIDTH) or [""]
        src = textwrap.wrap("Sources: " + f["source_ids"], _STACKED_WIDTH)
        for i, text in enumerate([head, *body, *src]):
            lines.append({
                "dimension": f["dimension"], "org_id": f["org_id"],
                "org_name": f["org_name"], "fact_order": int(f["fact_order"]),
                "line_no": i, "first": i == 0, "head": head if i == 0 else "",
                "line": "" if i == 0 else text,
                "amount_usd": f["amount_usd"] if i == 0 else None,
            })
    return pd.DataFrame(lines)


def _comparison_lines(facts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The drawn lines (long facts wrap over several rows of the chart) and, separately,
    the per-fact fields the lines look up (tooltip and aria text), so the page does not
    carry them once per line."""
    lines = []
    for _, f in facts.iterrows():
        wrapped = textwrap.wrap(f["what"], _WHAT_WIDTH) or [""]
        ids = f["source_ids"].split(", ")
        src_lines = [", ".join(ids[i:i + 2]) for i in range(0, len(ids), 2)]
        for i in range(max(len(wrapped), len(src_lines))):
            lines.append({
                "dimension": f["dimension"], "org_id": f["org_id"],
                "org_name": f["org_name"], "fact_order": int(f["fact_order"]),
                "line_no": i, "first": i == 0,
                "when": f["when"] if i == 0 else "",
                "aspect": f["aspect"] if i == 0 else "",
                "line": wrapped[i] if i < len(wrapped) else "",
                "src": src_lines[i] if i < len(src_lines) else "",
                "amount_usd": f["amount_usd"] if i == 0 else None,
            })
    info = facts[["fact_order", "what", "sources", "when", "aspect", "source_ids"]].rename(
        columns={"when": "full_when", "aspect": "full_aspect"})
    info["aria"] = (facts["org_name"] + ", " + facts["when"] + ", " + facts["aspect"] + ": "
                    + facts["what"] + " Source " + facts["source_ids"] + ".")
    return pd.DataFrame(lines), info


#: x positions (pixels) of the columns of the comparison chart
_COL = {"swatch": 4, "org": 14, "when": 98, "aspect": 190, "what": 304, "bar": 570,
        "bar_width": 40, "src": 618}
_COMPARISON_WIDTH = 664


def comparison_explorer(ds: Dataset | None = None) -> render.Figure:
    """Exercise 1: choose organisations and a dimension; see the sourced facts.

    Four check boxes (one per organisation) and a drop-down of dimensions are Vega-Lite
    params; one long-format dataset holds every dimension's facts and is filtered by them,
    so the page needs no kernel.  Each fact shows its date, a short label, the fact and its
    source ids; hovering gives the sources' publishers.  For money, a bar shows amounts
    raised in US dollars (pledges and euro amounts are in the text only).
    """
    ds = ds or load_dataset()
    facts = comparison_facts(ds)
    lines, info = _comparison_lines(facts)
    max_usd = float(facts["amount_usd"].max())
    lines["bar_end"] = lines["amount_usd"].map(
        lambda a: None if a is None or pd.isna(a)
        else _COL["bar"] + max(1.0, _COL["bar_width"] * float(a) / max_usd))
    lines["bar_start"] = _COL["bar"]
    names = _org_names(ds)
    colour, shape = org_scales()

    dimension = alt.param(
        name="dimension", value="founding",
        bind=alt.binding_select(options=list(COMPARISON_DIMENSIONS),
                                labels=list(COMPARISON_DIMENSIONS.values()),
                                name="Compare: "))
    shows = [alt.param(name=f"show_{o}", value=True,
                       bind=alt.binding_checkbox(name=f"{names[o]} "))
             for o in ORG_IDS]
    org_test = " || ".join(f"(datum.org_id == '{o}' && show_{o})" for o in ORG_IDS)
    none_ticked = " && ".join(f"!show_{o}" for o in ORG_IDS)

    base = (
        alt.Chart(lines)
        .transform_filter(f"datum.dimension == dimension && ({org_test})")
        .transform_lookup(lookup="fact_order",
                          from_=alt.LookupData(info, "fact_order",
                                               ["what", "sources", "full_when", "full_aspect",
                                                "aria"]))
        .transform_window(row="row_number()",
                          sort=[alt.SortField("fact_order"), alt.SortField("line_no")])
    )
    y = alt.Y("row:O", axis=None)
    tooltip = [
        alt.Tooltip("org_name:N", title="Organisation"),
        alt.Tooltip("full_when:N", title="When"),
        alt.Tooltip("full_aspect:N", title="Kind"),
        alt.Tooltip("what:N", title="Fact"),
        alt.Tooltip("sources:N", title="Sources"),
    ]

    def text(field: str, x: int, limit: int = 0) -> alt.Chart:
        # hidden from screen readers: the organisation column carries the whole fact
        return base.mark_text(align="left", baseline="middle", fontSize=11, limit=limit,
                              aria=False).encode(
            x=alt.value(x), y=y, text=alt.Text(f"{field}:N"), tooltip=tooltip)

    rules = base.transform_filter("datum.first").mark_rule(
        color="#d0d0d0", strokeWidth=1, aria=False).encode(
        y=alt.Y("row:O", axis=None, bandPosition=0), x=alt.value(0),
        x2=alt.value(_COMPARISON_WIDTH))
    swatch = base.transform_filter("datum.first").mark_point(
        filled=True, size=60, opacity=1, aria=False).encode(
        x=alt.value(_COL["swatch"]), y=y,
        color=alt.Color("org_name:N", scale=colour, legend=None),
        shape=alt.Shape("org_name:N", scale=shape, legend=None), tooltip=tooltip)
    # one item per fact, read by screen readers as the whole fact with its sources
    org_text = base.transform_filter("datum.first").mark_text(
        align="left", baseline="middle", fontSize=11, fontWeight="bold", limit=80,
        description="Facts for the chosen dimension and organisations").encode(
        x=alt.value(_COL["org"]), y=y, text="org_name:N", tooltip=tooltip,
        description=alt.Description("aria:N"))
    bar = base.transform_filter("isValid(datum.bar_end)").mark_rule(
        strokeWidth=9, aria=False).encode(
        x=alt.X("bar_start:Q", scale=None), x2=alt.X2("bar_end:Q"), y=y,
        color=alt.Color("org_name:N", scale=colour, legend=None), tooltip=tooltip)
    header_rows = pd.DataFrame([
        {"text": "Organisation", "x": _COL["org"], "dims": "*"},
        {"text": "When", "x": _COL["when"], "dims": "*"},
        {"text": "Kind", "x": _COL["aspect"], "dims": "*"},
        {"text": "Fact", "x": _COL["what"], "dims": "*"},
        {"text": "$ raised", "x": _COL["bar"], "dims": "money"},
        {"text": "Sources", "x": _COL["src"], "dims": "*"},
    ])
    header = (alt.Chart(header_rows)
              .transform_filter("datum.dims == '*' || datum.dims == dimension")
              .transform_filter(f"!({none_ticked})")
              .mark_text(align="left", baseline="bottom", fontSize=11, fontWeight="bold",
                         dy=-4, aria=False)
              .encode(x=alt.X("x:Q", scale=None), y=alt.value(0), text="text:N"))
    empty = (alt.Chart(pd.DataFrame([{"msg": "Tick at least one organisation to see its "
                                      "facts."}]))
             .transform_filter(none_ticked)
             .mark_text(align="left", baseline="middle", fontSize=13, fontStyle="italic")
             .encode(x=alt.value(0), y=alt.value(10), text="msg:N"))
    layers = [
        rules, swatch, org_text,
        text("when", _COL["when"], limit=88),
        text("aspect", _COL["aspect"], limit=110),
        text("line", _COL["what"]),
        bar,
        text("src", _COL["src"], limit=46),
        header, empty,
    ]
    chart = (
        alt.layer(*layers)
        .add_params(dimension, *shows)
        .properties(width=_COMPARISON_WIDTH, height=alt.Step(15),
                    title=alt.Title("Compare the four organisations",
                                    subtitle="Choose a dimension and the organisations under "
                                             "the chart; hover over a line for its sources."))
        .configure_view(stroke=None)
    )
    alt_text = (
        "Comparison explorer: a table-like chart of sourced facts about OpenCV, scikit-learn, "
        "OpenAI and Hugging Face. A drop-down chooses the dimension ("
        + "; ".join(COMPARISON_DIMENSIONS.values())
        + ") and four check boxes choose the organisations. Each line gives the date, the kind "
        "of fact, the fact and its source ids. The full data is in the table below."
    )
    table = facts[["dimension", "org_name", "when", "aspect", "what", "source_ids"]].copy()
    table["dimension"] = table["dimension"].map(COMPARISON_DIMENSIONS)
    table.columns = ["Dimension", "Organisation", "When", "Kind", "Fact", "Sources"]
    narrow = _stacked_comparison(facts, info, [dimension, *shows], org_test, none_ticked,
                                 tooltip, max_usd)
    return render.Figure(chart, alt_text, table,
                         "Every fact in the comparison explorer, by dimension",
                         narrow=narrow, narrow_below=_STACKED_BELOW)


def _stacked_comparison(facts, info, params, org_test, none_ticked, tooltip, max_usd):
    """The comparison explorer for a narrow column: the same controls and facts, each fact
    stacked (organisation, date and kind; the fact; its sources) instead of in columns."""
    width = _STACKED_CHART_WIDTH
    lines = _stacked_lines(facts)
    bar_x, bar_w = width - 56, 52
    lines["bar_end"] = lines["amount_usd"].map(
        lambda a: None if a is None or pd.isna(a)
        else bar_x + max(1.0, bar_w * float(a) / max_usd))
    lines["bar_start"] = bar_x
    colour, shape = org_scales()
    base = (
        alt.Chart(lines)
        .transform_filter(f"datum.dimension == dimension && ({org_test})")
        .transform_lookup(lookup="fact_order",
                          from_=alt.LookupData(info, "fact_order",
                                               ["what", "sources", "full_when", "full_aspect",
                                                "aria"]))
        .transform_window(row="row_number()",
                          sort=[alt.SortField("fact_order"), alt.SortField("line_no")])
    )
    y = alt.Y("row:O", axis=None)
    rules = base.transform_filter("datum.first").mark_rule(
        color="#d0d0d0", strokeWidth=1, aria=False).encode(
        y=alt.Y("row:O", axis=None, bandPosition=0), x=alt.value(0), x2=alt.value(width))
    swatch = base.transform_filter("datum.first").mark_point(
        filled=True, size=60, opacity=1, aria=False).encode(
        x=alt.value(_COL["swatch"]), y=y,
        color=alt.Color("org_name:N", scale=colour, legend=None),
        shape=alt.Shape("org_name:N", scale=shape, legend=None), tooltip=tooltip)
    head = base.transform_filter("datum.first").mark_text(
        align="left", baseline="middle", fontSize=11, fontWeight="bold", limit=bar_x - 20,
        description="Facts for the chosen dimension and organisations").encode(
        x=alt.value(_COL["org"]), y=y, text="head:N", tooltip=tooltip,
        description=alt.Description("aria:N"))
    body = base.transform_filter("!datum.first").mark_text(
        align="left", baseline="middle", fontSize=11, aria=False).encode(
        x=alt.value(_COL["org"]), y=y, text="line:N", tooltip=tooltip)
    bar = base.transform_filter("isValid(datum.bar_end)").mark_rule(
        strokeWidth=9, aria=False).encode(
        x=alt.X("bar_start:Q", scale=None), x2=alt.X2("bar_end:Q"), y=y,
        color=alt.Color("org_name:N", scale=colour, legend=None), tooltip=tooltip)
    empty = (alt.Chart(pd.DataFrame([{"msg": "Tick at least one organisation."}]))
             .transform_filter(none_ticked)
             .mark_text(align="left", baseline="middle", fontSize=13, fontStyle="italic")
             .encode(x=alt.value(0), y=alt.value(10), text="msg:N"))
    return (
        alt.layer(rules, swatch, head, body, bar, empty)
        .add_params(*params)
        .properties(width=width, height=alt.Step(15),
                    title=alt.Title("Compare the four organisations",
                                    subtitle="Choose a dimension and the organisations under "
                                             "the chart; tap a line for its sources."))
        .configure_view(stroke=None)
    )


# -------------------------------------------------------- exercise 2: timeline explorer

def _timeline_frame(ds: Dataset) -> pd.DataFrame:
    ev = ds.events.copy()
    ev = ev[ev["org_id"].isin(ORG_IDS)].reset_index(drop=True)
    ev["org_name"] = ev["org_name"].astype(str)
    ev["date_iso"] = ev["date_start"].dt.strftime("%Y-%m-%d")
    ev["sources"] = ev["source_id"].map(lambda ids: _sources_text(ds, ids))
    ev["source_ids"] = ev["source_id"].map(_ids_text)
    ev["label"] = ev.apply(lambda e: f"{e['date']}, {e['org_name']}: {e['title']}", axis=1)
    for column, chars in (("details", 95), ("details_narrow", 38)):
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
    narrow = _timeline_chart(ev, data, _STACKED_CHART_WIDTH, "details_narrow", category, org,
                             picked, shown, names, details_height=17 * lines + 8)
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
                         narrow=narrow, narrow_below=_STACKED_BELOW)


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


# ------------------------------------------------------- exercise 3: trade-off weighing

def assessment_scores(ds: Dataset | None = None) -> pd.DataFrame:
    """``data/assessments.csv`` with integer scores and organisation names, in fixed order."""
    ds = ds or load_dataset()
    a = ds.assessments.copy()
    a["score"] = a["score"].astype(int)
    a["org_name"] = a["org_id"].map(_org_names(ds))
    a["org_index"] = a["org_id"].map({o: i for i, o in enumerate(ORG_IDS)})
    a["dim_index"] = a["dimension"].map({d: i for i, d in enumerate(ASSESSMENT_DIMENSIONS)})
    a["label"] = a["dimension"].map(ASSESSMENT_DIMENSIONS)
    a["sources"] = a["source_ids"].map(lambda ids: _sources_text(ds, ids))
    missing = {(o, d) for o in ORG_IDS for d in ASSESSMENT_DIMENSIONS} - set(
        zip(a["org_id"], a["dimension"]))
    if missing:
        raise ValueError(f"data/assessments.csv lacks scores for {sorted(missing)}")
    return a.sort_values(["org_index", "dim_index"]).reset_index(drop=True)


def _check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    unknown = set(weights) - set(ASSESSMENT_DIMENSIONS)
    if unknown:
        raise KeyError(f"unknown dimension(s) {sorted(unknown)}; "
                       f"known: {', '.join(ASSESSMENT_DIMENSIONS)}")
    out = {d: float(weights.get(d, 0)) for d in ASSESSMENT_DIMENSIONS}
    if any(w < 0 for w in out.values()):
        raise ValueError("weights must be 0 or more")
    return out


def _rank(weights: Mapping[str, float], scores: Mapping[str, Mapping[str, float]],
          names: Mapping[str, str]) -> list[dict]:
    """The one ranking rule, shared by weighted_ranking and the live widget.

    Weighted score = sum(weight x score) / sum(weights) (0 when every weight is 0); ties
    keep the course's organisation order.  The Vega-Lite transforms in
    :func:`tradeoff_weighing` compute the same thing.
    """
    total_w = sum(weights.values())
    rows = []
    for i, org in enumerate(ORG_IDS):
        num = sum(weights[d] * scores[org][d] for d in ASSESSMENT_DIMENSIONS)
        rows.append({"org_id": org, "name": names[org], "org_index": i,
                     "weighted_score": num / total_w if total_w > 0 else 0.0})
    rows.sort(key=lambda r: (-r["weighted_score"], r["org_index"]))
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
    return rows


def _score_dict(a: pd.DataFrame) -> dict[str, dict[str, int]]:
    return {o: {d: int(s) for d, s in zip(g["dimension"], g["score"])}
            for o, g in a.groupby("org_id")}


def weighted_ranking(weights: Mapping[str, float], ds: Dataset | None = None) -> pd.DataFrame:
    """Rank the four organisations by the weighted mean of the course's scores.

    ``weights`` maps dimension keys (:data:`ASSESSMENT_DIMENSIONS`) to weights of 0 or more;
    missing dimensions weigh 0.  Returns ``rank, org_id, name, weighted_score``, best first;
    the same numbers the trade-off chart computes in the browser.
    """
    w = _check_weights(weights)
    ds = ds or load_dataset()
    a = assessment_scores(ds)
    rows = _rank(w, _score_dict(a), _org_names(ds))
    return pd.DataFrame(rows)[["rank", "org_id", "name", "weighted_score"]]


def tradeoff_weighing(ds: Dataset | None = None, *, default_weight: int = 1) -> render.Figure:
    """Exercise 3: six sliders weight the course's assessments; the bars re-rank.

    Each slider is a Vega-Lite param bound to a range input (0 to 5).  Transforms map
    each score to its weight, sum weight x score and the weights per organisation, divide,
    and number the organisations best first: no kernel is involved.  Under the ranking, a
    grid shows the scores being weighted (hover a cell for the rationale and sources).
    """
    ds = ds or load_dataset()
    a = assessment_scores(ds)
    colour, _ = org_scales()
    params = [alt.param(name=f"w_{d}", value=default_weight,
                        bind=alt.binding_range(min=0, max=MAX_WEIGHT, step=1, name=f"{label} "))
              for d, label in ASSESSMENT_DIMENSIONS.items()]
    weight_expr = " : ".join(f"datum.dimension == '{d}' ? w_{d}"
                             for d in ASSESSMENT_DIMENSIONS) + " : 0"
    all_zero = " && ".join(f"w_{d} == 0" for d in ASSESSMENT_DIMENSIONS)
    data = a[["org_id", "org_name", "org_index", "dimension", "label", "score", "rationale",
              "source_ids", "sources"]]
    ranked = (
        alt.Chart(data)
        .transform_calculate(weight=weight_expr)
        .transform_calculate(weighted_part="datum.weight * datum.score")
        .transform_aggregate(num="sum(weighted_part)", den="sum(weight)",
                             groupby=["org_id", "org_name", "org_index"])
        .transform_calculate(weighted="datum.den > 0 ? datum.num / datum.den : 0")
        .transform_window(rank="row_number()",
                          sort=[alt.SortField("weighted", order="descending"),
                                alt.SortField("org_index", order="ascending")])
        .transform_calculate(
            place="datum.rank + '. ' + datum.org_name",
            score_text="format(datum.weighted, '.2f')",
            aria="'Rank ' + datum.rank + ': ' + datum.org_name + ', weighted score ' + "
                 "format(datum.weighted, '.2f') + ' out of 5'")
    )
    y = alt.Y("place:N", title=None, sort=alt.EncodingSortField("rank", op="min"),
              axis=alt.Axis(labelFontSize=12, labelFontWeight="bold", labelLimit=160))
    bars = ranked.mark_bar(height=22).encode(
        x=alt.X("weighted:Q", title="Weighted score (1 = weak, 5 = strong)",
                scale=alt.Scale(domain=[0, 5]), axis=alt.Axis(tickCount=5)),
        y=y, color=alt.Color("org_name:N", scale=colour, legend=None),
        tooltip=[alt.Tooltip("rank:Q", title="Rank"),
                 alt.Tooltip("org_name:N", title="Organisation"),
                 alt.Tooltip("score_text:N", title="Weighted score")],
        description=alt.Description("aria:N"))
    labels = ranked.mark_text(align="left", dx=4, fontSize=12, aria=False).encode(
        x="weighted:Q", y=y, text="score_text:N")
    zero = (alt.Chart(pd.DataFrame([{"msg": "Every weight is 0: move a slider up."}]))
            .transform_filter(all_zero)
            .mark_text(align="left", fontSize=13, fontStyle="italic")
            .encode(x=alt.value(10), y=alt.value(-8), text="msg:N"))
    ranking = alt.layer(bars, labels, zero).properties(
        width=430, height=150,
        title=alt.Title("Weighted score of each organisation, best first",
                        subtitle="Move the sliders under the charts; a weight of 0 ignores "
                                 "a dimension."))
    grid_base = alt.Chart(data).transform_calculate(weight=weight_expr)
    grid_x = alt.X("label:N", title=None, sort=list(ASSESSMENT_DIMENSIONS.values()),
                   axis=alt.Axis(labelAngle=0, labelLimit=90, labelFontSize=10,
                                 labelExpr="split(datum.label, ' ')"))
    grid_y = alt.Y("org_name:N", title=None, sort=list(ORG_COLOURS))
    grid_tooltip = [alt.Tooltip("org_name:N", title="Organisation"),
                    alt.Tooltip("label:N", title="Dimension"),
                    alt.Tooltip("score:Q", title="Score (1-5)"),
                    alt.Tooltip("weight:Q", title="Your weight"),
                    alt.Tooltip("rationale:N", title="Why"),
                    alt.Tooltip("sources:N", title="Sources")]
    cells = grid_base.mark_rect(stroke="white").encode(
        x=grid_x, y=grid_y,
        color=alt.Color("score:Q", scale=alt.Scale(domain=[1, 5], scheme="blues"),
                        title="Score", legend=alt.Legend(orient="right", tickCount=5)),
        opacity=alt.condition("datum.weight == 0", alt.value(0.25), alt.value(1)),
        tooltip=grid_tooltip,
        description=alt.Description("cell_aria:N"),
    ).transform_calculate(
        cell_aria="datum.org_name + ', ' + datum.label + ': ' + datum.score + ' of 5, weight '"
                  " + datum.weight")
    cell_text = grid_base.mark_text(fontSize=12, aria=False).encode(
        x=grid_x, y=grid_y, text="score:Q",
        color=alt.condition("datum.score >= 4", alt.value("white"), alt.value("#111111")),
        tooltip=grid_tooltip)
    grid = alt.layer(cells, cell_text).properties(
        width=430, height=130,
        title=alt.Title("The course's scores being weighted",
                        subtitle="Faded columns have weight 0. Hover a cell for the reason "
                                 "and its sources.", fontSize=12))
    chart = (alt.vconcat(ranking, grid, spacing=24)
             .add_params(*params)
             .configure_view(stroke=None))
    equal = weighted_ranking({d: default_weight for d in ASSESSMENT_DIMENSIONS}, ds)
    alt_text = (
        "Trade-off weighing: a bar chart ranks OpenCV, scikit-learn, OpenAI and Hugging Face "
        "by the weighted mean of the course's scores on six dimensions ("
        + ", ".join(ASSESSMENT_DIMENSIONS.values()).lower()
        + "). Six sliders, from 0 to 5, set the weights; the bars re-sort as they move. "
        "With equal weights the order is "
        + ", ".join(f"{r.name} {r.weighted_score:.2f}" for r in equal.itertuples())
        + ". A grid below shows every score; the scores and reasons are in the table below."
    )
    table = a[["org_name", "label", "score", "rationale", "source_ids"]].rename(
        columns={"org_name": "Organisation", "label": "Dimension", "score": "Score (1-5)",
                 "rationale": "Why", "source_ids": "Sources"})
    return render.Figure(chart, alt_text, table,
                         "The course's assessment of each organisation, with its reasons")


def tradeoff_prompts() -> list[str]:
    """Questions for the learner about what the ranking reveals."""
    return [
        "Set every weight to 1. Which organisation comes first, and which single dimension "
        "would you have to raise to 5 to put an investor-led organisation on top?",
        "Give Speed and Funding stability a weight of 5 and everything else 0, then do the "
        "same with Openness and Community trust. What does the swap tell you about what "
        "each sustainability model is good at?",
        "Find a setting of the weights that ranks OpenAI first, and another that ranks it "
        "last. Which of the two settings is closer to what you, as a user of open-source "
        "AI, actually care about?",
        "The scores are the course's judgement, not facts. Hover over a cell you disagree "
        "with, read the reason and its sources, and say what evidence would change it.",
        "Independence from investors and Resistance to mission drift move together here. "
        "Is that a law of sustainability, or a feature of these four cases?",
    ]


def prompts_markdown(prompts: list[str]):
    """A numbered Markdown list of prompts, for a chapter cell."""
    from .course import markdown_list
    return markdown_list(prompts, numbered=True)


# ------------------------------------------------------------ live-notebook extra

LIVE_NOTE = (
    "**Live exercise: run it in JupyterLab.** This version of the trade-off exercise uses "
    "Python callbacks, so it only works with a running kernel; a built page cannot run it. "
    "Open this chapter as a notebook (`make lab`, then open the chapter's `.md` file, which "
    "JupyterLab opens as a notebook through jupytext) and run:\n\n"
    "```python\nfrom osai.explore import live_tradeoff\nlive_tradeoff()\n```\n\n"
    "There you can move the weights, enter your own scores for each organisation and save "
    "them to a JSON file in your own folder (`my-tradeoff.json` by default)."
)


def live_tradeoff(path: str | Path = "my-tradeoff.json", ds: Dataset | None = None):
    """The live trade-off exercise (ipywidgets with Python callbacks).

    In the book build (``render.context() == "book"``) nothing interactive is returned:
    a Markdown note says how to run it in JupyterLab, because a Python callback never runs
    on a static page.  In a live kernel it returns a :class:`LiveTradeoff` widget.
    """
    if render.context() == render.BOOK:
        from IPython.display import Markdown
        return Markdown(LIVE_NOTE)
    return _live_class()(path=path, ds=ds)


def _ranking_html(rows: list[dict], using_own: bool, all_zero: bool) -> str:
    whose = "your own scores" if using_own else "the course's scores"
    if all_zero:
        return (f"<p><em>Every weight is 0: move a slider up to rank the organisations "
                f"({whose}).</em></p>")
    items = []
    for r in rows:
        pct = max(0.0, min(100.0, r["weighted_score"] / 5 * 100))
        colour = ORG_COLOURS.get(r["name"], "#555555")
        items.append(
            f'<li data-org="{r["org_id"]}"><span style="display:inline-block;width:11em">'
            f'{html.escape(r["name"])}</span>'
            f'<span style="display:inline-block;width:{pct * 2:.0f}px;height:0.8em;'
            f'background:{colour};margin-right:0.4em" aria-hidden="true"></span>'
            f'{r["weighted_score"]:.2f}</li>')
    return (f"<p>Ranking with {whose} (weighted mean, 1 to 5):</p>"
            f"<ol class='osai-live-ranking'>{''.join(items)}</ol>")


def _make_live_class():
    import ipywidgets as w

    class LiveTradeoff(w.VBox):
        """Sliders for the weights, inputs for your own scores, a ranking, save and load.

        Attributes for code and tests: ``weights`` (dimension -> IntSlider), ``scores``
        ((org, dimension) -> BoundedIntText), ``use_own`` (Checkbox), ``output`` (HTML),
        ``ranking`` (the latest ranking as dicts), ``path`` (Text).
        """

        def __init__(self, path: str | Path = "my-tradeoff.json", ds: Dataset | None = None):
            ds = ds or load_dataset()
            a = assessment_scores(ds)
            self._names = _org_names(ds)
            self.course_scores = _score_dict(a)
            style = {"description_width": "15em"}
            layout = w.Layout(width="32em")
            self.weights = {
                d: w.IntSlider(value=1, min=0, max=MAX_WEIGHT, step=1, description=label,
                               style=style, layout=layout, continuous_update=True)
                for d, label in ASSESSMENT_DIMENSIONS.items()}
            self.use_own = w.Checkbox(value=False, description="Rank with my own scores",
                                      indent=False)
            self.scores = {
                (o, d): w.BoundedIntText(value=self.course_scores[o][d], min=1, max=5,
                                         layout=w.Layout(width="4.5em"),
                                         description_allow_html=False)
                for o in ORG_IDS for d in ASSESSMENT_DIMENSIONS}
            header = [w.Label("")] + [w.Label(lbl) for lbl in ASSESSMENT_DIMENSIONS.values()]
            cells = list(header)
            for o in ORG_IDS:
                cells.append(w.Label(self._names[o]))
                cells += [self.scores[(o, d)] for d in ASSESSMENT_DIMENSIONS]
            grid = w.GridBox(cells, layout=w.Layout(
                grid_template_columns="9em " + " ".join(["minmax(5em, 1fr)"] * 6),
                grid_gap="2px 6px"))
            self.output = w.HTML()
            self.path = w.Text(value=str(path), description="Save to file:",
                               style={"description_width": "initial"},
                               layout=w.Layout(width="30em"))
            self.save_button = w.Button(description="Save", icon="save",
                                        tooltip="Save your weights and scores as JSON")
            self.load_button = w.Button(description="Load", icon="folder-open",
                                        tooltip="Load weights and scores from the file")
            self.reset_button = w.Button(description="Course scores",
                                         tooltip="Put the course's scores back in the inputs")
            self.status = w.HTML()
            self.save_button.on_click(lambda _b: self._guarded(self.save))
            self.load_button.on_click(lambda _b: self._guarded(self.load))
            self.reset_button.on_click(lambda _b: self.reset_scores())
            self.ranking: list[dict] = []
            own = w.Accordion(children=[w.VBox([
                w.HTML("<p>Enter your own score (1 = weak, 5 = strong) for any cell you "
                       "disagree with; tick the box above to rank with them.</p>"),
                grid, self.reset_button])], titles=("Your own scores",))
            super().__init__([
                w.HTML("<strong>Weights</strong> (0 ignores a dimension)"),
                *self.weights.values(), self.use_own, own, self.output,
                w.HBox([self.path, self.save_button, self.load_button]), self.status])
            for control in [*self.weights.values(), self.use_own, *self.scores.values()]:
                control.observe(self._changed, names="value")
            self.recompute()

        # state
        def current_weights(self) -> dict[str, int]:
            return {d: int(s.value) for d, s in self.weights.items()}

        def own_scores(self) -> dict[str, dict[str, int]]:
            return {o: {d: int(self.scores[(o, d)].value) for d in ASSESSMENT_DIMENSIONS}
                    for o in ORG_IDS}

        def recompute(self) -> list[dict]:
            weights = {d: float(v) for d, v in self.current_weights().items()}
            scores = self.own_scores() if self.use_own.value else self.course_scores
            self.ranking = _rank(weights, scores, self._names)
            self.output.value = _ranking_html(self.ranking, bool(self.use_own.value),
                                              sum(weights.values()) == 0)
            return self.ranking

        def _changed(self, _change=None) -> None:
            self.recompute()

        def _guarded(self, action) -> None:
            try:
                action()
            except (OSError, ValueError, KeyError) as exc:
                self.status.value = f"<span style='color:#a40000'>{html.escape(str(exc))}</span>"

        def reset_scores(self) -> None:
            for (o, d), box in self.scores.items():
                box.value = self.course_scores[o][d]

        def save(self, path: str | Path | None = None) -> Path:
            target = Path(path or self.path.value).expanduser()
            state = {
                "saved": dt.datetime.now().isoformat(timespec="seconds"),
                "weights": self.current_weights(),
                "use_own_scores": bool(self.use_own.value),
                "scores": self.own_scores(),
                "ranking": [{k: r[k] for k in ("rank", "org_id", "weighted_score")}
                            for r in self.ranking],
            }
            target.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
            self.status.value = f"Saved to <code>{html.escape(str(target.resolve()))}</code>"
            return target

        def load(self, path: str | Path | None = None) -> dict:
            target = Path(path or self.path.value).expanduser()
            state = json.loads(target.read_text(encoding="utf-8"))
            for d, v in state.get("weights", {}).items():
                if d in self.weights:
                    self.weights[d].value = int(v)
            for o, row in state.get("scores", {}).items():
                for d, v in row.items():
                    if (o, d) in self.scores:
                        self.scores[(o, d)].value = int(v)
            self.use_own.value = bool(state.get("use_own_scores", False))
            self.recompute()
            self.status.value = f"Loaded <code>{html.escape(str(target.resolve()))}</code>"
            return state

    return LiveTradeoff


def _live_class():
    cls = globals().get("_LIVE_CLASS")
    if cls is None:
        cls = globals()["_LIVE_CLASS"] = _make_live_class()
    return cls


def __getattr__(name: str):
    # LiveTradeoff subclasses an ipywidgets class: it is built on first use only, so
    # importing osai.explore in the book build does not import ipywidgets.
    if name == "LiveTradeoff":
        return _live_class()
    raise AttributeError(name)
