"""JSON and script text that is safe inside an HTML ``<script>`` element, whatever it holds.

The HTML parser ends a ``<script>`` element at the first ``</script`` in any letter case
followed by whitespace, ``/`` or ``>``, and ``<!--`` switches it into an "escaped" state
in which a later ``<script`` changes how the end is found.  JSON written into a page must
therefore never contain ``<`` as a raw character.  :func:`dumps` and :func:`escape_json`
write ``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\u`` escapes: the JSON (and the
JavaScript it is read into) means exactly the same, and no text in it, in any case, can
end or alter the element.

:func:`install` applies this to everything myst-nb writes into a page (widget state,
widget views, ``application/javascript`` outputs): myst-nb 1.x only replaces the exact
lower-case ``</script>``.  The course's own embeds (chart specs in :mod:`osai.render`) call
:func:`dumps` directly.  The Sphinx extension (:func:`setup`, loaded by
:mod:`osai.sphinxext`) installs the fix and checks every inline script of every page, so
a build that would let text escape its ``<script>`` fails with the page named.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["dumps", "escape_json", "escape_script", "install", "unsafe_script_text"]

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


# ----------------------------------------------------------------------------- myst-nb


def install() -> None:
    """Make myst-nb write every ``<script>`` body through :func:`escape_script`.

    myst-nb's renderer calls the module-level ``sanitize_script_content`` for widget state,
    widget views and JavaScript outputs; it is replaced here.  If a myst-nb upgrade removes
    that function, the build stops rather than silently writing unsafe pages.
    """
    from myst_nb.core import render

    if not hasattr(render, "sanitize_script_content"):
        raise RuntimeError("myst_nb.core.render.sanitize_script_content is gone: "
                           "osai.htmljson must hook myst-nb's script output elsewhere")
    render.sanitize_script_content = escape_script


def _check_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Warn (a failed build under ``-W``) if any inline script of the page could end early."""
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    bodies = []
    for script in context.get("script_files") or []:
        body = (getattr(script, "attributes", {}) or {}).get("body")
        if body:
            bodies.append(body)
    # as the HTML parser reads them: each script ends at the first "</script"
    for kind, block in re.findall(r"<script\b([^>]*)>(.*?)</script",
                                  context.get("body") or "", flags=re.IGNORECASE | re.DOTALL):
        bodies.append(block)
        if re.search(r"type=[\"'][^\"']*json", kind, flags=re.IGNORECASE):
            try:
                json.loads(block)
            except ValueError:
                logger.warning("%s: an embedded JSON <script> ends early or is not JSON "
                               "(%s...); write it with osai.htmljson.dumps", pagename,
                               block[:80])
                return
    for body in bodies:
        found = unsafe_script_text(body)
        if found:
            logger.warning("%s: an inline <script> holds %r, which would end it early; "
                           "write its JSON with osai.htmljson.dumps", pagename, found)
            return


def setup(app) -> dict:
    install()
    app.connect("html-page-context", _check_page, priority=950)
    # a new env version makes Sphinx re-read every page, so no page keeps widget state
    # escaped by an older rule in its cached environment
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1",
            "env_version": 1}
