"""Chapter 4, community-led sustainability: who pays for OpenCV and scikit-learn, and how
that changed.  Functions return data frames for glue and tables, or
:class:`osai.render.Figure` charts whose filters are Vega-Lite params (no kernel needed).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from osai.charts import ORG_COLOURS, org_scales
from osai.formats import UNDATED, fmt_date, fmt_when
from osai.data import Dataset, load_dataset
from osai.render import Figure

COMMUNITY = ("opencv", "sklearn")
#: funder types in the order the chapters discuss them, from public money to private equity
FUNDER_TYPES = ["grant programme", "research institute", "public programme", "corporate sponsor",
                "foundation", "consortium", "spin-off", "donations", "pledge",
                "strategic investment", "venture round"]


def scales_for(names) -> tuple[alt.Scale, alt.Scale]:
    """The course's organisation colour and shape scales, limited to ``names`` so the legend
    lists only the organisations shown."""
    names = [n for n in ORG_COLOURS if n in set(names)]
    colour, shape = org_scales()
    full_c, full_s = colour.to_dict(), shape.to_dict()
    idx = [full_c["domain"].index(n) for n in names]
    return (alt.Scale(domain=names, range=[full_c["range"][i] for i in idx]),
            alt.Scale(domain=names, range=[full_s["range"][i] for i in idx]))


def funding_frame(ds: Dataset | None = None, org_ids=COMMUNITY) -> pd.DataFrame:
    """Funding rows of the given organisations, with a plotting date and how it is known.

    ``plot_date`` is the start when a source dates it, else the date a source shows the
    funder (``basis`` says which), so undated sponsors are never given an invented start.
    """
    ds = ds or load_dataset()
    fs = ds.funding_sources
    fs = fs[fs["org_id"].isin(org_ids)].copy()
    fs["org_name"] = fs["org_id"].map(ds.organisations["name"]).astype(str)
    fs["plot_date"] = fs["start_start"].fillna(fs["as_of_start"])

    def basis(row) -> str:
        if pd.notna(row["start_start"]):
            return "began " + fmt_when(row["start_start"], row["start_precision"])
        if pd.notna(row["end_start"]):
            return "ended " + fmt_when(row["end_start"], row["end_precision"]) + \
                f" (start {UNDATED})"
        return "listed as a sponsor " + fmt_when(row["as_of_start"], row["as_of_precision"]) \
            + f" (start {UNDATED})"

    fs["basis"] = fs.apply(basis, axis=1)
    fs["date_iso"] = fs["plot_date"].dt.strftime("%Y-%m-%d")
    return fs.sort_values(["plot_date", "funding_id"]).reset_index(drop=True)


def funder_counts(ds: Dataset | None = None, org_ids=None) -> pd.DataFrame:
    """How many distinct funders of each type each organisation has had (long format).
    Pledges are left out: money promised, not paid, is not a funder."""
    ds = ds or load_dataset()
    org_ids = org_ids or list(ds.organisations.index)
    fs = funding_frame(ds, org_ids)
    fs = fs[fs["funder_type"] != "pledge"]
    counts = (fs.groupby(["org_name", "funder_type"]).size().rename("funders").reset_index())
    counts["model"] = counts["org_name"].map(
        ds.organisations.set_index("name")["model"].astype(str))
    return counts


def paid_by_companies_share(ds: Dataset | None = None, org_ids=COMMUNITY) -> float:
    """Share (0-1) of the community projects' recorded funders that are companies."""
    fs = funding_frame(ds, org_ids)
    return float((fs["funder_type"] == "corporate sponsor").mean())


def licence_change(ds: Dataset | None = None) -> pd.Series:
    """The OpenCV licence-change event (4.5.0 moves to Apache-2.0)."""
    ds = ds or load_dataset()
    return ds.events.set_index("event_id").loc["opencv-apache"]


def scale_metrics(ds: Dataset | None = None) -> pd.DataFrame:
    """Dated size measures of the two community projects, for prose and tables."""
    ds = ds or load_dataset()
    m = ds.metrics[ds.metrics["org_id"].isin(COMMUNITY)].copy()
    m["as_of_label"] = [fmt_date(t, p) for t, p in zip(m["as_of_start"], m["as_of_precision"])]
    return m.set_index("metric_id")


