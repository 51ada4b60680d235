"""Patterns in the four organisations' timelines (chapter 3), computed from ``data/``.

Chapter 3 reads the timeline of dated events and states what it shows.  Every statement
there rests on the tables built here: per organisation, how many events of each kind the
data record and when, which kinds of funder have paid, when the first venture round came,
how many organisational forms the organisation has had and who controlled each.
"""

from __future__ import annotations

import pandas as pd

from osai.data import Dataset, load_dataset
from osai.formats import fmt_date

__all__ = [
    "PATTERN_CATEGORIES",
    "PERIODS",
    "first_venture_round",
    "forms",
    "funder_kinds",
    "org_patterns",
    "patterns_table",
    "period_counts",
    "round_leads",
]

#: the kinds of event whose counts chapter 3 compares (founding is one event for everyone)
PATTERN_CATEGORIES = ["release", "funding", "governance", "licence", "revenue"]

#: periods for counting events: label -> (first year, last year); None = open-ended
PERIODS = {
    "before 2010": (None, 2009),
    "2010 to 2019": (2010, 2019),
    "from 2020": (2020, None),
}


def _ds(ds: Dataset | None) -> Dataset:
    return ds if ds is not None else load_dataset()


def period_counts(ds: Dataset | None = None) -> pd.DataFrame:
    """Events per organisation (rows, course order) and period (columns, :data:`PERIODS`)."""
    ds = _ds(ds)
    years = ds.events["date_start"].dt.year
    out = pd.DataFrame(index=ds.organisations.index)
    for label, (first, last) in PERIODS.items():
        mask = pd.Series(True, index=ds.events.index)
        if first is not None:
            mask &= years >= first
        if last is not None:
            mask &= years <= last
        out[label] = ds.events[mask].groupby("org_id").size().reindex(out.index, fill_value=0)
    return out.astype(int)


def funder_kinds(ds: Dataset | None = None) -> pd.Series:
    """Per organisation: the distinct ``funder_type`` values in ``funding_sources``, in the
    order they first appear in time (undated rows last).  Pledges are left out: a pledge is
    money promised, not paid, so it is not a kind of funder (chapters 3, 4 and 7 agree)."""
    ds = _ds(ds)
    fs = ds.funding_sources[ds.funding_sources["funder_type"] != "pledge"].copy()
    fs["when"] = fs["start_start"].fillna(fs["as_of_start"])
    out = {}
    for org_id in ds.organisations.index:
        mine = fs[fs.org_id == org_id].sort_values("when", na_position="last")
        out[org_id] = list(dict.fromkeys(mine["funder_type"]))
    return pd.Series(out, name="funder_kinds")


def first_venture_round(ds: Dataset | None = None) -> pd.DataFrame:
    """Per organisation with one: its first venture round (date, funder, years after start)."""
    ds = _ds(ds)
    fs = ds.funding_sources
    vr = fs[fs.funder_type == "venture round"].sort_values("start_start")
    first = vr.groupby("org_id", sort=False).first()
    founded = ds.organisations["founded_start"].dt.year
    return pd.DataFrame({
        "date": first["start"],
        "when": [fmt_date(d, p) for d, p in zip(first["start_start"], first["start_precision"])],
        "year": first["start_start"].dt.year.astype(int),
        "funder": first["funder"],
        "description": first["description"],
        "years_after_start": (first["start_start"].dt.year - founded.reindex(first.index))
        .astype(int),
        "source_ids": first["source_ids"],
    })


def round_leads(ds: Dataset | None = None, org_id: str = "hf") -> pd.DataFrame:
    """An organisation's venture rounds, oldest first, with the lead investor of each.

    The lead is the funder marked ``(lead)`` in ``funding_sources.funder`` (else the first
    funder named); the round's name comes from its id (``hf-fund-series-a`` -> Series A).
    """
    ds = _ds(ds)
    fs = ds.funding_sources
    vr = fs[(fs.org_id == org_id) & (fs.funder_type == "venture round")]
    vr = vr.sort_values("start_start")
    rows = []
    for funding_id, r in vr.iterrows():
        funders = [f.strip() for f in str(r["funder"]).split(",")]
        marked = [f for f in funders if f.endswith("(lead)")]
        lead = (marked[0] if marked else funders[0]).removesuffix("(lead)").strip()
        key = str(r.get("funding_id", funding_id)).split("-fund-", 1)[-1]
        rows.append({"round": key.replace("-", " ").title(),
                     "date": r["start"], "when": fmt_date(r["start_start"], r["start_precision"]),
                     "lead": lead, "amount": r["amount"],
                     "currency": r["currency"], "source_ids": r["source_ids"]})
    return pd.DataFrame(rows)


