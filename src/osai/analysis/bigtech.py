"""Chapter 6 ("Why Big Tech worries, and how it responds").

The opinion article's five concerns, five implications and five responses
(``data/bigtech_claims.csv``), each tied to dated events elsewhere in ``data/``, and a
timeline of that evidence.  Every function reads ``data/``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from osai import formats
from osai.data import Dataset, load_dataset, source_ids
from osai.formats import fmt_count, fmt_money
from osai.render import Figure

SECTIONS = ["concern", "implication", "response"]
SECTION_LABELS = {"concern": "Concerns", "implication": "Implications",
                  "response": "Responses", "missing": "Not in the article"}
ASSESSMENTS = ["example", "partial", "none"]
ASSESSMENT_LABELS = {"example": "dated example found", "partial": "weak or indirect evidence",
                     "none": "no evidence in the course data"}

#: dated events that bear on the debate but fit none of the article's fifteen points
NOT_IN_ARTICLE = ["openai-microsoft-2019", "openai-microsoft-2023"]
#: who acted, where the table's organisation is not the actor
ACTOR_OVERRIDES = {
    "openai-microsoft-2019": "Microsoft",
    "openai-microsoft-2023": "Microsoft",
    "hf-series-d": "Big Tech investors",
    "llama-2": "Meta",
}


def claims(ds: Dataset | None = None) -> pd.DataFrame:
    """The fifteen points of the article, in the article's order."""
    ds = ds or load_dataset()
    c = ds.bigtech_claims.copy()
    c["number"] = c["number"].astype(int)
    c["section_rank"] = c["section"].map({s: i for i, s in enumerate(SECTIONS)})
    c["n_evidence"] = c["evidence_ids"].map(lambda v: len(source_ids(v)))
    return c.sort_values(["section_rank", "number"]).reset_index(drop=True)


def _dated_rows(ds: Dataset) -> pd.DataFrame:
    """Every dated row the claims may point to: id, date, actor, title, sources.

    Ids are looked up in events, then context_events, then model_releases, then metrics.
    """
    frames = []
    ev = ds.events
    frames.append(pd.DataFrame({
        "ref_id": ev["event_id"], "date": ev["date"], "date_start": ev["date_start"],
        "actor": ev["org_name"], "title": ev["title"], "source_ids": ev["source_id"],
        "table": "events"}))
    ce = ds.context_events
    frames.append(pd.DataFrame({
        "ref_id": ce["event_id"], "date": ce["date"], "date_start": ce["date_start"],
        "actor": ce["actor"], "title": ce["title"], "source_ids": ce["source_id"],
        "table": "context_events"}))
    mr = ds.model_releases
    frames.append(pd.DataFrame({
        "ref_id": mr["release_id"], "date": mr["date"], "date_start": mr["date_start"],
        "actor": mr["developer"], "title": mr["name"] + " released (" + mr["licence"] + ")",
        "source_ids": mr["source_ids"], "table": "model_releases"}))
    me = ds.metrics
    frames.append(pd.DataFrame({
        "ref_id": me["metric_id"], "date": me["as_of"], "date_start": me["as_of_start"],
        "actor": me["org_name"],
        "title": me["metric"].str.replace("_", " ") + ": over "
        + me["value"].map(lambda v: f"{v:,.0f}"),
        "source_ids": me["source_id"], "table": "metrics"}))
    rows = pd.concat(frames, ignore_index=True)
    return rows.drop_duplicates("ref_id", keep="first").set_index("ref_id", drop=False)


def evidence(ds: Dataset | None = None) -> pd.DataFrame:
    """One row per (claim, dated evidence item), plus the events the article leaves out."""
    ds = ds or load_dataset()
    rows = _dated_rows(ds)
    out = []
    for _, c in claims(ds).iterrows():
        for ref in source_ids(c["evidence_ids"]):
            if ref not in rows.index:
                raise KeyError(f"bigtech_claims.csv: {c['claim_id']} cites unknown id '{ref}'")
            r = rows.loc[ref]
            out.append({**r.to_dict(), "claim_id": c["claim_id"], "section": c["section"],
                        "heading": f"{c['section'].capitalize()} {c['number']}: {c['heading']}"})
    for ref in NOT_IN_ARTICLE:
        r = rows.loc[ref]
        out.append({**r.to_dict(), "claim_id": "", "section": "missing",
                    "heading": "Not among the article's fifteen points"})
    frame = pd.DataFrame(out)
    # one mark per event and list: join the points an event illustrates in that list
    keys = ["ref_id", "section"]
    joined = frame.groupby(keys, sort=False).agg(
        heading=("heading", "; ".join), claim_ids=("claim_id", ";".join))
    frame = frame.drop(columns=["heading", "claim_id"]).drop_duplicates(keys) \
        .merge(joined.reset_index(), on=keys)
    frame["actor"] = [ACTOR_OVERRIDES.get(ref, actor)
                      for ref, actor in zip(frame["ref_id"], frame["actor"])]
    frame["section_label"] = frame["section"].map(SECTION_LABELS)
    frame["date_iso"] = pd.to_datetime(frame["date_start"]).dt.strftime("%Y-%m-%d")
    return frame.sort_values(["date_start", "section"]).reset_index(drop=True)


