"""Chapter 5, investor-led sustainability: OpenAI's and Hugging Face's money, structures and
releases.  Charts return :class:`osai.render.Figure`; filters are bound Vega-Lite params.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from osai.charts import ORG_COLOURS, wrap_label
from osai.data import Dataset, load_dataset
from osai.render import Figure
from osai.formats import UNDATED, fmt_date, fmt_when
from osai.analysis.community import funding_frame, scales_for
from osai.analysis.openness import HUB_COUNTS, hub_chart, hub_counts

INVESTOR = ("openai", "hf")
#: the date the fact base was checked; open-ended structures are drawn up to it
CHECKED = pd.Timestamp("2026-11-22")
ACCESS_ORDER = ["API only", "staged release of weights", "open weights with use restrictions",
                "open weights", "open weights and code", "open-source code"]


def money_in(ds: Dataset | None = None, org_ids=INVESTOR) -> pd.DataFrame:
    """Funding rows with a stated US-dollar amount, with labels for charts and prose."""
    ds = ds or load_dataset()
    fs = funding_frame(ds, org_ids)
    fs = fs[fs["amount"].notna() & (fs["currency"] == "USD")].copy()
    precision = [p if pd.notna(p) else q
                 for p, q in zip(fs["start_precision"], fs["as_of_precision"])]
    fs["date_label"] = [fmt_date(t, p) for t, p in zip(fs["plot_date"], precision)]
    # the date with its preposition for prose: "on 24 August 2023", "in December 2019"
    fs["date_when"] = [fmt_when(t, p) for t, p in zip(fs["plot_date"], precision)]
    names = {"hf-fund-series-a": "Series A", "hf-fund-series-b": "Series B",
             "hf-fund-series-c": "Series C", "hf-fund-series-d": "Series D",
             "openai-fund-pledge": "pledge (not paid)",
             "openai-fund-donations": "donations received, 2015 to 2021",
             "openai-fund-msft-2019": "Microsoft"}
    fs["label"] = fs["funding_id"].map(names).fillna(fs["funder"])
    # a total received over several years is placed at the end of the period it covers
    total = fs["funder_type"] == "donations"
    fs.loc[total, "date_label"] = [f"{a.year} to {b.year}" for a, b in
                                   zip(fs.loc[total, "start_start"], fs.loc[total, "as_of_start"])]
    fs.loc[total, "date_when"] = "from " + fs.loc[total, "date_label"]
    fs.loc[total, "plot_date"] = fs.loc[total, "as_of_start"]
    fs["date_iso"] = fs["plot_date"].dt.strftime("%Y-%m-%d")
    fs["amount_label"] = fs["amount"].map(_money)
    fs["valuation_label"] = fs["valuation_usd"].map(lambda v: "" if pd.isna(v) else _money(v))
    return fs.reset_index(drop=True)


def _money(value: float) -> str:
    from osai.formats import fmt_money
    return fmt_money(value)


def hf_rounds(ds: Dataset | None = None) -> pd.DataFrame:
    """Hugging Face's venture rounds indexed by funding_id."""
    fs = money_in(ds, ("hf",))
    return fs[fs["funder_type"] == "venture round"].set_index("funding_id")


def valuation_multiple(ds: Dataset | None = None) -> float:
    """How many times Hugging Face's valuation grew from Series C to Series D."""
    r = hf_rounds(ds)
    return float(r.loc["hf-fund-series-d", "valuation_usd"] / r.loc["hf-fund-series-c",
                                                                       "valuation_usd"])


def stake_share(amount: float, valuation: float) -> float:
    """Share of a company (0-1) that new money buys at a post-money valuation."""
    if valuation <= 0:
        raise ValueError("valuation must be positive")
    return amount / valuation


