"""An incremental book build that stays right: re-read every page when an input Sphinx does
not track has changed.

Sphinx re-reads a page when its own source changes.  The pages also depend on files it
does not see: the data, quiz banks and objectives, the package code the chapters' cells
import (all hashed by :func:`osai.book.execution_cache.inputs_hash`, which clears the
execution cache when they change), and the build's own code, layout and scripts in
``osai/book/``, and the hub settings of the environment (:data:`SETTINGS`, the launch
button).  :func:`outdated_docs` keeps a fingerprint of both in Sphinx's environment
and, when it differs from the last build's, marks every page outdated, so no page keeps
a figure, a glued number or a widget from the old inputs.  An unchanged tree re-reads
nothing (``make book`` then skips Sphinx altogether: see the Makefile).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sphinx.application import Sphinx

from osai.book import execution_cache

__all__ = ["BUILD_CODE", "SETTINGS", "fingerprint", "outdated_docs"]

#: the build's own code, layout and scripts
BUILD_CODE = Path(__file__).resolve().parent
_SUFFIXES = {".py", ".html", ".js", ".css"}
#: where the fingerprint of the last build is kept, in Sphinx's pickled environment
_ATTRIBUTE = "osai_inputs"


#: settings from the environment that change pages (the "JupyterHub" launch button)
SETTINGS = ("OSAI_HUB_URL", "OSAI_HUB_REPO", "OSAI_HUB_BRANCH")


def fingerprint(source: Path) -> str:
    """A hash of the inputs of the book in ``source`` that Sphinx does not track."""
    digest = hashlib.sha256(execution_cache.inputs_hash(source).encode())
    for name in SETTINGS:
        digest.update(f"{name}={os.environ.get(name, '').strip()}\n".encode())
    for path in sorted(BUILD_CODE.rglob("*")):
        if path.is_file() and path.suffix in _SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(BUILD_CODE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def outdated_docs(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    """``env-get-outdated``: every known page when the fingerprint changed, else none."""
    current = fingerprint(Path(app.srcdir))
    previous = getattr(env, _ATTRIBUTE, None)
    setattr(env, _ATTRIBUTE, current)
    if previous is None or previous == current:
        return []
    return sorted(env.found_docs - set(removed))
