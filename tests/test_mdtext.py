"""Text from data, quiz banks, objectives and the bibliography shows as text in Markdown.

Every helper that turns such text into Markdown (osai.text.markdown, page.objectives,
page.markdown_list, explore.prompts_markdown, the notebook export's glue and citation
values) is rendered here with MyST's own parser (the book's extensions on) and, for the
exported notebooks, with CommonMark: the text comes back exactly, and no link, emphasis,
raw HTML, maths, role or substitution appears.  No book build is needed.
"""

from __future__ import annotations

import html
import re

import pytest
from docutils.core import publish_parts
from markdown_it import MarkdownIt
from myst_parser.parsers.docutils_ import Parser

from osai import explore, page, syllabus
from osai.text import markdown as mdtext
from osai.book.notebooks import Resolver, convert_markdown, raw_markup

HOSTILE = [
    "**bold** and _em_ and `code`",
    "[click](javascript:alert(1)) ![x](y.png)",
    "<img src=x onerror=alert(1)> &amp; <https://example.org>",
    "{glue:text}`secret` {cite}`k` {{ sub }} *x*{.cls}",
    "$x^2$ and $$y$$ ~strike~ | a | b |",
    "# heading",
    "- item",
    "1. numbered",
    "> quote",
    ":::{note}",
    "line one\nline two\r\n# not a heading\u2028- not an item",
    "back\\slash at the end\\",
]
#: what the rendered HTML may not hold
MARKUP = re.compile(r"<(a|strong|em|code|img|h\d|blockquote|table|span class=\"math|"
                    r"div class=\"math|del|s)\b|<li>.*<(ul|ol)>", re.S)


def _myst(source: str) -> str:
    return publish_parts(source, parser=Parser(), writer_name="html5", settings_overrides={
        "myst_enable_extensions": ["colon_fence", "dollarmath", "deflist", "substitution",
                                   "attrs_inline"],
        "myst_substitutions": {"sub": "SUBSTITUTED"},
        "report_level": 5, "halt_level": 5})["body"]


def _items(rendered: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", li)).strip()
            for li in re.findall(r"<li>(.*?)</li>", rendered, re.S)]


def _flat(text: str) -> str:
    return " ".join(re.sub("[\r\n\u2028\u2029]+", " ", text).split())


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_renders_as_the_same_text_in_myst(text):
    rendered = _myst(mdtext.bullet_list([text]))
    assert not MARKUP.search(rendered), rendered
    assert "SUBSTITUTED" not in rendered
    assert _items(rendered) == [_flat(text)]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_renders_as_the_same_text_in_commonmark(text):
    # exported notebooks are read by JupyterLab's CommonMark renderer
    rendered = MarkdownIt("commonmark").enable("table").render(mdtext.numbered_list([text]))
    assert not MARKUP.search(rendered), rendered
    assert _items(rendered) == [_flat(text)]


def test_lead_and_text_items_keep_only_the_lead_bold():
    rendered = _myst(mdtext.bullet_list([("**Lead**", "[x](javascript:alert(1))")]))
    assert rendered.count("<strong>") == 1 and "<a " not in rendered
    assert _items(rendered) == ["**Lead**. [x](javascript:alert(1))"]


def test_objectives_show_markup_as_text(monkeypatch):
    text = " ".join(HOSTILE[:5])
    monkeypatch.setattr(syllabus, "objectives_data",
                        lambda: {"99-x": {"objectives": [{"id": "o", "text": text}]}})
    rendered = _myst(page.objectives("99-x").data)
    assert not MARKUP.search(rendered), rendered
    assert _items(rendered) == [_flat(text)]
    assert "By the end of this chapter you will be able to" in rendered


def test_chapter_lists_from_data_show_markup_as_text():
    rendered = _myst(page.markdown_list(HOSTILE).data)
    assert not MARKUP.search(rendered), rendered
    assert _items(rendered) == [_flat(t) for t in HOSTILE]
    rendered = _myst(explore.prompts_markdown(HOSTILE[:3]).data)
    assert rendered.count("<li>") == 3 and not MARKUP.search(rendered)


def test_exported_glue_and_citation_values_are_text():
    hostile = "[x](javascript:alert(1)) <img src=x onerror=alert(1)> **b** {glue:text}`k`"
    res = Resolver(docname="chapters/x", glue={"v": repr(hostile)},
                   cite_label={"k": "<b>Evil</b> & [Co](javascript:x), 2024"})
    out = convert_markdown("Value {glue:text}`v`, cited {cite}`k`.", res)
    rendered = MarkdownIt("commonmark").render(out)
    assert not MARKUP.search(rendered), rendered
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert text == f"Value {hostile}, cited (<b>Evil</b> & [Co](javascript:x), 2024)."
    assert raw_markup(out) == [] and res.problems == []


def test_bibliography_references_in_notebooks_are_text_and_safe_links():
    from pybtex.richtext import HRef, Text

    from osai.book.notebooks import reference_markdown

    hostile = "<img src=x onerror=alert(1)> $x$ ~s~ | a | *b* {glue:text}`k`"
    entry = Text(hostile, " ", HRef("javascript:alert(1)", "evil"), " ",
                 HRef("https://example.org/a_b", "https://example.org/a_b"))
    out = reference_markdown(entry.render_as("markdown"))
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(f"- {out}")
    assert "javascript:" not in rendered and not re.search(r"<(img|em|s|del|table)\b",
                                                            rendered), rendered
    assert rendered.count("<a ") == 1 and 'href="https://example.org/a_b"' in rendered
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert text == f"{hostile} evil https://example.org/a_b"


def test_citation_labels_decode_latex_before_escaping():
    from pybtex.database import Entry, Person

    from osai.book.citations import author_year

    entry = Entry("misc", fields={"year": "2022"},
                  persons={"author": [Person("{Weights \\& Biases}")]})
    label = author_year(entry)
    assert label == "Weights & Biases, 2022"
    rendered = MarkdownIt("commonmark").render(mdtext.escape(label))
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip() == label
