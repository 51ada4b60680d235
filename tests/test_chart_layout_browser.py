"""Every chart in real Chromium, as a phone, a tablet and a desktop show it (320, 360, 768
and 1280 px), with each font set alone (DejaVu, Debian's wide default; Liberation, a
narrower set): the picture drawn at build (seen with scripts off) and the live chart.

For each chart, its drawing, titles and labels stay inside its block; no two texts overlap
(their boxes, turned as the text is, from the SVG); no label is cut (a label ending in an
ellipsis counts as cut: the chart gives no other place where a reader would see the whole
name, since a tooltip needs a pointer and the table is out of sight); and the plot area keeps
at least half the chart's width.  With scripts off every chart is drawn; a live chart takes
its picture's place with no layout shift, whether it comes when the browser is idle or when
a reader changes a control."""

from __future__ import annotations

import pytest

from harness import browser
from osai import paths

WIDTHS = (320, 360, 768, 1280)
#: pages holding charts (found in the build when the tests are collected)
CHART_PAGES = [p for p in browser.book_pages(paths.html_dir())
               if p.startswith("chapters/") and 'class="osai-chart"' in
               (paths.html_dir() / p).read_text("utf-8")] if paths.html_dir().is_dir() else []

GEOMETRY = """(live) => {
  // corners of an element's own box, turned and placed as the page shows it
  function quad(el) {
    const b = el.getBBox(), m = el.getScreenCTM();
    if (!m || (b.width === 0 && b.height === 0)) return null;
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
            [b.x, b.y + b.height]].map(([x, y]) => [m.a * x + m.c * y + m.e,
                                                    m.b * x + m.d * y + m.f]);
  }
  // two convex quads overlap when no edge of either separates them (by more than 0.5 px)
  function overlap(p, q) {
    for (const poly of [p, q]) {
      for (let i = 0; i < 4; i++) {
        const [x1, y1] = poly[i], [x2, y2] = poly[(i + 1) % 4];
        const nx = y2 - y1, ny = x1 - x2, len = Math.hypot(nx, ny) || 1;
        const proj = s => s.map(([x, y]) => (x * nx + y * ny) / len);
        const a = proj(p), b = proj(q);
        if (Math.max(...a) - 0.5 <= Math.min(...b) || Math.max(...b) - 0.5 <= Math.min(...a))
          return false;
      }
    }
    return true;
  }
  const out = [];
  for (const el of document.querySelectorAll('.osai-chart')) {
    const block = el.getBoundingClientRect();
    const svg = live
      ? el.querySelector('.osai-live svg')
      : [...el.querySelectorAll('svg.osai-picture')].find(s => s.getBoundingClientRect().width > 0);
    const r = {id: el.id, problems: []};
    out.push(r);
    if (!svg) { r.problems.push('no drawing'); continue; }
    const box = svg.getBoundingClientRect();
    if (box.left < block.left - 1 || box.right > block.right + 1)
      r.problems.push(`drawing ${Math.round(box.width)}px wide in a ${Math.round(block.width)}px block`);
    const texts = live
      ? [...svg.querySelectorAll('text')].map(t => ({el: t, text: t.textContent}))
      : [...svg.querySelectorAll('.osai-text')].map(t => ({el: t, text: t.dataset.text}));
    const shown = texts.filter(t => t.text && t.text.trim() && getComputedStyle(t.el).opacity !== '0')
      .map(t => ({text: t.text, q: quad(t.el)})).filter(t => t.q);
    for (const t of shown) {
      const xs = t.q.map(p => p[0]), ys = t.q.map(p => p[1]);
      if (Math.min(...xs) < block.left - 1 || Math.max(...xs) > block.right + 1 ||
          Math.min(...ys) < block.top - 1 || Math.max(...ys) > block.bottom + 1)
        r.problems.push(`"${t.text}" outside the block`);
      if (/…$/.test(t.text.trim())) r.problems.push(`"${t.text}" is cut`);
    }
    for (let i = 0; i < shown.length; i++)
      for (let j = i + 1; j < shown.length; j++)
        if (overlap(shown[i].q, shown[j].q))
          r.problems.push(`"${shown[i].text}" overlaps "${shown[j].text}"`);
    // the plot: the widest view's background (a concatenation has one per view)
    const plots = [...svg.querySelectorAll('g.mark-group > g > path.background')]
      .map(p => p.getBoundingClientRect().width).filter(w => w > 0);
    const plot = Math.max(0, ...plots);
    r.plot = Math.round(plot); r.width = Math.round(box.width); r.texts = shown.length;
    // (a chart drawn as text lines, with no plot frame, has no plot to keep)
    if (plots.length && plot < box.width / 2)
      r.problems.push(`plot ${r.plot}px of a ${r.width}px chart`);
  }
  return out;
}"""


