"""The comparison exercises on the built book page, in headless Chromium, offline.

Every control is used by mouse and by keyboard, and the test reads what was drawn: the
accessible labels (``aria-label``) Vega puts on the SVG marks, and the view's signals
(``element.osaiView``, exposed by _static/osai-book.js).

Pages: chapter 03 (comparison and timeline explorers), chapter 07 (trade-off weighing).
Every wait is on Vega itself: its view has run the dataflow an input started
(``view.runAsync()``), a tooltip is shown or hidden.
"""

from __future__ import annotations

import re

import pytest

from harness import browser
from osai import explore

CH03 = "chapters/03-four-organisations.html"
CH07 = "chapters/07-trade-offs.html"


def own_problems(audit) -> list[str]:
    """Everything that went wrong on the page: nothing is tolerated."""
    return audit.problems()


def open_page(page, url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    browser.wait_for_charts(page)


def labels(page, fig_id: str) -> list[str]:
    """aria-labels of the drawn marks of one figure, in document order."""
    return page.evaluate(
        """(id) => [...document.querySelectorAll(`#${id} .osai-chart svg [aria-label]`)]
             .filter(e => e.getAttribute('role') === 'graphics-symbol'
                          && e.tagName !== 'g')
             .map(e => e.getAttribute('aria-label'))""", fig_id)


def signal(page, fig_id: str, name: str):
    return page.evaluate(
        "([id, name]) => document.querySelector(`#${id} .osai-chart`).osaiView.signal(name)",
        [fig_id, name])


def settle(page) -> None:
    """Wait until every chart's Vega view has run the dataflow an input started, and
    drawn it (``view.runAsync()`` resolves once the pending run and its render are done)."""
    page.evaluate("""() => Promise.all([...document.querySelectorAll('.osai-chart')]
                         .filter(el => el.osaiView).map(el => el.osaiView.runAsync()))
                         .then(() => true)""")


def check_clean(page, audit) -> None:
    page.mouse.move(1, 1)  # close any tooltip left by a hover
    page.locator("#vg-tooltip-element").wait_for(state="hidden")
    settle(page)
    assert own_problems(audit) == []
    assert audit.outside_requests == []
    assert browser.axe_violations(page) == []


# ------------------------------------------------ exercise 1: comparison explorer

def _fact_labels(page):
    return [x for x in labels(page, "fig-explore-compare") if " Source " in x]


def _expected(dimension, orgs=None):
    facts = explore.comparison_facts()
    facts = facts[facts["dimension"] == dimension]
    if orgs is not None:
        facts = facts[facts["org_id"].isin(orgs)]
    return [f"{r.org_name}, {r.when}, {r.aspect}: {r.what} Source {r.source_ids}."
            for r in facts.itertuples()]


def test_comparison_explorer_by_mouse_and_keyboard(audited_page, book_url):
    page, audit = audited_page
    open_page(page, book_url + CH03)
    fig = page.locator("#fig-explore-compare")
    select = fig.locator("select[name=dimension]")
    assert _fact_labels(page) == _expected("founding")

    # mouse: choose a dimension in the drop-down
    select.select_option("governance")
    settle(page)
    assert signal(page, "fig-explore-compare", "dimension") == "governance"
    assert _fact_labels(page) == _expected("governance")

    # keyboard: focus the drop-down and press the arrow keys
    select.focus()
    page.keyboard.press("ArrowDown")  # governance -> revenue
    settle(page)
    assert select.input_value() == "revenue"
    assert _fact_labels(page) == _expected("revenue")
    page.keyboard.press("End")  # last option: openness
    settle(page)
    assert _fact_labels(page) == _expected("openness")

    # mouse: untick two organisations
    fig.locator("input[name=show_opencv]").click()
    fig.locator("input[name=show_sklearn]").click()
    settle(page)
    assert _fact_labels(page) == _expected("openness", ["openai", "hf"])

    # keyboard: Tab to the next check box (OpenAI) and press Space
    fig.locator("input[name=show_sklearn]").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    settle(page)
    assert signal(page, "fig-explore-compare", "show_openai") is False
    assert _fact_labels(page) == _expected("openness", ["hf"])

    # nothing ticked: the chart says so instead of going blank
    fig.locator("input[name=show_hf]").press("Space")
    settle(page)
    assert _fact_labels(page) == []
    assert "Tick at least one organisation" in fig.locator("svg").text_content()

    # money: every USD amount gets a bar
    for name in ("show_opencv", "show_sklearn", "show_openai", "show_hf"):
        fig.locator(f"input[name={name}]").check()
    select.select_option("money")
    settle(page)
    assert _fact_labels(page) == _expected("money")
    bars = fig.locator("svg g.mark-rule path, svg g.mark-rule line").count()
    assert bars >= explore.comparison_facts()["amount_usd"].notna().sum()

    # hover shows the sources' publishers
    fig.locator("svg text", has_text="Hugging Face").first.hover()
    tip = page.locator("#vg-tooltip-element")
    tip.wait_for(state="visible")
    assert "Sources" in tip.inner_text()
    check_clean(page, audit)


# -------------------------------------------------- exercise 2: timeline explorer

def _points(page):
    """aria-labels of the event points drawn (the points' own mark group only)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                  '#fig-explore-timeline svg g.tl_points_0_marks > path[aria-label]')]
             .map(e => e.getAttribute('aria-label'))""")


