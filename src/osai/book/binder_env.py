"""``binder/``: the environment a JupyterHub image or Binder builds from this repository.

repo2docker (the tool BinderHub and many hubs use to build images) reads ``binder/``:

``runtime.txt``       the Python version (the course's: 3.11)
``requirements.txt``  exact pins: the learner's closure of the course package, as the
                      course bundle pins it (:func:`osai.book.bundle.learner_requirements`,
                      from ``requirements.lock``), with the ``hub`` extra of
                      pyproject.toml and its closure: nbgitpuller for the launch links,
                      jupyterhub-singleuser, nbgrader for the exchange
``postBuild``         installs the course package itself from the repository (data, quiz
                      banks and objectives inside), with no other dependency

``python -m osai.book.binder_env`` rewrites ``requirements.txt``; a test fails when the
committed file differs from what this writes, so the image follows the lock file.
"""

from __future__ import annotations

import sys
from pathlib import Path


from osai import paths
from osai.book.bundle import learner_requirements

__all__ = ["HEADER", "requirements", "write"]

HEADER = ("# Written by `python -m osai.book.binder_env` from requirements.lock: the "
          "course package's\n# runtime closure, as the learner's bundle pins it, and the "
          "hub extra. Do not edit by hand.\n")


def requirements(project: Path) -> str:
    """The text of ``binder/requirements.txt``."""
    pins = learner_requirements(project, extra="hub")
    return HEADER + "\n".join(sorted(pins, key=str.lower)) + "\n"


def write(project: Path) -> Path:
    target = project / "binder" / "requirements.txt"
    target.write_text(requirements(project), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write(paths.project_root()))
    sys.exit(0)
