"""A small Sphinx extension for the course book (loaded from ``_config.yml``).

* Removes sphinx-thebe's scripts from every page.  The course runs offline and never uses
  thebe (it would start kernels on a remote Binder); in Jupyter Book 1.0.4 its inline
  ``const THEBE_JS_URL`` declaration is also added twice, which throws
  "Identifier 'THEBE_JS_URL' has already been declared" on every page.
* Offers every notebook chapter as an ``.ipynb`` download generated at build time (no
  outputs, MyST resolved to plain Markdown by :mod:`osai.notebook_export`), through
  sphinx-book-theme's download menu.
* Letters the years of works that one author published in one year ("2025a", "2025b"),
  so author-year citations can be told apart (:mod:`osai.bibyears`).
* Checks, at the end of the build, that every page of ``_toc.yml`` was written, so a build
  that silently produced nothing fails loudly.
* Keeps pages light (``osai.pageweight``; maths are MathML from ``osai.mathml``): the
  icons the pages use as a small CSS file instead of Font Awesome's 1.5 MB JavaScript
  engine and web fonts, a favicon, and gzip copies of large text files for hosts that serve them.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _is_thebe(script) -> bool:
    filename = getattr(script, "filename", None) or ""
    body = (getattr(script, "attributes", {}) or {}).get("body", "") or ""
    return "thebe" in filename or "THEBE_JS_URL" in body


def _drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe(s)]


def _fix_citation_roles(app: Sphinx, pagename: str, templatename: str, context: dict,
                        doctree) -> None:
    """docutils marks each bibliography entry ``role="doc-biblioentry"`` inside a
    ``role="list"`` container: the role is deprecated in ARIA and a list needs list items,
    so axe (WCAG 2.1 A) fails the page.  Entries become plain list items."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _is_notebook_source(path: Path) -> bool:
    if path.suffix != ".md" or not path.is_file():
        return False
    head = path.read_text(encoding="utf-8")[:600]
    return head.startswith("---") and "jupytext:" in head and "kernelspec:" in head


def _offer_ipynb(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if doctree is None or app.builder.format != "html":
        return
    source = Path(app.env.doc2path(pagename))
    if not _is_notebook_source(source):
        return
    import nbformat

    from .notebook_export import export_notebook

    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(export_notebook(app, pagename), target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _check_pages(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    missing = [doc for doc in sorted(app.env.found_docs)
               if not (outdir / f"{doc}.html").is_file()]
    if missing:
        logger.warning("pages not written: %s", ", ".join(missing))


def setup(app: Sphinx) -> dict:
    # every JSON myst-nb writes into a <script> is escaped (widget state, views)
    app.setup_extension("osai.htmljson")
    from . import pageweight

    app.connect("html-page-context", pageweight.link_favicon, priority=950)
    # late: every page is written by then
    app.connect("build-finished", pageweight.finish_build, priority=950)
    app.add_css_file(pageweight.ICONS_CSS)  # written by finish_build
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("html-page-context", _fix_citation_roles, priority=900)
    # before sphinx-book-theme builds its download menu (default priority 500)
    app.connect("html-page-context", _offer_ipynb, priority=400)
    app.connect("build-finished", _check_pages)
    # after sphinxcontrib-bibtex (priority 500) has parsed the .bib files
    from . import bibyears

    bibyears.register()
    app.connect("builder-inited", bibyears.builder_inited, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
