"""Tests for osai.analysis.tradeoffs (chapter 7), against the real data in data/; and the
instructor guide's tables (chapter 9, from osai.syllabus)."""

from __future__ import annotations

import pandas as pd
import pytest

import osai
from osai import syllabus
from osai.analysis import tradeoffs
from osai.charts import CATEGORY_ORDER
from osai.render import Figure


@pytest.fixture(scope="module")
def ds():
    return osai.load_dataset()


def test_category_counts_cover_every_org_and_category(ds):
    counts = tradeoffs.category_counts(ds)
    assert len(counts) == 4 * len(CATEGORY_ORDER)
    assert counts["n"].sum() == len(ds.events)
    gov = counts[counts.category == "governance"].set_index("org_id")["n"]
    # OpenAI: Musk leaves the board, Charter, OpenAI LP, non-profit keeps control, PBC
    assert gov["openai"] >= 5
    assert gov["openai"] == gov.max()
    assert gov["hf"] == 0
    assert set(counts["model"]) == {"community-led", "investor-led"}


def test_money_raised_separates_pledge_from_investment(ds):
    money = tradeoffs.money_raised(ds)
    pledge = money.set_index("event_id").loc["openai-launch"]
    assert pledge["kind"] == "pledge"
    assert pledge["cumulative"] == 0
    assert pledge["cumulative_with_pledges"] == 1_000_000_000
    msft = money.set_index("event_id").loc["openai-microsoft-2019"]
    assert msft["cumulative"] == 1_000_000_000
    assert msft["cumulative_with_pledges"] == 2_000_000_000
    hf = money[money.org_id == "hf"]
    assert hf["cumulative"].tolist() == [15e6, 55e6, 155e6, 390e6]


def test_funding_summary_keeps_currencies_apart(ds):
    fund = tradeoffs.funding_summary(ds)
    assert fund.loc["hf", "disclosed_total"] == 390_000_000
    assert fund.loc["hf", "disclosed_rounds"] == 4
    assert fund.loc["hf", "currency"] == "USD"
    assert fund.loc["sklearn", "disclosed_total"] == 13_000_000
    assert fund.loc["sklearn", "currency"] == "EUR"
    assert fund.loc["opencv", "disclosed_rounds"] == 0


def test_funder_diversity(ds):
    div = tradeoffs.funder_diversity(ds)
    # Hugging Face is financed by one kind of money only: venture rounds
    assert div.loc["hf", "funder_types"] == 1
    assert div.loc["hf", "types"] == "venture round"
    # scikit-learn has the most varied funding of the four
    assert div.loc["sklearn", "funder_types"] == div["funder_types"].max()
    assert div.loc["sklearn", "funder_types"] >= 5
    assert "corporate sponsor" in div.loc["opencv", "types"]


def test_first_release_gaps(ds):
    gaps = tradeoffs.first_release_gaps(ds)
    assert gaps.to_dict() == {"opencv": 1, "sklearn": 3}


def test_transitions(ds):
    tg = tradeoffs.transition_gaps(ds)
    assert tg["opencv_start_to_foundation"] == 13
    assert tg["sklearn_start_to_consortium"] == 11
    assert tg["sklearn_consortium_to_probabl"] == 5
    assert tg["openai_launch_to_pbc"] == 10


def test_span_text(ds):
    assert tradeoffs.span_text(ds, "openai-launch", "openai-lp") == "3 years and 3 months"
    assert tradeoffs.span_text(ds, "openai-lp", "openai-pbc") == "6 years and 7 months"
    assert tradeoffs.span_text(ds, "hf-series-a", "hf-series-d") == "3 years and 8 months"
    # a year-precision date gives whole years only
    assert tradeoffs.span_text(ds, "sklearn-gsoc", "sklearn-consortium") == "11 years"


def _with(ds, **tables):
    """A copy of the dataset with some tables replaced (to feed an analysis bad data)."""
    return osai.data.Dataset({**{n: ds[n] for n in ds.names}, **tables})


