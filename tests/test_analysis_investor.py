"""Tests for osai.analysis.investor (chapter 5), against the real data in data/."""

import pandas as pd
import pytest

import osai
from osai.analysis import investor
from osai.formats import UNDATED


@pytest.fixture(scope="module")
def ds():
    return osai.load_dataset()


def test_money_in_rows(ds):
    fs = investor.money_in(ds).set_index("funding_id")
    # Microsoft 2023 has no disclosed amount, so it is left out
    assert "openai-fund-msft-2023" not in fs.index
    assert fs.loc["openai-fund-pledge", "amount_label"] == "$1B"
    assert fs.loc["openai-fund-donations", "amount_label"] == "$133.2M"
    assert fs.loc["hf-fund-series-d", "valuation_label"] == "$4.5B"
    assert set(fs["org_id"]) == {"openai", "hf"}


def test_hf_rounds_and_valuation(ds):
    rounds = investor.hf_rounds(ds)
    assert list(rounds["amount"]) == [15e6, 40e6, 100e6, 235e6]
    assert rounds["amount"].sum() == 390e6
    assert investor.valuation_multiple(ds) == pytest.approx(2.25)
    assert investor.stake_share(100e6, 2e9) == pytest.approx(0.05)
    with pytest.raises(ValueError):
        investor.stake_share(1, 0)


def test_capped_profit_before_microsoft(ds):
    s = investor.structures_frame(ds).set_index("structure_id")
    msft = ds.funding_sources.set_index("funding_id").loc["openai-fund-msft-2019"]
    assert s.loc["openai-lp", "start_start"] < msft["start_start"]
    assert s.loc["openai-lp", "end_start"] == pd.Timestamp("2025-10-28")
    assert s.loc["openai-pbc", "end_label"].startswith("still in place")


def test_releases_ordered_closed_to_open(ds):
    t = investor.releases_table(ds)
    assert t.iloc[0]["Release"] == "GPT-3" and t.iloc[0]["Access"] == "API only"
    assert t.iloc[-1]["Licence or terms"] == "Apache-2.0"
    bloom = t.set_index("Release").loc["BLOOM (BigScience)"]
    assert bloom["Licence or terms"] == "BigScience RAIL"


def test_releases_of_every_organisation_with_the_course_label_for_no_date(ds):
    t = investor.releases_table(ds, org_ids=tuple(ds.organisations.index))
    assert set(t["Organisation"]) == {"OpenCV", "scikit-learn", "OpenAI", "Hugging Face",
                                      "Hugging Face (coordinator)"}
    assert t.iloc[0]["Release"] == "GPT-3" and t.iloc[0]["Access"] == "API only"
    assert t.iloc[-1]["Access"] == "open-source code"
    # a release no source dates says so in the course's one word, as in chapter 3's explorer
    assert t.set_index("Release").loc["transformers library", "Date"] == UNDATED == "undated"
    assert "not dated" not in set(t["Date"])


def test_charts(ds):
    for fig, param in [(investor.funding_chart(ds), "org_filter"),
                       (investor.hub_growth_chart(ds), "hub_metric"),
                       (investor.structure_timeline(ds), "structure_org")]:
        spec = fig.chart.to_dict()
        names = {p["name"]: p for p in spec["params"]}
        assert names[param]["bind"]["name"]
        assert fig.alt_text and len(fig.table) > 0
    assert "Series D: $235M, valued at $4.5B" in investor.funding_chart(ds).alt_text
