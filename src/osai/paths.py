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

The build and test tools work in a checkout only: :func:`project_root` is its root, and
:func:`build_dir` the folder ``make book`` writes (``_build``, or ``$OSAI_BUILD_DIR``), with
:func:`html_dir`, :func:`notebooks_dir` and :func:`executed_dir` inside it.  No other module
finds these folders itself.
"""

from __future__ import annotations

import errno
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["PACKAGED", "build_dir", "checkout_root", "course_root", "executed_dir",
           "html_dir", "notebooks_dir", "os_error_line", "project_root"]

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


def project_root() -> Path:
    """The checkout's root, for the tools that build, test and grade (never a learner's)."""
    root = checkout_root()
    if root is None:
        raise FileNotFoundError(f"{Path(__file__).parent}: this is an installed osai, not a "
                                "checkout of the course; the build and grading tools run in a "
                                "checkout (git clone, then make book)")
    return root


def build_dir() -> Path:
    """Where ``make book`` writes: ``$OSAI_BUILD_DIR``, else ``_build`` in the checkout."""
    named = os.environ.get("OSAI_BUILD_DIR")
    return Path(named).resolve() if named else project_root() / "_build"


def html_dir() -> Path:
    """The built book (``_build/html``)."""
    return build_dir() / "html"


def notebooks_dir() -> Path:
    """The chapters as learners' notebooks (``_build/notebooks``)."""
    return build_dir() / "notebooks"


def executed_dir() -> Path:
    """myst-nb's executed copies of the chapters and their glue (``_build/jupyter_execute``)."""
    return build_dir() / "jupyter_execute"


#: what to do about a file error, by its errno
_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space, then run the command again",
    errno.EDQUOT: "the disk quota is used up: free some space, then run the command again",
    errno.EROFS: "the folder is on a read-only file system: make it writable, or give the "
                 "command another folder",
    errno.EACCES: "permission denied: give this user access to it, or pass another folder",
    errno.EPERM: "the operation is not permitted: give this user access to it, or pass "
                 "another folder",
    errno.ENOENT: "it does not exist: check the path",
    errno.EISDIR: "it is a folder where a file was expected: check the path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n) and run again",
}


def os_error_line(exc: OSError) -> str:
    """An :class:`OSError` as one line: what failed, on which path, and what to do."""
    paths = [str(p) for p in (exc.filename, exc.filename2) if p not in (None, "")]
    where = " -> ".join(paths) or "a file"
    what = exc.strerror or str(exc) or type(exc).__name__
    advice = _ADVICE.get(exc.errno or 0, "check the path and the disk, then run it again")
    return f"{what}: {where} ({advice})"