def assessment_counts(ds: Dataset | None = None) -> pd.DataFrame:
    """How many points of each list have a dated example, weak evidence or none."""
    c = claims(ds)
    table = pd.crosstab(c["section"], c["assessment"]).reindex(
        index=SECTIONS, columns=ASSESSMENTS, fill_value=0)
    return table


def claims_table(section: str | None = None, ds: Dataset | None = None) -> pd.DataFrame:
    """A readable table of the article's points with their evidence."""
    c = claims(ds)
    if section:
        c = c[c["section"] == section]
    return pd.DataFrame({
        "Point": c["number"].astype(str) + ". " + c["heading"],
        "The article says": c["article_says"],
        "Evidence from the course data": c["evidence"],
        "Assessment": c["assessment"].map(ASSESSMENT_LABELS),
        "Sources": c["source_ids"],
    })


def timeline_chart(ds: Dataset | None = None, *, width: int = 520) -> Figure:
    """Dated evidence against the article's lists, with a drop-down to pick one actor."""
    ds = ds or load_dataset()
    ev = evidence(ds)
    actors = sorted(ev["actor"].unique())
    actor = alt.param(
        name="actor_filter", value=None,
        bind=alt.binding_select(options=[None, *actors], labels=["all actors", *actors],
                                name="Show evidence from: "))
    rows = list(SECTION_LABELS.values())
    shapes = ["triangle-down", "circle", "diamond", "cross"]
    colours = ["#D55E00", "#0072B2", "#009E73", "#666666"]
    chart = (
        alt.Chart(ev[["date_iso", "date", "actor", "title", "heading", "section_label",
                      "source_ids"]])
        .mark_point(size=130, filled=True, opacity=0.85)
        .encode(
            x=alt.X("date_iso:T", title="Date",
                    axis=alt.Axis(format="%Y", tickCount="year"),
                    scale=alt.Scale(domain=["2018-10-01", "2026-03-01"])),
            y=alt.Y("section_label:N", title=None, sort=rows),
            color=alt.Color("section_label:N", scale=alt.Scale(domain=rows, range=colours),
                            legend=None),
            shape=alt.Shape("section_label:N", scale=alt.Scale(domain=rows, range=shapes),
                            legend=None),
            tooltip=[alt.Tooltip("date:N", title="Date"),
                     alt.Tooltip("actor:N", title="Actor"),
                     alt.Tooltip("title:N", title="What happened"),
                     alt.Tooltip("heading:N", title="Illustrates"),
                     alt.Tooltip("source_ids:N", title="Sources")],
        )
        .add_params(actor)
        .transform_filter("actor_filter == null || datum.actor == actor_filter")
        .properties(width=width, height=200,
                    title="Dated evidence for the article's concerns, implications and responses")
    )
    counts = ev.groupby("section_label", sort=False).size()
    alt_text = (
        f"Timeline of {ev['ref_id'].nunique()} dated events from "
        f"{int(ev['date_start'].dt.year.min())} to {int(ev['date_start'].dt.year.max())}, "
        "placed in four rows: "
        + "; ".join(f"{label} {counts.get(label, 0)} items" for label in rows)
        + ". A drop-down shows the evidence from one actor at a time."
    )
    table = ev[["date", "actor", "title", "heading", "source_ids"]].rename(columns={
        "date": "Date", "actor": "Actor", "title": "What happened",
        "heading": "Illustrates", "source_ids": "Sources"})
    return Figure(chart, alt_text, table, "Each dated event and the point it illustrates")


