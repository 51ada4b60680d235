"""Fixes to what other extensions put into a page's context (html-page-context stages).

* :func:`drop_thebe`: sphinx-thebe's scripts leave every page.  The course runs offline and
  never uses thebe (it would start kernels on a remote Binder); in Jupyter Book 1.0.4 its
  inline ``const THEBE_JS_URL`` declaration is also added twice, which throws
  "Identifier 'THEBE_JS_URL' has already been declared" on every page.
* :func:`fix_citation_roles`: bibliography entries become plain list items (axe, WCAG 2.1 A).
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
