"""Sources say what they are about, and a row about one organisation cites sources about it.

``data/source_organisations.csv`` (:data:`ABOUT`) lists, for every source of
``sources.csv``, the organisations it concerns: one row per organisation (scope
``organisation``), or one row with scope ``general`` (about no single organisation: a law,
a licence text, a definition, a market study, an opinion on the whole field), or a row
with scope ``other`` (about an organisation outside ``organisations.csv``, such as Meta or
Google; it may sit beside ``organisation`` rows).  A source with no row is an error, so a
forgotten source is never silently general.

:func:`check_citations` then holds every table with an ``org_id`` and a source column
(events, metrics, quotes, funding, structures, releases, revenue streams, assessments,
the organisations themselves) to it: each cited source is general or about the row's
organisation.  A citation of a source about another organisation is refused, naming the
file, row, column, source and both organisations, unless ``data/citation_exceptions.csv``
(:data:`EXCEPTIONS`) lists that table, row key and source with a reason.  An exception no
row needs any more is refused too, so the list stays small and reviewed.
"""

from __future__ import annotations

import pandas as pd

from osai.data.errors import DataError
from osai.data.references import SOURCE_COLUMNS, source_ids

__all__ = ["ABOUT", "EXCEPTIONS", "check_citations", "row_key"]

#: the link table: which organisations each source is about
ABOUT = "source_organisations"
#: the reviewed exceptions: a row allowed to cite a source about another organisation
EXCEPTIONS = "citation_exceptions"


def row_key(frame: pd.DataFrame, schema: dict, row: int) -> str:
    """A row's key as ``citation_exceptions.csv`` writes it: its primary key's values,
    joined by ``/`` when the key has several columns (``hf/openness``)."""
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    return "/".join(str(frame.at[row, k]) for k in key)


def _about(tables: dict[str, pd.DataFrame]) -> dict[str, set[str] | None]:
    """Source id -> the organisations it is about (``None``: general); checks the link
    table's own rules."""
    rel = f"data/{ABOUT}.csv"
    links = tables[ABOUT]
    about: dict[str, set[str] | None] = {}
    general: dict[str, int] = {}
    for row, link in links.iterrows():
        source, org, scope = link["source_id"], link["org_id"], link["scope"]
        if scope == "organisation" and pd.isna(org):
            raise DataError(rel, f"scope 'organisation' needs an org_id (or say 'general' "
                            f"or 'other' for source {source})", row, "org_id")
        if scope != "organisation" and pd.notna(org):
            raise DataError(rel, f"scope '{scope}' takes no org_id (write scope "
                            "'organisation' to say the source is about it)", row, "org_id")
        if scope == "general":
            general[source] = row
        orgs = about.setdefault(source, set())
        if scope == "organisation":
            orgs.add(str(org))
    for source, row in general.items():
        if len(links[links["source_id"] == source]) > 1:
            raise DataError(rel, f"source {source} is 'general' and has other rows: a general "
                            "source is about no single organisation (one row only)", row,
                            "scope")
        about[source] = None
    for row, source in tables["sources"]["source_id"].items():
        if source not in about:
            raise DataError("data/sources.csv", f"source {source} does not say what it is "
                            f"about: add it to {rel} (its organisations, or scope 'general' "
                            "or 'other')", row, "source_id")
    return about


def check_citations(tables: dict[str, pd.DataFrame], schemas: dict[str, dict]) -> None:
    """Every row about an organisation cites only sources about that organisation or
    general ones, except the reviewed exceptions; raises :class:`DataError` on the first
    citation that breaks the rule, or exception that no row needs."""
    about = _about(tables)
    names = tables["organisations"].set_index("org_id")["name"]
    allowed: dict[tuple[str, str, str], int] = {}
    if EXCEPTIONS in tables:
        for row, ex in tables[EXCEPTIONS].iterrows():
            allowed[(ex["table"], ex["row_id"], ex["source_id"])] = row
    used: set[tuple[str, str, str]] = set()
    for name, frame in tables.items():
        columns = [c for c in SOURCE_COLUMNS if c in frame]
        if name in (ABOUT, "sources") or "org_id" not in frame or not columns:
            continue
        rel = f"data/{name}.csv"
        for row in frame.index:
            org = frame.at[row, "org_id"]
            if pd.isna(org):
                continue
            for column in columns:
                for source in source_ids(frame.at[row, column]):
                    orgs = about.get(source)
                    if orgs is None or org in orgs:
                        continue
                    key = (name, row_key(frame, schemas[name], row), source)
                    if key in allowed:
                        used.add(key)
                        continue
                    theirs = ", ".join(f"{names.get(o, o)} ({o})" for o in sorted(orgs)) \
                        or "an organisation outside data/organisations.csv"
                    raise DataError(
                        rel, f"source {source} is about {theirs}, not {names.get(org, org)} "
                        f"({org}), the organisation of this row: cite a source about "
                        f"{org}, or add ({name}, {key[1]}, {source}) with a reason to "
                        f"data/{EXCEPTIONS}.csv", row, column)
    for key, row in allowed.items():
        if key not in used:
            raise DataError(f"data/{EXCEPTIONS}.csv", f"exception not needed: no row "
                            f"'{key[1]}' of data/{key[0]}.csv cites {key[2]} about another "
                            "organisation (delete this exception)", row, "row_id")
