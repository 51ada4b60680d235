"""The build's hooks (:data:`osai.book.pipeline.STAGES`) on a tiny book of their own.

``tests/sites/pipeline`` is a book of five pages with the course's one extension
(``osai.book``) beside myst-nb, sphinx-external-toc and sphinxcontrib-bibtex, as
``_config.yml`` has them: a notebook chapter with a chart, a widget view, two figures,
citations and a formula (``chapters/06-charts``), a plain chapter with one figure, a page
whose inline JSON ends early, a glossary and the references.  It is built once per module
with :class:`sphinx.testing.util.SphinxTestApp` into a temporary folder (a few seconds,
nothing executed, no build of the real book needed), and each test checks one stage on the
written pages.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from sphinx.testing.util import SphinxTestApp

from osai import syllabus
from osai.book import incremental, page_assets, page_meta, pipeline

SITE = Path(__file__).resolve().parent / "sites" / "pipeline"


@dataclass
class Built:
    app: SphinxTestApp
    html: Path
    notebooks: Path
    stream: io.StringIO  #: where the app writes its warnings

    @property
    def warnings(self) -> str:
        return re.sub(r"\x1b\[[0-9;]*m", "", self.stream.getvalue())

    def page(self, name: str) -> str:
        return (self.html / f"{name}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline-site")
    src = tmp / "src"
    shutil.copytree(SITE, src)
    # a notebook left by an earlier build of a page that is gone
    stale = tmp / "_build" / "notebooks" / "gone.ipynb"
    stale.parent.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), stale)
    warnings = io.StringIO()
    app = SphinxTestApp("html", srcdir=src, builddir=tmp / "_build", status=io.StringIO(),
                        warning=warnings)
    try:
        app.build()
        yield Built(app, Path(app.outdir), tmp / "_build" / "notebooks", warnings)
    finally:
        app.cleanup()


def _scripts(html: str) -> list[str]:
    return [Path(src.split("?")[0]).name for src in re.findall(r'<script[^>]*src="([^"]+)"', html)]


def test_every_stage_is_connected_in_table_order(site):
    """Each row of the table is connected once, and Sphinx calls them in table order."""
    listeners = site.app.events.listeners
    for stage in pipeline.STAGES:
        mine = [listener for listener in listeners[stage.event]
                if listener.handler is stage.handler]
        assert len(mine) == 1, stage
    for event in {s.event for s in pipeline.STAGES}:
        ours = [s.handler for s in pipeline.STAGES if s.event == event]
        called = [listener.handler for listener in sorted(listeners[event],
                                                          key=lambda x: x.priority)
                  if listener.handler in ours]
        assert called == ours, event


def test_figures_are_numbered_per_chapter_in_captions_and_references(site):
    charts, plain = site.page("chapters/06-charts"), site.page("chapters/07-plain")
    assert re.findall(r'caption-number">Figure ([\d.]+)\s*<', charts) == ["6.1", "6.2"]
    assert re.findall(r'caption-number">Figure ([\d.]+)\s*<', plain) == ["7.1"]
    # {numref} in prose, on the figure's page and on another chapter's
    assert re.findall(r'href="#fig-second"[^>]*>\s*<span[^>]*>(Figure [\d.]+)</span>',
                      charts) == ["Figure 6.2"]
    assert re.search(r'06-charts.html#fig-second"[^>]*>\s*<span[^>]*>Figure 6\.2</span>', plain)


def test_only_a_page_with_a_chart_or_a_widget_gets_the_course_scripts(site):
    assert page_assets.CHART_MARK in site.page("chapters/06-charts")
    assert _scripts(site.page("chapters/06-charts"))[-2:] == [page_assets.WIDGET_SCRIPT,
                                                              page_assets.CHART_SCRIPT]
    for name in ("index", "chapters/07-plain", "chapters/glossary", "references"):
        scripts = _scripts(site.page(name))
        assert page_assets.CHART_SCRIPT not in scripts, name
        assert page_assets.WIDGET_SCRIPT not in scripts, name
    for page in site.html.rglob("*.html"):  # SCORM's adapter: only in the SCORM packages
        assert page_assets.SCORM_SCRIPT not in page.read_text(encoding="utf-8"), page
    # the course's style sheet is on every page, served from osai/book/static
    assert f'_static/{page_assets.STYLES}' in site.page("index")
    assert (site.html / "_static" / page_assets.CHART_SCRIPT).is_file()


def test_every_page_links_the_favicon_at_its_depth(site):
    assert '<link rel="icon" href="favicon.ico" sizes="16x16">' in site.page("index")
    assert '<link rel="icon" href="../favicon.ico" sizes="16x16">' in site.page(
        "chapters/07-plain")
    assert (site.html / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"


def test_works_of_one_author_and_year_are_lettered_in_citations_and_bibliography(site):
    cited = re.findall(r"OpenAI, \d{4}[a-z]?", site.page("chapters/06-charts"))
    assert cited == ["OpenAI, 2025a", "OpenAI, 2025b", "OpenAI, 2019"]
    references = site.page("references")
    labels = re.findall(r'fn-bracket">\[</span>([^<]*)<', references)
    assert sorted(labels) == ["OpenAI, 2019", "OpenAI, 2025a", "OpenAI, 2025b"]
    # entries are list items, not the deprecated doc-biblioentry role (axe, WCAG 2.1 A)
    assert 'role="doc-biblioentry"' not in references and 'role="listitem"' in references


def test_maths_are_mathml(site):
    charts = site.page("chapters/06-charts")
    assert '<math alttext="s_o &lt; 1"' in charts
    assert not re.search(r"<script[^>]*mathjax", charts, re.IGNORECASE)


def test_notebook_pages_are_exported_with_their_roles_resolved(site):
    assert sorted(p.name for p in site.notebooks.glob("*.ipynb")) == [
        "06-charts.ipynb", "glossary.ipynb", "index.ipynb"]  # gone.ipynb was dropped
    nb = nbformat.read(site.notebooks / "06-charts.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "See Figure 6.2, then Figure 6.1." in text
    assert "(OpenAI, 2025a; OpenAI, 2025b)" in text
    assert nb.cells[-1].source.startswith("## References")
    download = site.html / "_sources" / "chapters" / "06-charts.ipynb"
    assert nbformat.read(download, as_version=4).cells == nb.cells


def test_the_build_warns_where_the_toc_and_the_chapter_list_disagree(site):
    """The site's exercises/objectives.yml names a chapter its toc lacks."""
    found = [line for line in site.warnings.splitlines() if "_toc.yml" in line]
    assert len(found) == 1 and "05-gone is not in _toc.yml" in found[0]


