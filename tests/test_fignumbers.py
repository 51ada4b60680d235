"""Figures are numbered per chapter, like the tables ("Figure 6.1" beside "Table 6.1")."""

from __future__ import annotations

import re

import pytest
from sphinx.errors import ExtensionError

from osai.book.figure_numbers import renumber
from osai.syllabus import chapter_number


def test_renumber_counts_each_chapters_figures_in_order():
    numbers = {
        "chapters/02-why-open-source-ai": {"figure": {"b": (2,), "a": (1,)},
                                           "table": {"t": (5,)}},
        "chapters/06-big-tech": {"figure": {"x": (9,), "y": (7,), "z": (8,)}},
        "chapters/glossary": {},
    }
    renumber(numbers)
    assert numbers["chapters/02-why-open-source-ai"]["figure"] == {"a": (2, 1), "b": (2, 2)}
    assert numbers["chapters/02-why-open-source-ai"]["table"] == {"t": (5,)}
    assert numbers["chapters/06-big-tech"]["figure"] == {"y": (6, 1), "z": (6, 2), "x": (6, 3)}
    renumber(numbers)  # a second build pass changes nothing
    assert numbers["chapters/06-big-tech"]["figure"] == {"y": (6, 1), "z": (6, 2), "x": (6, 3)}


def test_a_page_with_figures_and_no_chapter_number_fails_naming_it():
    assert chapter_number("chapters/glossary") is None
    with pytest.raises(ExtensionError, match="chapters/appendix"):
        renumber({"chapters/appendix": {"figure": {"a": (1,)}}})


def test_built_captions_and_references_use_the_chapter_number(book_dir):
    seen = 0
    for page in sorted((book_dir / "chapters").glob("*.html")):
        chapter = chapter_number(page.stem)
        if chapter is None:
            continue  # the glossary, the references: no figures
        html = page.read_text(encoding="utf-8")
        captions = re.findall(r'caption-number">Figure ([\d.]+)\s*<', html)
        assert captions == [f"{chapter}.{n}" for n in range(1, len(captions) + 1)], page.name
        seen += len(captions)
        # every in-text reference to a figure of this page names a caption's number
        for label, shown in re.findall(r'href="#(fig-[^"]+)"[^>]*>\s*<span[^>]*>Figure '
                                       r'([\d.]+)</span>', html):
            assert shown in captions, f"{page.name}: {label} shown as Figure {shown}"
        # tables are numbered in the same scheme
        for table in re.findall(r"Table (\d+)\.\d+", html):
            assert int(table) == chapter, f"{page.name}: Table {table}.x"
    assert seen >= 10
