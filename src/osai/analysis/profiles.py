"""Chapter 3: the four organisations side by side (the case study's comparison table,
rebuilt from ``data/`` with its errors corrected)."""

from __future__ import annotations

import pandas as pd

from osai.data import Dataset, load_dataset
from osai.formats import fmt_date

#: kinds of quotation (``quotes.kind``) that state why an organisation exists
MOTIVATION_KINDS = ("goal", "mission", "design aim")


def comparison_table(ds: Dataset | None = None) -> pd.DataFrame:
    """The case study's comparison table, rebuilt from ``data/`` with its errors corrected."""
    ds = ds or load_dataset()
    orgs = ds.organisations
    quotes = ds.quotes.set_index("org_id")
    rows = []
    for org_id, org in orgs.iterrows():
        started = fmt_date(org["founded_start"], org["founded_precision"])
        if pd.notna(org["first_public_release"]):
            released = fmt_date(org["first_public_release_start"],
                                org["first_public_release_precision"])
            started = f"{started} (first public release {released})"
        q = quotes.loc[org_id]
        said = fmt_date(pd.Timestamp(q["date"]), q["date_precision"])
        quoted = f"\u201c{q['text']}\u201d \u2014 {q['speaker']}, {q['work']} ({said})"
        if q["kind"] in MOTIVATION_KINDS:
            motivation = quoted
        else:  # a statement of something else (how it pays its way) is labelled as such
            motivation = (f"No sourced statement of its motivation was found. Its {q['kind']}, "
                          f"in its own words: {quoted}")
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