@pytest.fixture(scope="module", params=list(browser.FONT_SETS))
def font_browser(request, playwright_driver, tmp_path_factory, book_url):
    conf = browser.fontconfig_file(request.param, tmp_path_factory.mktemp("fonts"))
    if conf is None:
        pytest.skip(f"the {request.param} fonts are not installed")
    alone = browser.launch(playwright_driver, fonts=conf)
    yield alone
    alone.close()


def problems_of(page) -> list[str]:
    return [f"{c['id']}: {p}" for c in page.evaluate(GEOMETRY, page.osai_live)
            for p in c["problems"]]


@pytest.fixture(params=["picture", "live"])
def chart_page(request, font_browser):
    live = request.param == "live"
    context = font_browser.new_context(java_script_enabled=live)
    page = context.new_page()
    page.osai_live = live
    yield page
    context.close()


def test_chart_pages_were_found(book_dir):
    assert len(CHART_PAGES) >= 6, CHART_PAGES


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", CHART_PAGES)
def test_every_chart_holds_its_layout(chart_page, book_url, page_path, width):
    page = chart_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(book_url + page_path, wait_until="load")
    if page.osai_live:
        browser.wait_for_charts(page)
        errors = page.evaluate("() => [...document.querySelectorAll('.osai-chart')]"
                               ".filter(e => e.dataset.osaiError).map(e => e.id)")
        assert errors == []
    found = problems_of(page)
    assert found == [], f"{page_path} at {width}px ({'live' if page.osai_live else 'picture'}):\n" \
        + "\n".join(found)


