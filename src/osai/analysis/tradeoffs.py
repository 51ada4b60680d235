"""Chapter 7 ("Trade-offs side by side"): the community-led and investor-led models
compared on the course's data (``data/``).

Event counts per category, money raised over time and how concentrated it is, how many
of each organisation's releases withheld nothing, how long its moves between arrangements
took, how fast the Hugging Face Hub grew, and the weighting of the course's scores
(``data/assessments.csv``) or a reader's own.  The six trade-off dimensions are defined
here (:data:`DIMENSIONS`), once for the whole course (the weighing exercise,
:mod:`osai.explore.weighing`, reads them).  Chapter 8 (:mod:`osai.analysis.choosing`)
reuses :func:`transition_gaps`, :func:`span_text` and :func:`funding_summary`, first
taught here.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from osai.charts import CATEGORY_ORDER, ORG_ORDER, org_scales
from osai.data import Dataset, load_dataset
from osai.render import Figure

__all__ = [
    "DIMENSIONS",
    "DIMENSION_QUESTIONS",
    "EQUITY_TYPES",
    "EXAMPLE_WEIGHTS",
    "assessment_matrix",
    "break_even_weight",
    "category_counts",
    "dimension_names",
    "events_grid_chart",
    "first_release_gaps",
    "funder_diversity",
    "funding_concentration",
    "funding_summary",
    "hub_doubling_months",
    "money_chart",
    "money_raised",
    "openness_record",
    "span_text",
    "transition_gaps",
    "weighted_scores",
    "worked_comparison",
]

#: The six trade-off dimensions: key -> name.  The one list of names the course uses: the
#: keys are the ``dimension`` column of ``data/assessments.csv``, the names label the
#: weighing widget's sliders (``osai.explore``), the headings of chapter 7, the objectives
#: and the instructor guide (a test checks those texts against this list).  Each is worded
#: so that a higher score is better.
DIMENSIONS = {
    "openness": "Openness",
    "funding_stability": "Funding stability",
    "independence_from_investors": "Independence from investors",
    "speed": "Speed",
    "community_trust": "Community trust",
    "resistance_to_mission_drift": "Resistance to mission drift",
}

#: what each dimension asks, for chapter 7's definitions
DIMENSION_QUESTIONS = {
    "openness": "How much of the work can anyone use, study, change and share?",
    "funding_stability": "How likely is the money to be there next year, and how much does "
                         "it depend on a single payer?",
    "independence_from_investors": "How far can people who own a stake steer what the "
                                   "organisation does next?",
    "speed": "How fast can the organisation grow, ship and scale?",
    "community_trust": "Do outside contributors and users act as if they believe the "
                       "project will stay as it is and treat them fairly?",
    "resistance_to_mission_drift": "How well does the organisation keep to the purpose it "
                                   "set itself, under financial pressure?",
}


def _ds(ds: Dataset | None) -> Dataset:
    return ds if ds is not None else load_dataset()


# --- counts of events ------------------------------------------------------------------------

def category_counts(ds: Dataset | None = None) -> pd.DataFrame:
    """Events per organisation and category, zeros included (4 x len(CATEGORY_ORDER) rows).

    Columns: ``org_id, org_name, model, category, n``.
    """
    ds = _ds(ds)
    orgs = ds.organisations
    grid = pd.MultiIndex.from_product([orgs.index, CATEGORY_ORDER],
                                      names=["org_id", "category"])
    n = ds.events.groupby(["org_id", "category"]).size().reindex(grid, fill_value=0)
    out = n.rename("n").reset_index()
    out["org_name"] = out["org_id"].map(orgs["name"])
    out["model"] = out["org_id"].map(orgs["model"].astype(str))
    return out[["org_id", "org_name", "model", "category", "n"]]


def events_grid_chart(ds: Dataset | None = None) -> Figure:
    """Organisation x category grid of event counts, with a model filter bound to a select.

    Every cell prints its count, so the shading is never the only cue.
    """
    ds = _ds(ds)
    counts = category_counts(ds)
    model = alt.param(
        name="model_filter", value=None,
        bind=alt.binding_select(options=[None, "community-led", "investor-led"],
                                labels=["both models", "community-led", "investor-led"],
                                name="Show organisations of model: "))
    base = (
        alt.Chart(counts)
        .transform_filter("model_filter == null || datum.model == model_filter")
        .encode(
            x=alt.X("category:N", sort=CATEGORY_ORDER, title="Category of event",
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("org_name:N", sort=ORG_ORDER, title=None),
        )
    )
    cells = base.mark_rect(stroke="#444444", strokeWidth=0.5).encode(
        color=alt.Color("n:Q", title="Events", scale=alt.Scale(scheme="greys", domain=[0, 6]),
                        legend=None),
        tooltip=[alt.Tooltip("org_name:N", title="Organisation"),
                 alt.Tooltip("model:N", title="Model"),
                 alt.Tooltip("category:N", title="Category"),
                 alt.Tooltip("n:Q", title="Events")],
    )
    labels = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text=alt.Text("n:Q"),
        color=alt.condition("datum.n >= 4", alt.value("white"), alt.value("black")),
    )
    chart = ((cells + labels).add_params(model)
             .properties(width=520, height=200,
                         title="Dated events per organisation and category"))
    totals = counts.groupby("org_name", sort=False)["n"].sum()
    gov = counts[counts.category == "governance"].set_index("org_name")["n"]
    alt_text = (
        "Grid of event counts by organisation (rows) and category (columns). Governance "
        "events: " + ", ".join(f"{o} {int(gov[o])}" for o in ORG_ORDER)
        + ". Total events: " + ", ".join(f"{o} {int(totals[o])}" for o in ORG_ORDER)
        + ". A drop-down shows one model at a time.")
    table = counts.pivot_table(index="org_name", columns="category", values="n",
                               aggfunc="sum").reindex(index=ORG_ORDER, columns=CATEGORY_ORDER)
    table = table.reset_index().rename(columns={"org_name": "Organisation"})
    return Figure(chart, alt_text, table, "Number of dated events per organisation and category")


# --- money -----------------------------------------------------------------------------------

def money_raised(ds: Dataset | None = None) -> pd.DataFrame:
    """Every event that states an amount, with running totals per organisation.

    ``kind`` is ``pledge`` for the founding pledge (money promised, not received) and
    ``investment`` for funding rounds.  ``cumulative`` adds investments only;
    ``cumulative_with_pledges`` adds pledges too.  Amounts stay in their own currency
    (the course does not convert EUR to USD).
    """
    ds = _ds(ds)
    ev = ds.events[ds.events["amount"].notna()].copy()
    ev["kind"] = ev["category"].map(lambda c: "pledge" if c == "founding" else "investment")
    ev = ev.sort_values(["org_id", "date_start"])
    ev["investment"] = ev["amount"].where(ev["kind"] == "investment", 0.0)
    ev["cumulative"] = ev.groupby("org_id")["investment"].cumsum()
    ev["cumulative_with_pledges"] = ev.groupby("org_id")["amount"].cumsum()
    ev["date_iso"] = ev["date_start"].dt.strftime("%Y-%m-%d")
    cols = ["event_id", "date", "date_iso", "org_id", "org_name", "title", "kind", "amount",
            "currency", "cumulative", "cumulative_with_pledges", "source_id"]
    return ev[cols].sort_values(["date_iso", "org_id"]).reset_index(drop=True)


def funding_summary(ds: Dataset | None = None) -> pd.DataFrame:
    """Per organisation: disclosed investment total, currency, number of funding events."""
    ds = _ds(ds)
    money = money_raised(ds)
    inv = money[money.kind == "investment"]
    funding_events = ds.events[ds.events.category == "funding"].groupby("org_id").size()
    rows = []
    for org_id, org in ds.organisations.iterrows():
        mine = inv[inv.org_id == org_id]
        rows.append({
            "org_id": org_id,
            "org_name": org["name"],
            "funding_events": int(funding_events.get(org_id, 0)),
            "disclosed_rounds": len(mine),
            "disclosed_total": float(mine["amount"].sum()),
            "currency": ";".join(sorted(set(mine["currency"]))) or None,
        })
    return pd.DataFrame(rows).set_index("org_id")


def money_chart(ds: Dataset | None = None) -> Figure:
    """Cumulative money raised per organisation (log scale), with a pledge toggle.

    The checkbox adds OpenAI's 2015 pledge, which was a promise of donations, not money
    received; leaving it off is the default.
    """
    ds = _ds(ds)
    money = money_raised(ds)
    colour, shape = org_scales()
    pledges = alt.param(name="show_pledges", value=False,
                        bind=alt.binding_checkbox(
                            name="Include pledged donations (promised, not received) "))
    base = (
        alt.Chart(money)
        .transform_filter("show_pledges || datum.kind == 'investment'")
        .transform_calculate(total="show_pledges ? datum.cumulative_with_pledges "
                                   ": datum.cumulative")
        .encode(
            x=alt.X("date_iso:T", title="Date", axis=alt.Axis(format="%Y"),
                    scale=alt.Scale(domain=["2015-01-01", "2026-01-01"])),
            y=alt.Y("total:Q", title="Disclosed money raised, running total (log scale)",
                    scale=alt.Scale(type="log", domain=[5e6, 3e9]),
                    axis=alt.Axis(format="~s")),
            color=alt.Color("org_name:N", scale=colour, title="Organisation",
                            legend=alt.Legend(orient="bottom")),
            detail="org_name:N",
        )
    )
    lines = base.mark_line(interpolate="step-after", strokeWidth=2)
    points = base.mark_point(size=110, filled=True, opacity=1).encode(
        shape=alt.Shape("org_name:N", scale=shape, title="Organisation",
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("org_name:N", title="Organisation"),
                 alt.Tooltip("date:N", title="Date"),
                 alt.Tooltip("title:N", title="Event"),
                 alt.Tooltip("kind:N", title="Kind"),
                 alt.Tooltip("amount:Q", title="Amount", format=",.0f"),
                 alt.Tooltip("currency:N", title="Currency"),
                 alt.Tooltip("total:Q", title="Running total", format=",.0f"),
                 alt.Tooltip("source_id:N", title="Source")],
    )
    chart = ((lines + points).add_params(pledges)
             .properties(width=560, height=300,
                         title="Money raised over time, as disclosed (USD; Probabl in EUR)"))
    summary = funding_summary(ds)
    parts = []
    for org_id, row in summary.iterrows():
        if row.disclosed_rounds:
            amounts = "amount" if row.disclosed_rounds == 1 else "amounts"
            parts.append(f"{row.org_name}: {row.disclosed_rounds} disclosed {amounts}, "
                         f"{row.disclosed_total:,.0f} {row.currency} in total")
        else:
            parts.append(f"{row.org_name}: no disclosed amount")
    alt_text = ("Step lines of the running total of disclosed money raised by each "
                "organisation, on a log scale. " + "; ".join(parts)
                + ". A checkbox adds OpenAI's 2015 pledge of donations.")
    table = money[["date", "org_name", "title", "kind", "amount", "currency", "cumulative",
                   "source_id"]].rename(columns={
                       "date": "Date", "org_name": "Organisation", "title": "Event",
                       "kind": "Kind", "amount": "Amount", "currency": "Currency",
                       "cumulative": "Running total (investment only)",
                       "source_id": "Source"})
    for col in ("Amount", "Running total (investment only)"):
        table[col] = table[col].map(lambda v: f"{v:,.0f}")
    return Figure(chart, alt_text, table, "Every event with a stated amount, oldest first")


def funder_diversity(ds: Dataset | None = None) -> pd.DataFrame:
    """Per organisation: rows in ``funding_sources``, distinct funders, distinct funder types.

    ``types`` lists the funder types, so a reader can see *which* kinds of money each
    organisation relies on, not only how many.
    """
    ds = _ds(ds)
    fs = ds.funding_sources
    rows = []
    for org_id, org in ds.organisations.iterrows():
        mine = fs[fs.org_id == org_id]
        rows.append({
            "org_id": org_id,
            "org_name": org["name"],
            "model": str(org["model"]),
            "entries": len(mine),
            "funders": mine["funder"].nunique(),
            "funder_types": mine["funder_type"].nunique(),
            "types": "; ".join(sorted(mine["funder_type"].unique())),
        })
    return pd.DataFrame(rows).set_index("org_id")


# --- time between moves -----------------------------------------------------------------------

def first_release_gaps(ds: Dataset | None = None) -> pd.Series:
    """Calendar years from start to first public release, where the data give both."""
    ds = _ds(ds)
    orgs = ds.organisations
    known = orgs[orgs["first_public_release_start"].notna()]
    return (known["first_public_release_start"].dt.year
            - known["founded_start"].dt.year).astype(int)


def transition_gaps(ds: Dataset | None = None) -> dict[str, int]:
    """Years between the moves from one sustainability arrangement to the next."""
    ds = _ds(ds)
    ev = ds.events.set_index("event_id")
    orgs = ds.organisations

    def y(event_id: str) -> int:
        return int(ev.loc[event_id, "date_start"].year)

    return {
        "opencv_start_to_foundation": y("opencv-foundation") - int(orgs.loc["opencv",
                                                                            "founded_start"].year),
        "sklearn_start_to_consortium": y("sklearn-consortium") - int(
            orgs.loc["sklearn", "founded_start"].year),
        "sklearn_consortium_to_probabl": y("sklearn-probabl") - y("sklearn-consortium"),
        "sklearn_probabl_to_seed": y("sklearn-probabl-seed") - y("sklearn-probabl"),
        "openai_launch_to_lp": y("openai-lp") - y("openai-launch"),
        "openai_lp_to_pbc": y("openai-pbc") - y("openai-lp"),
        "openai_launch_to_pbc": y("openai-pbc") - y("openai-launch"),
        "hf_founded_to_series_a": y("hf-series-a") - int(orgs.loc["hf", "founded_start"].year),
        "hf_series_a_to_d": y("hf-series-d") - y("hf-series-a"),
    }


def span_text(ds: Dataset | None, start_event: str, end_event: str) -> str:
    """'3 years and 3 months' between two events dated to at least the month; else years."""
    ds = _ds(ds)
    ev = ds.events.set_index("event_id")
    a, b = ev.loc[start_event], ev.loc[end_event]
    if "year" in (a["date_precision"], b["date_precision"]):
        years = int(b["date_start"].year - a["date_start"].year)
        return f"{years} year" + ("" if years == 1 else "s")
    months = ((b["date_start"].year - a["date_start"].year) * 12
              + b["date_start"].month - a["date_start"].month)
    years, months = divmod(int(months), 12)
    parts = []
    if years:
        parts.append(f"{years} year" + ("" if years == 1 else "s"))
    if months:
        parts.append(f"{months} month" + ("" if months == 1 else "s"))
    return " and ".join(parts) or "less than a month"


# --- weighting -------------------------------------------------------------------------------

def dimension_names(lower: bool = True) -> str:
    """'openness, funding stability, ... and resistance to mission drift' for prose."""
    names = [n.lower() if lower else n for n in DIMENSIONS.values()]
    return ", ".join(names[:-1]) + " and " + names[-1]


def assessment_matrix(ds: Dataset | None = None) -> pd.DataFrame:
    """The course's scores (``data/assessments.csv``): rows are dimension keys in
    :data:`DIMENSIONS` order, columns are organisation ids in course order."""
    ds = _ds(ds)
    a = ds.assessments
    unknown = sorted(set(a["dimension"]) - set(DIMENSIONS))
    if unknown:
        raise ValueError(f"data/assessments.csv: unknown dimension(s) {unknown}; "
                         f"known: {', '.join(DIMENSIONS)}")
    have = set(zip(a["org_id"], a["dimension"]))
    missing = [(o, d) for d in DIMENSIONS for o in ds.organisations.index
               if (o, d) not in have]
    if missing:
        raise ValueError(f"data/assessments.csv lacks scores for {missing}")
    m = a.pivot(index="dimension", columns="org_id", values="score")
    return m.reindex(index=list(DIMENSIONS), columns=list(ds.organisations.index)).astype(int)


#: two ways of weighting the dimensions, used as the worked example in chapter 7
EXAMPLE_WEIGHTS = {
    "equal weights": {d: 1 for d in DIMENSIONS},
    "growth first": {**{d: 1 for d in DIMENSIONS}, "speed": 5, "funding_stability": 4},
}


def weighted_scores(ratings: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Weighted average of each column of ``ratings`` (rows are dimensions).

    ``weights`` maps dimension -> weight (any non-negative numbers; they are normalised).
    Dimensions missing from ``weights`` count zero; a weight for a dimension that is not a
    row of ``ratings`` is an error (a misspelt name would otherwise be ignored silently).
    """
    unknown = sorted(set(weights) - set(ratings.index))
    if unknown:
        raise KeyError(f"unknown dimension(s) {unknown}; known: {', '.join(ratings.index)}")
    w = pd.Series({d: float(weights.get(d, 0.0)) for d in ratings.index})
    if (w < 0).any():
        raise ValueError("weights must not be negative")
    if w.sum() == 0:
        raise ValueError("at least one weight must be positive")
    return ratings.mul(w / w.sum(), axis=0).sum().round(2)


