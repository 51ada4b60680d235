"""Every built page in real Chromium, offline: nothing outside the origin is requested, no
console error, no failed request, every chart drawn, widgets and maths rendered, and no
axe-core violation of WCAG 2.1 A/AA.  Pages at every folder depth are included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness import browser
from osai import paths

#: the pages are listed when the tests are collected (one test each); with no build there
#: are none, and test_pages_were_found fails
PAGES = browser.book_pages(paths.html_dir())
#: pages that only redirect (index.html) have no layout of their own
LAID_OUT = browser.laid_out_pages(paths.html_dir(), PAGES)


def test_pages_were_found(book_dir):
    """The browser checks below would pass vacuously on an empty build."""
    assert PAGES == browser.book_pages(book_dir)
    assert len(PAGES) >= 12, PAGES
    assert "index.html" not in LAID_OUT and "chapters/01-welcome.html" in LAID_OUT


@pytest.mark.parametrize("page_path", PAGES)
def test_page_offline_accessible_and_drawn(audited_page, book_url, page_path):
    page, audit = audited_page
    page.goto(book_url + page_path)
    page.wait_for_load_state("networkidle")
    charts = browser.wait_for_charts(page)
    if charts:
        drawn = page.locator(".osai-chart[data-osai-drawn='true']").count()
        assert drawn == charts, f"{charts - drawn} chart(s) not drawn on {page_path}"
        without_svg = page.evaluate(
            "() => [...document.querySelectorAll('.osai-chart')]"
            ".filter(el => !el.querySelector('svg, canvas')).map(el => el.id)")
        assert without_svg == [], f"charts with no svg/canvas: {without_svg}"
    if page.locator("script[type='application/vnd.jupyter.widget-state+json']").count():
        views = page.locator("script[type='application/vnd.jupyter.widget-view+json']").count()
        page.wait_for_function(
            "(n) => document.querySelectorAll('.jupyter-widgets, .widget-subarea').length >= n"
            " || document.querySelectorAll('[data-osai-quiz], .osai-quiz').length >= n",
            arg=views, timeout=20_000)
    # maths are MathML (osai.book.mathml), drawn by the browser itself: each formula has a size
    undrawn_maths = page.evaluate(
        "() => [...document.querySelectorAll('math')].filter(m => {"
        " const r = m.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); })"
        ".map(m => m.getAttribute('alttext'))")
    assert undrawn_maths == [], f"formulas not drawn on {page_path}: {undrawn_maths}"
    page.wait_for_load_state("networkidle")  # whatever drawing asked for has come back
    assert audit.problems() == [], "\n".join(audit.problems())
    violations = browser.axe_violations(page)
    assert violations == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations)


def test_timeline_filter_changes_drawn_marks(audited_page, book_url):
    """Chapter 3's category drop-down works with no kernel: the drawn points change."""
    page, audit = audited_page
    page.goto(book_url + "chapters/03-four-organisations.html")
    browser.wait_for_charts(page)
    chart = page.locator("#fig-events-timeline .osai-chart").first
    points = chart.locator("svg .mark-symbol path")
    before = points.count()
    select = chart.locator("select").first
    select.select_option(label="funding")
    expect(points).not_to_have_count(before)  # Vega redraws after its dataflow runs
    after = points.count()
    assert 0 < after < before
    # by keyboard: focus the drop-down and move back to "all categories"
    select.focus()
    page.keyboard.press("Home")
    expect(points).to_have_count(before)
    assert audit.problems() == []


# ------------------------------------------------------------------ layout at four widths

WIDTHS = (320, 360, 768, 1280)

