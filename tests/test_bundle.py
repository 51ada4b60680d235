"""A learner's run: the book's course bundle, alone in an empty folder, runs every chapter.

Takes ``osai-course.zip`` from the built book (``python -m osai.book.bundle``, which
``make book`` runs after Sphinx, builds the wheel inside it), unpacks it into a temporary
folder outside the checkout, makes a clean virtual environment there, installs exactly what
the bundle's README says (``python -m pip install -r requirements.txt``, from PyPI, with
pip's cache) and runs every chapter notebook to the end with nbclient in that environment,
with the checkout off ``sys.path``, no ``OSAI_*`` variable set, and the course package read
from the installed wheel and its packaged data (:func:`harness.learner.try_bundle`, which
``make bench`` times).
"""

from __future__ import annotations

import pytest

from harness.learner import chapter_pages, try_bundle
from osai import paths

pytestmark = pytest.mark.slow


def test_bundle_installs_in_a_clean_venv_and_runs_every_chapter(bundle_zip,
                                                                 tmp_path_factory):
    where = tmp_path_factory.mktemp("learner")
    result = try_bundle(bundle_zip, where, paths.project_root())
    assert result["problems"] == []
    missing = {f"{c}.ipynb" for c in chapter_pages()} - set(result["results"])
    assert not missing, f"chapters not in the bundle: {missing}"
    failed = {name: r for name, r in result["results"].items() if r != "ok"}
    assert not failed, "\n\n".join(f"{k}: {v}" for k, v in failed.items())
