"""Exercise 3, chapter 7: the trade-off weighing (six sliders; Vega-Lite transforms compute
the weighted score per organisation) and :func:`weighted_ranking`, the same in Python."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from osai import render
from osai.analysis.tradeoffs import DIMENSIONS
from osai.charts import ORG_COLOURS, org_scales, wrap_label
from osai.data import Dataset, load_dataset
from osai.explore.common import ORG_IDS, org_names, sources_text

#: the trade-off dimensions: key (column value in data/assessments.csv) -> slider label;
#: defined once, in osai.analysis.tradeoffs
ASSESSMENT_DIMENSIONS = DIMENSIONS

#: the largest weight a slider of the weighing exercise offers (the smallest is 0)
MAX_WEIGHT = 5


# ------------------------------------------------------- exercise 3: trade-off weighing

def assessment_scores(ds: Dataset | None = None) -> pd.DataFrame:
    """``data/assessments.csv`` with integer scores and organisation names, in fixed order."""
    ds = ds or load_dataset()
    a = ds.assessments.copy()
    a["score"] = a["score"].astype(int)
    a["org_name"] = a["org_id"].map(org_names(ds))
    a["org_index"] = a["org_id"].map({o: i for i, o in enumerate(ORG_IDS)})
    a["dim_index"] = a["dimension"].map({d: i for i, d in enumerate(ASSESSMENT_DIMENSIONS)})
    a["label"] = a["dimension"].map(ASSESSMENT_DIMENSIONS)
    a["sources"] = a["source_ids"].map(lambda ids: sources_text(ds, ids))
    missing = {(o, d) for o in ORG_IDS for d in ASSESSMENT_DIMENSIONS} - set(
        zip(a["org_id"], a["dimension"]))
    if missing:
        raise ValueError(f"data/assessments.csv lacks scores for {sorted(missing)}")
    return a.sort_values(["org_index", "dim_index"]).reset_index(drop=True)


def _check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    unknown = set(weights) - set(ASSESSMENT_DIMENSIONS)
    if unknown:
        raise KeyError(f"unknown dimension(s) {sorted(unknown)}; "
                       f"known: {', '.join(ASSESSMENT_DIMENSIONS)}")
    out = {d: float(weights.get(d, 0)) for d in ASSESSMENT_DIMENSIONS}
    if any(w < 0 for w in out.values()):
        raise ValueError("weights must be 0 or more")
    return out


def rank_organisations(weights: Mapping[str, float],
                       scores: Mapping[str, Mapping[str, float]],
                       names: Mapping[str, str]) -> list[dict]:
    """The one ranking rule, shared by :func:`weighted_ranking` and the live widget
    (:mod:`.live`): ``weights`` and ``scores[org]`` map every dimension of
    :data:`ASSESSMENT_DIMENSIONS` to a number, ``names`` maps org id -> name.  Returns one
    dict per organisation (``org_id, name, org_index, weighted_score, rank``), best first.

    Weighted score = sum(weight x score) / sum(weights) (0 when every weight is 0); ties
    keep the course's organisation order.  The Vega-Lite transforms in
    :func:`tradeoff_weighing` compute the same thing.
    """
    total_w = sum(weights.values())
    rows = []
    for i, org in enumerate(ORG_IDS):
        num = sum(weights[d] * scores[org][d] for d in ASSESSMENT_DIMENSIONS)
        rows.append({"org_id": org, "name": names[org], "org_index": i,
                     "weighted_score": num / total_w if total_w > 0 else 0.0})
    rows.sort(key=lambda r: (-r["weighted_score"], r["org_index"]))
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
    return rows


def scores_by_org(a: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Org id -> dimension -> score, from :func:`assessment_scores`."""
    return {o: {d: int(s) for d, s in zip(g["dimension"], g["score"])}
            for o, g in a.groupby("org_id")}


def weighted_ranking(weights: Mapping[str, float], ds: Dataset | None = None) -> pd.DataFrame:
    """Rank the four organisations by the weighted mean of the course's scores.

    ``weights`` maps dimension keys (:data:`ASSESSMENT_DIMENSIONS`) to weights of 0 or more;
    missing dimensions weigh 0.  Returns ``rank, org_id, name, weighted_score``, best first;
    the same numbers the trade-off chart computes in the browser.
    """
    w = _check_weights(weights)
    ds = ds or load_dataset()
    a = assessment_scores(ds)
    rows = rank_organisations(w, scores_by_org(a), org_names(ds))
    return pd.DataFrame(rows)[["rank", "org_id", "name", "weighted_score"]]


