"""Text from data shown as literal text inside Markdown (CommonMark and MyST).

Chapter code builds Markdown from ``data/``, the quiz banks, ``exercises/objectives.yml``
and the bibliography: a list of funding rounds, the learning objectives, a glued value or a
citation label written into an exported notebook.  A data string such as ``**x**``,
``[x](javascript:alert(1))``, ``<img src=x onerror=alert(1)>``, ``{glue:text}`k``` or
``$x$`` must show as exactly those characters, never become emphasis, a link, raw HTML, a
MyST role or maths.  :func:`escape` does that in one place: CommonMark lets a backslash
escape any ASCII punctuation character (:func:`escape` escapes those that can open markup),
and markdown-it-py (which MyST and JupyterLab's
renderer follow) reads the escaped text back as the same characters.  Line breaks become
spaces, since a line break inside a list item or a table cell could start a new block.

Build Markdown from data with :func:`bullet_list` (or :func:`escape` each value), never
with an f-string of raw values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["bullet_list", "escape", "numbered_list"]

# characters that open or close inline markup anywhere: emphasis, code, links and images,
# raw HTML and autolinks, entities, maths, strikethrough, tables, roles and substitutions
_INLINE = re.compile(r"([\\`*_\[\]<>&!$~|{}])")
# at the start of a line (or of a list item) these open a block: heading, list, quote,
# thematic break, setext underline, colon fence; "1." and "1)" open a numbered list
_BLOCK_START = re.compile(r"^([#+\-=>:]|\d+(?=[.)]))")
# line and paragraph breaks (CR, LF, VT, FF, NEL, U+2028/9) and other C0/C1 controls
_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]+")


def escape(value: object) -> str:
    """``value`` as Markdown that renders as exactly its text (one line, no markup).

    Line breaks and other control characters become one space, and the ends are trimmed
    (a renderer shows neither); every other character is kept."""
    text = _BREAKS.sub(" ", str(value)).strip()
    text = _INLINE.sub(r"\\\1", text)
    match = _BLOCK_START.match(text)
    if match and match.group(1).isdigit():  # "1." -> "1\." so it is not a numbered list
        end = match.end()
        return text[:end] + "\\" + text[end:]
    return _BLOCK_START.sub(r"\\\1", text) if match else text


def _item(item: str | tuple[str, str]) -> str:
    if isinstance(item, tuple):  # (lead, text): the lead in bold, as "**Lead.** text"
        lead, text = item
        return f"**{escape(lead)}.** {escape(text)}"
    return escape(item)


def bullet_list(items: Iterable[str | tuple[str, str]], intro: str | None = None) -> str:
    """A Markdown bullet list whose items show as text; ``intro`` is trusted Markdown."""
    lines = [intro, ""] if intro else []
    return "\n".join(lines + [f"- {_item(i)}" for i in items])


def numbered_list(items: Iterable[str | tuple[str, str]]) -> str:
    """A numbered Markdown list whose items show as text."""
    return "\n".join(f"{n}. {_item(i)}" for n, i in enumerate(items, start=1))