@pytest.mark.parametrize("width", (320, 1280))
@pytest.mark.parametrize("page_path", CHART_PAGES)
def test_every_chart_is_drawn_with_scripts_off(chromium, book_url, page_path, width):
    context = chromium.new_context(java_script_enabled=False,
                                   viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(book_url + page_path, wait_until="load")
    got = page.evaluate("""() => [...document.querySelectorAll('.osai-chart')].map(el => {
      const shown = [...el.querySelectorAll('svg.osai-picture')]
        .filter(s => s.getBoundingClientRect().width > 0 && s.getBoundingClientRect().height > 0);
      return {id: el.id, shown: shown.length,
              marks: shown.length ? shown[0].querySelectorAll('path, line, rect').length : 0,
              texts: shown.length ? shown[0].querySelectorAll('.osai-text use').length : 0,
              controls: [...el.querySelectorAll('.osai-preview-controls')]
                .filter(c => c.getBoundingClientRect().height > 0).length};
    })""")
    context.close()
    assert got, f"{page_path}: no chart"
    for c in got:
        assert c["shown"] == 1, f"{page_path} at {width}px: {c['id']} shows {c['shown']} pictures"
        assert c["marks"] > 5 and c["texts"] > 5, f"{page_path}: {c['id']} is drawn empty: {c}"
        # controls that would do nothing without scripts are not shown
        assert c["controls"] == 0, f"{page_path}: {c['id']} shows controls with scripts off"


#: layout shifts of the book's content (the theme's header is not the charts' business)
SHIFTS = """() => { window.__shifts = [];
  new PerformanceObserver(list => { for (const e of list.getEntries())
    if ((e.sources || []).some(s => { const n = s.node && (s.node.nodeType === 1 ? s.node
                                                          : s.node.parentElement);
                                      return n && n.closest('.bd-article'); }))
      window.__shifts.push(
    {value: e.value, input: e.hadRecentInput,
     nodes: (e.sources || []).map(s => s.node && (s.node.id || s.node.className || s.node.nodeName))}); })
    .observe({type: 'layout-shift', buffered: true}); }"""


def boxes(page, chart_id):
    return page.evaluate("""(id) => { const el = document.getElementById(id);
      const next = el.closest('.osai-chart-block').nextElementSibling
                   || el.closest('figure')?.nextElementSibling;
      const r = el.getBoundingClientRect();
      return {top: r.top + scrollY, left: r.left, width: r.width, height: r.height,
              next: next ? next.getBoundingClientRect().top + scrollY : null,
              live: !!el.querySelector('.osai-live svg') && el.dataset.osaiDrawn === 'true',
              picture: !!el.querySelector('svg.osai-picture')}; }""", chart_id)


@pytest.mark.parametrize("width", (360, 1280))
def test_a_changed_control_brings_the_live_chart_in_place(chromium, book_url, width):
    """Chapter 3's timeline: choosing "funding" in the drop-down the picture carries brings
    the live chart into the picture's box, showing funding events only, and nothing on the
    page moves."""
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    # no chart goes live by itself in this test: the browser is never idle long enough
    page.add_init_script("window.requestIdleCallback = () => 0;")
    page.goto(book_url + "chapters/03-four-organisations.html", wait_until="load")
    page.evaluate(SHIFTS)
    chart_id = page.locator("#fig-events-timeline .osai-chart").first.get_attribute("id")
    before = boxes(page, chart_id)
    assert before["picture"] and not before["live"]
    page.locator(f"#{chart_id} .osai-preview-controls select").select_option(label="funding")
    page.wait_for_function("(id) => document.getElementById(id).dataset.osaiDrawn === 'true'",
                           arg=chart_id, timeout=30_000)
    after = boxes(page, chart_id)
    assert after["live"] and not after["picture"]
    for key in ("top", "left", "width", "next"):
        assert after[key] == pytest.approx(before[key], abs=0.5), (key, before, after)
    assert after["height"] >= before["height"] - 0.5
    # the choice made on the picture's copy holds in the live chart
    assert page.evaluate(f"() => document.getElementById('{chart_id}').osaiView"
                         ".signal('category_filter')") == "funding"
    assert page.locator(f"#{chart_id} .osai-live select").first.evaluate(
        "s => s.options[s.selectedIndex].text") == "funding"
    page.wait_for_timeout(300)
    shifts = page.evaluate("() => window.__shifts")
    context.close()
    assert shifts == [], shifts


@pytest.mark.parametrize("width", (320, 768))
def test_charts_go_live_in_view_without_layout_shift(chromium, book_url, width):
    """With no reader input, each chart scrolled into view goes live when the browser is
    idle, in its picture's box: no layout shift at all."""
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(book_url + "chapters/07-trade-offs.html", wait_until="load")
    page.evaluate(SHIFTS)
    ids = page.evaluate("() => [...document.querySelectorAll('.osai-chart')].map(e => e.id)")
    assert ids
    for chart_id in ids:
        before = boxes(page, chart_id)
        page.evaluate("(id) => document.getElementById(id).scrollIntoView()", chart_id)
        page.wait_for_function(
            "(id) => { const el = document.getElementById(id);"
            " return el.querySelector('.osai-live svg') || el.dataset.osaiError; }",
            arg=chart_id, timeout=30_000)
        page.wait_for_timeout(200)
        after = boxes(page, chart_id)
        # a live chart taller than its picture waits for the reader's input: either way,
        # nothing below the chart has moved
        assert after["next"] == pytest.approx(before["next"], abs=0.5), (chart_id, before, after)
    live = page.evaluate("() => document.querySelectorAll(\".osai-chart[data-osai-drawn='true']\").length")
    shifts = page.evaluate("() => window.__shifts")
    context.close()
    assert shifts == [], shifts
    assert live >= 1
