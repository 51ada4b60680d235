""""Launch on JupyterHub": a link on each chapter that opens its notebook in the learner's
JupyterLab on a school's hub, through nbgitpuller.

Off unless the book is built with ``OSAI_HUB_URL`` set (the offline book then has no
button and requests nothing outside its origin).  The settings, from the environment:

``OSAI_HUB_URL``     the hub, e.g. ``https://hub.example.edu`` (https, or http for a hub on
                     the school's own network)
``OSAI_HUB_REPO``    the git repository nbgitpuller pulls into each learner's home: the
                     learners' notebooks (``make hub-notebooks`` writes that branch; see
                     docs-hub.md); required with ``OSAI_HUB_URL``
``OSAI_HUB_BRANCH``  its branch (default ``learner-notebooks``)

The link is nbgitpuller's own form, ``<hub>/hub/user-redirect/git-pull?repo=...&branch=...
&targetpath=<folder>&urlpath=lab/tree/<folder>/<chapter>.ipynb``: the hub logs the learner in (its
authenticator: LTI from the LMS, or the school's accounts), starts their server, pulls or
updates the repository (never overwriting the learner's own changes) and opens the chapter.
:func:`launch_url` builds it, so the instructor guide's links for an LMS page are the same:
``make hub-links`` (``python -m osai.book.launch``) prints one per notebook of the build.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

__all__ = ["DEFAULT_BRANCH", "HubSettings", "add_launch_button", "check_settings",
           "hub_settings", "launch_url"]

DEFAULT_BRANCH = "learner-notebooks"


@dataclass(frozen=True)
class HubSettings:
    hub: str      #: the hub's base URL, without a trailing slash
    repo: str     #: the repository nbgitpuller pulls
    branch: str

    @property
    def folder(self) -> str:
        """The folder nbgitpuller clones into (the link's ``targetpath``): the repository's
        last path part without ``.git``."""
        name = urlsplit(self.repo).path.rstrip("/").rsplit("/", 1)[-1] or self.repo
        return re.sub(r"\.git$", "", name)


def _checked_url(name: str, value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or re.search(r"\s", value):
        raise ConfigError(f"{name}={value!r} is not an http(s) URL")
    return value.rstrip("/")


def hub_settings(environ=os.environ) -> HubSettings | None:
    """The hub settings from the environment; None when ``OSAI_HUB_URL`` is unset or empty.
    A URL that is not http(s), or a hub without a repository, is a :class:`ConfigError`
    naming the variable."""
    hub = environ.get("OSAI_HUB_URL", "").strip()
    if not hub:
        return None
    repo = environ.get("OSAI_HUB_REPO", "").strip()
    if not repo:
        raise ConfigError("OSAI_HUB_URL is set but OSAI_HUB_REPO is not: set it to the git "
                          "repository of the learners' notebooks (docs-hub.md)")
    branch = environ.get("OSAI_HUB_BRANCH", "").strip() or DEFAULT_BRANCH
    if not re.fullmatch(r"[\w./-]+", branch) or ".." in branch:
        raise ConfigError(f"OSAI_HUB_BRANCH={branch!r} is not a branch name")
    return HubSettings(_checked_url("OSAI_HUB_URL", hub), _checked_url("OSAI_HUB_REPO", repo),
                       branch)


def launch_url(settings: HubSettings, notebook: str) -> str:
    """The nbgitpuller link that opens ``notebook`` (a file name in the repository) in
    JupyterLab on the hub."""
    # the folder is named in the link: nbgitpuller's own default is the URL's last part with
    # its ".git", so a link to "https://host/notebooks.git" would pull into "notebooks.git"
    query = urlencode({"repo": settings.repo, "branch": settings.branch,
                       "targetpath": settings.folder,
                       "urlpath": f"lab/tree/{settings.folder}/{notebook}"}, safe="/")
    return f"{settings.hub}/hub/user-redirect/git-pull?{query}"


def add_launch_button(app: Sphinx, pagename: str, templatename: str, context: dict,
                      doctree) -> None:
    """``html-page-context``, after sphinx-book-theme's own buttons: on a notebook chapter
    (one with an ``.ipynb`` download), a "Launch on JupyterHub" button when a hub is set."""
    settings = hub_settings()
    if settings is None or not context.get("ipynb_source"):
        return
    buttons = context.get("header_buttons")
    if not isinstance(buttons, list):
        return
    buttons.append({
        "type": "link",
        "text": "JupyterHub",
        "tooltip": "Launch this chapter on JupyterHub",
        "icon": "_static/images/logo_jupyterhub.svg",
        "label": "osai-launch-jupyterhub",
        "url": launch_url(settings, Path(pagename).name + ".ipynb"),
    })


def check_settings(app: Sphinx, config) -> None:
    """``config-inited``: a wrong hub setting stops the build at once, naming it."""
    hub_settings()


def main() -> int:
    """Print each built notebook's launch link (``notebook<TAB>link``), for an LMS page."""
    import sys

    from osai import paths

    try:
        settings = hub_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if settings is None:
        print("error: set OSAI_HUB_URL and OSAI_HUB_REPO (docs-hub.md)", file=sys.stderr)
        return 1
    notebooks = sorted(paths.notebooks_dir().glob("*.ipynb"))
    if not notebooks:
        print(f"error: no notebooks in {paths.notebooks_dir()}: run make book",
              file=sys.stderr)
        return 1
    for notebook in notebooks:
        print(f"{notebook.name}\t{launch_url(settings, notebook.name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
