"""Tests for osai.analysis.patterns (chapter 3's pattern analysis), against data/."""

from __future__ import annotations

import pandas as pd
import pytest

import osai
from osai.analysis import patterns
from osai.analysis.profiles import comparison_table


@pytest.fixture(scope="module")
def ds():
    return osai.load_dataset()


def _with(ds, **tables):
    return osai.data.Dataset({**{n: ds[n] for n in ds.names}, **tables})


def test_period_counts_add_up_to_every_event(ds):
    periods = patterns.period_counts(ds)
    assert list(periods.columns) == list(patterns.PERIODS)
    assert list(periods.index) == ["opencv", "sklearn", "openai", "hf"]
    assert periods.to_numpy().sum() == len(ds.events)
    per_org = ds.events.groupby("org_id").size()
    assert (periods.sum(axis=1) == per_org.reindex(periods.index)).all()
    # OpenCV's start (1999) and first release (2000) are the only events before 2010 for it
    assert periods.loc["opencv", "before 2010"] == 2
    assert periods.loc["openai", "before 2010"] == 0


def test_funder_kinds_are_in_time_order_and_include_probabls_venture_round(ds):
    kinds = patterns.funder_kinds(ds)
    assert kinds["sklearn"][0] == "grant programme"  # Google Summer of Code, 2007
    assert kinds["sklearn"][-1] == "venture round"  # Probabl's seed, 2025
    assert kinds["hf"] == ["venture round"]
    assert "venture round" not in kinds["openai"]
    assert kinds["opencv"][0] == "corporate sponsor"  # Intel, 1999


def test_first_venture_round(ds):
    vr = patterns.first_venture_round(ds)
    assert set(vr.index) == {"sklearn", "hf"}
    assert vr.loc["hf", "date"] == "2019-12" and vr.loc["hf", "years_after_start"] == 3
    assert vr.loc["sklearn", "years_after_start"] == 2025 - 2007


def test_round_leads_name_each_rounds_own_lead(ds):
    leads = patterns.round_leads(ds, "hf")
    assert list(leads["round"]) == ["Series A", "Series B", "Series C", "Series D"]
    assert list(leads["lead"]) == ["Lux Capital", "Addition", "Lux Capital",
                                   "Salesforce Ventures"]
    assert list(leads["when"]) == ["December 2019", "2021", "May 2022", "24 August 2023"]


def test_org_patterns_and_forms(ds):
    pat = patterns.org_patterns(ds)
    assert pat.loc["hf", "governance"] == 0 and pat.loc["hf", "forms"] == 1
    assert pat.loc["openai", "governance"] == 5 and pat.loc["openai", "forms"] == 3
    assert pat.loc["opencv", "span_years"] == 2020 - 1999
    assert pd.isna(pat.loc["opencv", "first_venture_year"])
    assert "controlled by Intel" in pat.loc["opencv", "forms_text"]
    table = patterns.patterns_table(ds)
    assert len(table) == 4 and table.iloc[0]["Organisation"] == "OpenCV"
    assert table.iloc[0]["First venture round on record"] == "none recorded"
    no_hf = ds.structures[ds.structures.org_id != "hf"]
    with pytest.raises(ValueError, match="structures.csv has no row.*hf"):
        patterns.forms(_with(ds, structures=no_hf))


def test_comparison_table_labels_and_first_supporters(ds):
    table = comparison_table(ds).set_index("Organisation")
    assert table.loc["OpenCV", "Course label"] == "community-led"
    assert "corporate-incubated" in table.loc["OpenCV", "What it is"]
    assert "later foundation-governed" in table.loc["OpenCV", "What it is"]
    supporters = table.loc["Hugging Face", "First supporters"]
    assert "Betaworks" in supporters
    assert "venture rounds led by Lux" not in supporters  # Lux led A and C only