FIT = """() => {
  const charts = [...document.querySelectorAll('.osai-chart')].map(el => {
    // the space the page gives the chart: its block in the column
    const box = (el.closest('.osai-chart-block') || el).getBoundingClientRect();
    const drawn = [...el.querySelectorAll('svg, canvas')]
      .filter(g => !g.closest('.vg-tooltip, #vg-tooltip-element'))
      .map(g => g.getBoundingClientRect());
    // marks drawn past the svg's edge are cut off: count them as sticking out
    const marks = [...el.querySelectorAll('svg text, svg path, svg rect, svg line')]
      .map(m => m.getBoundingClientRect()).filter(r => r.width > 0 || r.height > 0);
    const widest = drawn.reduce((m, r) => Math.max(m, r.width), 0);
    const right = drawn.concat(marks).reduce((m, r) => Math.max(m, r.right), box.left);
    return {id: el.id, element: Math.round(box.width), drawn: Math.round(widest),
            overhang: Math.round(right - box.right), count: drawn.length};
  });
  const doc = document.documentElement;
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > doc.clientWidth + 1
                 && !e.closest('.osai-table-scroll, .cell_output .output, pre, .highlight')
                 && getComputedStyle(e).visibility !== 'hidden')
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                         + (e.className && e.className.baseVal === undefined
                            ? '.' + String(e.className).split(' ').join('.') : ''));
  return {charts, scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide};
}"""


#: the fonts the layout is checked with: the machine's own, then each set alone (a reader's
#: machine may have only DejaVu, Debian's wide default, or only a narrow set)
FONTS = ("system", *browser.FONT_SETS)


@pytest.fixture(scope="module", params=FONTS)
def layout_page(request, chromium, playwright_driver, book_url, tmp_path_factory):
    """One page per font set, reused for every layout check (vega stays in the cache)."""
    if request.param == "system":
        context = chromium.new_context()
        yield context.new_page()
        context.close()
        return
    conf = browser.fontconfig_file(request.param, tmp_path_factory.mktemp("fonts"))
    if conf is None:
        pytest.skip(f"the {request.param} fonts are not installed "
                    f"({browser.FONT_SETS[request.param]})")
    alone = browser.launch(playwright_driver, fonts=conf)
    yield alone.new_context().new_page()
    alone.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", LAID_OUT)
def test_page_fits_its_width(layout_page, book_url, page_path, width):
    """Every chart is drawn within the element the page gives it, and the page never
    scrolls sideways (wide tables scroll inside their own box), with the machine's fonts
    and with each font set alone."""
    page = layout_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(book_url + page_path, wait_until="load")
    browser.wait_for_charts(page)
    got = page.evaluate(FIT)
    for c in got["charts"]:
        assert c["count"] >= 1, f"{page_path} at {width}px: chart {c['id']} has no drawing"
        assert c["drawn"] <= c["element"] + 1 and c["overhang"] <= 1, (
            f"{page_path} at {width}px: chart {c['id']} is {c['drawn']}px wide in a "
            f"{c['element']}px element (sticks out {c['overhang']}px)")
    assert got["scrollWidth"] <= got["clientWidth"], (
        f"{page_path} at {width}px scrolls sideways: {got['scrollWidth']}px of content in "
        f"{got['clientWidth']}px; too wide: {got['wide']}")


def test_favicon_requests_are_answered(audited_page, book_url, server_log):
    """Every page links the favicon, it is served, and whatever icon the browser asks for
    by itself (a plain static host sees /favicon.ico) gets an answer, not a 404."""
    page, audit = audited_page
    start = len(server_log)
    for path in ("chapters/01-welcome.html", "chapters/03-four-organisations.html"):
        page.goto(book_url + path, wait_until="load")
        href = page.evaluate("() => document.querySelector('link[rel~=icon]')?.href")
        assert href and href.startswith(book_url), f"{path}: no favicon link"
        got = page.request.get(href)
        assert got.ok and got.body()[:4] == b"\x00\x00\x01\x00", f"{href}: not an icon"
    assert page.request.get(book_url + "favicon.ico").ok
    icons = [(p, s) for p, s in server_log[start:] if "favicon" in p]
    assert icons and all(s == 200 for _, s in icons), icons
    assert audit.problems() == []
