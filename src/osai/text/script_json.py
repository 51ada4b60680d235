"""JSON and script text that is safe inside an HTML ``<script>`` element, whatever it holds.

The HTML parser ends a ``<script>`` element at the first ``</script`` in any letter case
followed by whitespace, ``/`` or ``>``, and ``<!--`` switches it into an "escaped" state
in which a later ``<script`` changes how the end is found.  JSON written into a page must
therefore never contain ``<`` as a raw character.  :func:`dumps` and :func:`escape_json`
write ``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\u`` escapes: the JSON (and the
JavaScript it is read into) means exactly the same, and no text in it, in any case, can
end or alter the element.

:mod:`osai.book.script_safety` applies this to everything myst-nb writes into a page and
checks every inline script of every page; the course's own embeds (chart specs in
:mod:`osai.render`) call :func:`dumps` directly.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["dumps", "escape_json", "escape_script", "unsafe_script_text"]

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")
#: what may end or alter a script element's content (HTML spec, "script data" states)
_SCRIPT_UNSAFE = re.compile(r"</script|<!--|<script", re.IGNORECASE)


def escape_json(text: str) -> str:
    """JSON text with ``< > & U+2028 U+2029`` written as ``\\u`` escapes.

    In JSON text these characters can only occur inside strings, where the escape means
    the same character, so the result parses to the same value.
    """
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group()], text)


def dumps(value: Any, **kwargs: Any) -> str:
    """:func:`json.dumps` for a ``<script>`` element (see :func:`escape_json`)."""
    return escape_json(json.dumps(value, **kwargs))


def escape_script(text: str) -> str:
    """Script content made safe: JSON by :func:`escape_json`; JavaScript by breaking every
    ``</script``, ``<script`` and ``<!--`` with a backslash (``<\\/script``, ``<\\!--``),
    which JavaScript string literals read as the same text."""
    try:
        json.loads(text)
    except ValueError:
        return _SCRIPT_UNSAFE.sub(lambda m: m.group()[0] + "\\" + m.group()[1:], text)
    return escape_json(text)


def unsafe_script_text(text: str) -> str | None:
    """The first sequence in ``text`` that would end or alter a ``<script>``, else None."""
    match = _SCRIPT_UNSAFE.search(text or "")
    return match.group() if match else None
