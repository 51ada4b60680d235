"""Chapter 6 analyses: the article's points, their dated evidence and the timeline."""

from __future__ import annotations

import pytest

from osai.analysis import bigtech
from osai.render import Figure


def test_article_has_five_points_per_list_in_order():
    c = bigtech.claims()
    assert c.groupby("section").size().to_dict() == {
        "concern": 5, "implication": 5, "response": 5}
    assert c["number"].tolist() == [1, 2, 3, 4, 5] * 3
    assert c.iloc[0]["heading"] == "Threat to competitive advantage"
    assert (c["source_ids"].str.split(";").str[0] == "S42").all()


def test_assessment_counts():
    counts = bigtech.assessment_counts()
    # concern 4 has the EU AI Act as indirect evidence; implications 1 and 2 are rated
    # like concern 1 (the memo and Hub uploads are weak or indirect); the shift in business
    # models and collaborating with the community have examples that show the thing exists,
    # not that firms did it in response to open-source AI: weak or indirect too
    assert counts.loc["concern"].to_dict() == {"example": 0, "partial": 3, "none": 2}
    assert counts.loc["response", "example"] == 3
    assert counts.loc["implication", "example"] == 2


def test_evidence_resolves_ids_across_tables():
    ev = bigtech.evidence()
    tables = set(ev["table"])
    assert tables == {"events", "context_events", "model_releases", "metrics"}
    memo = ev[ev["ref_id"] == "no-moat-memo"]
    assert set(memo["section"]) == {"concern", "implication"}
    assert memo["date"].iloc[0] == "2023-05"
    llama = ev[(ev["ref_id"] == "llama-2") & (ev["section"] == "response")]
    assert len(llama) == 1 and llama["heading"].item().count("Response") == 3
    assert llama["actor"].item() == "Meta"


def test_microsoft_investments_are_flagged_as_missing_from_the_article():
    ev = bigtech.evidence()
    missing = ev[ev["section"] == "missing"]
    assert missing["ref_id"].tolist() == ["openai-microsoft-2019", "openai-microsoft-2023"]
    assert set(missing["actor"]) == {"Microsoft"}


def test_claims_table_filters_by_section():
    t = bigtech.claims_table("response")
    assert len(t) == 5
    assert t.iloc[4]["Point"] == "5. Collaborating with the community"


def test_charts_have_text_alternatives_and_a_named_filter():
    fig = bigtech.timeline_chart()
    assert isinstance(fig, Figure) and "19 dated events" in fig.alt_text
    spec = fig.chart.to_dict()
    assert spec["params"][0]["name"] == "actor_filter"
    assert spec["params"][0]["bind"]["name"] == "Show evidence from: "
    bars = bigtech.assessment_chart()
    assert "Concerns: 0 with dated example found" in bars.alt_text
    bars.chart.to_dict()


def test_chapter_numbers_come_from_data():
    n = bigtech.chapter_numbers()
    assert n["memo_date"] == "May 2023"
    assert n["llama2_date"] == "18 July 2023" and n["llama_limit"] == "700M"
    assert n["seriesd_amount"] == "$235M" and n["seriesd_valuation"] == "$4.5B"
    assert n["msft_2019_amount"] == "$1B" and n["msft_stake"] == "27%"
    assert n["n_points"] == "15" and n["n_with_example"] == "5"
    assert n["n_without_evidence"] == "2" and n["n_evidence_events"] == "19"
    assert n["ai_act_date"] == "1 August 2024" and n["gpai_date"] == "2 August 2025"
    assert n["n_concerns_word"] == "five"


def test_count_clause_agrees_with_its_number():
    assert bigtech.count_clause(0, 5, "concerns") == "none of the five concerns has"
    assert bigtech.count_clause(1, 5, "concerns") == "one of the five concerns has"
    assert bigtech.count_clause(3, 5, "concerns") == "three of the five concerns have"
    with pytest.raises(ValueError):
        bigtech.count_clause(6, 5, "concerns")


def test_concern_sentences_match_the_assessments():
    """The chapter's summary of the concerns is built from bigtech_claims.csv, not typed."""
    n = bigtech.chapter_numbers()
    counts = bigtech.assessment_counts().loc["concern"]
    words = ["none", "one", "two", "three", "four", "five"]
    assert n["concerns_example_clause"] == (
        f"{words[counts['example']]} of the {words[counts.sum()]} concerns "
        + ("has" if counts["example"] <= 1 else "have"))
    assert n["memo_assessment"] == bigtech.ASSESSMENT_LABELS["partial"]
    first, second, k = bigtech.evidence_peak_years()
    assert second == first + 1
    assert (n["evidence_peak_year_1"], n["evidence_peak_year_2"]) == (str(first), str(second))
    assert k <= int(n["n_evidence_events"])