def ranking_table(weights: Mapping[str, float], ds: Dataset | None = None):
    """:func:`weighted_ranking` as the chapter shows it: an accessible table of rank,
    organisation and weighted score to two decimal places (no index, no ids)."""
    from osai.page import html_table

    r = weighted_ranking(weights, ds)
    table = pd.DataFrame({"Rank": r["rank"].astype(int), "Organisation": r["name"],
                          "Weighted score": r["weighted_score"].map(lambda v: f"{v:.2f}")})
    return html_table(table, "Your ranking: weighted mean of the course's scores")


def tradeoff_weighing(ds: Dataset | None = None, *, default_weight: int = 1) -> render.Figure:
    """Exercise 3: six sliders weight the course's assessments; the bars re-rank.

    Each slider is a Vega-Lite param bound to a range input (0 to 5).  Transforms map
    each score to its weight, sum weight x score and the weights per organisation, divide,
    and number the organisations best first: no kernel is involved.  Under the ranking, a
    grid shows the scores being weighted (hover a cell for the rationale and sources).
    """
    ds = ds or load_dataset()
    a = assessment_scores(ds)
    colour, _ = org_scales()
    params = [alt.param(name=f"w_{d}", value=default_weight,
                        bind=alt.binding_range(min=0, max=MAX_WEIGHT, step=1, name=f"{label} "))
              for d, label in ASSESSMENT_DIMENSIONS.items()]
    weight_expr = " : ".join(f"datum.dimension == '{d}' ? w_{d}"
                             for d in ASSESSMENT_DIMENSIONS) + " : 0"
    all_zero = " && ".join(f"w_{d} == 0" for d in ASSESSMENT_DIMENSIONS)
    data = a[["org_id", "org_name", "org_index", "dimension", "label", "score", "rationale",
              "source_ids", "sources"]]
    ranked = (
        alt.Chart(data)
        .transform_calculate(weight=weight_expr)
        .transform_calculate(weighted_part="datum.weight * datum.score")
        .transform_aggregate(num="sum(weighted_part)", den="sum(weight)",
                             groupby=["org_id", "org_name", "org_index"])
        .transform_calculate(weighted="datum.den > 0 ? datum.num / datum.den : 0")
        .transform_window(rank="row_number()",
                          sort=[alt.SortField("weighted", order="descending"),
                                alt.SortField("org_index", order="ascending")])
        .transform_calculate(
            place="datum.rank + '. ' + datum.org_name",
            score_text="format(datum.weighted, '.2f')",
            aria="'Rank ' + datum.rank + ': ' + datum.org_name + ', weighted score ' + "
                 "format(datum.weighted, '.2f') + ' out of 5'")
    )
    y = alt.Y("place:N", title=None, sort=alt.EncodingSortField("rank", op="min"),
              axis=alt.Axis(labelFontSize=12, labelFontWeight="bold", labelLimit=160))
    bars = ranked.mark_bar(height=22).encode(
        x=alt.X("weighted:Q", title="Weighted score (1 = weak, 5 = strong)",
                scale=alt.Scale(domain=[0, 5]), axis=alt.Axis(tickCount=5)),
        y=y, color=alt.Color("org_name:N", scale=colour, legend=None),
        tooltip=[alt.Tooltip("rank:Q", title="Rank"),
                 alt.Tooltip("org_name:N", title="Organisation"),
                 alt.Tooltip("score_text:N", title="Weighted score")],
        description=alt.Description("aria:N"))
    labels = ranked.mark_text(align="left", dx=4, fontSize=12, aria=False).encode(
        x="weighted:Q", y=y, text="score_text:N")
    zero = (alt.Chart(pd.DataFrame([{"msg": "Every weight is 0: move a slider up."}]))
            .transform_filter(all_zero)
            .mark_text(align="left", fontSize=13, fontStyle="italic")
            .encode(x=alt.value(10), y=alt.value(-8), text="msg:N"))
    ranking = alt.layer(bars, labels, zero).properties(
        width=430, height=150,
        title=alt.Title("Weighted score of each organisation, best first",
                        subtitle="Move the sliders under the charts; a weight of 0 ignores "
                                 "a dimension."))
    grid_base = alt.Chart(data).transform_calculate(weight=weight_expr)
    grid_x = alt.X("label:N", title=None, sort=list(ASSESSMENT_DIMENSIONS.values()),
                   axis=alt.Axis(labelAngle=0, labelLimit=90, labelFontSize=10,
                                 labelExpr=wrap_label(14)))
    grid_y = alt.Y("org_name:N", title=None, sort=list(ORG_COLOURS))
    grid_tooltip = [alt.Tooltip("org_name:N", title="Organisation"),
                    alt.Tooltip("label:N", title="Dimension"),
                    alt.Tooltip("score:Q", title="Score (1-5)"),
                    alt.Tooltip("weight:Q", title="Your weight"),
                    alt.Tooltip("rationale:N", title="Why"),
                    alt.Tooltip("sources:N", title="Sources")]
    cells = grid_base.mark_rect(stroke="white").encode(
        x=grid_x, y=grid_y,
        color=alt.Color("score:Q", scale=alt.Scale(domain=[1, 5], scheme="blues"),
                        title="Score", legend=alt.Legend(orient="right", tickCount=5)),
        opacity=alt.condition("datum.weight == 0", alt.value(0.25), alt.value(1)),
        tooltip=grid_tooltip,
        description=alt.Description("cell_aria:N"),
    ).transform_calculate(
        cell_aria="datum.org_name + ', ' + datum.label + ': ' + datum.score + ' of 5, weight '"
                  " + datum.weight")
    cell_text = grid_base.mark_text(fontSize=12, aria=False).encode(
        x=grid_x, y=grid_y, text="score:Q",
        color=alt.condition("datum.score >= 4", alt.value("white"), alt.value("#111111")),
        tooltip=grid_tooltip)
    grid = alt.layer(cells, cell_text).properties(
        width=430, height=130,
        title=alt.Title("The course's scores being weighted",
                        subtitle=["Faded columns have weight 0.", "Hover over or tap a cell for the reason "
                                 "and its sources."], fontSize=12))
    chart = (alt.vconcat(ranking, grid, spacing=24)
             .add_params(*params)
             .configure_view(stroke=None))
    equal = weighted_ranking({d: default_weight for d in ASSESSMENT_DIMENSIONS}, ds)
    alt_text = (
        "Trade-off weighing: a bar chart ranks OpenCV, scikit-learn, OpenAI and Hugging Face "
        "by the weighted mean of the course's scores on six dimensions ("
        + ", ".join(ASSESSMENT_DIMENSIONS.values()).lower()
        + "). Six sliders, from 0 to 5, set the weights; the bars re-sort as they move. "
        "With equal weights the order is "
        + ", ".join(f"{r.name} {r.weighted_score:.2f}" for r in equal.itertuples())
        + ". A grid below shows every score; the scores and reasons are in the table below."
    )
    table = a[["org_name", "label", "score", "rationale", "source_ids"]].rename(
        columns={"org_name": "Organisation", "label": "Dimension", "score": "Score (1-5)",
                 "rationale": "Why", "source_ids": "Sources"})
    return render.Figure(chart, alt_text, table,
                         "The course's assessment of each organisation, with its reasons")


def tradeoff_prompts() -> list[str]:
    """Questions for the learner about what the ranking reveals."""
    return [
        "Set every weight to 1. Which organisation comes first, and which single dimension "
        "would you have to raise to 5 to put an investor-led organisation on top?",
        "Give Speed and Funding stability a weight of 5 and everything else 0, then do the "
        "same with Openness and Community trust. What does the swap tell you about what "
        "each sustainability model is good at?",
        "Find a setting of the weights that ranks OpenAI first, and another that ranks it "
        "last. Which of the two settings is closer to what you, as a user of open-source "
        "AI, actually care about?",
        "The scores are the course's judgement, not facts. Hover over or tap a cell you disagree "
        "with, read the reason and its sources, and say what evidence would change it.",
        "Independence from investors and Resistance to mission drift move together here. "
        "Is that a law of sustainability, or a feature of these four cases?",
    ]


def prompts_markdown(prompts: list[str]):
    """A numbered Markdown list of prompts, for a chapter cell."""
    from osai.page import markdown_list
    return markdown_list(prompts, numbered=True)


