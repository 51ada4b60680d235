"""Chapter 3: the four organisations side by side (the case study's comparison table,
rebuilt from ``data/`` with its errors corrected)."""

from __future__ import annotations

import pandas as pd

from osai.data import Dataset, load_dataset

#: kinds of quotation (``quotes.kind``) that state why an organisation exists
MOTIVATION_KINDS = ("goal", "mission", "design aim")


def comparison_table(ds: Dataset | None = None) -> pd.DataFrame:
    """The case study's comparison table, rebuilt from ``data/`` with its errors corrected."""
    ds = ds or load_dataset()
    orgs = ds.organisations
    quotes = ds.quotes.set_index("org_id")
    rows = []
    for org_id, org in orgs.iterrows():
        if pd.notna(org["first_public_release"]):
            started = f"{org['founded']} (first public release {org['first_public_release']})"
        else:
            started = str(org["founded"])
        q = quotes.loc[org_id]
        quoted = f"\u201c{q['text']}\u201d \u2014 {q['speaker']}, {q['work']} ({q['date']})"
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
