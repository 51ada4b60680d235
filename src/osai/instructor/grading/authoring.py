"""Turn an assignment's text source into an nbgrader *source* notebook.

Each assignment lives in ``exercises/assignments/<name>/`` as one jupytext
percent-format file, ``<name>.py``, holding the instructions, the solutions and
the hidden tests, plus a ``rubric.md``.  Cells carry a compact ``grading``
marker on their ``# %%`` line that :func:`build_source_notebook` expands into
nbgrader's cell metadata (schema version 3)::

    # %% [markdown] grading={"kind": "prompt", "id": "q1-prompt"}
    # ## Question 1 (2 points) ...

    # %% grading={"kind": "answer", "id": "total-funding"}
    def total_funding(events):
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

    # %% grading={"kind": "tests", "id": "test-total-funding", "points": 2}
    assert ...
    ### BEGIN HIDDEN TESTS
    assert ...
    ### END HIDDEN TESTS

Kinds:

``prompt``   locked markdown (instructions, one prompt per cell);
``readonly`` locked cell of any type (setup code, notes);
``answer``   autograded code answer; must hold ``### BEGIN/END SOLUTION``;
``tests``    locked autograder tests with ``points``; may hold hidden tests;
``manual``   manually graded answer with ``points``; a markdown one has no
             delimiters: nbgrader replaces the whole cell with "YOUR ANSWER HERE";
``free``     an ordinary editable cell that nbgrader does not track.

A cell without a marker is ``readonly`` with an id made from the assignment
name and its position.  The notebook header's ``osai`` metadata names the
assignment's ``title`` and the ``data`` files (from ``data/``) that are copied
next to the notebook, so the notebook reads them relative to its own folder.

The student version is never edited by hand: ``osai grade release`` writes the
source notebook built here into the nbgrader course folder and runs nbgrader's
``generate_assignment``.
"""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

__all__ = [
    "AssignmentSpec",
    "AuthoringError",
    "KINDS",
    "build_source_notebook",
    "fill_answers",
    "find_assignments",
    "load_spec",
    "solution_answers",
    "write_source_folder",
]

#: cell kinds understood by the ``grading`` marker
KINDS = ("prompt", "readonly", "answer", "tests", "manual", "free")
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class AuthoringError(ValueError):
    """A problem in an assignment source, located by file and cell."""

    def __init__(self, source: Path | str, message: str, cell: int | None = None,
                 grade_id: str | None = None):
        where = str(source)
        if cell is not None:
            where += f", cell {cell + 1}"
        if grade_id:
            where += f" ('{grade_id}')"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class AssignmentSpec:
    """An assignment's text source and what it needs."""

    name: str
    folder: Path
    source: Path
    title: str
    data_files: tuple[str, ...]

    @property
    def notebook_name(self) -> str:
        """File name of the notebook students receive and submit."""
        return f"{self.name}.ipynb"

    @property
    def rubric(self) -> Path:
        return self.folder / "rubric.md"


def _read_text_notebook(source: Path) -> NotebookNode:
    import jupytext

    try:
        return jupytext.read(source, fmt="py:percent")
    except Exception as exc:  # jupytext raises several kinds
        raise AuthoringError(source, f"cannot be read as a jupytext percent notebook: {exc}")


def load_spec(folder: Path) -> AssignmentSpec:
    """Read the header of ``folder/<folder name>.py``."""
    name = folder.name
    source = folder / f"{name}.py"
    if not _NAME_PATTERN.match(name):
        raise AuthoringError(folder, "assignment folder names may only use letters, digits, "
                             "'-', '_' and '.'")
    if not source.is_file():
        raise AuthoringError(source, "missing: every assignment folder holds <name>.py")
    nb = _read_text_notebook(source)
    meta = nb.metadata.get("osai", {})
    if not isinstance(meta, dict):
        raise AuthoringError(source, "the 'osai' header metadata must be a mapping")
    data = meta.get("data", [])
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        raise AuthoringError(source, "'osai: data' must be a list of file names in data/")
    for item in data:
        if "/" in item or item.startswith("."):
            raise AuthoringError(source, f"data file '{item}' must be a plain file name")
    return AssignmentSpec(name=name, folder=folder, source=source,
                          title=str(meta.get("title", name)), data_files=tuple(data))


