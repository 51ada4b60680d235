"""The book build as one ordered table: every hook the course adds to Sphinx, in the order
it runs (BUILD.md explains the stages around Sphinx: assets, the execution cache, the bundle).

Sphinx runs the handlers of one event by priority, then in the order they were connected.
Each row of :data:`STAGES` says when it runs relative to the other extensions
(``BEFORE_OTHERS`` or ``AFTER_OTHERS``, the default 500 lying between) and rows of one event
and one position run in table order.  Nothing else in the package connects to Sphinx.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from sphinx.application import Sphinx
from sphinx.util import logging

from osai import syllabus
from osai.book import (chart_pictures, citations, figure_numbers, incremental, launch, mathml,
                       notebooks, page_assets, page_fixes, page_meta, pageweight,
                       script_safety)

logger = logging.getLogger(__name__)

#: run before the other extensions' handlers of the same event (Sphinx's default is 500)
BEFORE_OTHERS = 400
#: run after them
AFTER_OTHERS = 900


def toc_files(node) -> list[str]:
    """Every ``file:`` of a Jupyter Book ``_toc.yml`` (read as YAML), in order."""
    if isinstance(node, dict):
        own = [str(node["file"])] if "file" in node else []
        return own + [f for value in node.values() for f in toc_files(value)]
    if isinstance(node, list):
        return [f for value in node for f in toc_files(value)]
    return []


def check_chapter_list(app: Sphinx) -> None:
    """The book's ``_toc.yml`` lists the teaching chapters of its own
    ``exercises/objectives.yml`` (the course's one chapter list, :mod:`osai.syllabus`), in
    the same order.  A book without that file (another book built with these hooks) has
    no chapter list to hold its toc to."""
    source = Path(app.srcdir)
    toc, listed = source / "_toc.yml", source / syllabus.OBJECTIVES
    if not (toc.is_file() and listed.is_file()):
        return
    chapters = list(yaml.safe_load(listed.read_text("utf-8")) or {})
    for problem in syllabus.check_toc(toc_files(yaml.safe_load(toc.read_text("utf-8"))),
                                      chapters):
        logger.warning(problem)


def check_pages(app: Sphinx, exception) -> None:
    """Every page of ``_toc.yml`` was written, so a build that silently produced nothing
    fails loudly (a warning, and the book builds with ``-W``)."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    missing = [doc for doc in sorted(app.env.found_docs)
               if not (outdir / f"{doc}.html").is_file()]
    if missing:
        logger.warning("pages not written: %s", ", ".join(missing))


@dataclass(frozen=True)
class Stage:
    event: str
    handler: Callable
    position: int
    reads: str
    writes: str


#: every hook of the build, in the order it runs
STAGES: tuple[Stage, ...] = (
    Stage("config-inited", page_assets.add_static_files, AFTER_OTHERS,
          "osai/book/static/", "html_static_path, osai-book.css on every page"),
    Stage("config-inited", launch.check_settings, AFTER_OTHERS,
          "OSAI_HUB_URL, OSAI_HUB_REPO, OSAI_HUB_BRANCH", "an error if one is wrong"),
    Stage("builder-inited", check_chapter_list, AFTER_OTHERS,
          "_toc.yml, exercises/objectives.yml", "a warning where they disagree"),
    Stage("builder-inited", citations.letter_years, AFTER_OTHERS,
          "the .bib entries sphinxcontrib-bibtex parsed", "their years, lettered: 2025a, 2025b"),
    Stage("env-get-outdated", incremental.outdated_docs, AFTER_OTHERS,
          "the build's inputs Sphinx does not track (data, quiz banks, package code)",
          "every page re-read when they changed since the last build"),
    Stage("env-get-updated", figure_numbers.number_per_chapter, AFTER_OTHERS,
          "Sphinx's book-wide figure numbers", "env.toc_fignumbers as (chapter, n)"),
    Stage("html-page-context", notebooks.offer_ipynb, BEFORE_OTHERS,
          "the page's MyST source, glue store, labels, citations",
          "_build/notebooks/<page>.ipynb, _sources/<page>.ipynb, the download menu entry"),
    Stage("html-page-context", chart_pictures.add_pictures, AFTER_OTHERS,
          "every chart's queued Vega-Lite spec in the page body",
          "its pictures (narrow, wide; text as outlines) and its controls' markup"),
    Stage("html-page-context", page_assets.add_page_scripts, AFTER_OTHERS,
          "the page body", "osai-widgets.js, osai-book.js links on the pages that use them"),
    Stage("html-page-context", page_fixes.drop_thebe, AFTER_OTHERS,
          "the page's script list", "the list without sphinx-thebe"),
    Stage("html-page-context", page_fixes.fix_citation_roles, AFTER_OTHERS,
          "the page body", "bibliography entries as list items"),
    Stage("html-page-context", page_fixes.defer_scripts, AFTER_OTHERS,
          "the page's script list", "every script file deferred (search page aside)"),
    Stage("html-page-context", page_meta.add_description, AFTER_OTHERS,
          "the page's doctree", "osai_description: the layout's meta description"),
    Stage("html-page-context", launch.add_launch_button, AFTER_OTHERS,
          "OSAI_HUB_* settings, the page's .ipynb download",
          "a Launch on JupyterHub button (nbgitpuller link) when a hub is set"),
    Stage("html-page-context", pageweight.link_favicon, AFTER_OTHERS,
          "the page's meta tags", "a link to /favicon.ico"),
    Stage("html-page-context", script_safety.check_page, AFTER_OTHERS,
          "every inline <script> of the page", "a warning if one could end early"),
    Stage("build-finished", notebooks.remove_stale_notebooks, BEFORE_OTHERS,
          "_build/notebooks/", "drops notebooks of pages no longer built"),
    Stage("build-finished", check_pages, AFTER_OTHERS,
          "_build/html/*.html", "a warning for a page of the toc not written"),
    Stage("build-finished", pageweight.finish_build, AFTER_OTHERS,
          "every written page and script",
          "_static/osai-icons.css, favicon.ico, no Font Awesome engine, .gz copies"),
)


def setup(app: Sphinx) -> dict:
    # registrations (not events): myst-nb escapes every JSON it writes into a <script>;
    # maths become MathML; the bibliography's labels read as the citations do; the icons'
    # style sheet (written at build-finished) is on every page
    script_safety.install()
    app.add_html_math_renderer("mathml", *mathml.RENDERER)
    citations.register()
    app.add_css_file(pageweight.ICONS_CSS)
    for order, stage in enumerate(STAGES):
        app.connect(stage.event, stage.handler, priority=stage.position + order)
    # a new env version makes Sphinx re-read every page, so no page keeps widget state
    # escaped by an older rule in its cached environment
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.2",
            "env_version": 3}
