"""A learner's run: the book's course bundle, alone in an empty folder, runs every chapter.

Takes ``osai-course.zip`` from the built book (the book build makes the wheel inside it),
unpacks it into a temporary folder outside the checkout, makes a clean virtual environment
there, installs exactly what the bundle's README says (``python -m pip install -r
requirements.txt``, from PyPI, with pip's cache) and runs every chapter notebook to the end
with nbclient in that environment, with the checkout off ``sys.path``, no ``OSAI_*``
variable set, and the course package read from the installed wheel and its packaged data
(:func:`osai.book.bundle.try_bundle`, which ``make bench`` times).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from osai.book import bundle

ROOT = Path(__file__).resolve().parents[1]
ZIP = ROOT / "_build" / "html" / f"{bundle.BUNDLE_NAME}.zip"
pytestmark = pytest.mark.slow


@pytest.mark.skipif(not ZIP.is_file(), reason="run make book first (it builds the bundle)")
def test_bundle_installs_in_a_clean_venv_and_runs_every_chapter(tmp_path_factory):
    where = tmp_path_factory.mktemp("learner")
    result = bundle.try_bundle(ZIP, where, ROOT)
    assert result["problems"] == []
    chapters = sorted(p.stem + ".ipynb" for p in (ROOT / "chapters").glob("0*.md"))
    missing = set(chapters) - set(result["results"])
    assert not missing, f"chapters not in the bundle: {missing}"
    failed = {name: r for name, r in result["results"].items() if r != "ok"}
    assert not failed, "\n\n".join(f"{k}: {v}" for k, v in failed.items())
