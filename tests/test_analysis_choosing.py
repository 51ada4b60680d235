"""Tests for osai.analysis.choosing (chapter 8), against the real data in data/."""

from __future__ import annotations

import pandas as pd
import pytest

import osai
from osai.analysis import choosing
from osai.render import Figure


@pytest.fixture(scope="module")
def ds():
    return osai.load_dataset()


def test_milestones(ds):
    ms = choosing.milestones(ds).set_index(["org_id", "category"])
    assert ms.loc[("opencv", "governance"), "years"] == 13
    assert ms.loc[("opencv", "licence"), "years"] == 21
    assert ms.loc[("sklearn", "release"), "years"] == 3
    assert ms.loc[("hf", "funding"), "years"] == 3
    assert ("hf", "governance") not in ms.index
    assert set(ms.reset_index()["category"]) <= set(choosing.MILESTONE_CATEGORIES)


def test_structures_and_licence_tables(ds):
    st = choosing.structures_table(ds)
    assert "capped-profit company" in set(st["Form"])
    assert list(st["Organisation"].drop_duplicates()) == ["OpenCV", "scikit-learn", "OpenAI",
                                                           "Hugging Face"]
    lic = choosing.licence_table(ds).set_index("Licence")
    assert lic.loc["Apache-2.0", "Patent grant"] == "yes"
    assert lic.loc["BSD-3-Clause", "OSI approved"] == "yes"


def test_milestone_chart_has_a_bound_filter_and_a_text_alternative(ds):
    fig = choosing.milestone_chart(ds)
    assert isinstance(fig, Figure)
    params = fig.chart.to_dict().get("params", [])
    assert [p["name"] for p in params] == ["org_filter"]
    assert params[0]["bind"]["name"] == "Show organisation: "
    assert "OpenCV: first funding after 11 years" in fig.alt_text
    assert "Hugging Face: first funding after 3 years" in fig.alt_text
    assert isinstance(fig.table, pd.DataFrame) and len(fig.table) == len(choosing.milestones(ds))
