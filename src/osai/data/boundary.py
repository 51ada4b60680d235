"""The data package is a boundary: what ``data/datapackage.json`` may point at, and the
shape of what it declares, checked before any data file is opened.

:func:`read_descriptor` reads ``datapackage.json`` and returns one :class:`Resource` per
table, each with a file that is safe to read:

* the descriptor and every resource ``path`` are one relative file name (a string, not a
  list or a URL), with no absolute path, no drive, no backslash and no ``..`` part;
* the file, after resolving symlinks, is inside the package folder (a symlink out of it is
  refused, even to a file that exists) and is a regular file (not a device such as
  ``/dev/zero``, not a FIFO, not a folder);
* every resource has a name, a ``.csv`` path and an inline ``schema`` that frictionless
  accepts as a Table Schema (field names and types, primary and foreign keys), whose every
  field states its ``type``; no two resources share a name or a file.

A refusal is a :class:`DataError` naming the resource, its file and the rule broken; it
never shows what the file holds (the file is not opened before it passes).  What is in a
file (bytes, cells, columns) is checked afterwards by :mod:`osai.data.checks`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from osai.data.errors import DataError

__all__ = ["DESCRIPTOR", "Resource", "read_descriptor", "safe_file"]

#: the descriptor's name in the package folder, and as messages name it
DESCRIPTOR = "datapackage.json"
_REL = f"data/{DESCRIPTOR}"


@dataclass(frozen=True)
class Resource:
    """One table of the package: ``name`` (the file name without ``.csv``, as the loader
    and the chapters call it), its checked ``path``, ``rel`` (how messages name it, e.g.
    ``data/events.csv``) and its ``schema`` (a Table Schema, as a dict)."""

    name: str
    path: Path
    rel: str
    schema: dict = field(hash=False, compare=False)


def safe_file(folder: Path, relpath: object, rel: str, what: str) -> Path:
    """The file ``relpath`` of the package folder ``folder``, once it is known to be a
    relative path that stays inside the folder and names a regular file; raises
    :class:`DataError` (``rel`` and ``what`` name it in the message) otherwise."""
    if not isinstance(relpath, str) or not relpath.strip():
        raise DataError(_REL, f"{what}: 'path' must be one file name relative to data/ "
                        f"(got {type(relpath).__name__} {relpath!r:.60})")
    if "\\" in relpath or "\0" in relpath or ":" in relpath:
        raise DataError(rel, f"{what}: path refused: a path in {DESCRIPTOR} uses '/' only, "
                        "with no backslash, colon (drive or URL) or NUL")
    pure = PurePosixPath(relpath)
    if pure.is_absolute():
        raise DataError(rel, f"{what}: path refused: absolute path (a path in {DESCRIPTOR} "
                        "is relative to data/)")
    if ".." in pure.parts:
        raise DataError(rel, f"{what}: path refused: '..' leaves the data package (a path in "
                        f"{DESCRIPTOR} stays inside data/)")
    root = folder.resolve()
    path = folder / pure
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise DataError(rel, f"{what}: file is missing") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a permission
        raise DataError(rel, f"{what}: file cannot be reached ({type(exc).__name__})") \
            from None
    if not real.is_relative_to(root):
        raise DataError(rel, f"{what}: path refused: it is a symlink to a file outside the "
                        "data package (data files must be inside data/; copy the file in)")
    try:
        mode = os.stat(real).st_mode
    except OSError as exc:
        raise DataError(rel, f"{what}: file cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
        raise DataError(rel, f"{what}: path refused: it is {kind}, not a regular file")
    return real


def read_descriptor(folder: Path) -> list[Resource]:
    """Every resource of ``folder/datapackage.json``, its path and schema checked (see the
    module's docstring); raises :class:`DataError` on the first problem."""
    path = safe_file(folder, DESCRIPTOR, _REL, "the package descriptor")
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(_REL, f"cannot be read: {exc}") from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        raise DataError(_REL, "must be a JSON object with a non-empty list 'resources'")
    out: list[Resource] = []
    for number, resource in enumerate(resources, start=1):
        if not isinstance(resource, dict):
            raise DataError(_REL, f"resource #{number} is not a JSON object")
        label = f"resource '{resource.get('name', f'#{number}')}'"
        relpath = resource.get("path")
        if isinstance(relpath, str) and not relpath.endswith(".csv"):
            raise DataError(_REL, f"{label}: path {relpath!r:.60} is not a .csv file")
        rel = _REL if not isinstance(relpath, str) else \
            relpath if relpath.startswith("/") else f"data/{relpath}"
        what = f"{label} in {DESCRIPTOR}"
        file = safe_file(folder, relpath, rel, what)
        if not isinstance(resource.get("name"), str) or not resource["name"]:
            raise DataError(_REL, f"{label} ({rel}) has no 'name'")
        schema = _check_schema(resource.get("schema"), f"{label} ({rel})")
        name = relpath.removesuffix(".csv")
        if any(r.name == name or r.path == file for r in out):
            raise DataError(_REL, f"{label} ({rel}): a second resource for the same file")
        out.append(Resource(name, file, rel, schema))
    return out


def _check_schema(schema: object, where: str) -> dict:
    """The resource's inline Table Schema, checked by frictionless and for what the loader
    relies on (every field has a string ``name`` and ``type``)."""
    from frictionless import FrictionlessException, Schema

    if schema is None:
        raise DataError(_REL, f"{where} has no 'schema' (every resource states its columns "
                        "in an inline Table Schema)")
    if not isinstance(schema, dict):  # a string would make frictionless open that path
        raise DataError(_REL, f"{where}: 'schema' must be written inline as a JSON object "
                        "(not a path or URL)")
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        raise DataError(_REL, f"{where}: the schema has no list of 'fields'")
    names = []
    for number, fld in enumerate(fields, start=1):
        if not isinstance(fld, dict) or not isinstance(fld.get("name"), str):
            raise DataError(_REL, f"{where}: schema field #{number} has no 'name'")
        if not isinstance(fld.get("type"), str):
            raise DataError(_REL, f"{where}: schema field '{fld['name']}' has no 'type'")
        names.append(fld["name"])
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DataError(_REL, f"{where}: schema field '{twice[0]}' is declared twice")
    keys = schema.get("foreignKeys")
    if keys is not None and not (isinstance(keys, list) and all(isinstance(k, dict)
                                                                for k in keys)):
        raise DataError(_REL, f"{where}: 'foreignKeys' must be a list of objects")
    for fld in fields:
        _check_constraints(fld, where)
        refs = fld.get("osai:references")
        if refs is not None and not (isinstance(refs, list) and all(
                isinstance(r, str) and r.count(".") == 1 for r in refs)):
            raise DataError(_REL, f"{where}: field '{fld['name']}': 'osai:references' must "
                            "be a list of 'table.column'")
    try:
        Schema.from_descriptor(dict(schema))
    except FrictionlessException as exc:
        note = getattr(exc.error, "note", None) or str(exc)
        raise DataError(_REL, f"{where}: the schema is not a valid Table Schema: "
                        f"{note}") from None
    return schema


def _check_constraints(fld: dict, where: str) -> None:
    """What frictionless takes on trust in a field's constraints: a pattern that compiles,
    bounds of the field's own kind (a number for a number, an integer for a length)."""
    constraints = fld.get("constraints")
    if constraints is None:
        return
    name = fld["name"]
    if not isinstance(constraints, dict):
        raise DataError(_REL, f"{where}: field '{name}': 'constraints' must be an object")
    pattern = constraints.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (TypeError, re.error) as exc:
            raise DataError(_REL, f"{where}: field '{name}': 'pattern' is not a regular "
                            f"expression ({exc})") from None
    for bound in ("minimum", "maximum"):
        value = constraints.get(bound)
        if value is not None and fld["type"] in ("number", "integer") and (
                isinstance(value, bool) or not isinstance(value, (int, float))):
            raise DataError(_REL, f"{where}: field '{name}': '{bound}' must be a number")
    for bound in ("minLength", "maxLength"):
        value = constraints.get(bound)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise DataError(_REL, f"{where}: field '{name}': '{bound}' must be an integer")