def test_weighting_the_course_scores_flips_the_winner(ds):
    scores = tradeoffs.assessment_matrix(ds)
    assert list(scores.index) == list(tradeoffs.DIMENSIONS)
    assert list(scores.columns) == ["opencv", "sklearn", "openai", "hf"]
    equal = tradeoffs.weighted_scores(scores, tradeoffs.EXAMPLE_WEIGHTS["equal weights"])
    growth = tradeoffs.weighted_scores(scores, tradeoffs.EXAMPLE_WEIGHTS["growth first"])
    # hand-computed from data/assessments.csv: sklearn 24/6, hf 20/6; growth: 44/13, 49/13
    assert equal["sklearn"] == 4.0 and equal["hf"] == 3.33
    assert growth["sklearn"] == 3.38 and growth["hf"] == 3.77
    assert equal.idxmax() == "sklearn" and growth.idxmax() == "hf"
    # the same numbers as the weighing widget's ranking rule
    from osai import explore
    ranked = explore.weighted_ranking(tradeoffs.EXAMPLE_WEIGHTS["growth first"], ds)
    assert ranked.iloc[0]["org_id"] == "hf"
    assert round(ranked.set_index("org_id").loc["hf", "weighted_score"], 2) == growth["hf"]
    with pytest.raises(ValueError):
        tradeoffs.weighted_scores(scores, {"speed": -1})
    with pytest.raises(ValueError):
        tradeoffs.weighted_scores(scores, {})
    with pytest.raises(KeyError, match="control"):
        tradeoffs.weighted_scores(scores, {"control": 1})


def test_break_even_weight_is_where_the_lead_changes(ds):
    scores = tradeoffs.assessment_matrix(ds)
    be = tradeoffs.break_even_weight(scores, "sklearn", "hf", "speed")
    assert be == pytest.approx(7 / 3)
    for w, leader in ((be - 0.01, "sklearn"), (be + 0.01, "hf")):
        weights = {**{d: 1 for d in tradeoffs.DIMENSIONS}, "speed": w}
        assert tradeoffs.weighted_scores(scores, weights)[["sklearn", "hf"]].idxmax() == leader
    # a dimension on which the challenger is not stronger can never hand it the lead
    assert tradeoffs.break_even_weight(scores, "sklearn", "hf", "openness") is None
    with pytest.raises(KeyError):
        tradeoffs.break_even_weight(scores, "sklearn", "hf", "control")


def test_assessment_matrix_rejects_unknown_or_missing_dimensions(ds):
    bad = ds.assessments.copy()
    bad.loc[bad.index[0], "dimension"] = "control"
    with pytest.raises(ValueError, match="unknown dimension.*control"):
        tradeoffs.assessment_matrix(_with(ds, assessments=bad))
    with pytest.raises(ValueError, match="lacks scores"):
        tradeoffs.assessment_matrix(_with(ds, assessments=ds.assessments.iloc[1:]))


def test_dimension_names_are_one_list_everywhere(ds):
    import re
    from pathlib import Path

    import yaml

    from osai import explore

    root = Path(__file__).resolve().parents[1]
    assert explore.ASSESSMENT_DIMENSIONS is tradeoffs.DIMENSIONS
    assert set(ds.assessments["dimension"]) == set(tradeoffs.DIMENSIONS)
    import json

    package = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    schema = next(r for r in package["resources"] if r["name"] == "assessments")["schema"]
    field = next(f for f in schema["fields"] if f["name"] == "dimension")
    assert field["constraints"]["enum"] == list(tradeoffs.DIMENSIONS)
    assert set(tradeoffs.DIMENSION_QUESTIONS) == set(tradeoffs.DIMENSIONS)
    ch07 = (root / "chapters" / "07-trade-offs.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (.+)$", ch07, flags=re.MULTILINE))
    for name in tradeoffs.DIMENSIONS.values():
        assert name in headings, f"chapter 7 has no heading '## {name}'"
    objectives = yaml.safe_load((root / "exercises" / "objectives.yml").read_text())
    text = " ".join(o["text"] for o in objectives["07-trade-offs"]["objectives"])
    def words(path):
        return " ".join(path.read_text(encoding="utf-8").replace("#", " ").split())

    others = {"instructor guide": words(root / "chapters" / "09-instructor-guide.md")}
    case = root / "exercises" / "assignments" / "03-case-analysis"
    others["assignment 03 (question 4)"] = words(case / "03-case-analysis.py")
    others["assignment 03 rubric"] = words(case / "rubric.md")
    names = tradeoffs.dimension_names()
    assert names.startswith("openness, funding stability") and "control" not in names
    for name in tradeoffs.DIMENSIONS.values():
        assert name.lower() in text, f"objectives.yml (chapter 7) lacks '{name.lower()}'"
        for where, body in others.items():
            assert name.lower() in body, f"{where} lacks the dimension '{name.lower()}'"