def forms(ds: Dataset | None = None) -> pd.DataFrame:
    """Per organisation: its organisational forms in ``structures`` (oldest first), how many
    there are, how many have no end date, and one line of text for readers."""
    ds = _ds(ds)
    st = ds.structures.sort_values("start_start")
    rows = {}
    for org_id in ds.organisations.index:
        mine = st[st.org_id == org_id]
        if mine.empty:
            raise ValueError(f"data/structures.csv has no row for organisation {org_id!r}")
        parts = []
        for r in mine.itertuples():
            span = f"from {r.start}" + (f" to {r.end}" if pd.notna(r.end) else "")
            parts.append(f"{r.form} ({span}; controlled by {r.controlled_by})")
        rows[org_id] = {"forms": len(mine), "open_forms": int(mine["end"].isna().sum()),
                        "text": "; ".join(parts)}
    return pd.DataFrame.from_dict(rows, orient="index")


def org_patterns(ds: Dataset | None = None) -> pd.DataFrame:
    """One row per organisation with every number chapter 3's pattern analysis uses.

    Columns: ``name, model, events, first_year, last_year, span_years``, one count column
    per :data:`PATTERN_CATEGORIES`, one per :data:`PERIODS`, ``funder_kinds`` (list),
    ``first_venture_year`` (or missing), ``forms`` (a count) and ``forms_text``.
    """
    ds = _ds(ds)
    orgs = ds.organisations
    ev = ds.events
    out = pd.DataFrame(index=orgs.index)
    out["name"] = orgs["name"]
    out["model"] = orgs["model"].astype(str)
    grouped = ev.groupby("org_id")
    out["events"] = grouped.size().reindex(out.index, fill_value=0).astype(int)
    out["first_year"] = grouped["date_start"].min().dt.year.reindex(out.index).astype(int)
    out["last_year"] = grouped["date_start"].max().dt.year.reindex(out.index).astype(int)
    out["span_years"] = out["last_year"] - out["first_year"]
    # per kind, the organisation's own events: a release it coordinated for others
    # (``org_role == "coordinator"``, BigScience's BLOOM) is in its record but not its release
    own = ev[ev.org_role.eq("own")]
    counts = own.groupby(["org_id", "category"]).size().unstack(fill_value=0)
    for cat in PATTERN_CATEGORIES:
        col = counts[cat] if cat in counts else pd.Series(dtype=int)
        out[cat] = col.reindex(out.index, fill_value=0).astype(int)
    out = out.join(period_counts(ds))
    out["funder_kinds"] = funder_kinds(ds)
    vr = first_venture_round(ds)
    out["first_venture_year"] = vr["year"].reindex(out.index).astype("Int64")
    f = forms(ds)
    out["forms"] = f["forms"].astype(int)
    out["forms_text"] = f["text"]
    return out


def patterns_table(ds: Dataset | None = None) -> pd.DataFrame:
    """:func:`org_patterns` as a table for readers (Table 3.2)."""
    ds = _ds(ds)
    p = org_patterns(ds)
    vr = first_venture_round(ds)

    def venture(org_id: str) -> str:
        if org_id not in vr.index:
            return "none recorded"
        row = vr.loc[org_id]
        return f"{row['when']}: {row['funder']} ({row['years_after_start']} years after start)"

    table = pd.DataFrame({
        "Organisation": p["name"],
        "Course label": p["model"],
        "Events recorded": [f"{r.events} ({r.first_year}\u2013{r.last_year})"
                            for r in p.itertuples()],
        **{f"{period} (events)": p[period] for period in PERIODS},
        **{cat.capitalize(): p[cat] for cat in PATTERN_CATEGORIES},
        "Kinds of funder, oldest first": p["funder_kinds"].map("; ".join),
        "First venture round on record": [venture(o) for o in p.index],
        "Forms of organisation, and who controlled each": p["forms_text"],
    })
    return table.reset_index(drop=True)