def funding_chart(ds: Dataset | None = None, *, width: int = 500) -> Figure:
    """Money into OpenAI and Hugging Face over time (log scale), with a radio button that
    shows one organisation, and a rule from each round's amount up to its valuation."""
    ds = ds or load_dataset()
    fs = money_in(ds)
    colour, shape = scales_for(fs["org_name"])
    orgs = [n for n in ORG_COLOURS if n in set(fs["org_name"])]
    pick = alt.param(name="org_filter", value=None,
                     bind=alt.binding_radio(options=[None, *orgs], labels=["both", *orgs],
                                            name="Organisation: "))
    data = fs[["date_iso", "date_label", "org_name", "label", "funder", "funder_type",
               "amount", "amount_label", "valuation_usd", "valuation_label", "description",
               "source_ids"]]
    base = alt.Chart(data)
    x = alt.X("date_iso:T", title="Date", axis=alt.Axis(format="%Y"),
              scale=alt.Scale(domain=["2015-01-01", "2025-06-30"]))
    y_scale = alt.Scale(type="log", domain=[1e7, 1e10])
    tips = [alt.Tooltip("date_label:N", title="Date"),
            alt.Tooltip("org_name:N", title="Organisation"),
            alt.Tooltip("label:N", title="Money"),
            alt.Tooltip("funder_type:N", title="Type"),
            alt.Tooltip("funder:N", title="From"),
            alt.Tooltip("amount_label:N", title="Amount"),
            alt.Tooltip("valuation_label:N", title="Valuation"),
            alt.Tooltip("source_ids:N", title="Sources")]
    rules = base.mark_rule(strokeDash=[4, 3], color="#555555").encode(
        x=x, y=alt.Y("amount:Q", scale=y_scale), y2="valuation_usd:Q"
    ).transform_filter("isValid(datum.valuation_usd)")
    vals = base.mark_point(size=110, filled=False, color="#555555", shape="square").encode(
        x=x, y=alt.Y("valuation_usd:Q", scale=y_scale), tooltip=tips
    ).transform_filter("isValid(datum.valuation_usd)")
    val_text = base.mark_text(align="left", dx=9, fontSize=10).encode(
        x=x, y=alt.Y("valuation_usd:Q", scale=y_scale),
        text=alt.Text("valuation_label:N")
    ).transform_filter("isValid(datum.valuation_usd)").transform_calculate(
        valuation_label="'valued at ' + datum.valuation_label")
    points = base.mark_point(size=140, filled=True, opacity=0.9).encode(
        x=x,
        y=alt.Y("amount:Q", scale=y_scale, title="US dollars (log scale)",
                axis=alt.Axis(values=[1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10], labelExpr=(
                    "datum.value >= 1e9 ? '$' + datum.value / 1e9 + 'B' : "
                    "'$' + datum.value / 1e6 + 'M'"))),
        color=alt.Color("org_name:N", scale=colour, title="Organisation"),
        shape=alt.Shape("org_name:N", scale=shape, title="Organisation"),
        tooltip=tips)
    text = base.mark_text(align="left", dx=9, dy=-2, fontSize=10).encode(
        x=x, y=alt.Y("amount:Q", scale=y_scale), text="text:N"
    ).transform_calculate(text="datum.label + ' ' + datum.amount_label")
    def assemble(*layers):
        return (alt.layer(*layers)
                .add_params(pick)
                .transform_filter("org_filter == null || datum.org_name == org_filter")
                .properties(width=width, height=320,
                            title="Money into OpenAI and Hugging Face, 2015 to 2023")
                .configure_legend(orient="bottom", direction="horizontal"))

    chart = assemble(rules, vals, val_text, points, text)
    # on a phone the labels beside the points do not fit: they move to the tooltips and
    # the table under the chart
    narrow = assemble(rules, vals, points)
    alt_text = ("Chart of money into OpenAI and Hugging Face on a logarithmic dollar scale: "
                + "; ".join(f"{r.org_name}, {r.date_label}, {r.label}: {r.amount_label}"
                            + (f", valued at {r.valuation_label}" if r.valuation_label else "")
                            for r in fs.itertuples())
                + ". Microsoft's 2023 investment is left out because its amount was not "
                "disclosed. Radio buttons show one organisation at a time.")
    table = fs[["date_label", "org_name", "label", "funder_type", "amount_label",
                "valuation_label", "source_ids"]].rename(columns={
                    "date_label": "Date", "org_name": "Organisation", "label": "Money",
                    "funder_type": "Type", "amount_label": "Amount",
                    "valuation_label": "Valuation", "source_ids": "Sources"})
    return Figure(chart, alt_text, table, "Money into OpenAI and Hugging Face, oldest first",
                  narrow=narrow, narrow_below=560)


def hub_growth_chart(ds: Dataset | None = None, *, width: int = 500) -> Figure:
    """Hub size over time on a log scale; a radio button picks models, datasets or Spaces.
    Drawn by :func:`osai.analysis.openness.hub_chart`, as in chapter 2: shape and colour
    both mark the kind of source, so the conflicting 2022 figures show."""
    ds = ds or load_dataset()
    m = hub_counts(ds)
    whats = tuple(w for w in HUB_COUNTS if w in set(m["what"]))
    chart = hub_chart(m, what=whats, width=width,
                      title="Models, datasets and Spaces on the Hugging Face Hub")
    alt_text = ("Log-scale chart of Hugging Face Hub counts over time, each a lower bound: "
                + "; ".join(f"{w}: " + ", ".join(f"{r.value_label} ({r.as_of_label}"
                                                  + (", interview" if r.source_id != "S36"
                                                     else "") + ")"
                                                  for r in m[m.what == w].itertuples())
                            for w in whats)
                + ". Radio buttons choose models, datasets or Spaces.")
    table = m[["as_of_label", "what", "value_label", "source_kind", "source_id"]].rename(
        columns={"as_of_label": "As of", "what": "Count of", "value_label": "Value",
                 "source_kind": "Source", "source_id": "Source id"})
    return Figure(chart, alt_text, table, "Hub counts by date and source")


