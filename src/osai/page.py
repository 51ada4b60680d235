"""What a chapter cell shows besides charts: its learning objectives, HTML tables and
Markdown lists of text from ``data/``, each escaped so data shows as text."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown

from osai import syllabus
from osai.text import markdown as mdtext

def objectives(chapter: str) -> Markdown:
    """The chapter's learning objectives as a Markdown list (rendered in the book)."""
    meta = syllabus.chapter_meta(chapter)
    return Markdown(mdtext.bullet_list((str(o["text"]) for o in meta["objectives"]),
                                       intro="By the end of this chapter you will be able to:"))


def markdown_list(items, numbered: bool = False) -> Markdown:
    """A Markdown list for a chapter cell whose items (text from ``data/``) show as text.

    An item is a string, or ``(lead, text)`` shown as "**Lead.** text"; markup in either
    is shown literally (see :mod:`osai.text.markdown`)."""
    items = list(items)
    return Markdown(mdtext.numbered_list(items) if numbered else mdtext.bullet_list(items))


def html_table(frame: pd.DataFrame, caption: str, label: str | None = None) -> HTML:
    """An accessible HTML table with a caption (header cells scoped)."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for i, value in enumerate(row.tolist()):
            text = "" if (value is None or (isinstance(value, float) and pd.isna(value))) \
                else html.escape(str(value))
            cells.append(f'<th scope="row">{text}</th>' if i == 0 else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{html.escape(label)}"' if label else ""
    return HTML(f'<div class="osai-table-wrap" tabindex="0" role="region" '
                f'aria-label="{html.escape(caption)}"><table class="osai-table"{ident}>'
                f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table></div>")
