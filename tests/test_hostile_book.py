"""Hostile text in the quiz bank and in the data cannot break out of the built page.

A small fixture book (one chapter: a quiz and a chart, built with the course's own
_config.yml, Sphinx extension, _static and vendored assets) is built into a temporary
folder from a quiz bank and a copy of data/ that hold every way of ending a ``<script>``
early: ``</script`` in any letter case, followed by ``>``, a space or ``/``; ``<!--``;
U+2028 and U+2029; an ``<img onerror>``.  In Chromium no dialog fires, no script error is
thrown, the page requests nothing outside its origin, and the quiz and the chart's text
alternative show each string exactly as written, as text.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness import browser
from osai.book import script_safety
from osai.text import script_json as htmljson

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = {
    "upper": "</SCRIPT><img src=x onerror=alert('upper')>",
    "space": "</script ><img src=x onerror=alert('space')>",
    "slash": "</script/><img src=x onerror=alert('slash')>",
    "mixed": "</ScRiPt><img src=x onerror=alert('mixed')>",
    "lower": "</script><script>alert('lower')</script>",
    "comment": "<!--<script>alert('comment')</script>-->",
    "lines": "line\u2028separator and\u2029paragraph & <b>bold</b>",
    "img": "<img src=x onerror=alert('img')> \"quoted\" 'single' \\ backslash",
}
#: the events whose titles become the items of the ordering question
EVENTS = {"openai-microsoft-2019": HOSTILE["img"], "openai-charter": HOSTILE["mixed"],
          "openai-lp": HOSTILE["comment"], "openai-launch": HOSTILE["upper"]}


# ---------------------------------------------------------------------------- unit


@pytest.mark.parametrize("text", list(HOSTILE.values()))
def test_dumps_leaves_nothing_that_ends_a_script(text):
    import json

    out = htmljson.dumps({"t": text, "list": [text]})
    assert htmljson.unsafe_script_text(out) is None
    assert not any(c in out for c in "<>&\u2028\u2029")
    assert json.loads(out) == {"t": text, "list": [text]}


def test_escape_script_keeps_javascript_meaning():
    js = "var s = '</SCRIPT>' + \"<!--\"; if (1 < 2) {}"
    out = htmljson.escape_script(js)
    assert htmljson.unsafe_script_text(out) is None
    assert "1 < 2" in out  # JavaScript that is not JSON keeps its operators


def test_objectives_markdown_shows_markup_as_text(monkeypatch):
    from osai import page, syllabus

    text = HOSTILE["img"] + " " + HOSTILE["upper"]
    monkeypatch.setattr(syllabus, "objectives_data",
                        lambda: {"99-x": {"objectives": [{"id": "o", "text": text}]}})
    markdown = page.objectives("99-x").data
    # every "<" is backslash-escaped (osai.text.markdown): MyST shows it as text
    # (tests/test_mdtext.py)
    assert "<" not in markdown.replace("\\<", "")
    assert markdown.splitlines()[-1].replace("\\", "") == "- " + text.replace("\\", "")


def test_myst_nb_writes_scripts_through_the_escape():
    from myst_nb.core import render

    script_safety.install()
    assert render.sanitize_script_content is htmljson.escape_script


@pytest.mark.parametrize("body", [
    '<script type="application/vnd.jupyter.widget-view+json">{"a": "</SCRIPT>"}</script>',
    '<script type="text/javascript">var a = "<!--";</script>',
])
def test_page_check_fails_a_page_whose_script_ends_early(body, caplog):
    import logging

    with caplog.at_level(logging.WARNING):
        script_safety.check_page(None, "chapters/x", "page.html", {"body": body}, None)
    assert "chapters/x" in caplog.text and "osai.text.script_json.dumps" in caplog.text


def test_page_check_passes_escaped_scripts(caplog):
    import logging

    body = ('<script type="application/vnd.jupyter.widget-state+json">'
            + htmljson.dumps({"t": list(HOSTILE.values())}) + "</script>")
    with caplog.at_level(logging.WARNING):
        script_safety.check_page(None, "chapters/x", "page.html", {"body": body}, None)
    assert caplog.text == ""


# ---------------------------------------------------------------------------- the book


def _bank(path: Path) -> None:
    h = HOSTILE
    bank = {
        "chapter": "03-four-organisations",
        "title": "Hostile " + h["upper"],
        "questions": [
            {"id": "hostile-single", "type": "single", "objective": "origins",
             # a section must name a heading of the chapter (the bank check refuses
             # any other text, naming file and question), so hostile text goes elsewhere
             "section": "The comparison table, corrected",
             "prompt": "Prompt " + h["upper"] + " " + h["space"],
             "options": [
                 {"text": h["slash"], "correct": True, "feedback": "Right " + h["lower"]},
                 {"text": h["mixed"], "feedback": "Wrong " + h["comment"]},
                 {"text": h["lines"], "feedback": "Wrong " + h["img"]},
             ]},
            {"id": "hostile-order", "type": "ordering", "objective": "timeline-reading",
             "section": "The four timelines side by side", "prompt": h["img"],
             "events": list(EVENTS),
             "feedback": {"correct": h["lines"], "incorrect": h["space"]}},
        ],
    }
    path.write_text(yaml.safe_dump(bank, allow_unicode=False, sort_keys=False),
                    encoding="utf-8")


def _data(folder: Path) -> None:
    shutil.copytree(ROOT / "data", folder)
    path = folder / "events.csv"
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    title = records[0].index("title")
    for rec in records[1:]:
        if rec[0] in EVENTS:
            rec[title] = EVENTS[rec[0]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(records)
    path.write_text(buf.getvalue(), encoding="utf-8")


CHAPTER = '''---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Hostile text

```{{code-cell}} ipython3
from osai.quiz.widget import Quiz

Quiz({bank!r})
```

```{{code-cell}} ipython3
import altair as alt
import pandas as pd

from osai.data import load_dataset
from osai.render import Figure

events = load_dataset().events
frame = events[events["event_id"].isin({events!r})][["title", "year"]]
Figure(alt.Chart(frame).mark_point().encode(x="year:Q", y="title:N", tooltip=["title"]),
       alt_text={alt!r}, table=frame)
```
'''


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory):
    if not (ROOT / "_vendor" / "vendor").is_dir():
        pytest.fail("_vendor/ is missing: `make book` (or `python -m osai.book.assets`) fetches "
                    "the offline front-end assets first")
    tmp = tmp_path_factory.mktemp("hostile-book")
    book = tmp / "book"
    (book / "chapters").mkdir(parents=True)
    _data(tmp / "data")
    _bank(tmp / "03-four-organisations.yml")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = "Hostile fixture"
    config["execute"]["execute_notebooks"] = "force"
    config["bibtex_bibfiles"] = ["references.bib"]
    config["sphinx"]["config"]["html_extra_path"] = [str(ROOT / "_vendor")]
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False),
                                       encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n"
                                   "  - file: chapters/hostile\n", encoding="utf-8")
    (book / "index.md").write_text("# Fixture\n\nA page of hostile text.\n", encoding="utf-8")
    (book / "references.bib").write_text("", encoding="utf-8")
    (book / "chapters" / "hostile.md").write_text(CHAPTER.format(
        bank=str(tmp / "03-four-organisations.yml"), events=list(EVENTS),
        alt="Chart " + HOSTILE["lower"] + HOSTILE["lines"]), encoding="utf-8")
    env = {**os.environ, "OSAI_CONTEXT": "book", "OSAI_DATA_DIR": str(tmp / "data")}
    jb = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run([str(jb), "build", str(book), "-W", "-n", "--keep-going"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    html = book / "_build" / "html"
    assert (html / "chapters" / "hostile.html").is_file()
    return html


def test_built_page_has_no_script_that_ends_early(hostile_book):
    import re

    page = (hostile_book / "chapters" / "hostile.html").read_text(encoding="utf-8")
    # each script element, as the HTML parser ends it: at the first "</script"
    for body in re.findall(r"<script\b[^>]*>(.*?)</script", page, flags=re.I | re.S):
        assert htmljson.unsafe_script_text(body) is None, body[:200]
        assert "onerror=alert" not in body or "\\u003c" in body


def test_hostile_text_shows_as_text_and_never_runs(hostile_book, chromium):
    with browser.serve(hostile_book) as url:
        context = chromium.new_context()
        page = context.new_page()
        audit = browser.PageAudit(url)
        audit.attach(page)
        dialogs, errors = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "chapters/hostile.html")
        try:
            page.wait_for_selector(".osai-quiz .osai-quiz-q", timeout=30_000)
        except Exception:  # say what broke the page rather than "timeout"
            pytest.fail(f"the quiz did not render; dialogs {dialogs}, page errors {errors}")
        browser.wait_for_charts(page)
        page.wait_for_load_state("networkidle")
        quiz = page.locator(".osai-quiz")
        text = quiz.evaluate("el => el.textContent")
        expected = [HOSTILE["upper"], HOSTILE["space"], HOSTILE["slash"], HOSTILE["mixed"],
                    HOSTILE["lines"], HOSTILE["img"], *EVENTS.values()]
        missing = [t for t in expected if t not in text]
        # answer the first question: the feedback (hostile too) appears as text
        q = page.locator('.osai-quiz-q[data-qid="hostile-single"]')
        q.locator("input").first.check()
        q.locator('button[type="submit"]').click()
        page.wait_for_function(
            "() => (document.querySelector('.osai-quiz-q[data-qid=\"hostile-single\"] "
            ".osai-quiz-feedback')?.textContent || '').trim().length > 0")
        feedback = q.locator(".osai-quiz-feedback").evaluate("el => el.textContent")
        alt_text = page.locator(".osai-alt-text").first.evaluate("el => el.textContent")
        injected = page.evaluate("document.querySelectorAll('img[src=\"x\"]').length")
        problems = audit.problems()
        context.close()
    assert dialogs == [] and errors == [], (dialogs, errors)
    assert missing == [], missing
    assert HOSTILE["lower"] in feedback
    assert alt_text == "Chart " + HOSTILE["lower"] + HOSTILE["lines"]
    assert injected == 0
    assert problems == [], problems
