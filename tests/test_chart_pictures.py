"""Charts drawn at build (osai.book.chart_pictures, osai.book.glyphs), without a build: the
pictures' text is glyph outlines of the font they were laid out with, every chart element
gets a narrow and a wide drawing no wider than its width, and the controls' copy has the
markup Vega gives them."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from osai import render
from osai.book import chart_pictures, glyphs
from osai.charts import events_timeline, wrap_label


def test_text_becomes_outlines_with_its_words_kept():
    chart = alt.Chart(pd.DataFrame({"a": ["Hugging Face", "OpenCV"], "v": [1, 2]})).mark_bar(
    ).encode(x="v:Q", y="a:N").properties(title="Who pays & why")
    svg = chart_pictures.draw(chart.to_dict(), 300)
    assert "<text" in svg
    sheet = glyphs.GlyphSheet("t")
    out = glyphs.outline_texts(svg, sheet)
    assert "<text" not in out
    words = re.findall(r'data-text="([^"]*)"', out)
    assert "Hugging Face" in words and "Who pays &amp; why" in words
    # every glyph used is defined once, and only glyphs with ink are referenced
    refs = set(re.findall(r'<use href="#([^"]+)"', out))
    defs = sheet.defs()
    assert refs and all(f'id="{r}"' in defs for r in refs)
    assert defs.count("<path id=") == len(sheet.used)
    # a bold title uses the bold face's glyphs
    assert any(k.startswith("t-b") for k in sheet.used)


def test_anchor_moves_the_text_by_its_width():
    sheet = glyphs.GlyphSheet("t")
    svg = ('<svg><text text-anchor="end" transform="translate(100,10)" font-size="10px" '
           'fill="#000">MM</text></svg>')
    out = glyphs.outline_texts(svg, sheet)
    width = glyphs.text_width("MM", 1000)  # in font units at size = units per em
    xs = [float(x) for x in re.findall(r'<use href="[^"]+" x="(-?[\d.]+)"', out)]
    assert xs[0] == pytest.approx(-width * glyphs.font().units / 1000, abs=1)
    assert 'transform="translate(100,10)"' in out


def test_multiline_text_keeps_its_lines():
    sheet = glyphs.GlyphSheet("t")
    svg = ('<svg><text text-anchor="middle" transform="translate(5,5)" font-size="10px">'
           '<tspan>Resistance</tspan><tspan x="0" dy="12">to drift</tspan></text></svg>')
    out = glyphs.outline_texts(svg, sheet)
    assert 'data-text="Resistance to drift"' in out
    assert "translate(0,12)" in out


def test_missing_font_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(glyphs, "FONT_DIR", tmp_path)
    glyphs.font.cache_clear()
    try:
        with pytest.raises(glyphs.FontError, match=str(tmp_path)):
            glyphs.font()
    finally:
        glyphs.font.cache_clear()


@pytest.mark.parametrize("width", [chart_pictures.NARROW_WIDTH, chart_pictures.WIDE_WIDTH])
def test_drawing_fits_its_width(width):
    item = json.loads(json.dumps([0, events_timeline().chart.to_dict()]))
    svg = chart_pictures.draw(chart_pictures.variant_for(item, width), width)
    drawn = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
    assert drawn <= width


def test_narrow_fit_stands_category_labels_upright_and_wraps_titles():
    chart = alt.Chart(pd.DataFrame({"c": ["founding", "release"], "v": [1, 2]})).mark_bar(
    ).encode(x=alt.X("c:N", axis=alt.Axis(labelAngle=0)), y="v:Q").properties(
        title="Dated events per organisation and category, a title longer than a phone")
    narrow = chart_pictures.fit(chart.to_dict(), 272)
    assert narrow["encoding"]["x"]["axis"]["labelAngle"] == -90
    assert isinstance(narrow["title"]["text"], list) and len(narrow["title"]["text"]) > 1
    wide = chart_pictures.fit(chart.to_dict(), 672)
    assert wide["encoding"]["x"]["axis"]["labelAngle"] == 0
    assert isinstance(wide["title"]["text"], str)


def test_wrap_label_breaks_long_names_at_spaces():
    import vl_convert as vlc

    names = ["OpenAI non-profit (OpenAI Foundation from 2025)", "Hugging Face"]
    chart = alt.Chart(pd.DataFrame({"a": names, "v": [1, 2]})).mark_bar().encode(
        x="v:Q", y=alt.Y("a:N", axis=alt.Axis(labelExpr=wrap_label(18))))
    svg = vlc.vegalite_to_svg(chart.to_dict())
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert lines == ["OpenAI non-profit", "(OpenAI Foundation", "from 2025)"]


def test_page_body_gets_pictures_and_controls(monkeypatch, tmp_path):
    monkeypatch.setenv("OSAI_BUILD_DIR", str(tmp_path))  # the drawings' cache
    fig = events_timeline()
    body = "<p>before</p>" + render.chart_html(fig.chart, fig.alt_text, fig.table) + "<p>x</p>"
    out = chart_pictures.pictures_in(body, prefix="p")
    chart = out[out.index('<div class="osai-chart"'):out.index("<script")]
    assert chart.count('class="osai-picture osai-picture-narrow"') == 1
    assert chart.count('class="osai-picture osai-picture-wide"') == 1
    assert 'aria-hidden="true"' in chart and "<text" not in chart
    # the category drop-down, as Vega writes it, with every option
    assert '<div class="vega-bindings osai-preview-controls">' in chart
    assert '<select name="category_filter">' in chart
    assert chart.count("<option") == 8 and ">all categories</option>" in chart
    # the glyphs once, after the content; the queued spec is untouched
    assert out.count('class="osai-glyphs"') == 1
    assert out.index("<p>x</p>") < out.index('class="osai-glyphs"')
    assert "window.osaiCharts" in out
    assert len(list((tmp_path / ".chart-pictures").glob("*.svg"))) == 2


def test_controls_copy_each_kind_of_input():
    spec = {"params": [
        {"name": "w", "value": 2, "bind": {"input": "range", "min": 0, "max": 5, "step": 1,
                                           "name": "Weight "}},
        {"name": "show", "value": True, "bind": {"input": "checkbox", "name": "Show "}},
        {"name": "pick", "bind": "legend"},
    ]}
    got = chart_pictures.controls(spec)
    assert '<input type="range" name="w" min="0" max="5" step="1" value="2">' in got
    assert '<input type="checkbox" name="show" checked>' in got
    assert "pick" not in got
    assert chart_pictures.controls({"mark": "bar"}) == ""


def test_a_spec_that_is_not_json_is_named():
    body = ('<div class="osai-chart" id="osai-chart-abc123" role="group"></div>'
            '<script type="text/javascript">(window.osaiCharts=window.osaiCharts||[])'
            ".push([oops]);</script>")
    with pytest.raises(ValueError, match="osai-chart-abc123"):
        chart_pictures.pictures_in(body)


def _untapped(text: str) -> list[str]:
    """Sentences of ``text`` that ask to hover with no tap equivalent."""
    sentences = re.split(r"(?<=[.;:!?])\s+", re.sub(r"\s+", " ", text))
    return [s for s in sentences if re.search(r"\bhover", s, re.I) and not re.search(
        r"\btap", s, re.I)]


def test_untapped_finds_a_hover_only_sentence():
    assert _untapped("Hover over a point. Tap or hover a line.") == ["Hover over a point."]


def test_no_chapter_asks_to_hover_without_a_tap():
    from osai import paths

    found = {p.name: _untapped(p.read_text("utf-8"))
             for p in sorted((paths.project_root() / "chapters").glob("*.md"))}
    assert {k: v for k, v in found.items() if v} == {}


def test_no_chart_title_asks_to_hover_without_a_tap(book_dir):
    found = []
    for page in sorted(book_dir.glob("chapters/*.html")):
        for m in re.finditer(r"\(window\.osaiCharts=window\.osaiCharts\|\|\[\]\)\.push\((.*?)\);"
                             r"</script>", page.read_text("utf-8"), re.S):
            item = json.loads(m.group(1))
            for spec in [item[1]] + ([item[3]["spec"]] if len(item) > 3 else []):
                for view in chart_pictures.views(spec):
                    found += [f"{page.name}: {s}" for s in _untapped(json.dumps(
                        view.get("title", ""), ensure_ascii=False))]
    assert found == []