def structures_frame(ds: Dataset | None = None, org_ids=INVESTOR) -> pd.DataFrame:
    ds = ds or load_dataset()
    s = ds.structures[ds.structures["org_id"].isin(org_ids)].copy()
    s["org_name"] = s["org_id"].map(ds.organisations["name"]).astype(str)
    s["end_draw"] = s["end_start"].fillna(CHECKED)
    s["start_label"] = [fmt_date(t, p) for t, p in zip(s["start_start"], s["start_precision"])]
    s["end_label"] = [fmt_date(t, p) if pd.notna(t) else "still in place (checked November 2026)"
                      for t, p in zip(s["end_start"], s["end_precision"])]
    s["start_iso"] = s["start_start"].dt.strftime("%Y-%m-%d")
    s["end_iso"] = s["end_draw"].dt.strftime("%Y-%m-%d")
    return s.sort_values(["org_id", "start_start"]).reset_index(drop=True)


def structure_timeline(ds: Dataset | None = None, org_ids=INVESTOR, *,
                       width: int = 360) -> Figure:
    """Gantt-style bars: each legal entity from its start to its end (or to the check date),
    labelled with its form; a drop-down shows one organisation at a time."""
    ds = ds or load_dataset()
    s = structures_frame(ds, org_ids)
    colour, shape = scales_for(s["org_name"])
    orgs = [n for n in ORG_COLOURS if n in set(s["org_name"])]
    pick = alt.param(name="structure_org", value=None,
                     bind=alt.binding_select(options=[None, *orgs], labels=["all", *orgs],
                                             name="Organisation: "))
    # each entity is named with its form on the axis, in lines, so no text runs past the
    # plot however late the entity starts and whatever the font
    s["entity_form"] = s["entity"] + ": " + s["form"]
    order = list(s["entity_form"])
    base = alt.Chart(s[["entity", "entity_form", "form", "org_name", "start_iso", "end_iso",
                        "start_label", "end_label", "controlled_by", "source_ids"]])
    tips = [alt.Tooltip("entity:N", title="Entity"), alt.Tooltip("form:N", title="Form"),
            alt.Tooltip("start_label:N", title="From"), alt.Tooltip("end_label:N", title="To"),
            alt.Tooltip("controlled_by:N", title="Who decides"),
            alt.Tooltip("source_ids:N", title="Sources")]
    bars = base.mark_bar(height=14, opacity=0.85).encode(
        x=alt.X("start_iso:T", title="Date", axis=alt.Axis(format="%Y")), x2="end_iso:T",
        y=alt.Y("entity_form:N", title=None, sort=order,
                axis=alt.Axis(labelLimit=140, labelExpr=wrap_label(20))),
        color=alt.Color("org_name:N", scale=colour, title="Organisation"), tooltip=tips)
    starts = base.mark_point(size=90, filled=True, color="black").encode(
        x="start_iso:T", y=alt.Y("entity_form:N", sort=order),
        shape=alt.Shape("org_name:N", scale=shape, title="Organisation"), tooltip=tips)

    chart = (alt.layer(bars, starts)
             .add_params(pick)
             .transform_filter("structure_org == null || datum.org_name == structure_org")
             .properties(width=width, height=60 * len(order),
                         title="Legal structures over time")
             .configure_legend(orient="bottom", direction="horizontal"))
    alt_text = ("Timeline bars of legal structures: "
                + "; ".join(f"{r.entity} ({r.form}), from {r.start_label} to {r.end_label}, "
                            f"decided by {r.controlled_by}" for r in s.itertuples())
                + ". A drop-down shows one organisation at a time.")
    table = s[["org_name", "entity", "form", "start_label", "end_label", "controlled_by",
               "source_ids"]].rename(columns={
                   "org_name": "Organisation", "entity": "Entity", "form": "Form",
                   "start_label": "From", "end_label": "To", "controlled_by": "Who decides",
                   "source_ids": "Sources"})
    return Figure(chart, alt_text, table, "Legal structures, by organisation and start date")


def releases_table(ds: Dataset | None = None, org_ids=INVESTOR) -> pd.DataFrame:
    """What each organisation released, from most closed to most open access."""
    ds = ds or load_dataset()
    r = ds.releases[ds.releases["org_id"].isin(org_ids)].copy()
    r["org_name"] = r["org_id"].map(ds.organisations["name"]).astype(str)
    # a release the organisation only coordinated (BLOOM, by BigScience) says so
    r.loc[r["org_role"] == "coordinator", "org_name"] += " (coordinator)"
    r["when"] = [fmt_date(t, p) if pd.notna(t) else UNDATED
                 for t, p in zip(r["date_start"], r["date_precision"])]
    r["rank"] = r["access"].map(ACCESS_ORDER.index)
    r = r.sort_values(["rank", "date_start"])
    return r[["artefact", "org_name", "when", "access", "licence", "what_is_open",
              "what_is_not", "source_ids"]].rename(columns={
                  "artefact": "Release", "org_name": "Organisation", "when": "Date",
                  "access": "Access", "licence": "Licence or terms",
                  "what_is_open": "What is open", "what_is_not": "What is not",
                  "source_ids": "Sources"}).reset_index(drop=True)
