"""Exercise 1, chapter 3: the comparison explorer (check boxes and a drop-down bound to
Vega-Lite params; a table-like chart of sourced facts, stacked on narrow screens)."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from osai import render
from osai.charts import org_scales
from osai.data import Dataset, load_dataset
from osai.explore.common import (
    ORG_IDS,
    STACKED_BELOW,
    STACKED_CHART_WIDTH,
    ids_text,
    org_names,
    sources_text,
)
from osai.formats import UNDATED, fmt_money

#: the comparison explorer's dimensions: key -> label shown in the drop-down
COMPARISON_DIMENSIONS = {
    "founding": "Founding and first release",
    "money": "Money raised over time",
    "licence": "Licence of the main code and models",
    "governance": "Who governs",
    "revenue": "Revenue streams",
    "openness": "What is open: code, weights, data",
}

#: characters per line of the "what" column before it wraps onto a new row
_WHAT_WIDTH = 44
#: characters per line of the narrow (phone) layout of the comparison explorer: 11 px
#: text in a wide font (DejaVu Sans) within a 320 px phone's column
_STACKED_WIDTH = 33


# ------------------------------------------------------ exercise 1: comparison explorer

def comparison_facts(ds: Dataset | None = None) -> pd.DataFrame:
    """Every dimension's facts in one long table (one row per fact), built from ``data/``.

    Columns: ``dimension``, ``org_id``, ``org_name``, ``when`` (date as text), ``aspect``
    (a short label), ``what`` (the fact), ``amount_usd`` (money raised, for the bar; empty
    for pledges and other currencies), ``source_ids``, ``sources`` (ids with publishers),
    ``sort_date`` and ``fact_id``.
    """
    ds = ds or load_dataset()
    names = org_names(ds)
    rows: list[dict] = []

    def add(dimension, org_id, when, aspect, what, ids, fact_id, sort_date, amount=None):
        rows.append({
            "dimension": dimension, "org_id": org_id, "org_name": names[org_id],
            "when": when or UNDATED, "aspect": aspect, "what": what,
            "amount_usd": amount, "source_ids": ids_text(ids) or "none",
            "sources": sources_text(ds, ids) or "none: a gap in the course data",
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
            what = f"{fmt_money(float(f['amount']), str(f['currency']))}. {what}"
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
    """Lines of the narrow (phone) layout: organisation and date on the first line, then
    the kind of fact, the fact wrapped under it, then its sources."""
    lines = []
    for _, f in facts.iterrows():
        head = f"{f['org_name']} · {f['when']}"
        body = textwrap.wrap(f"{f['aspect']}: {f['what']}", _STACKED_WIDTH) or [""]
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
        src_lines = list(ids)  # one id per line: two overflow the column in a wide font
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


def _lines_for_choice(lines: pd.DataFrame, info: pd.DataFrame, org_test: str) -> alt.Chart:
    """The chart's lines for the chosen dimension and ticked organisations, numbered in
    order (``row``), with each fact's full text looked up: shared by both layouts."""
    return (
        alt.Chart(lines)
        .transform_filter(f"datum.dimension == dimension && ({org_test})")
        .transform_lookup(lookup="fact_order",
                          from_=alt.LookupData(info, "fact_order",
                                               ["what", "sources", "full_when", "full_aspect",
                                                "aria"]))
        .transform_window(row="row_number()",
                          sort=[alt.SortField("fact_order"), alt.SortField("line_no")])
    )


def _fact_separators(base: alt.Chart, y: alt.Y, tooltip: list,
                     width: int) -> tuple[alt.Chart, alt.Chart]:
    """A grey rule above each fact's first line and the organisation's colour-and-shape
    swatch beside it: the same in both layouts."""
    colour, shape = org_scales()
    first = base.transform_filter("datum.first")
    rules = first.mark_rule(color="#d0d0d0", strokeWidth=1, aria=False).encode(
        y=alt.Y("row:O", axis=None, bandPosition=0), x=alt.value(0), x2=alt.value(width))
    swatch = first.mark_point(filled=True, size=60, opacity=1, aria=False).encode(
        x=alt.value(_COL["swatch"]), y=y,
        color=alt.Color("org_name:N", scale=colour, legend=None),
        shape=alt.Shape("org_name:N", scale=shape, legend=None), tooltip=tooltip)
    return rules, swatch


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
    names = org_names(ds)
    colour = org_scales()[0]

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

    base = _lines_for_choice(lines, info, org_test)
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

    rules, swatch = _fact_separators(base, y, tooltip, _COMPARISON_WIDTH)
    # one item per fact, read by screen readers as the whole fact with its sources
    org_text = base.transform_filter("datum.first").mark_text(
        align="left", baseline="middle", fontSize=10, fontWeight="bold", limit=82,
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
                                             "the chart; hover over or tap a line for its sources."))
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
                         narrow=narrow, narrow_below=STACKED_BELOW)


def _stacked_comparison(facts, info, params, org_test, none_ticked, tooltip, max_usd):
    """The comparison explorer for a narrow column: the same controls and facts, each fact
    stacked (organisation, date and kind; the fact; its sources) instead of in columns."""
    width = STACKED_CHART_WIDTH
    lines = _stacked_lines(facts)
    bar_x, bar_w = width - 56, 52
    lines["bar_end"] = lines["amount_usd"].map(
        lambda a: None if a is None or pd.isna(a)
        else bar_x + max(1.0, bar_w * float(a) / max_usd))
    lines["bar_start"] = bar_x
    colour = org_scales()[0]
    base = _lines_for_choice(lines, info, org_test)
    y = alt.Y("row:O", axis=None)
    rules, swatch = _fact_separators(base, y, tooltip, width)
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


