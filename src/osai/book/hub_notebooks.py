"""The learners' notebooks as a git branch, for nbgitpuller on a JupyterHub.

``make hub-notebooks`` (after ``make book``) commits ``_build/notebooks/`` (every chapter as
the resolved ``.ipynb`` a learner runs, and the glossary) with a short README to the branch
``learner-notebooks`` (``OSAI_HUB_BRANCH``) of the checkout, without touching the working
tree, the index or the current branch: it writes the files into a tree of their own with
git's plumbing (``hash-object``, ``mktree``, ``commit-tree``, ``update-ref``).  A build whose
notebooks did not change adds no commit.  The instructor then pushes that branch to the
repository ``OSAI_HUB_REPO`` names (``git push origin learner-notebooks``); the book's
"Launch on JupyterHub" links (:mod:`osai.book.launch`) pull it into each learner's home.

The course package itself is not in the branch: the hub's image installs it (``binder/``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from osai import paths
from osai.book.launch import DEFAULT_BRANCH

__all__ = ["README", "publish"]

README = """# The course notebooks, for JupyterHub

Each chapter of *Sustaining open-source AI* as a notebook. This branch is written by
`make hub-notebooks` from the built book; do not edit it by hand: the next build replaces
it. On the hub, nbgitpuller keeps your own changes when it updates these files.
"""


class PublishError(Exception):
    """Why the branch could not be written (one line)."""


#: who commits when git has no identity configured (a CI machine, a fresh container)
_FALLBACK_IDENTITY = {"GIT_AUTHOR_NAME": "osai course build", "GIT_COMMITTER_NAME":
                      "osai course build", "GIT_AUTHOR_EMAIL": "osai-build@localhost",
                      "GIT_COMMITTER_EMAIL": "osai-build@localhost"}


def _git(root: Path, *args: str, data: bytes | None = None) -> str:
    env = dict(os.environ)
    if args[0] == "commit-tree" and subprocess.run(
            ["git", "-C", str(root), "config", "user.email"], capture_output=True).returncode:
        env = {**_FALLBACK_IDENTITY, **env}
    proc = subprocess.run(["git", "-C", str(root), *args], input=data, env=env,
                          capture_output=True)
    if proc.returncode != 0:
        raise PublishError(f"git {' '.join(args[:2])}: "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode().strip()


def publish(notebooks: Path, root: Path, branch: str = DEFAULT_BRANCH) -> str | None:
    """Commit ``notebooks/*.ipynb`` and the README to ``branch`` of the repository at
    ``root``; returns the new commit, or None when the branch already holds these files."""
    files = sorted(notebooks.glob("*.ipynb"))
    if not files:
        raise PublishError(f"{notebooks} holds no notebooks: build the book first (make book)")
    entries = []
    for name, data in [("README.md", README.encode())] + [(p.name, p.read_bytes())
                                                          for p in files]:
        blob = _git(root, "hash-object", "-w", "--stdin", data=data)
        entries.append(f"100644 blob {blob}\t{name}")
    tree = _git(root, "mktree", data=("\n".join(entries) + "\n").encode())
    ref = f"refs/heads/{branch}"
    try:
        parent = _git(root, "rev-parse", "--verify", "--quiet", ref)
    except PublishError:
        parent = ""
    if parent and _git(root, "rev-parse", f"{parent}^{{tree}}") == tree:
        return None
    args = ["commit-tree", tree, "-m", "The learners' notebooks, from make hub-notebooks"]
    if parent:
        args[2:2] = ["-p", parent]
    commit = _git(root, *args)
    _git(root, "update-ref", ref, commit, *([parent] if parent else []))
    return commit


def main() -> int:
    branch = os.environ.get("OSAI_HUB_BRANCH", "").strip() or DEFAULT_BRANCH
    try:
        commit = publish(paths.notebooks_dir(), paths.project_root(), branch)
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if commit is None:
        print(f"{branch}: already holds these notebooks")
    else:
        print(f"{branch}: {commit[:12]}; push it with: git push origin {branch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
