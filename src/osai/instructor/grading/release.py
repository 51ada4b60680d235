"""``osai grade release``: build an assignment's source notebook and its student version."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from osai.instructor.grading.authoring import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, \
    write_source_folder
from osai.instructor.grading.outcomes import log_tail
from osai.instructor.grading.workdir import Course, GradingError


def release(course: Course, name: str, check_data: bool = True) -> Path:
    """Build the source notebook of ``name`` and generate its student version.

    Returns the release folder.  The student version is also zipped into
    ``workdir/lms/<name>.zip`` for upload to an LMS.
    """
    with course.lock(f"release {name}"):
        return _release(course, name, check_data)


def _release(course: Course, name: str, check_data: bool = True) -> Path:
    spec = course.spec(name)
    if check_data:
        from osai.data import DataError, load_dataset

        try:
            load_dataset(course.data_dir)
        except DataError as exc:
            raise GradingError(f"assignment '{name}': the course data is invalid, not "
                               f"releasing: {exc}") from None
    write_source_folder(spec, course.folder("source", name), course.data_dir)
    api = course.api()
    result = api.generate_assignment(name, force=True, create=True)
    if not result.get("success"):
        raise GradingError(f"assignment '{name}': nbgrader generate_assignment failed:\n"
                           + log_tail(result))
    folder = course.folder("release", name)
    for notebook in folder.glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
            if marker in text:
                shutil.rmtree(folder)
                raise GradingError(f"assignment '{name}': the student version {notebook} still "
                                   f"contains '{marker}'; not releasing it")
    lms = course.workdir / "lms"
    lms.mkdir(parents=True, exist_ok=True)
    archive = lms / f"{name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, Path(name) / path.relative_to(folder))
    return folder
