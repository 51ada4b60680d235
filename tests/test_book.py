"""The built book (``_build/html``): every page of ``_toc.yml`` is there, every teaching
chapter has its parts, numbers in the prose match the data, and the seed texts' errors and
unverified facts never appear.  ``make test`` builds the book before these run."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

from osai import paths, syllabus
from osai.formats import fmt_count, fmt_money

ROOT = Path(__file__).resolve().parents[1]
BUILD = paths.html_dir()
EXECUTED = paths.executed_dir() / "chapters"
#: every test here reads the built book (the built tier; fails when there is none)
pytestmark = pytest.mark.usefixtures("built_book")
TEACHING = syllabus.chapters()
MIN_CHARTS = {"02-why-open-source-ai": 1, "03-four-organisations": 1, "04-community-led": 2,
              "05-investor-led": 2, "06-big-tech": 1, "07-trade-offs": 2,
              "08-choosing-a-model": 1}


class _Text(HTMLParser):
    """Visible text of the article body (scripts and styles dropped)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_html(doc: str) -> str:
    path = BUILD / f"{doc}.html"
    if not path.is_file():
        pytest.fail(f"{path} was not built")
    return path.read_text(encoding="utf-8")


def article(doc: str) -> str:
    html = page_html(doc)
    start = html.find('<article class="bd-article"')
    end = html.find("</article>", start)
    return html[start:end] if start >= 0 else html


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts).replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text)


def toc_docs() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                docs.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", []))
    return [d.removesuffix(".md") for d in docs]


def test_every_toc_page_was_built():
    """Jupyter Book 2 would ignore _config.yml, build nothing and exit 0: catch that."""
    docs = toc_docs()
    assert len(docs) >= 11
    missing = [d for d in docs if not (BUILD / f"{d}.html").is_file()]
    assert missing == [], f"pages of _toc.yml missing from {BUILD}: {missing}"
    for doc in docs:
        body = text_of(article(doc))
        assert len(body.split()) > 150, f"{doc} is nearly empty"
    assert (BUILD / "index.html").is_file()


@pytest.mark.parametrize("chapter", TEACHING)
def test_teaching_chapter_has_its_parts(chapter):
    html = article(f"chapters/{chapter}")
    text = text_of(html)
    assert "By the end of this chapter you will be able to" in text, "no objectives"
    objectives = yaml.safe_load((ROOT / "exercises/objectives.yml").read_text())[chapter]
    for objective in objectives["objectives"]:
        assert objective["text"] in text, f"objective not shown: {objective['id']}"
    assert "Time:" in text and "Prerequisites:" in text
    assert re.search(r"<h2>Key points", html), "no Key points section"
    assert re.search(r"<h2>Discussion questions", html), "no Discussion questions section"
    assert "bibliography.html#" in html, "no citation"
    words = len(text.split())
    assert words >= 1500, f"{chapter}: only {words} words"
    figures = re.findall(r"<figure[^>]*>(.*?)</figure>", html, flags=re.S)
    charts = [f for f in figures if "osai-chart" in f]
    assert len(charts) >= MIN_CHARTS[chapter], f"{chapter}: {len(charts)} charts"
    for fig in charts:
        caption = re.search(r"<figcaption>(.*?)</figcaption>", fig, flags=re.S)
        assert caption and len(text_of(caption.group(1)).split()) >= 8, "chart without caption"
        assert "osai-alt-text" in fig and "<details" in fig, "chart without text alternative"
        assert "Figure " in text_of(caption.group(1))
    # every chart is cited from the prose by its number
    for label in re.findall(r'<figure[^>]*id="([^"]+)"', html):
        assert f'href="#{label}"' in html, f"figure {label} is never cited from the text"


def test_glossary_terms_used_are_defined():
    glossary = page_html("chapters/glossary")
    defined = set(re.findall(r'<dt id="(term-[^"]+)"', glossary))
    assert len(defined) >= 25
    used = set()
    for doc in toc_docs():
        used |= set(re.findall(r'href="(?:glossary\.html)?#(term-[^"]+)"', page_html(doc)))
    assert used, "no chapter links a glossary term"
    assert used <= defined, f"terms linked but not defined: {sorted(used - defined)}"


def test_each_notebook_chapter_offers_an_ipynb_download():
    for chapter in TEACHING:
        html = page_html(f"chapters/{chapter}")
        assert f'href="../_sources/chapters/{chapter}.ipynb"' in html
        nb = nbformat.read(BUILD / "_sources" / "chapters" / f"{chapter}.ipynb", as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(not c.get("outputs") for c in code), "download carries outputs"


# The seed texts' errors (facts.md, section a) and facts marked U there.
FORBIDDEN = [
    "Gray Bradsky", "Gary Bradsky", "Bradsky", "motiviated", "accesible", "appraoch",
    "buisness", "non-for-profit", "capped-for-profit", "Open AI ", "Scikit-Learn",
    "Clement Delangue", "multi-language", "\u201cnot only open but also optimized code for "
    "basic vision infrastructure. No more reinventing the wheel.\u201d\u201d",
    "We think the direction of responsible AI is through openly sharing",
    "training and consulting", "$130M", "130 million", "BigScience, a multilingual Large",
    "self-defined open source non",
]


@pytest.mark.parametrize("needle", FORBIDDEN)
def test_seed_errors_and_unverified_facts_do_not_appear(needle):
    hits = []
    for doc in toc_docs():
        body = text_of(article(doc))
        if needle in body:
            i = body.find(needle)
            context = body[max(0, i - 60): i + 60]
            # quoting an error in order to correct it is allowed only in an explicit
            # "instead of" / "misspell" sentence
            if not re.search(r"misspel|should read|not \u201c|instead of|wrongly|study says",
                             context):
                hits.append(f"{doc}: ...{context}...")
    assert hits == [], "\n".join(hits)


def test_corrected_facts_are_in_the_comparison_table():
    html = article("chapters/03-four-organisations")
    table = re.search(r'<table class="osai-table" id="table-four-organisations">(.*?)</table>',
                      html, flags=re.S)
    assert table, "comparison table not rendered"
    rows = {text_of(r).split(" ")[0]: text_of(r)
            for r in re.findall(r"<tr>(.*?)</tr>", table.group(1), flags=re.S)}
    assert "Gary Bradski" in rows["OpenCV"]
    assert "1999 (first public release 2000)" in rows["OpenCV"]
    assert "2007 (first public release 1 February 2010)" in rows["scikit-learn"]
    assert "Thomas Wolf" in rows["Hugging"] and "Clément" in rows["Hugging"]
    assert "OpenAI Charter (9 April 2018)" in rows["OpenAI"]
    assert "Learning OpenCV" in rows["OpenCV"]


# ---- numbers in the prose come from the data -------------------------------------------

def _rows(name: str) -> list[dict]:
    with (ROOT / "data" / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _date_forms(text: str) -> set[str]:
    out = {text}
    if re.fullmatch(r"\d{4}", text):
        return out
    if re.fullmatch(r"\d{4}-\d{2}", text):
        d = dt.date.fromisoformat(text + "-01")
        return out | {d.strftime("%B %Y"), d.strftime("%b %Y")}
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        d = dt.date.fromisoformat(text)
        return out | {f"{d.day} {d:%B %Y}", f"{d.day} {d:%b %Y}", d.strftime("%B %Y"),
                      d.strftime("%b %Y"), str(d.year)}
    return out


def _number_forms(value: float, unit: str = "") -> set[str]:
    forms = {fmt_count(value), f"{value:,.0f}", f"{value:.0f}", str(value)}
    if unit.startswith(("USD", "EUR")):
        forms |= {fmt_money(value, unit[:3])}
    if value >= 1e9:
        forms |= {f"{value / 1e9:g} billion", f"{value / 1e9:g}B"}
    return forms


def data_atoms() -> set[str]:
    """Every value in data/, in the forms the chapters print (independent of the chapters)."""
    atoms: set[str] = set()
    for path in (ROOT / "data").glob("*.csv"):
        for row in _rows(path.stem):
            for key, value in row.items():
                if not value:
                    continue
                atoms.add(value)
                if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
                    atoms |= _date_forms(value)
                try:
                    number = float(value)
                except ValueError:
                    continue
                unit = row.get("currency") or row.get("unit") or ""
                atoms |= _number_forms(number, unit)
                if unit == "percent":
                    atoms.add(f"{number:g}%")
    return atoms


def derived_values() -> set[str]:
    """Values the chapters compute from several rows, recomputed here from the raw CSVs."""
    metric = {r["metric_id"]: float(r["value"]) for r in _rows("metrics")}
    events = _rows("events")
    hf_rounds = sum(float(r["amount"]) for r in events
                    if r["org_id"] == "hf" and r["category"] == "funding" and r["amount"])
    series_c = next(float(r["amount"]) for r in events if r["event_id"] == "hf-series-c")
    funders = [r for r in _rows("funding_sources") if r["org_id"] in ("opencv", "sklearn")]
    companies = sum(r["funder_type"] == "corporate sponsor" for r in funders)
    out = {
        f"{metric['openai-donations-2021'] / metric['openai-pledge-2015']:.0%}",
        f"{series_c / metric['hf-valuation-2022-05']:.0%}",
        fmt_money(hf_rounds),
        f"{companies / len(funders):.0%}",
    }
    # chapter 7: the gap between the two reported stakes in OpenAI Group PBC
    gap = abs(metric["openai-msft-stake-2025-10"] - metric["openai-foundation-stake-2025-10"])
    out.add(f"{gap:.0f} percentage point" + ("" if gap == 1 else "s"))
    # chapter 7, Table 7.1: disclosed money received per organisation (pledges left out),
    # the largest entry's share of it and the share that bought a stake
    paid = [r for r in _rows("funding_sources") if r["funder_type"] != "pledge" and r["amount"]]
    for org in {r["org_id"] for r in paid}:
        mine = [r for r in paid if r["org_id"] == org]
        total = sum(float(r["amount"]) for r in mine)
        stake = sum(float(r["amount"]) for r in mine
                    if r["funder_type"] in ("venture round", "strategic investment"))
        out |= {fmt_money(total, mine[0]["currency"]),
                f"{max(float(r['amount']) for r in mine) / total:.0%}", f"{stake / total:.0%}"}
    return out


def glued_values() -> dict[tuple[str, str], str]:
    out = {}
    for path in sorted(EXECUTED.glob("*.glue.json")):
        chapter = path.name.split(".")[0]
        for name, output in json.loads(path.read_text(encoding="utf-8")).items():
            data = output.get("data", {})
            if "text/html" in data and "osai-chart" in data["text/html"]:
                continue
            text = data.get("text/plain", "")
            if text.startswith("'") and text.endswith("'"):
                text = text[1:-1]
            if re.search(r"\d", text):
                out[(chapter, name)] = text
    return out


def test_glued_numbers_exist():
    values = glued_values()
    assert len(values) >= 100, "chapters glue too few numbers (or the build is missing)"


def test_glued_money_dates_and_large_counts_match_the_data():
    """Money, percentages, calendar dates and rounded counts printed in the prose are data
    values (formatted), so a retyped or stale number fails here.  Small integers (counts of
    rows, year differences) are checked by the analysis modules' own tests."""
    atoms = data_atoms() | derived_values()
    derived_ok = re.compile(r"^\d{1,3}$|^\d+\.\d+$|years? and|^\d+(\.\d+)?$")
    unmatched = []
    for (chapter, name), text in glued_values().items():
        if text in atoms:
            continue
        # a date glued with its preposition (osai.formats.fmt_when): "on" only before a day
        when = re.fullmatch(r"(in|on) (.+)", text)
        if when and when[2] in atoms and (when[1] == "on") == bool(re.match(r"\d{1,2} ", when[2])):
            continue
        if derived_ok.search(text) and not re.search(r"[$%]|EUR|[KMB]$", text):
            continue
        unmatched.append(f"{chapter}:{name} = {text!r}")
    assert unmatched == [], "glued values not found in data/:\n" + "\n".join(unmatched)
