"""The rules across tables of ``data/``: every id that points at another table exists
there, every fact cites a source, and money has a currency.

Which columns point where (:func:`table_references`): ``foreignKeys`` in
``datapackage.json`` (single or, with ``"osai:separator"``, ``;``-separated), a field's
``"osai:references": ["table.column", ...]`` (e.g. ``evidence_ids``), a column named like
another table's one-column primary key (``org_id``, ``licence_id``), and the source
columns (:data:`SOURCE_COLUMNS`, which must not be empty).  :func:`check_references` is
run by :mod:`osai.data.dataset` once every table has passed its own checks.
"""

from __future__ import annotations

import pandas as pd

from osai.data.errors import DataError

__all__ = ["SOURCE_COLUMNS", "check_references", "source_ids", "table_references"]

#: columns that hold one or more source ids separated by ``;``
SOURCE_COLUMNS = ("source_id", "source_ids")

#: a reference: (column, [(table, key column), ...], whether the column lists several ids)
Reference = tuple[str, list[tuple[str, str]], bool]


def source_ids(value) -> list[str]:
    """Split a ``S01;S02`` cell (any ``;``-separated list of ids) into ids; an empty cell
    gives ``[]``."""
    if value is None or pd.isna(value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _schema_references(name: str, schema: dict) -> list[Reference]:
    """Every reference of a table that ``datapackage.json`` declares.

    From ``foreignKeys`` (``reference.resource`` may be a list of tables;
    ``"osai:separator": ";"`` marks a list-valued column), then from the field property
    ``"osai:references"`` (``["events.event_id", ...]``).
    """
    out: dict[str, tuple[list[tuple[str, str]], bool]] = {}
    for fk in schema.get("foreignKeys") or []:
        fields = fk.get("fields")
        ref = fk.get("reference") or {}
        tables = ref.get("resource")
        tables = [tables] if isinstance(tables, str) else list(tables or [])
        keys = ref.get("fields")
        if isinstance(fields, list):
            if len(fields) != 1:
                continue  # composite foreign keys are not used by the course
            fields = fields[0]
        keys = keys[0] if isinstance(keys, list) else keys
        out[fields] = ([(t or name, keys) for t in tables], bool(fk.get("osai:separator")))
    for field in schema["fields"]:
        refs = field.get("osai:references")
        if refs and field["name"] not in out:
            out[field["name"]] = ([tuple(r.split(".", 1)) for r in refs], True)
    return [(column, targets, is_list) for column, (targets, is_list) in out.items()]


def table_references(schemas: dict[str, dict]) -> dict[str, list[Reference]]:
    """Table name -> its references: those the schema declares, then by convention a
    column named like another table's one-column primary key (``org_id``, ``licence_id``)
    refers to that table, and the source columns refer to ``sources``."""
    keys: dict[str, list[str]] = {}
    for table, schema in schemas.items():
        pk = schema.get("primaryKey")
        pk = [pk] if isinstance(pk, str) else list(pk or [])
        if len(pk) == 1:
            keys.setdefault(pk[0], []).append(table)
    out: dict[str, list[Reference]] = {}
    for name, schema in schemas.items():
        declared = _schema_references(name, schema)
        seen = {column for column, _, _ in declared}
        pk = schema.get("primaryKey")
        own = {pk} if isinstance(pk, str) else set(pk or [])
        for field in schema["fields"]:
            column = field["name"]
            if column in seen or name == "sources":
                continue
            if column in SOURCE_COLUMNS:
                declared.append((column, [("sources", "source_id")], True))
            elif column in keys and (column not in own or len(own) > 1):
                targets = [(t, column) for t in keys[column] if t != name]
                if targets:
                    declared.append((column, targets, False))
        out[name] = declared
    return out


def check_references(tables: dict[str, pd.DataFrame], schemas: dict[str, dict]) -> None:
    """Every id that points at another table exists there; every fact cites a source;
    every amount has a currency.  Raises :class:`DataError` on the first problem."""
    references = table_references(schemas)
    for name, frame in tables.items():
        rel = f"data/{name}.csv"
        for column, targets, is_list in references[name]:
            if column not in frame:
                continue
            known: set[str] = set()
            for table, key in targets:
                if table not in tables or key not in tables[table]:
                    raise DataError("data/datapackage.json", f"{name}.{column} refers to "
                                    f"{table}.{key}, which does not exist")
                known |= set(tables[table][key].dropna().astype(str))
            where = " or ".join(f"data/{t}.csv" for t, _ in targets)
            for row, value in frame[column].items():
                ids = source_ids(value) if is_list else \
                    ([] if value is None or pd.isna(value) else [str(value)])
                if not ids and column in SOURCE_COLUMNS:
                    raise DataError(rel, "missing source id: every fact must cite a source",
                                    row, column)
                for ref in ids:
                    if ref not in known:
                        kind = {"sources": "source id", "organisations": "organisation"}.get(
                            targets[0][0], "id")
                        hint = f" (known: {', '.join(sorted(known))})" if len(known) <= 12 \
                            else ""
                        raise DataError(rel, f"unknown {kind} '{ref}': no row of {where} has "
                                        f"that {targets[0][1]}{hint}", row, column)
        if "amount" in frame and "currency" in frame:
            for row, (amount, currency) in frame[["amount", "currency"]].iterrows():
                if pd.notna(amount) and pd.isna(currency):
                    raise DataError(rel, "amount given without a currency", row, "currency")