def find_assignments(assignments_dir: Path) -> dict[str, AssignmentSpec]:
    """Every assignment under ``assignments_dir``, by name (sorted)."""
    if not assignments_dir.is_dir():
        raise AuthoringError(assignments_dir, "assignments folder not found")
    found = {}
    for folder in sorted(p for p in assignments_dir.iterdir() if p.is_dir()):
        if (folder / f"{folder.name}.py").is_file():
            found[folder.name] = load_spec(folder)
    return found


def _marker(cell: NotebookNode, source: Path, index: int) -> dict[str, Any]:
    marker = cell.metadata.get("grading")
    if marker is None:
        return {"kind": "readonly"}
    if not isinstance(marker, dict):
        raise AuthoringError(source, "the 'grading' marker must be a JSON object", index)
    unknown = set(marker) - {"kind", "id", "points"}
    if unknown:
        raise AuthoringError(source, f"unknown key(s) in 'grading': {', '.join(sorted(unknown))}",
                             index)
    kind = marker.get("kind")
    if kind not in KINDS:
        raise AuthoringError(source, f"unknown kind {kind!r}; use one of {', '.join(KINDS)}",
                             index, marker.get("id"))
    return marker


def _has_line(text: str, delimiter: str) -> bool:
    return any(delimiter in line for line in text.splitlines())


def _check_delimiters(text: str, begin: str, end: str, source: Path, index: int,
                      grade_id: str) -> None:
    depth = 0
    for line in text.splitlines():
        if begin in line:
            if depth:
                raise AuthoringError(source, f"nested '{begin}'", index, grade_id)
            depth = 1
        elif end in line:
            if not depth:
                raise AuthoringError(source, f"'{end}' without '{begin}'", index, grade_id)
            depth = 0
    if depth:
        raise AuthoringError(source, f"'{begin}' is never closed by '{end}'", index, grade_id)


def _points(marker: dict[str, Any], source: Path, index: int, grade_id: str) -> float:
    points = marker.get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise AuthoringError(source, "needs a positive number of 'points'", index, grade_id)
    return float(points) if isinstance(points, float) else int(points)


