"""The three comparison exercises (osai.explore), driven without a browser.

Each widget is a Vega-Lite spec whose controls are params.  These tests set a param's value
in the spec and let Vega itself (vl-convert's embedded Vega, the same version the book
serves) evaluate the data and transforms into a scenegraph; they then read what would be
drawn.  The browser tests (test_explore_browser.py) use the real controls on the built page.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import vl_convert as vlc

import osai
from osai import explore, render

DIMS = list(explore.ASSESSMENT_DIMENSIONS)
VL_VERSION = "6.4"


@pytest.fixture(scope="module")
def ds():
    return osai.load_dataset()


def scene(spec: dict, **values) -> list[dict]:
    """Mark groups drawn for ``spec`` with the given param values: name, type, items."""
    spec = json.loads(json.dumps(spec))
    params = {p["name"]: p for p in spec.get("params", [])}
    for sub in spec.get("vconcat", []) + spec.get("layer", []):
        for p in sub.get("params", []) + [q for lay in sub.get("layer", [])
                                          for q in lay.get("params", [])]:
            params[p["name"]] = p
    for name, value in values.items():
        assert name in params, f"no param {name} in the spec (have {sorted(params)})"
        params[name]["value"] = value
    graph = vlc.vegalite_to_scenegraph(spec, vl_version=VL_VERSION)
    graph = json.loads(graph) if isinstance(graph, str) else graph
    out: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("marktype") and isinstance(node.get("items"), list):
                out.append({"name": node.get("name"), "type": node["marktype"],
                            "items": node["items"]})
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(graph)
    return out


def descriptions(marks: list[dict]) -> list[str]:
    """Accessible descriptions of drawn items (Vega-Lite's automatic "field: value" ones
    for unlabelled marks, such as the empty-state message, are left out)."""
    return [i["description"] for m in marks for i in m["items"]
            if i.get("description") and not i["description"].startswith("msg: ")]


def texts(marks: list[dict]) -> list[str]:
    return [i["text"] for m in marks if m["type"] == "text" for i in m["items"]
            if isinstance(i.get("text"), str)]


# ------------------------------------------------------------------ data

def test_assessments_cover_every_organisation_and_dimension(ds):
    """Every (organisation, dimension) has one integer score 1-5, a rationale and sources."""
    a = explore.assessment_scores(ds)
    assert len(a) == 4 * 6
    assert set(a["dimension"]) == set(DIMS)
    assert a["score"].between(1, 5).all()
    assert a["rationale"].str.len().gt(40).all()
    assert a["source_ids"].str.match(r"^S\d{2}(;S\d{2})*$").all()


def test_assessments_and_revenue_streams_are_in_the_data_package(ds):
    """New tables are declared in datapackage.json, so load_dataset validates them."""
    assert {"assessments", "revenue_streams"} <= set(ds.names)
    assert set(ds.revenue_streams["org_id"]) == set(explore.ORG_IDS)


def test_comparison_facts_cover_every_dimension_and_organisation(ds):
    """Each of the six dimensions has at least one fact for each organisation, sourced."""
    facts = explore.comparison_facts(ds)
    for dim in explore.COMPARISON_DIMENSIONS:
        orgs = set(facts.loc[facts["dimension"] == dim, "org_id"])
        assert orgs == set(explore.ORG_IDS), (dim, orgs)
    sourced = facts[facts["source_ids"] != "none"]
    assert sourced["source_ids"].str.match(r"^S\d{2}(, S\d{2})*$").all()
    gaps = facts[facts["source_ids"] == "none"]
    assert gaps["what"].str.contains("No sourced").all(), "only declared gaps lack a source"


# ------------------------------------------------ exercise 1: comparison explorer

def test_comparison_spec_has_the_bound_controls(ds):
    spec = explore.comparison_explorer(ds).chart.to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert params["dimension"]["bind"]["input"] == "select"
    assert params["dimension"]["bind"]["options"] == list(explore.COMPARISON_DIMENSIONS)
    for org in explore.ORG_IDS:
        assert params[f"show_{org}"]["bind"]["input"] == "checkbox"


@pytest.mark.parametrize("dimension", list(explore.COMPARISON_DIMENSIONS))
def test_comparison_draws_the_chosen_dimension_with_sources(ds, dimension):
    """Choosing a dimension draws exactly that dimension's facts, each with its sources."""
    spec = explore.comparison_explorer(ds).chart.to_dict()
    facts = explore.comparison_facts(ds)
    expected = facts[facts["dimension"] == dimension]
    drawn = descriptions(scene(spec, dimension=dimension))
    assert len(drawn) == len(expected)
    for (_, fact), desc in zip(expected.iterrows(), drawn):
        assert fact["org_name"] in desc and f"Source {fact['source_ids']}." in desc


