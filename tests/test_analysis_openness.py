"""Chapter 2 analyses: Hub growth, licences and the openness spectrum, on the real data."""

from __future__ import annotations

import pandas as pd

import osai
from osai.analysis import investor, openness
from osai.charts import ORG_COLOURS, ORG_SHAPES
from osai.render import Figure


def test_hub_models_marks_the_conflicting_interview_figure():
    m = openness.hub_models()
    interview = m[~m["preferred"]]
    assert len(interview) == 1
    row = interview.iloc[0]
    assert row["value"] == 100_000 and row["source_id"] == "S35"
    assert set(m.loc[m["preferred"], "source_id"]) == {"S36"}


def test_hub_counts_show_the_2022_conflict():
    m = openness.hub_counts()
    may = m[(m.what == "models") & (m.as_of_start == pd.Timestamp("2022-05-01"))]
    june = m[(m.what == "models") & (m.as_of_start == pd.Timestamp("2022-06-01"))]
    assert may.iloc[0]["value"] == 100000 and may.iloc[0]["source_kind"].startswith("CEO")
    assert may.iloc[0]["as_of_label"] == "May 2022"  # dated to the month only
    assert june.iloc[0]["value"] == 50000 and june.iloc[0]["source_kind"].startswith("Hub")
    assert m[m.what == "models"]["value"].max() == 2_000_000
    assert set(m["what"]) == set(openness.HUB_COUNTS)


def _marks(spec: dict) -> dict:
    """The Hub chart's look: the line's colour, the points' colour and shape scales."""
    line, points = spec["layer"]
    return {"line": line["mark"]["color"],
            "colour": points["encoding"]["color"]["scale"],
            "shape": points["encoding"]["shape"]["scale"]}


def test_chapters_2_and_5_draw_the_hub_chart_alike():
    """One function draws the Hub growth chart: Hugging Face's own colour and shape for the
    documentation, black crosses for the interview, in both chapters."""
    ds = osai.load_dataset()
    two = openness.hub_growth_chart(ds).chart.to_dict()
    five = investor.hub_growth_chart(ds).chart.to_dict()
    assert _marks(two) == _marks(five) == {
        "line": ORG_COLOURS["Hugging Face"],
        "colour": {"domain": list(openness.HUB_SOURCES),
                   "range": [ORG_COLOURS["Hugging Face"], "#000000"]},
        "shape": {"domain": list(openness.HUB_SOURCES),
                  "range": [ORG_SHAPES["Hugging Face"], "cross"]}}
    # chapter 2 shows the models only; chapter 5 lets the reader pick the count
    rows = [row for rows in two["datasets"].values() for row in rows]
    assert "params" not in two and {row["what"] for row in rows} == {"models"}
    assert [p["name"] for p in five["params"]] == ["hub_metric"]
    assert five["params"][0]["bind"]["options"] == list(openness.HUB_COUNTS)


def test_hub_summary_uses_documentation_figures():
    s = openness.hub_summary()
    assert s["first_value"] == 50_000
    assert s["first_date"] == pd.Timestamp("2022-06-01")
    assert s["last_value"] == 2_000_000
    assert s["peak_date"] == pd.Timestamp("2025-10-07")
    assert s["multiple"] == 40
    assert s["conflict_ratio"] == 2
    assert s["docs_same_year_date"] == pd.Timestamp("2022-06-01")


def test_licences_in_teaching_order_and_osi_status():
    lic = openness.licences()
    assert lic["licence_id"].tolist() == openness.LICENCE_ORDER
    approved = dict(zip(lic["name"], lic["osi_approved"]))
    assert approved == {"MIT": "yes", "BSD-3-Clause": "yes", "Apache-2.0": "yes",
                        "BigScience RAIL 1.0": "no", "Llama 2 Community Licence": "no"}


def test_only_apache_and_rail_grant_patents_explicitly():
    lic = openness.licences()
    assert set(lic.loc[lic["patent_grant"] == "yes", "licence_id"]) == {
        "apache-2.0", "bigscience-rail-1.0"}


def test_permissive_licences_are_the_three_software_licences():
    assert openness.permissive_without_restrictions() == ["MIT", "BSD-3-Clause", "Apache-2.0"]


def test_licence_matrix_has_every_answer():
    long = openness.licence_matrix()
    assert len(long) == 5 * len(openness.LICENCE_QUESTIONS)
    llama = long[(long["licence_id"] == "llama-2") & (long["question"] == "commercial_use")]
    assert llama["answer"].item() == "conditional"


def test_spectrum_places_real_releases():
    r = openness.releases().set_index("release_id")
    assert r.loc["gpt-3", "stage"] == "API only"
    assert r.loc["llama-2", "stage"] == "Weights with use restrictions"
    assert r.loc["bloom", "stage"] == "Weights with use restrictions"
    assert r.loc["whisper", "stage"] == "Open weights"
    assert r.loc["gpt-oss", "stage"] == "Open weights"
    assert r.loc["olmo", "stage"] == "Open-source AI"
    assert r.loc["olmo", "components"] == 4 and r.loc["gpt-3", "components"] == 0
    # BLOOM has more of the parts than gpt-oss, yet sits lower: its licence restricts use
    assert r.loc["bloom", "components"] > r.loc["gpt-oss", "components"]
    assert list(r.index) == ["gpt-2", "gpt-3", "bloom", "whisper", "llama-2", "olmo",
                             "gpt-oss"]


def test_charts_are_figures_with_text_alternatives_and_bound_filter():
    for make in (openness.hub_growth_chart, openness.licence_chart, openness.spectrum_chart):
        fig = make()
        assert isinstance(fig, Figure) and fig.alt_text and fig.table is not None
        fig.chart.to_dict()
    spec = openness.spectrum_chart().chart.to_dict()
    params = spec.get("params", []) + [
        p for layer in spec["layer"] for p in layer.get("params", [])]
    assert params[0]["name"] == "part_filter"
    assert params[0]["bind"]["name"].startswith("Show releases")
    assert "2M" in openness.hub_growth_chart().alt_text


def test_chapter_numbers_come_from_data():
    n = openness.chapter_numbers()
    assert n["hub_first"] == "50K" and n["hub_peak"] == "2M"
    assert n["hub_interview"] == "100K" and n["hub_conflict_ratio"] == "2"
    assert n["hub_conflict_phrase"] == "half the interview's figure"
    assert n["sklearn_committers"] == "3,192" and n["bigscience_researchers"] == "1,000"
    assert n["osaid_date"] == "28 October 2024"
    assert n["llama_limit"] == "700M"
    assert n["sklearn_committers"] == "3,192" and n["tf_contributors"] == "1,200"
    assert n["n_releases"] == "7" and n["n_with_data"] == "2"
    assert n["n_open_source_ai"] == "1" and n["n_osi_approved"] == "3"


def test_interview_gap_is_stated_in_months():
    """The CEO interview is dated only to the month: the gap to the docs is in months."""
    assert openness.interview_gap_text() == "the next month"
    n = openness.chapter_numbers()
    assert n["hub_docs_gap"] == "the next month"
    assert n["dolma_odcby_date"] == "15 April 2024"
    assert n["n_no_user_limit"] == "4" and n["n_licences"] == "5"
