"""The course's own scripts and styles, added to the pages that use them.

They live in ``osai/book/static/`` (not in the project's ``_static/``, whose ``*.js`` and
``*.css`` Jupyter Book 1 would link into every page).  :func:`add_static_path` serves that
folder; :func:`add_page_scripts` links each script into a page only when the page holds
what it works on:

=====================  ==============================================================
``osai-book.css``      every page (charts, tables, formulas, controls)
``osai-book.js``       a page with a chart (``class="osai-chart"``, :mod:`osai.render`)
``osai-widgets.js``    a page with a widget view (the quiz, other Jupyter widgets)
``osai-scorm.js``      no page of the web book: the SCORM packager adds it to the pages
                       it launches as SCOs (:mod:`osai.instructor.scorm.package`)
=====================  ==============================================================
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

STATIC = Path(__file__).resolve().parent / "static"
#: the theme's page layout, overridden (``templates/layout.html`` says what and why)
TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLES = "osai-book.css"
CHART_SCRIPT = "osai-book.js"
WIDGET_SCRIPT = "osai-widgets.js"
SCORM_SCRIPT = "osai-scorm.js"
#: what in a page's body shows that it needs a script
CHART_MARK = 'class="osai-chart"'
WIDGET_MARK = "application/vnd.jupyter.widget-view+json"


def add_static_files(app: Sphinx, config) -> None:
    """``config-inited``: serve ``osai/book/static`` as part of ``_static/``, use the page
    layout in ``osai/book/templates``, and link the course's styles from every page (after
    the other extensions' style sheets)."""
    config.html_static_path.append(str(STATIC))
    config.templates_path.append(str(TEMPLATES))
    config.html_css_files.append((STYLES, {}))  # Sphinx has normalised the list by now


def scripts_for(body: str) -> list[str]:
    """The course scripts a page with this body needs, in load order."""
    needs = []
    if WIDGET_MARK in body:
        needs.append(WIDGET_SCRIPT)
    if CHART_MARK in body:
        needs.append(CHART_SCRIPT)
    return needs


def add_page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict,
                     doctree) -> None:
    """``html-page-context``: link the scripts this page needs (see :func:`scripts_for`)."""
    for name in scripts_for(context.get("body") or ""):
        app.add_js_file(name, loading_method="defer")