def test_the_chapter_order_is_checked_too():
    problems = syllabus.check_toc(["chapters/06-charts", "chapters/07-plain"],
                                  ["07-plain", "06-charts"])
    assert problems and "['06-charts', '07-plain']" in problems[0]


def test_the_course_toc_agrees_with_its_chapter_list():
    import yaml

    from osai import paths

    toc = yaml.safe_load((paths.project_root() / "_toc.yml").read_text(encoding="utf-8"))
    assert syllabus.check_toc(pipeline.toc_files(toc)) == []


def test_an_inline_json_that_ends_early_is_a_warning(site):
    found = [line for line in site.warnings.splitlines() if "ends early" in line]
    assert len(found) == 1 and "chapters/08-unsafe" in found[0]


def test_the_build_warns_about_nothing_else(site):
    expected = ("is not in _toc.yml", "chapters/08-unsafe: an embedded JSON")
    other = [line for line in site.warnings.splitlines()
             if "WARNING" in line and not any(e in line for e in expected)]
    assert other == []


def test_a_page_of_the_toc_not_written_is_a_warning(site, tmp_path):
    """check_pages, run on the finished build with one page gone."""
    moved = tmp_path / "07-plain.html"
    page = site.html / "chapters" / "07-plain.html"
    shutil.move(page, moved)
    before = len(site.warnings)
    try:
        pipeline.check_pages(site.app, None)
    finally:
        shutil.move(moved, page)
    said = site.warnings[before:]
    assert "pages not written: chapters/07-plain" in said
    pipeline.check_pages(site.app, None)  # with every page there: nothing more
    assert site.warnings[before:] == said


