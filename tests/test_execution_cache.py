"""The execution cache follows what the chapters import (``osai.book.execution_cache``):
a change to the build or the instructor's tools keeps the executed chapters; a change to a
module the chapters import, directly or through the package, or to the data clears them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from osai import paths
from osai.book import execution_cache

CHAPTER = textwrap.dedent('''\
    ---
    jupytext:
      text_representation:
        format_name: myst
    kernelspec:
      name: python3
    ---
    # A chapter

    ```{code-cell} ipython3
    :tags: [remove-cell]
    import osai
    from osai import page
    ```

    ```python
    from osai import instructor  # in a Markdown code block: never run
    ```
    ''')


@pytest.fixture
def course(tmp_path: Path) -> Path:
    files = {
        "chapters/01-a.md": CHAPTER,
        "src/osai/__init__.py": "from osai.data import load\n",
        "src/osai/data/__init__.py": "def load():\n    return 1\n",
        "src/osai/page.py": "from osai.text import markdown\n",
        "src/osai/text/__init__.py": "",
        "src/osai/text/markdown.py": "X = 1\n",
        "src/osai/formats.py": "Y = 1\n",
        "src/osai/quiz/__init__.py": "",
        "src/osai/quiz/quiz.js": "export default {};\n",
        "src/osai/instructor/__init__.py": "",
        "src/osai/instructor/grading.py": "from osai import page\n",
        "src/osai/book/pipeline.py": "from osai import page\n",
        "data/datapackage.json": "{}\n",
        "exercises/quizzes/01-a.yml": "chapter: 01-a\n",
        "exercises/objectives.yml": "01-a: {}\n",
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_chapters_modules_are_followed_through_the_package(course):
    assert sorted(execution_cache.chapter_modules(course)) == [
        "osai", "osai.data", "osai.page", "osai.text", "osai.text.markdown"]


@pytest.mark.parametrize("rel, clears", [
    ("src/osai/instructor/grading.py", False),
    ("src/osai/book/pipeline.py", False),
    ("src/osai/formats.py", False),  # nothing the chapters import uses it
    ("src/osai/quiz/quiz.js", False),
    ("src/osai/text/markdown.py", True),  # imported through osai.page
    ("src/osai/data/__init__.py", True),  # imported through osai/__init__.py
    ("data/datapackage.json", True),
    ("exercises/quizzes/01-a.yml", True),
    ("exercises/objectives.yml", True),
])
def test_a_change_clears_the_cache_only_when_the_chapters_depend_on_it(course, rel, clears):
    build = course / "_build"
    cache = build / ".jupyter_cache"
    execution_cache.refresh(course, build)
    cache.mkdir(parents=True)
    (course / rel).write_text((course / rel).read_text() + "\n# changed\n")
    assert execution_cache.refresh(course, build) is clears
    assert cache.exists() is not clears


def test_the_course_chapters_depend_on_the_runtime_only():
    modules = execution_cache.chapter_modules(paths.project_root())
    assert "osai.quiz.widget" in modules and "osai.analysis.tradeoffs" in modules
    assert not [m for m in modules if m.startswith(("osai.book", "osai.instructor"))]
