"""Load and validate the course's Frictionless Data Package (``data/``).

The package is a boundary (:mod:`.boundary`): every resource path in
``datapackage.json`` is relative and names a regular file inside the package folder (no
symlink out, no ``..``, no absolute path, no device), and every resource has a valid
inline schema; a refusal names the file and the rule, never the file's content.

Every table is checked against its Table Schema in ``data/datapackage.json`` by
frictionless (types, required cells, patterns, enums, unique keys, unknown or missing
columns), then against the rules a schema cannot express:

* the file is UTF-8 (else: the row and column of the first bad byte), has no control
  character in a cell (NUL among them), no column twice in its header, no blank row, and
  no key (one column or several) twice;
* numbers are finite (frictionless accepts ``inf`` and ``NaN``);
* every id that points at another table exists there: ``foreignKeys`` in the schema
  (single or, with ``"osai:separator"``, ``;``-separated), a field's
  ``"osai:references": ["table.column", ...]`` (e.g. ``evidence_ids``), a column named like
  another table's one-column primary key (``org_id``, ``licence_id``), and the source
  columns (``source_id``/``source_ids``, which must not be empty);
* every date is a real calendar date at its stated precision, none is after the build
  date (:func:`build_date`) unless its field says ``"osai:plan": true``, and no ``end``
  comes before its ``start``;
* money has a currency;
* every source says which organisations it is about (``source_organisations.csv``: its
  organisations, or ``general``, or ``other``), and a row about one organisation cites
  only sources about it or general ones, unless ``citation_exceptions.csv`` allows that
  citation with a reason (:mod:`.source_scope`).

Any problem raises :class:`DataError`, whose message names the file, the row
(spreadsheet numbering: the header is row 1) and the column, and says why, so a bad row
stops the book build with a message that says where to look.

One module each: :mod:`.boundary` (what ``datapackage.json`` may point at, and its
schemas), :mod:`.dataset` (:class:`Dataset`, finding and loading the package),
:mod:`.checks` (one table's CSV file against its schema, with frictionless),
:mod:`.references` (the rules across tables), :mod:`.source_scope` (what sources are
about), :mod:`.dates` (dates at their precision, the
build date) and :mod:`.errors` (:class:`DataError`).  The public names are re-exported
here: ``from osai.data import load_dataset``.
"""


from __future__ import annotations

from osai.data.dates import build_date
from osai.data.errors import DataError
from osai.data.dataset import TABLES, Dataset, data_dir, load, load_dataset
from osai.data.references import SOURCE_COLUMNS, source_ids

__all__ = [
    "DataError",
    "build_date",
    "Dataset",
    "data_dir",
    "load",
    "load_dataset",
    "source_ids",
    "SOURCE_COLUMNS",
    "TABLES",
]
