"""Tests for osai.analysis.community (chapter 4), against the real data in data/."""

import pandas as pd
import pytest

import osai
from osai import formats
from osai.analysis import community
from osai.render import Figure


@pytest.fixture(scope="module")
def ds():
    return osai.load_dataset()


def test_funding_frame_covers_both_projects(ds):
    fs = community.funding_frame(ds)
    assert set(fs["org_id"]) == {"opencv", "sklearn"}
    assert len(fs[fs.org_id == "opencv"]) == 9
    assert len(fs[fs.org_id == "sklearn"]) == 6
    # oldest first: Intel in 1999
    assert fs.iloc[0]["funder"] == "Intel"
    assert fs.iloc[0]["plot_date"] == pd.Timestamp("1999-01-01")


def test_undated_sponsors_are_not_given_a_start(ds):
    fs = community.funding_frame(ds).set_index("funding_id")
    nvidia = fs.loc["opencv-fund-nvidia"]
    assert pd.isna(nvidia["start_start"])
    assert nvidia["plot_date"] == pd.Timestamp("2022-07-01")
    assert nvidia["basis"] == "listed as a sponsor on 1 July 2022 (start undated)"
    assert fs.loc["opencv-fund-willow", "basis"] == "ended in August 2012 (start undated)"
    assert fs.loc["sklearn-fund-consortium", "basis"] == "began on 17 September 2018"


def test_funder_counts_contrast_the_models(ds):
    counts = community.funder_counts(ds).set_index(["org_name", "funder_type"])["funders"]
    assert counts[("OpenCV", "corporate sponsor")] == 6
    assert counts[("Hugging Face", "venture round")] == 4
    assert counts[("OpenAI", "strategic investment")] == 2
    community_types = community.funder_counts(ds).query("model == 'community-led'")
    assert community_types.funder_type.nunique() == 8


def test_company_share(ds):
    assert community.paid_by_companies_share(ds) == pytest.approx(6 / 15)


def test_licence_change_and_metrics(ds):
    change = community.licence_change(ds)
    assert change.date_start == pd.Timestamp("2020-10-12")
    m = community.scale_metrics(ds)
    assert m.loc["sklearn-committers-2024", "value"] == 3192
    assert m.loc["opencv-committers-2024", "value"] == 2337
    assert m.loc["sklearn-downloads-2026-05", "as_of_label"] == "21 May 2026"


def test_fmt_date_precision():
    assert formats.fmt_date(pd.Timestamp("2012-08-01"), "month") == "August 2012"
    assert formats.fmt_date(pd.Timestamp("2010-01-01"), "year") == "2010"
    assert formats.fmt_date(pd.NaT, "day") == ""
    assert formats.fmt_date(pd.Timestamp("2023-08-24"), "day") == "24 August 2023"
    with pytest.raises(ValueError, match="unknown date precision 'week'"):
        formats.fmt_date(pd.Timestamp("2023-08-24"), "week")


def test_fmt_when_takes_on_for_a_day_and_in_otherwise():
    from osai.formats import fmt_when
    assert fmt_when(pd.Timestamp("2023-08-24"), "day") == "on 24 August 2023"
    assert fmt_when(pd.Timestamp("2019-12-01"), "month") == "in December 2019"
    assert fmt_when(pd.Timestamp("2021-01-01"), "year") == "in 2021"
    assert fmt_when(pd.NaT, "day") == ""


def test_charts_have_bound_filter_and_text_alternative(ds):
    fig = community.funding_timeline(ds)
    assert isinstance(fig, Figure)
    spec = fig.chart.to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert params["funder_type_filter"]["bind"]["name"].startswith("Show funders")
    assert "15 funders" in fig.alt_text
    assert len(fig.table) == 15
    grid = community.who_pays_matrix(ds)
    assert "OpenCV: 6 corporate sponsor" in grid.alt_text
    assert list(grid.table.columns) == ["Type of funder", "OpenCV", "scikit-learn", "OpenAI",
                                        "Hugging Face"]
