"""Search works although only the search page loads the index (osai.book templates).

The search box of every page submits to ``search.html``; that page loads Sphinx's search
tools and the index and lists the pages that hold the words.  In real Chromium, offline.
"""

from __future__ import annotations

from playwright.sync_api import expect


def test_a_search_from_a_chapter_lists_the_pages_that_hold_the_words(audited_page, book_url):
    page, audit = audited_page
    page.goto(book_url + "chapters/03-four-organisations.html")
    page.wait_for_load_state("networkidle")
    # the index is not on the chapter page: nothing of it was loaded
    assert page.evaluate("() => typeof Search === 'undefined'")
    page.locator(".search-button__button").first.click()
    box = page.locator("#pst-search-dialog input[name=q]")
    expect(box).to_be_visible()
    box.fill("scikit-learn")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=scikit-learn*")
    results = page.locator("#search-results ul.search li a, ul.search li a")
    expect(results.first).to_be_visible(timeout=15_000)
    found = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any("04-community-led" in href for href in found), found
    assert audit.problems() == [], "\n".join(audit.problems())