def funding_timeline(ds: Dataset | None = None, org_ids=COMMUNITY, *,
                     width: int = 400) -> Figure:
    """Each funder of OpenCV and scikit-learn placed at its first dated evidence, with a
    drop-down (a bound Vega-Lite param) that shows one type of funder at a time."""
    ds = ds or load_dataset()
    fs = funding_frame(ds, org_ids)
    colour, shape = scales_for(fs["org_name"])
    types = [t for t in FUNDER_TYPES if t in set(fs["funder_type"])]
    pick = alt.param(
        name="funder_type_filter", value=None,
        bind=alt.binding_select(options=[None, *types], labels=["all types", *types],
                                name="Show funders of type: "))
    funder_order = list(dict.fromkeys(fs["funder"]))
    base = alt.Chart(fs[["date_iso", "funder", "funder_type", "org_name", "basis",
                         "description", "source_ids"]])
    points = base.mark_point(size=130, filled=True, opacity=0.9).encode(
        x=alt.X("date_iso:T", title="Date (start, or first dated evidence)",
                axis=alt.Axis(format="%Y")),
        y=alt.Y("funder:N", title=None, sort=funder_order,
                axis=alt.Axis(labelLimit=300, labelLineHeight=11)),
        color=alt.Color("org_name:N", scale=colour, title="Project"),
        shape=alt.Shape("org_name:N", scale=shape, title="Project"),
        tooltip=[alt.Tooltip("funder:N", title="Funder"),
                 alt.Tooltip("funder_type:N", title="Type"),
                 alt.Tooltip("org_name:N", title="Project"),
                 alt.Tooltip("basis:N", title="Dated"),
                 alt.Tooltip("description:N", title="What it paid for"),
                 alt.Tooltip("source_ids:N", title="Sources")])
    chart = (points
             .add_params(pick)
             .transform_filter("funder_type_filter == null || "
                               "datum.funder_type == funder_type_filter")
             # rows tall enough for a funder's name in three lines (names wrap on a phone)
             .properties(width=width, height=34 * len(funder_order) + 20,
                         title="Who has paid for OpenCV and scikit-learn, 1999 to 2025")
             .configure_legend(orient="bottom", direction="horizontal"))
    first = fs.groupby("org_name")["plot_date"].min().dt.year
    listed = fs[fs["basis"].str.startswith("listed")]
    placed = ""
    if len(listed):
        names = list(listed["funder"])
        names = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        placed = (f" The sponsors {names} are placed at "
                  f"{fmt_date(listed['plot_date'].min(), listed['as_of_precision'].iloc[0])}, "
                  "the date of the page that lists them, because their start dates are not "
                  "known.")
    alt_text = (
        f"Timeline of {len(fs)} funders of OpenCV and scikit-learn. "
        + "; ".join(f"{name}: {n} funders, the first dated {first[name]}"
                    for name, n in fs.groupby("org_name").size().items())
        + "." + placed + " A drop-down filters the funders by type.")
    table = fs[["funder", "funder_type", "org_name", "basis", "source_ids"]].rename(columns={
        "funder": "Funder", "funder_type": "Type", "org_name": "Project", "basis": "Dated",
        "source_ids": "Sources"})
    return Figure(chart, alt_text, table, "Every funder in the chart, oldest evidence first")


def who_pays_matrix(ds: Dataset | None = None, *, width: int = 380) -> Figure:
    """Funders by type for all four organisations: a grid of counts, so the community and
    investor-led models can be compared at a glance (numbers are printed in each cell)."""
    ds = ds or load_dataset()
    counts = funder_counts(ds)
    types = [t for t in FUNDER_TYPES if t in set(counts["funder_type"])]
    orgs = [n for n in ORG_COLOURS if n in set(counts["org_name"])]
    base = alt.Chart(counts).encode(
        x=alt.X("org_name:N", title=None, sort=orgs, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("funder_type:N", title="Type of funder", sort=types))
    cells = base.mark_rect(stroke="#555555", strokeWidth=0.5).encode(
        color=alt.Color("funders:Q", title="Funders",
                        scale=alt.Scale(scheme="greys", domain=[0, int(counts.funders.max())])),
        tooltip=[alt.Tooltip("org_name:N", title="Organisation"),
                 alt.Tooltip("model:N", title="Model"),
                 alt.Tooltip("funder_type:N", title="Type"),
                 alt.Tooltip("funders:Q", title="Funders recorded")])
    text = base.mark_text(fontSize=13, fontWeight="bold").encode(
        text="funders:Q",
        color=alt.condition("datum.funders >= 3", alt.value("white"), alt.value("black")))
    chart = (alt.layer(cells, text)
             .properties(width=width, height=26 * len(types),
                         title="Who pays: recorded funders by type"))
    parts = []
    for name in orgs:
        sub = counts[counts.org_name == name]
        parts.append(name + ": " + ", ".join(f"{r.funders} {r.funder_type}"
                                             for r in sub.itertuples()))
    alt_text = ("Grid of the number of recorded funders of each type per organisation. "
                + "; ".join(parts) + ".")
    table = (counts.pivot_table(index="funder_type", columns="org_name", values="funders",
                                aggfunc="sum", fill_value=0)
             .reindex(index=types, columns=orgs, fill_value=0).astype(int))
    # whole counts, and a blank cell where none is recorded (as the figure caption says)
    table = table.apply(lambda col: col.map(lambda n: str(n) if n else "")).reset_index()
    table = table.rename(columns={"funder_type": "Type of funder"})
    table.columns.name = None
    return Figure(chart, alt_text, table, "Recorded funders by type and organisation")
