"""Each page's ``<meta name="description">``: what a search result or a shared link shows.

The description is the page's own summary: its first paragraph of running text, the one
that says what the page is about (for a teaching chapter, the opening that follows the "In
this chapter" box), cut at a word boundary to :data:`LIMIT` characters.  Boxes, tables,
lists, figure captions and cell outputs are skipped, and so is any paragraph shorter than
:data:`MIN_WORDS` words (a label such as "In this chapter").  The theme's page layout
(``templates/layout.html``) writes it into the head; a page with no text of its own (the
search page, the index) gets its title followed by the front page's description.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

__all__ = ["LIMIT", "MIN_WORDS", "add_description", "describe", "shorten"]

#: search engines show about this many characters
LIMIT = 160
#: a paragraph shorter than this is a label, not a summary
MIN_WORDS = 12
#: containers whose paragraphs are not the page's running text
_SKIP = (nodes.Admonition, nodes.topic, nodes.sidebar, nodes.table, nodes.list_item,
         nodes.caption, nodes.footnote, nodes.citation, nodes.field_list, nodes.line_block,
         nodes.definition_list, nodes.block_quote)


def _inside_skipped(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, _SKIP):
            return True
        classes = parent.get("classes", []) if isinstance(parent, nodes.Element) else []
        if any(c.startswith(("cell_output", "output", "osai-")) for c in classes):
            return True
        parent = parent.parent
    return False


def shorten(text: str, limit: int = LIMIT) -> str:
    """``text`` on one line, cut after the last whole word that fits in ``limit``
    characters, with an ellipsis when cut."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def describe(doctree: nodes.document | None) -> str:
    """The page's description: its first paragraph of running text, shortened; '' if none."""
    if doctree is None:
        return ""
    for paragraph in doctree.findall(nodes.paragraph):
        if _inside_skipped(paragraph):
            continue
        text = paragraph.astext()
        if len(text.split()) >= MIN_WORDS:
            return shorten(text)
    return ""


def add_description(app: Sphinx, pagename: str, templatename: str, context: dict,
                    doctree) -> None:
    """``html-page-context``: ``osai_description`` for the layout's meta tag.  A page
    with no text of its own (search, index) is described by its title and the book's
    front page."""
    description = describe(doctree)
    if not description:
        front = describe(app.env.get_doctree(app.config.root_doc))
        title = re.sub(r"<[^>]+>", "", str(context.get("title") or "")).strip()
        description = shorten(f"{title}. {front}" if title else front)
    context["osai_description"] = description
