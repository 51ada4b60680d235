"""What the exercises of :mod:`osai.explore` share: the organisations in the course's
order, the size of the narrow (phone) layouts, and how a fact's sources are written.
Used by :mod:`.comparison`, :mod:`.timeline`, :mod:`.weighing` and :mod:`.live`."""

from __future__ import annotations

from osai.data import Dataset, source_ids

__all__ = ["ORG_IDS", "STACKED_BELOW", "STACKED_CHART_WIDTH", "ids_text", "org_names",
           "sources_text"]

#: organisation ids in the course's fixed order (community-led first)
ORG_IDS = ["opencv", "sklearn", "openai", "hf"]

#: width (px) of the explorers' narrow (phone) layouts (within a 320 px phone's column),
#: and the column width under which they are drawn
STACKED_CHART_WIDTH = 260
STACKED_BELOW = 680


def org_names(ds: Dataset) -> dict[str, str]:
    """Organisation id -> name, in :data:`ORG_IDS` order."""
    return {o: ds.org_name(o) for o in ORG_IDS}


def sources_text(ds: Dataset, ids: str) -> str:
    """'S17: OpenAI; S25: The Decoder' for a tooltip."""
    sources = ds.sources
    return "; ".join(f"{s}: {sources.loc[s, 'publisher']}" for s in source_ids(ids))


def ids_text(ids: str) -> str:
    """'S17;S25' -> 'S17, S25'."""
    return ", ".join(source_ids(ids))