def break_even_weight(ratings: pd.DataFrame, leader: str, challenger: str,
                      dimension: str, base: float = 1.0) -> float | None:
    """The weight on ``dimension`` (all other weights ``base``) above which ``challenger``'s
    weighted mean exceeds ``leader``'s; ``None`` if no weight does.

    With every other weight fixed, both means are (c + s*w) / (n + w) over the same
    denominator, so the challenger overtakes where c_b + s_b*w > c_a + s_a*w.
    """
    if dimension not in ratings.index:
        raise KeyError(f"unknown dimension {dimension!r}; known: {', '.join(ratings.index)}")
    others = ratings.drop(index=dimension)
    c_a, c_b = base * others[leader].sum(), base * others[challenger].sum()
    s_a, s_b = ratings.loc[dimension, leader], ratings.loc[dimension, challenger]
    if s_b <= s_a:
        return None if c_b <= c_a else 0.0
    return max(0.0, float((c_a - c_b) / (s_b - s_a)))


# --- evidence not shown in earlier chapters --------------------------------------------------

def openness_record(ds: Dataset | None = None) -> pd.DataFrame:
    """Per organisation: its own releases in ``data/releases.csv`` and how many withheld
    nothing (a release it only coordinated, ``org_role == "coordinator"``, is not counted)."""
    ds = _ds(ds)
    rel = ds.releases[ds.releases.org_role.eq("own")]
    full = rel["what_is_not"].str.strip().str.lower().eq("nothing withheld")
    out = pd.DataFrame({
        "releases": rel.groupby("org_id").size(),
        "nothing_withheld": full.groupby(rel["org_id"]).sum(),
    }).reindex(ds.organisations.index, fill_value=0).astype(int)
    out["org_name"] = ds.organisations["name"]
    out["model"] = ds.organisations["model"].astype(str)
    return out