def test_openness_record(ds):
    rec = tradeoffs.openness_record(ds)
    assert rec.loc["opencv", "releases"] == 2 and rec.loc["opencv", "nothing_withheld"] == 2
    assert rec.loc["openai", "releases"] == 4 and rec.loc["openai", "nothing_withheld"] == 0
    # an organisation's own releases only: BLOOM, which Hugging Face coordinated, is not one
    assert rec["releases"].sum() == (ds.releases["org_role"] == "own").sum()
    assert rec.loc["hf", "releases"] == 1


def test_funding_concentration(ds):
    conc = tradeoffs.funding_concentration(ds)
    # OpenCV: every funder recorded, none with an amount
    assert conc.loc["opencv", "entries"] == 9 and conc.loc["opencv", "disclosed"] == 0
    assert pd.isna(conc.loc["opencv", "largest_share"])
    # OpenAI: the pledge is left out; Microsoft's $1B of $1.1332B received
    assert conc.loc["openai", "entries"] == 3 and conc.loc["openai", "disclosed"] == 2
    assert conc.loc["openai", "total"] == 1_133_200_000
    assert conc.loc["openai", "largest_share"] == pytest.approx(1e9 / 1.1332e9)
    assert conc.loc["openai", "largest_funder"] == "Microsoft"
    # Hugging Face: four rounds, $390M, the Series D the largest
    assert conc.loc["hf", "total"] == 390_000_000
    assert conc.loc["hf", "largest_share"] == pytest.approx(235 / 390)
    assert conc.loc["hf", "equity_share"] == 1.0
    assert conc.loc["sklearn", "currency"] == "EUR"
    mixed = ds.funding_sources.copy()
    mixed.loc[mixed.funding_id == "hf-fund-series-a", "currency"] = "EUR"
    with pytest.raises(ValueError, match="hf.*currenc"):
        tradeoffs.funding_concentration(_with(ds, funding_sources=mixed))


def test_hub_doubling_months(ds):
    hub = tradeoffs.hub_doubling_months(ds)
    assert hub["first_value"] == 50_000 and hub["first_date"] == pd.Timestamp("2022-06-01")
    # the 2M count first appears in October 2025; May 2026 repeats it and is not the end point
    assert hub["last_value"] == 2_000_000 and hub["last_date"] == pd.Timestamp("2025-10-07")
    assert hub["months"] == 40 and hub["ratio"] == 40
    assert hub["doubling_months"] == pytest.approx(40 * 0.693147 / 3.688879, rel=1e-4)
    with pytest.raises(ValueError, match="fewer than two"):
        tradeoffs.hub_doubling_months(ds, source_id="S99")


def test_worked_comparison_reads_the_scores_and_reasons(ds):
    table = tradeoffs.worked_comparison(ds, "sklearn", "hf").set_index("Dimension")
    assert list(table.index) == list(tradeoffs.DIMENSIONS.values())
    assert table.loc["Speed", "Hugging Face: score"] == 5
    assert table.loc["Speed", "scikit-learn: score"] == 2
    assert "Hub" in table.loc["Speed", "Hugging Face: why"]


