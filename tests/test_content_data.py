"""Rules in data/ that keep corrected facts from returning (fast tier: reads data/ only).

Each rule is general where it can be (a coordinated release is not an organisation's own;
an "open weights" release that ships code is "open weights and code"; a total of unstated
kind says so), and names the row it checks otherwise."""

from __future__ import annotations

import osai
from osai.analysis import choosing, patterns, tradeoffs


def _ds():
    return osai.load_dataset()


def test_a_release_developed_by_others_is_marked_coordinated():
    ds = _ds()
    mr = ds.model_releases.set_index("name")
    orgs = ds.organisations["name"]
    for release_id, r in ds.releases.iterrows():
        model = next((m for m in mr.index if str(r["artefact"]).startswith(m)), None)
        if model is None:
            continue
        own = str(mr.loc[model, "developer"]).startswith(orgs[r["org_id"]])
        expected = "own" if own else "coordinator"
        assert r["org_role"] == expected, (
            f"data/releases.csv, {r.get('release_id', release_id)}: developer is "
            f"{mr.loc[model, 'developer']!r}, so org_role must be {expected!r}")
    ev = ds.events.set_index("event_id")
    assert ev.loc["hf-bloom", "org_role"] == "coordinator"


def test_coordinated_releases_stay_out_of_an_organisations_own_counts():
    ds = _ds()
    ms = choosing.milestones(ds)
    assert ms[(ms.org_id == "hf") & (ms.category == "release")].empty
    assert patterns.org_patterns(ds).loc["hf", "release"] == 0
    rec = tradeoffs.openness_record(ds)
    assert rec.loc["hf", "releases"] == (ds.releases.org_id.eq("hf")
                                         & ds.releases.org_role.eq("own")).sum()


def test_open_weights_that_ship_code_say_so():
    for _, r in _ds().releases.iterrows():
        if r["access"] == "open weights":
            assert "code" not in r["what_is_open"], (
                f"data/releases.csv, {r['artefact']}: ships code, so access is "
                "'open weights and code'")


def test_probabls_total_is_of_unstated_kind_wherever_it_is_given():
    ds = _ds()
    total = ds.metrics.set_index("metric_id").loc["sklearn-probabl-raised-2025-10"]
    assert "not stated" in total["note"]
    texts = [*ds.assessments["rationale"], *ds.events["description"],
             *ds.funding_sources["description"]]
    for text in texts:
        if "18.5M" in text:
            assert "not stated" in text and "from investors" not in text, text


def test_the_microsoft_partnership_is_not_a_present_tense_exclusivity():
    rs = _ds().revenue_streams.set_index("stream_id").loc["openai-rev-msft"]
    if "exclusive" in rs["description"]:
        assert "gave up" in rs["description"] and rs["date_meaning"] == "as of", rs["description"]


def test_the_ai_act_is_in_the_data_with_its_primary_source():
    ds = _ds()
    ctx = ds.context_events.set_index("event_id")
    assert str(ctx.loc["eu-ai-act", "date"]) == "2024-08-01"
    assert str(ctx.loc["eu-ai-act-gpai", "date"]) == "2025-08-02"
    src = ds.sources.set_index("source_id")
    assert "eur-lex.europa.eu/eli/reg/2024/1689" in src.loc["S84", "url"]
    claim = ds.bigtech_claims.set_index("claim_id").loc["concern-regulation"]
    assert "eu-ai-act" in claim["evidence_ids"] and claim["assessment"] != "none"


def test_hugging_faces_motivation_is_not_a_revenue_statement():
    from osai.analysis import profiles

    row = profiles.comparison_table(_ds()).set_index("Organisation").loc["Hugging Face"]
    assert row["Motivation, as stated"].startswith("No sourced statement of its motivation")
