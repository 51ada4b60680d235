"""Prepare JupyterLab for the course (``make lab``, ``make lab-src``): offline, and MyST
chapters open as notebooks.

``make lab`` opens the chapters as learners get them (``_build/notebooks``, written by the
book build, see :mod:`osai.book.notebooks`); ``make lab-src`` opens the MyST sources in
``chapters/`` for editing.

Writes ``share/jupyter/lab/settings/overrides.json`` inside the course's virtual
environment (never the learner's own settings):

* the news and update check is off, so JupyterLab never asks to fetch from the internet;
* MyST Markdown chapters (``.md`` with a jupytext header) open as notebooks (jupytext).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"},
    },
}


def settings_file() -> Path:
    return Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def prepare() -> Path:
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    current = {}
    if path.is_file():
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            current = {}
    for plugin, values in OVERRIDES.items():
        current.setdefault(plugin, {}).update(values)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    if "--prepare" in sys.argv:
        print(f"JupyterLab settings for the course: {prepare()}")
