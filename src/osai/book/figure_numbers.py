"""Figures numbered per chapter, like the tables: "Figure 6.1" next to "Table 6.1".

Sphinx numbers figures through the whole book unless the table of contents is
``numbered``, and numbering the toc would also number the chapters from the welcome page
(the unnumbered root), so Chapter 2 would show as 1.  The course's chapter numbers are in
the file names (``chapters/06-big-tech`` is Chapter 6), as the table captions use them.
After Sphinx assigns its numbers (``env-get-updated``, run after Sphinx's own toc
collector), each figure's number becomes
``(chapter, n)``, n counting the chapter's figures in the order Sphinx found them.  Every
consumer reads the same ``env.toc_fignumbers``: captions, ``{numref}`` in prose, and the
exported notebooks (osai.book.notebooks).  A document with figures and no chapter number
in its name fails the build, naming it.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from osai.syllabus import chapter_number


def renumber(fignumbers: dict[str, dict[str, dict[str, tuple[int, ...]]]]) -> None:
    """Rewrite ``env.toc_fignumbers`` in place: figures become ``(chapter, n)``."""
    for docname, kinds in fignumbers.items():
        figures = kinds.get("figure")
        if not figures:
            continue
        chapter = chapter_number(docname)
        if chapter is None:
            raise ExtensionError(f"{docname}: has figures but no chapter number in its file "
                                 "name (NN-name), so they cannot be numbered per chapter")
        order = sorted(figures, key=lambda node_id: figures[node_id])
        kinds["figure"] = {node_id: (chapter, n) for n, node_id in enumerate(order, 1)}


def number_per_chapter(app: Sphinx, env) -> list[str]:
    """``env-get-updated``, after Sphinx's toctree collector has assigned book-wide numbers."""
    renumber(env.toc_fignumbers)
    # nothing more to rewrite: Sphinx's collector reassigns its book-wide numbers on every
    # build and already lists each page whose numbers differ from the ones stored (ours)
    return []