def test_comparison_checkboxes_filter_organisations(ds):
    spec = explore.comparison_explorer(ds).chart.to_dict()
    everyone = descriptions(scene(spec, dimension="governance"))
    only_ai = descriptions(scene(spec, dimension="governance", show_opencv=False,
                                 show_sklearn=False, show_hf=False))
    assert only_ai and all(d.startswith("OpenAI") for d in only_ai)
    assert len(only_ai) < len(everyone)
    nobody = scene(spec, show_opencv=False, show_sklearn=False, show_openai=False,
                   show_hf=False)
    assert descriptions(nobody) == []
    assert any("Tick at least one organisation" in t for t in texts(nobody))


def test_comparison_money_bars_only_for_money(ds):
    spec = explore.comparison_explorer(ds).chart.to_dict()

    def rules_with_width(marks):
        return [i for m in marks if m["type"] == "rule" for i in m["items"]
                if i.get("strokeWidth") == 9]

    assert rules_with_width(scene(spec, dimension="founding")) == []
    bars = rules_with_width(scene(spec, dimension="money"))
    usd = explore.comparison_facts(ds)["amount_usd"].notna().sum()
    assert len(bars) == usd > 0


# -------------------------------------------------- exercise 2: timeline explorer

def test_timeline_spec_has_two_filters_and_an_event_picker(ds):
    spec = explore.timeline_explorer(ds).chart.to_dict()
    top = {p["name"]: p for p in spec["params"]}
    assert top["tl_category"]["bind"]["input"] == "select"
    assert top["tl_org"]["bind"]["input"] == "select"
    picker = top["tl_event"]
    assert picker["select"]["type"] == "point" and picker["views"] == ["tl_points_0"]
    assert picker["bind"]["input"] == "select"
    assert len(picker["bind"]["options"]) == len(ds.events)


def _points(marks):
    return [i for m in marks if m["name"] == "tl_points_0_marks" for i in m["items"]]


def test_timeline_filters_by_category_and_organisation(ds):
    spec = explore.timeline_explorer(ds).chart.to_dict()
    ev = ds.events
    assert len(_points(scene(spec))) == len(ev)
    funding = _points(scene(spec, tl_category="funding"))
    assert len(funding) == (ev["category"] == "funding").sum()
    both = _points(scene(spec, tl_category="funding", tl_org="Hugging Face"))
    expected = ((ev["category"] == "funding") & (ev["org_id"] == "hf")).sum()
    assert len(both) == expected > 0
    assert all(i["description"].split(", ")[1] == "Hugging Face" for i in both)
    assert "Showing %d of %d events" % (expected, len(ev)) in texts(
        scene(spec, tl_category="funding", tl_org="Hugging Face"))


def test_timeline_details_follow_the_picked_event(ds):
    spec = explore.timeline_explorer(ds).chart.to_dict()
    ev = ds.events.set_index("event_id")
    for event_id in ["openai-lp", "hf-series-d"]:
        drawn = " ".join(" ".join(t) if isinstance(t, list) else t for m in scene(
            spec, tl_event=[{"event_id": event_id}]) if m["type"] == "text"
            for t in (i.get("text") for i in m["items"]) if t)
        row = ev.loc[event_id]
        assert row["date"] in drawn and row["source_id"].split(";")[0] in drawn


# ------------------------------------------------- exercise 3: trade-off weighing

def test_tradeoff_spec_has_six_labelled_sliders(ds):
    spec = explore.tradeoff_weighing(ds).chart.to_dict()
    params = {p["name"]: p for p in spec["params"]}
    for dim, label in explore.ASSESSMENT_DIMENSIONS.items():
        bind = params[f"w_{dim}"]["bind"]
        assert (bind["input"], bind["min"], bind["max"]) == ("range", 0, 5)
        assert bind["name"].strip() == label
    ops = [t for t in json.dumps(spec["vconcat"][0]).split('"') if t in
           ("aggregate", "window", "calculate")]
    assert {"aggregate", "window", "calculate"} <= set(ops)


def test_weighted_ranking_changes_order_with_weights(ds):
    equal = explore.weighted_ranking({d: 1 for d in DIMS}, ds)
    fast = explore.weighted_ranking({"speed": 5, "funding_stability": 5}, ds)
    assert list(equal["org_id"]) == ["sklearn", "opencv", "hf", "openai"]
    assert list(fast["org_id"])[0] == "openai"
    assert list(equal["org_id"]) != list(fast["org_id"])
    assert equal["weighted_score"].iloc[0] == pytest.approx(24 / 6)
    zero = explore.weighted_ranking({}, ds)
    assert (zero["weighted_score"] == 0).all()
    with pytest.raises(KeyError):
        explore.weighted_ranking({"popularity": 1}, ds)


