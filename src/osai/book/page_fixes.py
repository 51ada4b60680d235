"""Fixes to what other extensions put into a page's context (html-page-context stages).

* :func:`drop_thebe`: sphinx-thebe's scripts leave every page.  The course runs offline and
  never uses thebe (it would start kernels on a remote Binder); in Jupyter Book 1.0.4 its
  inline ``const THEBE_JS_URL`` declaration is also added twice, which throws
  "Identifier 'THEBE_JS_URL' has already been declared" on every page.
* :func:`fix_citation_roles`: bibliography entries become plain list items (axe, WCAG 2.1 A).
* :func:`defer_scripts`: the page's script files load without blocking its first paint.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _is_thebe(script) -> bool:
    filename = getattr(script, "filename", None) or ""
    body = (getattr(script, "attributes", {}) or {}).get("body", "") or ""
    return "thebe" in filename or "THEBE_JS_URL" in body


def drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe(s)]


def fix_citation_roles(app: Sphinx, pagename: str, templatename: str, context: dict,
                        doctree) -> None:
    """docutils marks each bibliography entry ``role="doc-biblioentry"`` inside a
    ``role="list"`` container: the role is deprecated in ARIA and a list needs list items,
    so axe (WCAG 2.1 A) fails the page.  Entries become plain list items."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


#: scripts that must run where they stand: the page's inline scripts set properties of
#: the object this one defines (``DOCUMENTATION_OPTIONS.pagename = ...``)
KEEP_IN_PLACE = ("documentation_options.js",)


def defer_scripts(app: Sphinx, pagename: str, templatename: str, context: dict,
                  doctree) -> None:
    """Every script file of the page gets ``defer``: it is fetched while the page is parsed
    and runs, in document order, once the page is parsed, so none blocks the first paint.
    Inline scripts and :data:`KEEP_IN_PLACE` stay as they are.  The search page keeps its
    own order: its body loads the index, which needs the search tools already run."""
    scripts = context.get("script_files")
    if not scripts or pagename == "search":
        return
    deferred = []
    for script in scripts:
        filename = str(getattr(script, "filename", "") or "")
        attributes = dict(getattr(script, "attributes", {}) or {})
        if (filename and "body" not in attributes and "async" not in attributes
                and "defer" not in attributes
                and not filename.split("?")[0].endswith(KEEP_IN_PLACE)):
            script = type(script)(filename, priority=script.priority,
                                  **{**attributes, "defer": "defer"})
        deferred.append(script)
    context["script_files"] = deferred