#: funder types whose money buys a stake in the organisation (or its company)
EQUITY_TYPES = ("venture round", "strategic investment")


def funding_concentration(ds: Dataset | None = None) -> pd.DataFrame:
    """Per organisation: how visible its money is and how much depends on one payer.

    From ``data/funding_sources.csv``, pledges excluded (promised, not received):
    ``entries`` (funders recorded), ``disclosed`` (entries with an amount), ``total`` and
    ``currency`` of the disclosed amounts (one currency per organisation, else an error),
    ``largest_share`` (share of that total from the largest single entry) and its
    ``largest_funder``, and ``equity_share`` (share of the total that bought a stake).
    """
    ds = _ds(ds)
    fs = ds.funding_sources
    fs = fs[fs.funder_type != "pledge"]
    rows = []
    for org_id, org in ds.organisations.iterrows():
        mine = fs[fs.org_id == org_id]
        money = mine[mine["amount"].notna()]
        currencies = sorted(set(money["currency"]))
        if len(currencies) > 1:
            raise ValueError(f"funding_sources: {org_id} has amounts in {currencies}; "
                             "the course never adds up different currencies")
        total = float(money["amount"].sum())
        top = money.loc[money["amount"].idxmax()] if len(money) else None
        equity = float(money[money.funder_type.isin(EQUITY_TYPES)]["amount"].sum())
        rows.append({
            "org_id": org_id, "org_name": org["name"], "model": str(org["model"]),
            "entries": len(mine), "disclosed": len(money), "total": total,
            "currency": currencies[0] if currencies else None,
            "largest_share": float(top["amount"]) / total if total else None,
            "largest_funder": top["funder"] if top is not None else None,
            "equity_share": equity / total if total else None,
        })
    return pd.DataFrame(rows).set_index("org_id")