def _details(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('#fig-explore-timeline svg text')]
             .map(t => t.textContent).filter(s => s.includes(' · ') || s.startsWith('Source'))
             .join(' | ')""")


def test_timeline_explorer_by_mouse_and_keyboard(audited_page, book_url):
    import osai

    ev = osai.load_dataset().events
    page, audit = audited_page
    open_page(page, book_url + CH03)
    fig = page.locator("#fig-explore-timeline")
    category = fig.locator("select[name=tl_category]")
    org = fig.locator("select[name=tl_org]")
    event = fig.locator("select[name=tl_event_event_id]")
    assert len(_points(page)) == len(ev)

    # keyboard: category drop-down, ArrowDown twice: all -> founding -> release
    category.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    settle(page)
    assert signal(page, "fig-explore-timeline", "tl_category") == "release"
    assert len(_points(page)) == (ev["category"] == "release").sum()

    # mouse: organisation drop-down; both filters apply together
    org.select_option(label="OpenAI")
    settle(page)
    shown = _points(page)
    expected = ev[(ev["category"] == "release") & (ev["org_id"] == "openai")]
    assert len(shown) == len(expected) > 0
    assert all(", OpenAI, release:" in x for x in shown)
    assert f"Showing {len(expected)} of {len(ev)} events" in fig.locator("svg").text_content()

    # keyboard: organisation back to "all" with Home
    org.focus()
    page.keyboard.press("Home")
    settle(page)
    assert len(_points(page)) == (ev["category"] == "release").sum()

    # keyboard: the event picker writes the details under the chart
    before = _details(page)
    event.focus()
    page.keyboard.press("ArrowDown")
    settle(page)
    second = ev.iloc[1]
    assert _details(page) != before
    assert second["date"] in _details(page) and second["source_id"].split(";")[0] in _details(page)
    lp = ev.set_index("event_id").loc["openai-lp"]
    event.select_option("openai-lp")  # mouse, through the drop-down
    settle(page)
    details = _details(page)
    assert lp["date"] in details and "S17" in details
    # openai-lp is a governance event, so the "release" filter hides its point
    assert "hidden by the current filters" in fig.locator("svg").text_content()

    # mouse: click a point; the details and the drop-down follow
    category.select_option(label="all categories")
    settle(page)
    point = fig.locator("svg path[aria-label*='Microsoft invests $1B']")
    point.click()
    settle(page)
    assert event.input_value() == "openai-microsoft-2019"
    assert "2019-07-22" in _details(page) and "S18" in _details(page)

    # hover: tooltip with date, description and source
    fig.locator("svg path[aria-label*='Salesforce Ventures']").hover()
    tip = page.locator("#vg-tooltip-element")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "2023-08-24" in text and "S32" in text
    check_clean(page, audit)


# ------------------------------------------------- exercise 3: trade-off weighing

def _ranking(page):
    out = []
    for x in labels(page, "fig-tradeoff-weighing"):
        m = re.match(r"Rank (\d): (.+), weighted score ([\d.]+) out of 5", x)
        if m:
            out.append((int(m[1]), m[2], m[3]))
    return sorted(out)


def _bars_top_to_bottom(page):
    return page.evaluate(
        """() => [...document.querySelectorAll(
                  '#fig-tradeoff-weighing svg path[aria-label^="Rank"]')]
             .map(e => [e.getBoundingClientRect().top, e.getAttribute('aria-label')])
             .sort((a, b) => a[0] - b[0]).map(p => p[1].split(':')[1].split(',')[0].trim())""")


def _expected_ranking(weights):
    r = explore.weighted_ranking(weights)
    return [(int(x.rank), x.name, f"{x.weighted_score:.2f}") for x in r.itertuples()]


@pytest.fixture
def tradeoff_page(audited_page, book_url):
    page, audit = audited_page
    open_page(page, book_url + CH07)
    assert page.locator("#fig-tradeoff-weighing .osai-chart").count() == 1, (
        f"{CH07} has no trade-off figure")
    return page, audit


def test_tradeoff_weighing_by_mouse_and_keyboard(tradeoff_page):
    page, audit = tradeoff_page
    fig = page.locator("#fig-tradeoff-weighing")
    dims = list(explore.ASSESSMENT_DIMENSIONS)
    weights = {d: 1 for d in dims}
    assert _ranking(page) == _expected_ranking(weights)

    def slider(d):
        return fig.locator(f"input[type=range][name=w_{d}]")

    # keyboard: focus each slider and press keys; the ranking follows every change
    for d in dims:
        slider(d).focus()
        page.keyboard.press("Home")
        weights[d] = 0
    settle(page)
    assert "Every weight is 0" in fig.locator("svg").text_content()
    assert [s for _, _, s in _ranking(page)] == ["0.00"] * 4
    slider("speed").focus()
    page.keyboard.press("End")
    slider("funding_stability").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    weights.update(speed=5, funding_stability=5)
    settle(page)
    assert signal(page, "fig-tradeoff-weighing", "w_speed") == 5
    fast = _ranking(page)
    assert fast == _expected_ranking(weights)
    assert fast[0][1] == "OpenAI"
    assert _bars_top_to_bottom(page) == [name for _, name, _ in fast]

    # mouse: drag speed and funding stability to 0, click openness and trust to the far end
    for d, pos in (("speed", 0.0), ("funding_stability", 0.0), ("openness", 1.0),
                   ("community_trust", 1.0)):
        box = slider(d).bounding_box()
        page.mouse.click(box["x"] + 2 + pos * (box["width"] - 4), box["y"] + box["height"] / 2)
        weights[d] = int(round(pos * 5))
    settle(page)
    assert {d: signal(page, "fig-tradeoff-weighing", f"w_{d}") for d in dims} == weights
    open_first = _ranking(page)
    assert open_first == _expected_ranking(weights)
    assert [n for _, n, _ in open_first] != [n for _, n, _ in fast]  # the order changed
    assert _bars_top_to_bottom(page) == [name for _, name, _ in open_first]

    # the slider shows its value next to it, and has a visible name
    label = slider("openness").locator("xpath=..")
    assert "Openness" in label.inner_text() and "5" in label.inner_text()
    check_clean(page, audit)


def test_tradeoff_live_widget_is_not_on_the_page(tradeoff_page):
    """A built page shows how to run the live exercise, never a dead Python widget."""
    page, _ = tradeoff_page
    assert page.locator(".jupyter-widgets, .widget-slider").count() == 0
    assert "run it in JupyterLab" in page.locator("main").inner_text()
