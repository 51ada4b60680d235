"""Where the course's files are: a checkout's own folders, else the copy inside the package.

The course reads three kinds of file besides its code: the data package (``data/``), the
quiz banks with their JSON Schema (``exercises/quizzes/``) and the learning objectives
(``exercises/objectives.yml``).  They are found, in this order:

1. an environment variable, for the one kind it names (``OSAI_DATA_DIR``,
   ``OSAI_QUIZ_DIR``);
2. a checkout of the course: a folder above this source file holding both ``_toc.yml``
   and ``data/datapackage.json`` (so ``make book`` and the tests read the files being
   edited, even through an editable install);
3. the copy shipped in the package (``osai/_course/``, written by ``setup.py`` when the
   wheel is built), so an installed ``osai`` works from any folder with no checkout.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["checkout_root", "course_root", "PACKAGED"]

#: folder inside the package that holds the course files in a wheel
PACKAGED = "_course"


@lru_cache(maxsize=1)
def checkout_root() -> Path | None:
    """The root of the checkout this package is running from, or None when installed."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "_toc.yml").is_file() and (parent / "data" / "datapackage.json").is_file():
            return parent
    return None


def course_root() -> Path:
    """The folder holding ``data/`` and ``exercises/``: the checkout, else the packaged copy."""
    root = checkout_root()
    if root is not None:
        return root
    packaged = Path(str(resources.files("osai") / PACKAGED))
    if not (packaged / "data" / "datapackage.json").is_file():
        raise FileNotFoundError(
            f"the course files are missing: no checkout above {Path(__file__).parent} and "
            f"no {packaged / 'data' / 'datapackage.json'}; reinstall the course package "
            "(pip install -r requirements.txt in the course folder) or set OSAI_DATA_DIR")
    return packaged