def assessment_chart(ds: Dataset | None = None) -> Figure:
    """Stacked bars: for each list of the article, how many points have evidence."""
    counts = assessment_counts(ds)
    long = counts.reset_index().melt(id_vars="section", var_name="assessment",
                                     value_name="points")
    long = long[long["points"] > 0]
    long["section_label"] = long["section"].map(SECTION_LABELS)
    long["assessment_label"] = long["assessment"].map(ASSESSMENT_LABELS)
    labels = [ASSESSMENT_LABELS[a] for a in ASSESSMENTS]
    order = {a: i for i, a in enumerate(labels)}
    long["order"] = long["assessment_label"].map(order)
    base = alt.Chart(long).encode(
        y=alt.Y("section_label:N", title=None,
                sort=[SECTION_LABELS[s] for s in SECTIONS]),
        x=alt.X("sum(points):Q", title="Points in the article's list",
                scale=alt.Scale(domain=[0, 5]), axis=alt.Axis(tickCount=5)),
        order=alt.Order("order:Q"),
    )
    bars = base.mark_bar(stroke="#333333", strokeWidth=0.5).encode(
        color=alt.Color("assessment_label:N", title="Evidence",
                        legend=alt.Legend(orient="bottom", direction="vertical"),
                        scale=alt.Scale(domain=labels,
                                        range=["#009E73", "#F0E442", "#FFFFFF"])),
        tooltip=[alt.Tooltip("section_label:N", title="List"),
                 alt.Tooltip("assessment_label:N", title="Evidence"),
                 alt.Tooltip("points:Q", title="Points")],
    )
    chart = bars.properties(width=460, height=140,
                            title="How much of the article the evidence supports")
    alt_text = "Bar chart. " + "; ".join(
        f"{SECTION_LABELS[s]}: " + ", ".join(
            f"{counts.loc[s, a]} with {ASSESSMENT_LABELS[a]}" for a in ASSESSMENTS)
        for s in SECTIONS) + "."
    table = counts.rename(index=SECTION_LABELS, columns=ASSESSMENT_LABELS).reset_index() \
        .rename(columns={"section": "List"})
    table.columns.name = None
    return Figure(chart, alt_text, table, "Points per list by strength of evidence")


# --- Numbers quoted in the chapter's prose ----------------------------------------------



def count_clause(n: int, total: int, noun: str, verb: tuple[str, str] = ("has", "have")) -> str:
    """"none of the five concerns has", "one of the five ... has", "two of the five ... have".

    Agrees the verb with the count (``n`` of 0 or 1 takes the singular), so glued prose
    stays grammatical whatever the data say.
    """
    if not 0 <= n <= total:
        raise ValueError(f"count {n} out of range 0..{total}")
    head = "none" if n == 0 else formats.number_word(n)
    return f"{head} of the {formats.number_word(total)} {noun} {verb[0] if n <= 1 else verb[1]}"


def evidence_peak_years(ds: Dataset | None = None) -> tuple[int, int, int]:
    """The two consecutive years holding the most dated evidence events: (first, second, n).

    Ties go to the earlier pair.
    """
    ev = evidence(ds).drop_duplicates("ref_id")
    years = pd.to_datetime(ev["date_start"]).dt.year.value_counts()
    best = max(((int(years.get(y, 0) + years.get(y + 1, 0)), -y) for y in years.index))
    first = -best[1]
    return first, first + 1, best[0]