def build_source_notebook(spec: AssignmentSpec) -> NotebookNode:
    """The nbgrader source notebook (with solutions and hidden tests) for ``spec``.

    Raises :class:`AuthoringError` naming the file and cell on any problem.
    """
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    source = spec.source
    text_nb = _read_text_notebook(source)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    seen: dict[str, int] = {}
    total_points = 0.0
    for index, text_cell in enumerate(text_nb.cells):
        marker = _marker(text_cell, source, index)
        kind = marker["kind"]
        grade_id = marker.get("id") or f"{spec.name}-cell-{index + 1:02d}"
        if kind != "free":
            if not isinstance(grade_id, str) or not _ID_PATTERN.match(grade_id):
                raise AuthoringError(source, f"bad id {grade_id!r}: use letters, digits, "
                                     "'-' and '_'", index)
            if grade_id in seen:
                raise AuthoringError(source, f"duplicate id (also cell {seen[grade_id] + 1})",
                                     index, grade_id)
            seen[grade_id] = index
        if kind in ("answer", "tests", "manual") and "id" not in marker:
            raise AuthoringError(source, f"a '{kind}' cell needs an explicit 'id'", index)
        if "points" in marker and kind not in ("tests", "manual"):
            raise AuthoringError(source, f"'points' only belong on tests and manual cells, "
                                 f"not on '{kind}'", index, grade_id)
        text = text_cell.source
        cell_type = text_cell.cell_type
        if cell_type not in ("code", "markdown"):
            raise AuthoringError(source, f"unsupported cell type {cell_type!r}", index, grade_id)
        has_solution = _has_line(text, BEGIN_SOLUTION) or _has_line(text, END_SOLUTION)
        has_hidden = _has_line(text, BEGIN_HIDDEN) or _has_line(text, END_HIDDEN)
        if has_solution and kind not in ("answer", "manual"):
            raise AuthoringError(source, "solution delimiters are only allowed in 'answer' or "
                                 "'manual' cells", index, grade_id)
        if has_hidden and kind != "tests":
            raise AuthoringError(source, "hidden-test delimiters are only allowed in 'tests' "
                                 "cells", index, grade_id)
        _check_delimiters(text, BEGIN_SOLUTION, END_SOLUTION, source, index, grade_id)
        _check_delimiters(text, BEGIN_HIDDEN, END_HIDDEN, source, index, grade_id)

        meta: dict[str, Any] | None
        if kind == "prompt":
            if cell_type != "markdown":
                raise AuthoringError(source, "a 'prompt' must be a markdown cell", index, grade_id)
            meta = {"grade": False, "locked": True, "solution": False}
        elif kind == "readonly":
            meta = {"grade": False, "locked": True, "solution": False}
        elif kind == "answer":
            if cell_type != "code":
                raise AuthoringError(source, "an 'answer' must be a code cell (use 'manual' for "
                                     "written answers)", index, grade_id)
            if not has_solution:
                raise AuthoringError(source, f"an 'answer' needs '{BEGIN_SOLUTION}' and "
                                     f"'{END_SOLUTION}' around the solution", index, grade_id)
            meta = {"grade": False, "locked": False, "solution": True}
        elif kind == "tests":
            if cell_type != "code":
                raise AuthoringError(source, "'tests' must be a code cell", index, grade_id)
            points = _points(marker, source, index, grade_id)
            total_points += points
            meta = {"grade": True, "locked": True, "solution": False, "points": points}
        elif kind == "manual":
            points = _points(marker, source, index, grade_id)
            total_points += points
            meta = {"grade": True, "locked": False, "solution": True, "points": points}
        else:  # free
            meta = None

        if cell_type == "code":
            cell = nbformat.v4.new_code_cell(text)
        else:
            cell = nbformat.v4.new_markdown_cell(text)
        if meta is not None:
            cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3,
                                         "task": False, **meta}
        nb.cells.append(cell)

    if total_points <= 0:
        raise AuthoringError(source, "the assignment has no graded cells ('tests' or 'manual' "
                             "with points)")
    try:
        MetadataValidator().validate_nb(nb)
    except ValidationError as exc:
        raise AuthoringError(source, f"nbgrader rejects the metadata: {exc}") from None
    nbformat.validate(nb)
    return nb


def write_source_folder(spec: AssignmentSpec, dest: Path, data_dir: Path) -> Path:
    """Write the source notebook and its data files into ``dest`` (emptied first).

    Returns the notebook path.  Data files come from ``data_dir`` (the course's
    ``data/``) so the notebook can read them relative to its own folder.
    """
    nb = build_source_notebook(spec)
    missing = [f for f in spec.data_files if not (data_dir / f).is_file()]
    if missing:
        raise AuthoringError(spec.source, f"data file(s) not found in {data_dir}: "
                             f"{', '.join(missing)}")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in spec.data_files:
        shutil.copyfile(data_dir / name, dest / name)
    path = dest / spec.notebook_name
    nbformat.write(nb, path)
    return path


def _strip_region(text: str, begin: str, end: str, keep_inside: bool) -> str:
    out, inside = [], False
    for line in text.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif keep_inside or not inside:
            out.append(line)
    return "\n".join(out)


def solution_answers(source_nb: NotebookNode) -> dict[str, str]:
    """Each answer cell of a *source* notebook as a student would write it.

    The solution delimiters are removed (their content kept) so the result can
    be pasted into the released notebook to make a reference submission.
    """
    answers = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = _strip_region(cell.source, BEGIN_SOLUTION, END_SOLUTION,
                                                      keep_inside=True)
    return answers


def fill_answers(release_nb: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """A copy of a released notebook with answer cells replaced by ``answers``."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb
