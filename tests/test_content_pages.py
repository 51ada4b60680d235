"""The built pages no longer say what an independent read found wrong (issue: content, third
pass), and say what the data now record instead.  Each check names the page and the
sentence; the data-side rules that keep these facts right live in tests/test_content_data.py."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from test_book import article
from test_book import text_of as _text_of

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.usefixtures("built_book")

#: page -> strings that must not appear (each was a defect on an earlier build)
GONE = {
    "chapters/08-choosing-a-model": ["has done both since 2022", "Hugging Face: first release"],
    "chapters/03-four-organisations": ["were angel investors", "with Azure as the exclusive cloud."],
    "chapters/04-community-led": ["investor money, for the first time"],
    "chapters/05-investor-led": ["times higher", "capped-profit company lasted",
                                 "angel investors from the start"],
    "chapters/06-big-tech": ["began selling access", "regulating itself",
                             "is supported by the growth"],
    "chapters/07-trade-offs": ["a settled one", "EUR 18.5M from investors",
                               "only equity in its record"],
    "chapters/02-why-open-source-ai": ["share gpt-oss freely"],
    "chapters/bibliography": ["URL: opencv/opencv", "URL: scikit-learn/scikit-learn",
                              "https://www.reuters.com/", "https://www.cnbc.com/",
                              "https://frenchmorning.com/ ", "https://www.thenationalnews.com/"],
}


@pytest.mark.parametrize("doc", sorted(GONE))
def test_corrected_sentences_do_not_return(doc):
    body = text_of(article(doc))
    found = [s for s in GONE[doc] if s in body]
    assert not found, f"{doc} still says: {found}"


def text_of(html: str) -> str:
    """The page's text, without the space a glued value leaves before punctuation."""
    return re.sub(r"\s+([:;,.)])", r"\1", _text_of(html))


def _event_year(event_id: str) -> str:
    with (ROOT / "data" / "events.csv").open(encoding="utf-8") as fh:
        return next(r["date"][:4] for r in csv.DictReader(fh) if r["event_id"] == event_id)


def test_chapter_8_dates_openai_open_weights_and_api_from_the_data():
    body = text_of(article("chapters/08-choosing-a-model"))
    api, gpt2 = _event_year("openai-api"), _event_year("openai-gpt2")
    assert f"OpenAI has done both since {api}: it released GPT-2's weights in {gpt2}" in body


def test_coordinated_bloom_is_not_hugging_faces_own_release():
    ch07 = text_of(article("chapters/07-trade-offs"))
    assert "is not counted as its own, because BigScience developed it" in ch07
    ch08 = text_of(article("chapters/08-choosing-a-model"))
    assert "Hugging Face: first release" not in ch08
    ch05 = text_of(article("chapters/05-investor-led"))
    assert "Hugging Face (coordinator)" in ch05


def test_the_ai_act_is_evidence_for_concern_four():
    body = text_of(article("chapters/06-big-tech"))
    assert "AI Act entered into force on 1 August 2024" in body
    assert "from 2 August 2025 its obligations for providers of general-purpose AI models" in body
