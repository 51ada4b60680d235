"""What the three exercises share: the organisations in the course's order and small
formatting helpers."""

from __future__ import annotations

from typing import Any

import pandas as pd

from osai.data import Dataset, source_ids

#: organisation ids in the course's fixed order (community-led first)
ORG_IDS = ["opencv", "sklearn", "openai", "hf"]

#: width (px) of the explorers' narrow (phone) layouts, and the column width under which
#: they are drawn
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
    from osai.formats import fmt_money
    return fmt_money(float(amount), str(currency))


def _first(*values) -> Any:
    for v in values:
        if v is not None and not pd.isna(v):
            return v
    return None