@pytest.mark.parametrize("make", [tradeoffs.events_grid_chart, tradeoffs.money_chart])
def test_charts_have_bound_named_params_and_text_alternatives(ds, make):
    fig = make(ds)
    assert isinstance(fig, Figure)
    spec = fig.chart.to_dict()
    params = spec.get("params", [])
    assert params and all(p["bind"].get("name") for p in params)
    assert fig.alt_text and isinstance(fig.table, pd.DataFrame) and len(fig.table)


def test_money_chart_alt_text_states_totals(ds):
    fig = tradeoffs.money_chart(ds)
    assert "390,000,000 USD" in fig.alt_text
    assert "13,000,000 EUR" in fig.alt_text
    assert "OpenCV: no disclosed amount" in fig.alt_text


def test_course_plan():
    """The instructor guide's tables (chapter 9), from exercises/objectives.yml."""
    outcomes = syllabus.learning_outcomes()
    assert outcomes["Chapter"].nunique() == 7
    assert len(outcomes) == 25
    assert list(outcomes.columns) == ["Chapter", "Objective id", "By the end, learners can"]
    assert outcomes["Chapter"].iloc[0].startswith("2. ")
    six = syllabus.schedule("six_weeks")
    two = syllabus.schedule("two_days")
    assert list(six.columns) == list(two.columns) == [
        "Session", "Chapters", "Teaching minutes", "Break minutes", "Discussion minutes",
        "Session minutes"]
    # every session fits its slot: teaching, breaks and discussion add up to the slot
    for plan in (six, two):
        assert (plan["Teaching minutes"] + plan["Break minutes"] + plan["Discussion minutes"]
                == plan["Session minutes"]).all()
        assert (plan["Discussion minutes"] >= syllabus.MIN_DISCUSSION).all()
    assert set(six["Session minutes"]) == {120} and list(six["Discussion minutes"])[0] == 15
    assert list(six["Session"]) == [f"Week {n}" for n in range(1, 7)]
    assert list(six["Teaching minutes"]) == [105, 90, 90, 60, 75, 75]
    assert [c.split("; ") for c in six["Chapters"]][0] == [
        '2. Why open-source AI is rising, and what "open" means',
        "3. The four organisations at a glance"]
    assert list(six["Chapters"].iloc[1:]) == [
        "4. Community-led sustainability", "5. Investor-led sustainability",
        "6. Why Big Tech worries", "7. Trade-offs side by side", "8. Choosing a model"]
    assert list(two["Session"]) == ["Day 1, morning", "Day 1, afternoon", "Day 2, morning",
                                    "Day 2, afternoon"]
    assert list(two["Teaching minutes"]) == [105, 180, 135, 75]
    assert [[c.split(". ")[0] for c in cell.split("; ")] for cell in two["Chapters"]] == [
        ["2", "3"], ["4", "5"], ["6", "7"], ["8"]]
    assert six["Teaching minutes"].sum() == two["Teaching minutes"].sum() == 495
    with pytest.raises(KeyError, match="unknown plan"):
        syllabus.schedule("three_days")


def test_a_session_that_overfills_its_slot_is_an_error(monkeypatch):
    data = {c: dict(m) for c, m in syllabus.objectives_data().items()}
    data["03-four-organisations"]["minutes"] = 60  # Week 1 would teach 120 of 120 minutes
    monkeypatch.setattr(syllabus, "objectives_data", lambda: data)
    with pytest.raises(ValueError, match="six weeks plan, Week 1: 120 teaching minutes leave 0"):
        syllabus.schedule("six_weeks")


def test_a_chapter_without_a_slot_in_a_plan_is_an_error(monkeypatch):
    data = {c: dict(m) for c, m in syllabus.objectives_data().items()}
    del data["06-big-tech"]["two_days"]
    monkeypatch.setattr(syllabus, "objectives_data", lambda: data)
    assert len(syllabus.schedule("six_weeks")) == 6
    with pytest.raises(KeyError, match="06-big-tech has no two_days slot"):
        syllabus.schedule("two_days")
