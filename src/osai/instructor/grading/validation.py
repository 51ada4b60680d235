"""Check assignment sources with nbgrader's own ``Validator``.

``nbgrader validate`` on the command line exits 0 even when tests fail, so the checks
here call :class:`nbgrader.validator.Validator` and read its result dictionary: a
source notebook (solutions and hidden tests included) must pass every test cell, and
the released student version must fail them (an unanswered assignment scoring points
would mean a test that checks nothing).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osai.instructor.grading.authoring import write_source_folder
from osai.instructor.grading.workdir import Course, ensure_tools_on_path

__all__ = ["ValidationReport", "validate_assignment", "validate_notebook"]


@dataclass
class ValidationReport:
    assignment: str
    ok: bool
    results: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        if self.ok:
            return f"{self.assignment}: every test cell passes with the solutions"
        lines = [f"{self.assignment}: FAILED"]
        for kind, cells in self.results.items():
            for cell in cells:
                first = cell.get("source", "").splitlines()[:1]
                error = (cell.get("raw_error") or "").strip().splitlines()[-1:]
                lines.append(f"  {kind}: {first[0] if first else ''!r} "
                             f"{error[0] if error else ''}")
        return "\n".join(lines)


def validate_notebook(path: Path, invert: bool = False, timeout: int = 120) -> dict[str, Any]:
    """nbgrader's validation result for a notebook ({} when it passes).

    ``invert`` asks for the cells that *pass* instead (for student versions).
    """
    from nbgrader.validator import Validator
    from traitlets.config import Config

    ensure_tools_on_path()
    config = Config()
    config.Validator.invert = invert
    config.Execute.timeout = timeout
    return Validator(config=config).validate(str(path))


def validate_assignment(course: Course, name: str) -> ValidationReport:
    """Build ``name``'s source notebook with its data in a temporary folder and check
    that it passes all its tests, hidden ones included."""
    spec = course.spec(name)
    with tempfile.TemporaryDirectory(prefix=f"osai-validate-{name}-") as tmp:
        notebook = write_source_folder(spec, Path(tmp) / name, course.data_dir)
        results = validate_notebook(notebook)
    return ValidationReport(name, not results, results)