def test_ranking_table_shows_names_and_two_decimals(ds):
    html = explore.ranking_table({d: 1 for d in DIMS}, ds).data
    assert "<th scope=\"row\">1</th><td>scikit-learn</td><td>4.00</td>" in html
    assert "sklearn" not in html and "4.000000" not in html


WEIGHT_CASES = [
    {d: 1 for d in DIMS},
    {"speed": 5, "funding_stability": 5},
    {"openness": 5, "community_trust": 5},
    {"independence_from_investors": 2, "speed": 3, "resistance_to_mission_drift": 1},
    {d: 0 for d in DIMS},
]


@pytest.mark.parametrize("weights", WEIGHT_CASES)
def test_chart_ranking_equals_weighted_ranking(ds, weights):
    """Vega's transforms and the Python function give the same order and numbers."""
    spec = explore.tradeoff_weighing(ds).chart.to_dict()
    values = {f"w_{d}": weights.get(d, 0) for d in DIMS}
    bars = [i for m in scene(spec, **values) if m["type"] == "rect"
            and m["name"] == "concat_0_layer_0_marks" for i in m["items"]]
    drawn = sorted(bars, key=lambda i: i["y"])  # top to bottom
    expected = explore.weighted_ranking(weights, ds)
    assert [i["description"] for i in drawn] == [
        f"Rank {r.rank}: {r.name}, weighted score {r.weighted_score:.2f} out of 5"
        for r in expected.itertuples()]


def test_tradeoff_prompts():
    prompts = explore.tradeoff_prompts()
    assert 3 <= len(prompts) <= 6 and all(p.endswith("?") or p.endswith(".") for p in prompts)
    assert "1. " in explore.prompts_markdown(prompts).data


# --------------------------------------------------------------- Figures, book

def test_figures_have_text_alternatives_and_tables(ds, monkeypatch):
    monkeypatch.setenv("OSAI_CONTEXT", "book")
    for make in (explore.comparison_explorer, explore.timeline_explorer,
                 explore.tradeoff_weighing):
        fig = make(ds)
        assert isinstance(fig, render.Figure) and len(fig.alt_text) > 80
        assert isinstance(fig.table, pd.DataFrame) and len(fig.table)
        bundle = fig._repr_mimebundle_()
        assert "osaiCharts" in bundle["text/html"] and "<details" in bundle["text/html"]


# --------------------------------------------------------------- live extra

def test_live_tradeoff_is_a_note_in_the_book(monkeypatch):
    monkeypatch.setenv("OSAI_CONTEXT", "book")
    assert render.context() == "book"
    note = explore.live_tradeoff()
    assert "JupyterLab" in note.data and "live_tradeoff()" in note.data
    assert not hasattr(note, "weights")


@pytest.fixture
def live(monkeypatch):
    monkeypatch.delenv("OSAI_CONTEXT", raising=False)
    return explore.live_tradeoff()


def test_live_tradeoff_sliders_update_the_ranking(live, ds):
    assert [r["org_id"] for r in live.ranking] == ["sklearn", "opencv", "hf", "openai"]
    before = live.output.value
    for d in DIMS:
        live.weights[d].value = 0
    assert "Every weight is 0" in live.output.value
    live.weights["speed"].value = 5
    live.weights["funding_stability"].value = 5
    assert live.output.value != before
    expected = explore.weighted_ranking({"speed": 5, "funding_stability": 5}, ds)
    assert [r["org_id"] for r in live.ranking] == list(expected["org_id"])
    assert live.output.value.index("OpenAI") < live.output.value.index("OpenCV")


def test_live_tradeoff_own_scores_and_save_load(live, tmp_path):
    live.scores[("openai", "openness")].value = 5
    live.scores[("openai", "community_trust")].value = 5
    assert [r["org_id"] for r in live.ranking][-1] == "openai"  # own scores not used yet
    live.use_own.value = True
    assert "your own scores" in live.output.value
    own_rank = [r["org_id"] for r in live.ranking]
    assert own_rank.index("openai") < 3
    path = live.save(tmp_path / "mine.json")
    saved = json.loads(path.read_text())
    assert saved["scores"]["openai"]["openness"] == 5 and saved["use_own_scores"] is True
    live.reset_scores()
    live.use_own.value = False
    live.weights["speed"].value = 4
    live.load(path)
    assert live.use_own.value is True and live.weights["speed"].value == 1
    assert [r["org_id"] for r in live.ranking] == own_rank
    live.path.value = str(tmp_path / "missing" / "x.json")
    live.save_button.click()
    assert "No such file" in live.status.value