def test_the_widget_view_script_is_kept_as_json(site):
    """myst-nb's JSON (here a widget view) reaches the page unchanged and parseable."""
    body = re.search(r'<script type="application/vnd.jupyter.widget-view\+json">(.*?)</script>',
                     site.page("chapters/06-charts"), re.S).group(1)
    assert json.loads(body)["model_id"] == "m1"


def _meta_description(html: str) -> str | None:
    found = re.findall(r'<meta name="description" content="([^"]*)"', html)
    assert len(found) <= 1
    return found[0] if found else None


def test_every_page_is_described_by_its_own_summary(site):
    assert _meta_description(site.page("chapters/07-plain")) == (
        "This plain chapter has one paragraph long enough to be its summary, so a search "
        "result shows these words as the page’s description.")
    # a page whose paragraphs are all labels, and the index, which has no text of its own:
    # the title, then the front page's description
    for name in ("index", "chapters/06-charts"):
        description = _meta_description(site.page(name))
        assert description and len(description) <= page_meta.LIMIT, name


def test_a_long_summary_is_cut_at_a_word_with_an_ellipsis():
    text = "word " * 100
    cut = page_meta.shorten(text)
    assert len(cut) <= page_meta.LIMIT and cut.endswith("word…")
    assert page_meta.shorten("  two\n lines ") == "two lines"


def test_every_script_file_is_deferred_but_the_one_inline_scripts_need(site):
    for name in ("index", "chapters/06-charts", "chapters/07-plain"):
        for tag in re.findall(r"<script[^>]*\bsrc=[^>]*>", site.page(name)):
            if "documentation_options.js" in tag:
                assert "defer" not in tag, (name, tag)
            else:
                assert re.search(r"\b(defer|async)\b", tag), (name, tag)


class _Env:
    """What :func:`osai.book.incremental.outdated_docs` reads of Sphinx's environment."""

    def __init__(self, docs):
        self.found_docs = set(docs)


def test_every_page_is_read_again_when_an_input_sphinx_does_not_see_changes(tmp_path):
    (tmp_path / "data").mkdir()
    table = tmp_path / "data" / "events.csv"
    table.write_text("id\n1\n")
    app = type("App", (), {"srcdir": str(tmp_path)})()
    env = _Env(["a", "b", "gone"])
    assert incremental.outdated_docs(app, env, set(), set(), set()) == []  # first build
    assert incremental.outdated_docs(app, env, set(), set(), set()) == []  # nothing changed
    table.write_text("id\n2\n")
    assert incremental.outdated_docs(app, env, set(), set(), {"gone"}) == ["a", "b"]
    assert incremental.outdated_docs(app, env, set(), set(), set()) == []


def test_every_page_is_read_again_when_the_hub_settings_change(tmp_path, monkeypatch):
    """The launch button is on every notebook page: setting, changing or unsetting the hub
    re-reads them all (the Makefile rebuilds when the settings change, too)."""
    for name in incremental.SETTINGS:
        monkeypatch.delenv(name, raising=False)
    app = type("App", (), {"srcdir": str(tmp_path)})()
    env = _Env(["a", "b"])
    assert incremental.outdated_docs(app, env, set(), set(), set()) == []
    monkeypatch.setenv("OSAI_HUB_URL", "https://hub.example.edu")
    monkeypatch.setenv("OSAI_HUB_REPO", "https://git.example.edu/course/osai.git")
    assert incremental.outdated_docs(app, env, set(), set(), set()) == ["a", "b"]
    assert incremental.outdated_docs(app, env, set(), set(), set()) == []
    monkeypatch.delenv("OSAI_HUB_URL")
    assert incremental.outdated_docs(app, env, set(), set(), set()) == ["a", "b"]
