"""Chapter 8 ("Choosing a model"): how long each organisation took to reach its first
milestones, the legal forms it went through and the licences it chose.

Every function reads the course's data package (``data/``); the chart returns an
:class:`osai.render.Figure` (chart + text alternative + data table).  The chapter also
reuses what chapter 7 taught (:func:`osai.analysis.tradeoffs.transition_gaps`,
:func:`~osai.analysis.tradeoffs.span_text`, :func:`~osai.analysis.tradeoffs.funding_summary`).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from osai.charts import ORG_ORDER, org_scales
from osai.data import Dataset, load_dataset
from osai.render import Figure

__all__ = [
    "MILESTONE_CATEGORIES",
    "licence_table",
    "milestone_chart",
    "milestones",
    "structures_table",
]

#: the kinds of event whose first occurrence counts as a milestone, in the chart's order
MILESTONE_CATEGORIES = ["release", "funding", "governance", "licence", "revenue"]


def _ds(ds: Dataset | None) -> Dataset:
    return ds if ds is not None else load_dataset()


# --- time to milestones ----------------------------------------------------------------------

def milestones(ds: Dataset | None = None) -> pd.DataFrame:
    """First event of each category after founding, per organisation.

    ``years`` counts calendar years (the founding year of three organisations is known
    only to the year, so finer gaps would be false precision).
    """
    ds = _ds(ds)
    orgs = ds.organisations
    # an organisation's own events only: a release it coordinated for others (BigScience's
    # BLOOM, ``org_role == "coordinator"``) is not its own milestone
    ev = ds.events[ds.events.category.isin(MILESTONE_CATEGORIES)
                   & ds.events.org_role.eq("own")]
    first = ev.sort_values("date_start").groupby(["org_id", "category"], as_index=False).first()
    first["founded_year"] = first["org_id"].map(orgs["founded_start"].dt.year)
    first["years"] = (first["date_start"].dt.year - first["founded_year"]).astype(int)
    first["org_name"] = first["org_id"].map(orgs["name"])
    first["model"] = first["org_id"].map(orgs["model"].astype(str))
    cols = ["org_id", "org_name", "model", "category", "date", "title", "years", "source_id"]
    return first[cols].reset_index(drop=True)


def milestone_chart(ds: Dataset | None = None) -> Figure:
    """Years from founding to the first event of each kind, with an organisation filter."""
    ds = _ds(ds)
    ms = milestones(ds)
    colour, shape = org_scales()
    pick = alt.param(
        name="org_filter", value=None,
        bind=alt.binding_select(options=[None, *ORG_ORDER],
                                labels=["all organisations", *ORG_ORDER],
                                name="Show organisation: "))
    chart = (
        alt.Chart(ms)
        .mark_point(size=140, filled=True, opacity=0.9)
        .encode(
            x=alt.X("years:Q", title="Calendar years after the organisation started",
                    scale=alt.Scale(domain=[0, 22])),
            y=alt.Y("category:N", sort=MILESTONE_CATEGORIES,
                    title="First event of this kind"),
            yOffset=alt.YOffset("org_name:N", sort=ORG_ORDER),
            color=alt.Color("org_name:N", scale=colour, title="Organisation",
                            legend=alt.Legend(orient="bottom")),
            shape=alt.Shape("org_name:N", scale=shape, title="Organisation",
                            legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("org_name:N", title="Organisation"),
                     alt.Tooltip("category:N", title="Milestone"),
                     alt.Tooltip("title:N", title="First event"),
                     alt.Tooltip("date:N", title="Date"),
                     alt.Tooltip("years:Q", title="Years after start"),
                     alt.Tooltip("source_id:N", title="Source")],
        )
        .add_params(pick)
        .transform_filter("org_filter == null || datum.org_name == org_filter")
        .properties(width=560, height=260,
                    title="How long each organisation took to reach its first milestones")
    )
    parts = []
    for org in ORG_ORDER:
        mine = ms[ms.org_name == org]
        parts.append(org + ": " + (", ".join(f"first {r.category} after {r.years} year{'' if r.years == 1 else 's'}"
                                             for r in mine.itertuples()) or "none"))
    alt_text = ("Dot chart of calendar years from each organisation's start to its first "
                "release, funding, governance, licence and revenue event in the course data. "
                + "; ".join(parts) + ". A drop-down shows one organisation at a time.")
    table = ms[["org_name", "category", "title", "date", "years", "source_id"]].rename(
        columns={"org_name": "Organisation", "category": "Milestone", "title": "First event",
                 "date": "Date", "years": "Years after start", "source_id": "Source"})
    return Figure(chart, alt_text, table, "First event of each kind per organisation")


def structures_table(ds: Dataset | None = None) -> pd.DataFrame:
    """Each organisation's legal or organisational forms over time, and who controlled them."""
    ds = _ds(ds)
    st = ds.structures.copy()
    st["order"] = st["org_id"].map({o: i for i, o in enumerate(ds.organisations.index)})
    st = st.sort_values(["order", "start_start"])
    return pd.DataFrame({
        "Organisation": st["org_id"].map(ds.organisations["name"]),
        "Entity": st["entity"],
        "Form": st["form"],
        "From": st["start"],
        "Until": st["end"].fillna("no end date recorded"),
        "Controlled by": st["controlled_by"],
        "Sources": st["source_ids"],
    }).reset_index(drop=True)


def licence_table(ds: Dataset | None = None) -> pd.DataFrame:
    """The licences the course discusses, with what they allow and whether the OSI approves."""
    ds = _ds(ds)
    lic = ds.licences
    return pd.DataFrame({
        "Licence": lic["name"],
        "For": lic["kind"],
        "Commercial use": lic["commercial_use"],
        "Patent grant": lic["patent_grant"],
        "Use restrictions": lic["use_restrictions"],
        "OSI approved": lic["osi_approved"],
        "Main conditions": lic["conditions"],
    }).reset_index(drop=True)
