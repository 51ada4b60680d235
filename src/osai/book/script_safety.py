"""No text can end a page's ``<script>`` early: myst-nb's output escaped, every page checked.

myst-nb 1.x escapes only the exact lower-case ``</script>`` in what it writes into a page
(widget state, widget views, ``application/javascript`` outputs).  :func:`install` makes it
write every script body through :func:`osai.text.script_json.escape_script`;
:func:`check_page` (an ``html-page-context`` stage) fails the build, naming the page, if any
inline script could still end early.
"""

from __future__ import annotations

import json
import re

from osai.text.script_json import escape_script, unsafe_script_text



def install() -> None:
    """Make myst-nb write every ``<script>`` body through :func:`escape_script`.

    myst-nb's renderer calls the module-level ``sanitize_script_content`` for widget state,
    widget views and JavaScript outputs; it is replaced here.  If a myst-nb upgrade removes
    that function, the build stops rather than silently writing unsafe pages.
    """
    from myst_nb.core import render

    if not hasattr(render, "sanitize_script_content"):
        raise RuntimeError("myst_nb.core.render.sanitize_script_content is gone: "
                           "osai.text.script_json must hook myst-nb's script output elsewhere")
    render.sanitize_script_content = escape_script


def check_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
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
                               "(%s...); write it with osai.text.script_json.dumps", pagename,
                               block[:80])
                return
    for body in bodies:
        found = unsafe_script_text(body)
        if found:
            logger.warning("%s: an inline <script> holds %r, which would end it early; "
                           "write its JSON with osai.text.script_json.dumps", pagename, found)
            return