def chapter_numbers(ds: Dataset | None = None) -> dict[str, str]:
    """Every number and key date the chapter's prose quotes, formatted, keyed by glue name."""

    ds = ds or load_dataset()
    ev = ds.events.set_index("event_id")
    ctx = ds.context_events.set_index("event_id")
    rel = ds.model_releases.set_index("release_id")
    lic = ds.licences.set_index("licence_id")
    metric = ds.metrics.set_index("metric_id")
    counts = assessment_counts(ds)
    c = claims(ds)
    out = {
        "memo_date": formats.month(ctx.loc["no-moat-memo", "date_start"]),
        "llama2_date": formats.day(ctx.loc["llama-2", "date_start"]),
        "llama_limit": fmt_count(lic.loc["llama-2", "user_limit"]),
        "osaid_date": formats.day(ctx.loc["osaid-1-0", "date_start"]),
        "whisper_date": formats.day(ev.loc["openai-whisper", "date_start"]),
        "gptoss_date": formats.day(ev.loc["openai-gpt-oss", "date_start"]),
        "gpt2_year": str(ev.loc["openai-gpt2", "date_start"].year),
        "api_date": formats.day(ev.loc["openai-api", "date_start"]),
        "plus_date": formats.day(ev.loc["openai-plus", "date_start"]),
        "bloom_date": formats.day(ev.loc["hf-bloom", "date_start"]),
        "olmo_date": formats.day(rel.loc["olmo", "date_start"]),
        "seriesd_date": formats.day(ev.loc["hf-series-d", "date_start"]),
        "seriesd_amount": fmt_money(ev.loc["hf-series-d", "amount"]),
        "seriesd_valuation": fmt_money(metric.loc["hf-valuation-2023-08", "value"]),
        "msft_2019_date": formats.day(ev.loc["openai-microsoft-2019", "date_start"]),
        "msft_2019_amount": fmt_money(ev.loc["openai-microsoft-2019", "amount"]),
        "msft_2023_date": formats.day(ev.loc["openai-microsoft-2023", "date_start"]),
        "msft_stake": f"{metric.loc['openai-msft-stake-2025-10', 'value']:g}%",
        "msft_stake_date": formats.day(metric.loc["openai-msft-stake-2025-10", "as_of_start"]),
        "hub_first": fmt_count(metric.loc["hf-models-2022-06", "value"]),
        "hub_first_date": formats.month(metric.loc["hf-models-2022-06", "as_of_start"]),
        "hub_later": fmt_count(metric.loc["hf-models-2025-10", "value"]),
        "hub_later_date": formats.month(metric.loc["hf-models-2025-10", "as_of_start"]),
        "chatgpt_weekly": fmt_count(metric.loc["openai-chatgpt-weekly-2025-11", "value"]),
        "chatgpt_weekly_date": formats.month(metric.loc["openai-chatgpt-weekly-2025-11",
                                          "as_of_start"]),
        "n_points": str(len(c)),
        "n_with_example": str(int(counts["example"].sum())),
        "n_without_evidence": str(int(counts["none"].sum())),
        "n_concerns_example": str(int(counts.loc["concern", "example"])),
        "n_concerns_none": str(int(counts.loc["concern", "none"])),
        "n_responses_example": str(int(counts.loc["response", "example"])),
        "n_evidence_events": str(evidence(ds)["ref_id"].nunique()),
        "n_llama2_rows": str(int((evidence(ds)["ref_id"] == "llama-2").sum())),
        "concerns_example_clause": count_clause(int(counts.loc["concern", "example"]),
                                                int(counts.loc["concern"].sum()), "concerns"),
        "concerns_partial_clause": count_clause(int(counts.loc["concern", "partial"]),
                                                int(counts.loc["concern"].sum()), "concerns"),
        "concerns_none_clause": count_clause(int(counts.loc["concern", "none"]),
                                             int(counts.loc["concern"].sum()), "concerns"),
        "responses_example_clause": count_clause(int(counts.loc["response", "example"]),
                                                 int(counts.loc["response"].sum()), "responses"),
        "memo_assessment": ASSESSMENT_LABELS[
            c.set_index("claim_id").loc["concern-advantage", "assessment"]],
        "evidence_peak_year_1": str(evidence_peak_years(ds)[0]),
        "evidence_peak_year_2": str(evidence_peak_years(ds)[1]),
        "n_evidence_peak": str(evidence_peak_years(ds)[2]),
        "llama2_month": formats.month(ctx.loc["llama-2", "date_start"]),
        "whisper_year": str(ev.loc["openai-whisper", "date_start"].year),
        "gptoss_year": str(ev.loc["openai-gpt-oss", "date_start"].year),
        "seriesd_month": formats.month(ev.loc["hf-series-d", "date_start"]),
        "ai_act_date": formats.day(ctx.loc["eu-ai-act", "date_start"]),
        "gpai_date": formats.day(ctx.loc["eu-ai-act-gpai", "date_start"]),
        "regulation_assessment": ASSESSMENT_LABELS[
            c.set_index("claim_id").loc["concern-regulation", "assessment"]],
        "innovation_assessment": ASSESSMENT_LABELS[
            c.set_index("claim_id").loc["implication-innovation", "assessment"]],
        "competition_assessment": ASSESSMENT_LABELS[
            c.set_index("claim_id").loc["implication-competition", "assessment"]],
    }
    # how many points each list has, as a word ("five"), for "five concerns"
    for section in SECTIONS:
        n = int(counts.loc[section].sum())
        out[f"n_{section}s_word"] = formats.number_word(n)
    return out
