"""Tests for osai.analysis.investor (chapter 5), against the real data in data/."""

import pandas as pd
import pytest

import osai
from osai.analysis import investor


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


def test_hub_metrics_show_the_2022_conflict(ds):
    m = investor.hub_metrics(ds)
    may = m[(m.what == "models") & (m.as_of_start == pd.Timestamp("2022-05-01"))]
    june = m[(m.what == "models") & (m.as_of_start == pd.Timestamp("2022-06-01"))]
    assert may.iloc[0]["value"] == 100000 and may.iloc[0]["source_kind"].startswith("CEO")
    assert june.iloc[0]["value"] == 50000 and june.iloc[0]["source_kind"].startswith("Hub")
    assert m[m.what == "models"]["value"].max() == 2_000_000


def test_releases_ordered_closed_to_open(ds):
    t = investor.releases_table(ds)
    assert t.iloc[0]["Release"] == "GPT-3" and t.iloc[0]["Access"] == "API only"
    assert t.iloc[-1]["Licence or terms"] == "Apache-2.0"
    bloom = t.set_index("Release").loc["BLOOM (BigScience)"]
    assert bloom["Licence or terms"] == "BigScience RAIL"


def test_charts(ds):
    for fig, param in [(investor.funding_chart(ds), "org_filter"),
                       (investor.hub_growth_chart(ds), "hub_metric"),
                       (investor.structure_timeline(ds), "structure_org")]:
        spec = fig.chart.to_dict()
        names = {p["name"]: p for p in spec["params"]}
        assert names[param]["bind"]["name"]
        assert fig.alt_text and len(fig.table) > 0
    assert "Series D: $235M, valued at $4.5B" in investor.funding_chart(ds).alt_text
