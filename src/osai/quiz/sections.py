"""The section of its chapter each quiz question names, and the HTML id of that section.

Every question's ``section`` must be the title of a heading of ``chapters/<chapter>.md``
(as it renders: roles show their text).  Its anchor is the id Sphinx gives the heading:
the MyST label ``(label)=`` written just above it, else the docutils id of its title.  The
headings are read by :func:`osai.text.myst.headings` (myst-parser's own tokenizer), so a
``#`` line inside a code cell is never one.

Used by :func:`osai.quiz.bank_checks.validate_raw`, which checks each section and attaches
``section_anchor`` for the widget's "Revisit" link and the class report.
"""

from __future__ import annotations

from pathlib import Path

from osai.paths import course_root
from osai.text.myst import headings

__all__ = ["chapter_source", "heading_anchors", "section_anchors"]


def chapter_source(chapter: str) -> Path:
    """The MyST source of a teaching chapter, ``chapters/<chapter>.md``."""
    return course_root() / "chapters" / f"{chapter}.md"


def heading_anchors(text: str) -> dict[str, str]:
    """Heading title -> anchor for a MyST text, in order.  A title that two headings share
    maps to '' (a question cannot name it unambiguously)."""
    anchors: dict[str, str] = {}
    dupes: set[str] = set()
    for h in headings(text):
        if h.title in anchors:
            dupes.add(h.title)
        anchors[h.title] = h.anchor
    for title in dupes:
        anchors[title] = ""
    return anchors


def section_anchors(chapter: str) -> dict[str, str] | None:
    """:func:`heading_anchors` of a teaching chapter, or None when its source is not there
    (a bank checked on its own, outside the course)."""
    path = chapter_source(chapter)
    if not path.is_file():
        return None
    return heading_anchors(path.read_text(encoding="utf-8"))