def hub_doubling_months(ds: Dataset | None = None, source_id: str = "S36") -> dict:
    """How fast Hugging Face's Hub grew, from its own documentation's model counts.

    Uses only ``hub_models`` rows from ``source_id`` (the Hub docs' history): the first by
    date, and the first row that reaches the highest count (a later page that repeats the
    same "over N" adds no growth, so measuring to it would understate the rate).  Returns
    their dates and values, the months between them and the implied doubling time in months
    (constant growth assumed).  The counts are lower bounds ("over N"), so the growth rate is
    approximate.
    """
    import math

    ds = _ds(ds)
    m = ds.metrics
    rows = m[(m.metric == "hub_models") & (m.source_id == source_id)].sort_values("as_of_start")
    if len(rows) < 2:
        raise ValueError(f"metrics.csv: fewer than two hub_models rows from {source_id}")
    first = rows.iloc[0]
    last = rows[rows.value == rows.value.max()].iloc[0]
    months = ((last.as_of_start.year - first.as_of_start.year) * 12
              + last.as_of_start.month - first.as_of_start.month)
    ratio = float(last.value) / float(first.value)
    return {"first_date": first.as_of_start, "first_value": float(first.value),
            "last_date": last.as_of_start, "last_value": float(last.value),
            "points": len(rows), "months": months, "ratio": ratio,
            "doubling_months": months * math.log(2) / math.log(ratio)}


def worked_comparison(ds: Dataset | None, a: str, b: str) -> pd.DataFrame:
    """Two organisations' scores side by side, with the reason for each (Table 7.2)."""
    ds = _ds(ds)
    asm = ds.assessments.set_index(["org_id", "dimension"])
    names = ds.organisations["name"]
    rows = []
    for key, label in DIMENSIONS.items():
        rows.append({
            "Dimension": label,
            f"{names[a]}: score": int(asm.loc[(a, key), "score"]),
            f"{names[a]}: why": asm.loc[(a, key), "rationale"],
            f"{names[b]}: score": int(asm.loc[(b, key), "score"]),
            f"{names[b]}: why": asm.loc[(b, key), "rationale"],
        })
    return pd.DataFrame(rows)
