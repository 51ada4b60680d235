"""Tests for osai.analysis.tradeoffs (chapters 7, 8 and 9), against the real data in data/."""

from __future__ import annotations

import pandas as pd
import pytest

import osai
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


def test_milestones_and_transitions(ds):
    ms = tradeoffs.milestones(ds).set_index(["org_id", "category"])
    assert ms.loc[("opencv", "governance"), "years"] == 13
    assert ms.loc[("opencv", "licence"), "years"] == 21
    assert ms.loc[("sklearn", "release"), "years"] == 3
    assert ms.loc[("hf", "funding"), "years"] == 3
    assert ("hf", "governance") not in ms.index
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


def test_tables(ds):
    rel = tradeoffs.releases_table(ds)
    gpt3 = rel[rel.Release == "GPT-3"].iloc[0]
    assert gpt3["Access"] == "API only"
    assert rel.iloc[0]["Organisation"] == "OpenCV"
    st = tradeoffs.structures_table(ds)
    assert "capped-profit company" in set(st["Form"])
    lic = tradeoffs.licence_table(ds).set_index("Licence")
    assert lic.loc["Apache-2.0", "Patent grant"] == "yes"
    assert lic.loc["BSD-3-Clause", "OSI approved"] == "yes"


def test_weighting_flips_the_winner():
    ratings = tradeoffs.example_ratings()
    assert list(ratings.index) == tradeoffs.DIMENSIONS
    equal = tradeoffs.weighted_scores(ratings, tradeoffs.EXAMPLE_WEIGHTS["equal weights"])
    growth = tradeoffs.weighted_scores(ratings, tradeoffs.EXAMPLE_WEIGHTS["growth first"])
    assert equal.to_dict() == {"community-led": 3.83, "investor-led": 3.17}
    assert growth.to_dict() == {"community-led": 3.08, "investor-led": 3.92}
    assert equal.idxmax() == "community-led" and growth.idxmax() == "investor-led"
    with pytest.raises(ValueError):
        tradeoffs.weighted_scores(ratings, {"speed": -1})
    with pytest.raises(ValueError):
        tradeoffs.weighted_scores(ratings, {})


@pytest.mark.parametrize("make", [tradeoffs.events_grid_chart, tradeoffs.money_chart,
                                  tradeoffs.milestone_chart])
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
    outcomes = tradeoffs.learning_outcomes()
    assert outcomes["Chapter"].nunique() == 7
    assert len(outcomes) == 25
    six = tradeoffs.schedule(tradeoffs.SIX_WEEKS)
    two = tradeoffs.schedule(tradeoffs.TWO_DAYS)
    assert six["Teaching minutes"].sum() == two["Teaching minutes"].sum() == 495
    assert six["Teaching minutes"].max() == 105
    with pytest.raises(KeyError):
        tradeoffs.schedule({"x": ["99-nothing"]})
