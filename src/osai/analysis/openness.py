"""Chapter 2 ("Why open-source AI is rising, and what open means for AI").

Growth of the Hugging Face Hub, what five licences allow and require, and where notable
model releases sit on a spectrum of openness.  Every function reads ``data/``; the charts
return :class:`osai.render.Figure` objects (chart + text alternative + data table).  The
Hub growth chart is first taught here, so :func:`hub_counts` and :func:`hub_chart` live
here and chapter 5 (:mod:`osai.analysis.investor`) draws its Hub chart with them.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from osai import formats
from osai.charts import ORG_COLOURS, ORG_SHAPES
from osai.data import Dataset, load_dataset
from osai.formats import fmt_count, fmt_date, fmt_people
from osai.render import Figure

#: the licence questions shown in the licence chart, in reading order, with their labels
LICENCE_QUESTIONS = {
    "commercial_use": "Commercial use",
    "modification": "Modify",
    "redistribution": "Redistribute",
    "keep_notice": "Must keep notice",
    "mark_changes": "Must mark changes",
    "patent_grant": "Explicit patent grant",
    "use_restrictions": "Forbids some uses",
    "osi_approved": "OSI-approved",
}
#: the licences in the order the chapter teaches them
LICENCE_ORDER = ["mit", "bsd-3-clause", "apache-2.0", "bigscience-rail-1.0", "llama-2"]

#: stages of the openness spectrum, from closed to fully open
STAGES = [
    "API only",
    "Weights with use restrictions",
    "Open weights",
    "Open-source AI",
]
STAGE_HELP = {
    "API only": "no weights: the model is used through a paid service",
    "Weights with use restrictions": "weights can be downloaded, but the licence forbids "
                                     "some uses or users",
    "Open weights": "weights under a licence with no use restrictions, but no training "
                    "data information or no training code",
    "Open-source AI": "weights, training code and training data information, all under "
                      "open terms (the OSI definition)",
}
STAGE_SHAPES = ["square", "triangle-up", "diamond", "circle"]
STAGE_COLOURS = ["#666666", "#D55E00", "#0072B2", "#009E73"]


# --- Hugging Face Hub growth ------------------------------------------------------------

#: the two kinds of source of the Hub's counts, as the Hub charts name them: the Hub's own
#: documentation (source S36, primary) and the CEO interview that conflicts with it
HUB_SOURCES = ("Hub documentation (primary)", "CEO interview (secondary)")
#: what the Hub counts, in the order the Hub chart offers them
HUB_COUNTS = ("models", "datasets", "spaces")


def hub_counts(ds: Dataset | None = None) -> pd.DataFrame:
    """Dated counts of models, datasets and Spaces on the Hugging Face Hub, with the kind of
    source (``source_kind``, one of :data:`HUB_SOURCES`) and labels for the charts.

    Columns added to the ``metrics`` rows: ``what`` (``models``, ``datasets``,
    ``spaces``), ``source_kind``, ``date_iso``, ``as_of_label`` (the date at its own
    precision) and ``value_label`` ("over 50K": every count is a lower bound).
    """
    ds = ds or load_dataset()
    m = ds.metrics
    m = m[(m["org_id"] == "hf") & m["metric"].str.startswith("hub_")].copy()
    m["what"] = m["metric"].str.removeprefix("hub_")
    m["source_kind"] = m["source_id"].map(
        lambda s: HUB_SOURCES[0] if s == "S36" else HUB_SOURCES[1])
    m["date_iso"] = m["as_of_start"].dt.strftime("%Y-%m-%d")
    m["as_of_label"] = [fmt_date(t, p) for t, p in zip(m["as_of_start"], m["as_of_precision"])]
    m["value_label"] = m["value"].map(lambda v: "over " + fmt_count(v))
    return m.sort_values(["what", "as_of_start"]).reset_index(drop=True)


def hub_chart(counts: pd.DataFrame, *, what: tuple[str, ...] = HUB_COUNTS, title: str,
              width: int = 500) -> alt.Chart:
    """The Hub growth chart, drawn the same way wherever the course shows it (chapters 2
    and 5): counts on a log scale over time, the documentation's points joined by a line.

    ``counts`` is :func:`hub_counts`; ``what`` says which counts to show (with more than
    one, radio buttons pick one, bound to the param ``hub_metric``).  The documentation's
    points are Hugging Face's own colour and shape (:data:`osai.charts.ORG_COLOURS`,
    :data:`osai.charts.ORG_SHAPES`); the interview's are black crosses, so shape and colour
    both mark the kind of source and the conflicting 2022 figure shows.
    """
    documentation = HUB_SOURCES[0]
    colour, shape = ORG_COLOURS["Hugging Face"], ORG_SHAPES["Hugging Face"]
    m = counts[counts["what"].isin(what)]
    base = alt.Chart(m[["date_iso", "as_of_label", "what", "value", "value_label",
                        "source_kind", "source_id", "note"]])
    x = alt.X("date_iso:T", title="Date", axis=alt.Axis(format="%Y", tickCount="year"),
              scale=alt.Scale(domain=["2022-01-01", "2026-12-31"]))
    y_title = (f"{what[0].capitalize()} on the Hub" if len(what) == 1 else "Count") \
        + " (lower bound, log scale)"
    y = alt.Y("value:Q", title=y_title,
              scale=alt.Scale(type="log", domain=[1e3, 1e7]),
              axis=alt.Axis(format="~s", values=[1e3, 1e4, 1e5, 1e6, 1e7]))
    line = base.mark_line(color=colour, strokeWidth=1.5).encode(x=x, y=y).transform_filter(
        f"datum.source_kind == '{documentation}'")
    points = base.mark_point(size=120, filled=True).encode(
        x=x, y=y,
        shape=alt.Shape("source_kind:N", title="Source",
                        scale=alt.Scale(domain=list(HUB_SOURCES), range=[shape, "cross"])),
        color=alt.Color("source_kind:N", title="Source",
                        scale=alt.Scale(domain=list(HUB_SOURCES), range=[colour, "#000000"])),
        tooltip=[alt.Tooltip("as_of_label:N", title="As of"),
                 alt.Tooltip("what:N", title="Count of"),
                 alt.Tooltip("value_label:N", title="Value"),
                 alt.Tooltip("source_kind:N", title="Source"),
                 alt.Tooltip("source_id:N", title="Source id"),
                 alt.Tooltip("note:N", title="Note")])
    chart = alt.layer(line, points)
    if len(what) > 1:
        pick = alt.param(name="hub_metric", value=what[0],
                         bind=alt.binding_radio(options=list(what), name="Count on the Hub: "))
        chart = chart.add_params(pick).transform_filter("datum.what == hub_metric")
    return (chart.properties(width=width, height=300, title=title)
            .configure_legend(orient="bottom", direction="horizontal"))


def hub_models(ds: Dataset | None = None) -> pd.DataFrame:
    """Every count of models on the Hub, with which kind of source reported it.

    ``preferred`` is True for the Hub's own documentation (primary, V) and False for the
    interview figure (secondary, S) that conflicts with it.
    """
    ds = ds or load_dataset()
    m = ds.metrics[ds.metrics["metric"] == "hub_models"].copy()
    m["preferred"] = m["confidence"] == "V"
    m["reported_by"] = m["preferred"].map({True: HUB_SOURCES[0], False: HUB_SOURCES[1]})
    m["date_iso"] = m["as_of_start"].dt.strftime("%Y-%m-%d")
    m["label"] = "over " + m["value"].map(fmt_count)
    return m.sort_values("as_of_start").reset_index(drop=True)


def hub_summary(ds: Dataset | None = None) -> dict:
    """Numbers the chapter quotes about Hub growth (documentation figures only)."""
    m = hub_models(ds)
    docs = m[m["preferred"]]
    first, last = docs.iloc[0], docs.iloc[-1]
    # the first time the documented count reached its final value
    peak = docs[docs["value"] == last["value"]].iloc[0]
    interview = m[~m["preferred"]].iloc[0]
    same_year = docs[docs["as_of_start"].dt.year == interview["as_of_start"].year].iloc[0]
    years = (peak["as_of_start"] - first["as_of_start"]).days / 365.25
    return {
        "first_value": first["value"], "first_date": first["as_of_start"],
        "last_value": last["value"], "last_date": last["as_of_start"],
        "peak_date": peak["as_of_start"],
        "multiple": peak["value"] / first["value"],
        "years": years,
        "interview_value": interview["value"], "interview_date": interview["as_of_start"],
        "docs_same_year_value": same_year["value"], "docs_same_year_date": same_year["as_of_start"],
        "conflict_ratio": interview["value"] / same_year["value"],
        "n_docs": len(docs),
    }


def interview_gap_text(ds: Dataset | None = None) -> str:
    """When the Hub documentation's count came, relative to the CEO interview.

    The interview is dated only to the month, so the gap is stated in calendar months
    ("the next month"), never in days.
    """
    s = hub_summary(ds)
    a, b = s["interview_date"], s["first_date"]
    months = (b.year - a.year) * 12 + b.month - a.month
    if months < 0:
        raise ValueError("the Hub documentation's first count predates the interview")
    if months == 0:
        return "the same month"
    if months == 1:
        return "the next month"
    return f"{months} calendar months later"


def hub_growth_chart(ds: Dataset | None = None, *, width: int = 500) -> Figure:
    """Models on the Hugging Face Hub over time (log scale), the conflicting figure marked
    (chapter 2; drawn by :func:`hub_chart`)."""
    ds = ds or load_dataset()
    m = hub_models(ds)
    chart = hub_chart(hub_counts(ds), what=("models",), width=width,
                      title="Models on the Hugging Face Hub, 2022 to 2026")
    s = hub_summary(ds)
    alt_text = (
        f"Line chart on a log scale: the Hub documentation reports over "
        f"{fmt_count(s['first_value'])} models on {s['first_date']:%-d %B %Y}, rising to over "
        f"{fmt_count(s['last_value'])} by {s['peak_date']:%B %Y}. A separate cross marks "
        f"the CEO interview figure of over {fmt_count(s['interview_value'])} models in "
        f"{s['interview_date']:%B %Y}, {s['conflict_ratio']:g} times the documentation's "
        f"figure of the next month."
    )
    table = m[["date_iso", "label", "reported_by", "source_id"]].rename(columns={
        "date_iso": "As of", "label": "Models on the Hub", "reported_by": "Reported by",
        "source_id": "Source"})
    return Figure(chart, alt_text, table, "Counts of models on the Hugging Face Hub")


# --- Licences ---------------------------------------------------------------------------

def licences(ds: Dataset | None = None) -> pd.DataFrame:
    """The licence table in teaching order."""
    ds = ds or load_dataset()
    lic = ds.licences.set_index("licence_id", drop=False)
    return lic.loc[LICENCE_ORDER].reset_index(drop=True)


def licence_matrix(ds: Dataset | None = None) -> pd.DataFrame:
    """Long form: one row per licence and question, with the answer."""
    lic = licences(ds)
    long = lic.melt(id_vars=["licence_id", "name", "kind"],
                    value_vars=list(LICENCE_QUESTIONS), var_name="question",
                    value_name="answer")
    long["question_label"] = long["question"].map(LICENCE_QUESTIONS)
    return long


def licence_table(ds: Dataset | None = None) -> pd.DataFrame:
    """A readable table: one row per licence, the questions as columns."""
    lic = licences(ds)
    out = lic[["name", *LICENCE_QUESTIONS, "conditions", "examples", "source_ids"]].rename(
        columns={"name": "Licence", **LICENCE_QUESTIONS, "conditions": "Main conditions",
                 "examples": "Examples in this course", "source_ids": "Sources"})
    return out


def permissive_without_restrictions(ds: Dataset | None = None) -> list[str]:
    """Names of licences that allow commercial use, modification and redistribution
    without conditions and forbid no use: the permissive ones."""
    lic = licences(ds)
    ok = ((lic["commercial_use"] == "yes") & (lic["modification"] == "yes")
          & (lic["redistribution"] == "yes") & (lic["use_restrictions"] == "no"))
    return lic.loc[ok, "name"].tolist()


def licence_chart(ds: Dataset | None = None) -> Figure:
    """A grid: rows are licences, columns are questions; each cell says yes, no or
    conditional in words as well as colour."""
    long = licence_matrix(ds)
    names = licences(ds)["name"].tolist()
    questions = list(LICENCE_QUESTIONS.values())
    answer_scale = alt.Scale(domain=["yes", "conditional", "no"],
                             range=["#56B4E9", "#F0E442", "#FFFFFF"])
    long = long.assign(answer_short=long["answer"].map(
        {"conditional": "cond."}).fillna(long["answer"]))

    def grid(across: str, down: str, step: int, angle: int, short: bool):
        labels = {"question_label": questions, "name": names}
        base = alt.Chart(long).encode(
            x=alt.X(f"{across}:N", title=None, sort=labels[across],
                    axis=alt.Axis(orient="top", labelAngle=angle, labelLimit=170)),
            y=alt.Y(f"{down}:N", title=None, sort=labels[down],
                    axis=alt.Axis(labelLimit=130)),
        )
        cells = base.mark_rect(stroke="#333333", strokeWidth=0.5).encode(
            color=alt.Color("answer:N", scale=answer_scale, title="Answer",
                            legend=alt.Legend(orient="bottom", direction="horizontal")),
            tooltip=[alt.Tooltip("name:N", title="Licence"),
                     alt.Tooltip("question_label:N", title="Question"),
                     alt.Tooltip("answer:N", title="Answer")],
        )
        text = base.mark_text(fontSize=9 if short else 10, color="#111111").encode(
            text="answer_short:N" if short else "answer:N")
        return (cells + text).properties(
            width=alt.Step(step), height=alt.Step(30),
            title="What five licences allow and require")

    # wide: a row per licence; on a phone a row per question, so that each cell has the
    # width of its words and the column labels (licences) stand upright apart
    chart = grid("question_label", "name", 68, -90, False)
    narrow = grid("name", "question_label", 30, -90, True)
    lic = licences(ds)
    parts = []
    for _, row in lic.iterrows():
        parts.append(f"{row['name']}: commercial use {row['commercial_use']}, "
                     f"explicit patent grant {row['patent_grant']}, forbids some uses "
                     f"{row['use_restrictions']}, OSI-approved {row['osi_approved']}")
    alt_text = ("Grid of five licences against eight questions, each cell labelled yes, no "
                "or conditional. " + "; ".join(parts) + ".")
    table = licence_table(ds).drop(columns=["Main conditions", "Examples in this course"])
    return Figure(chart, alt_text, table, "What each licence allows and requires",
                  narrow=narrow, narrow_below=620)


# --- The openness spectrum --------------------------------------------------------------

def openness_stage(row: pd.Series) -> str:
    """Place one release on the spectrum (see :data:`STAGES`)."""
    if row["weights"] == "none":
        return "API only"
    if row["use_restrictions"] == "yes":
        return "Weights with use restrictions"
    if row["code"] == "training" and row["data"] in ("documented", "released"):
        return "Open-source AI"
    return "Open weights"


def components(row: pd.Series) -> int:
    """How many of the four parts the OSI definition needs are open: weights, training
    code, training data information, and terms without use restrictions."""
    return int(row["weights"] != "none") + int(row["code"] == "training") \
        + int(row["data"] != "none") + int(row["use_restrictions"] == "no"
                                            and row["weights"] != "none")


def releases(ds: Dataset | None = None) -> pd.DataFrame:
    """Model releases with their stage on the spectrum, oldest first."""
    ds = ds or load_dataset()
    r = ds.model_releases.copy()
    r["stage"] = r.apply(openness_stage, axis=1)
    r["stage_rank"] = r["stage"].map({s: i for i, s in enumerate(STAGES)})
    r["components"] = r.apply(components, axis=1)
    r["date_iso"] = r["date_start"].dt.strftime("%Y-%m-%d")
    r["year"] = r["date_start"].dt.year
    return r.sort_values("date_start").reset_index(drop=True)


def releases_table(ds: Dataset | None = None) -> pd.DataFrame:
    r = releases(ds)
    return r[["name", "developer", "date", "stage", "weights", "code", "data", "licence",
              "source_ids"]].rename(columns={
                  "name": "Release", "developer": "Developer", "date": "Date",
                  "stage": "Place on the spectrum", "weights": "Weights",
                  "code": "Code", "data": "Training data", "licence": "Licence",
                  "source_ids": "Sources"})


def spectrum_chart(ds: Dataset | None = None, *, width: int = 450) -> Figure:
    """Releases placed on the spectrum (rows) by date (x), each labelled by name.

    A drop-down bound to a Vega-Lite param shows only releases that include a chosen part.
    """
    r = releases(ds)
    r["has_training_code"] = r["code"] == "training"
    r["has_data_info"] = r["data"] != "none"
    # a name above or below its point, alternately along its row, and on the point's left
    # near the end of the axis: two close releases of one stage never write over each other
    order = r.groupby("stage").cumcount()
    r["label_place"] = (order % 2).map({0: "above", 1: "below"}) + "-" + (
        r["date_iso"] >= "2024-06-01").map({False: "left", True: "right"})
    cols = ["name", "developer", "date_iso", "stage", "licence", "weights", "code", "data",
            "note", "source_ids", "has_training_code", "has_data_info", "use_restrictions",
            "label_place"]
    part = alt.param(
        name="part_filter", value="all",
        bind=alt.binding_select(
            options=["all", "training code", "training data information",
                     "no use restrictions"],
            name="Show releases that include: "))
    keep = ("part_filter == 'all' || (part_filter == 'training code' && "
            "datum.has_training_code) || (part_filter == 'training data information' && "
            "datum.has_data_info) || (part_filter == 'no use restrictions' && "
            "datum.use_restrictions == 'no')")
    base = alt.Chart(r[cols]).transform_filter(keep).encode(
        x=alt.X("date_iso:T", title="Release date", axis=alt.Axis(format="%Y"),
                scale=alt.Scale(domain=["2018-06-01", "2026-06-01"])),
        y=alt.Y("stage:N", title=None, sort=list(reversed(STAGES)),
                axis=alt.Axis(labelLimit=220)),
    )
    points = base.mark_point(size=140, filled=True).encode(
        color=alt.Color("stage:N", scale=alt.Scale(domain=STAGES, range=STAGE_COLOURS),
                        legend=None),
        shape=alt.Shape("stage:N", scale=alt.Scale(domain=STAGES, range=STAGE_SHAPES),
                        legend=None),
        tooltip=[alt.Tooltip("name:N", title="Release"),
                 alt.Tooltip("developer:N", title="Developer"),
                 alt.Tooltip("date_iso:T", title="Date", format="%-d %B %Y"),
                 alt.Tooltip("licence:N", title="Licence"),
                 alt.Tooltip("weights:N", title="Weights"),
                 alt.Tooltip("code:N", title="Code"),
                 alt.Tooltip("data:N", title="Training data"),
                 alt.Tooltip("source_ids:N", title="Sources")],
    ).add_params(part)
    labels = [base.transform_filter(f"datum.label_place == '{place}'").mark_text(
        align="left" if side == "left" else "right", dx=9 if side == "left" else -9,
        dy=-11 if where == "above" else 13, fontSize=11).encode(text="name:N")
        for where in ("above", "below") for side in ("left", "right")
        for place in [f"{where}-{side}"]]
    chart = alt.layer(points, *labels).properties(
        width=width, height=240, title="Notable releases on the spectrum of openness")
    alt_text = "Releases placed from closed to open: " + "; ".join(
        f"{row['name']} ({row['developer']}, {row['date_start']:%B %Y}): {row['stage']}"
        for _, row in r.iterrows()) + ". A drop-down keeps only releases that include " \
        "training code, training data information, or terms without use restrictions."
    return Figure(chart, alt_text, releases_table(ds), "Releases and what each includes")


# --- Numbers quoted in the chapter's prose ----------------------------------------------

def chapter_numbers(ds: Dataset | None = None) -> dict[str, str]:
    """Every number and key date the chapter's prose quotes, formatted, keyed by glue name."""
    ds = ds or load_dataset()
    s = hub_summary(ds)
    metric = ds.metrics.set_index("metric_id")
    ctx = ds.context_events.set_index("event_id")
    ev = ds.events.set_index("event_id")
    rel = releases(ds).set_index("release_id")
    lic = licences(ds).set_index("licence_id")
    downloads = metric.loc["sklearn-downloads-2026-05", "value"]

    def whole(metric_id: str) -> str:
        return fmt_people(metric.loc[metric_id, "value"])

    return {
        "hub_first": fmt_count(s["first_value"]),
        "hub_first_date": formats.day(s["first_date"]),
        "hub_peak": fmt_count(s["last_value"]),
        "hub_peak_date": formats.month(s["peak_date"]),
        "hub_last_date": formats.day(s["last_date"]),
        "hub_multiple": f"{s['multiple']:g}",
        "hub_years": f"{s['years']:.1f}",
        "hub_interview": fmt_count(s["interview_value"]),
        "hub_interview_date": formats.month(s["interview_date"]),
        "hub_conflict_ratio": f"{s['conflict_ratio']:g}",
        "hub_conflict_phrase": ("half the interview's figure" if s["conflict_ratio"] == 2
                                else f"the interview's figure divided by {s['conflict_ratio']:g}"),
        "hub_docs_gap": interview_gap_text(ds),
        "hub_datasets_last": fmt_count(metric.loc["hf-datasets-2026-05", "value"]),
        "hub_spaces_last": fmt_count(metric.loc["hf-spaces-2026-05", "value"]),
        "crawl_year": str(metric.loc["sklearn-committers-2024", "as_of"]),
        "tf_stars_2020_date": str(metric.loc["hf-stars-2020", "as_of"]),
        "tf_stars_2022_date": formats.month(metric.loc["hf-stars-2022-05", "as_of_start"]),
        "tf_stars_2020": fmt_count(metric.loc["hf-stars-2020", "value"]),
        "tf_stars_2022": fmt_count(metric.loc["hf-stars-2022-05", "value"]),
        "tf_contributors": whole("hf-transformers-contributors-2022-05"),
        "bigscience_researchers": whole("hf-bigscience-researchers-2022-05"),
        "sklearn_committers": whole("sklearn-committers-2024"),
        "opencv_committers": whole("opencv-committers-2024"),
        "sklearn_downloads": f"{downloads / 1e9:.1f} billion",
        "sklearn_downloads_date": formats.day(metric.loc["sklearn-downloads-2026-05", "as_of_start"]),
        "osaid_date": formats.day(ctx.loc["osaid-1-0", "date_start"]),
        "llama2_date": formats.day(rel.loc["llama-2", "date_start"]),
        "llama_limit": fmt_count(lic.loc["llama-2", "user_limit"]),
        "bloom_date": formats.day(rel.loc["bloom", "date_start"]),
        "whisper_date": formats.day(rel.loc["whisper", "date_start"]),
        "gptoss_date": formats.day(rel.loc["gpt-oss", "date_start"]),
        "gpt2_date": formats.day(rel.loc["gpt-2", "date_start"]),
        "gpt3_date": formats.day(rel.loc["gpt-3", "date_start"]),
        "olmo_date": formats.day(rel.loc["olmo", "date_start"]),
        "dolma_odcby_date": formats.day(ctx.loc["dolma-odc-by", "date_start"]),
        "osaid_month": formats.month(ctx.loc["osaid-1-0", "date_start"]),
        "n_no_user_limit": str(int(lic["user_limit"].isna().sum())),
        "opencv_apache_date": formats.day(ev.loc["opencv-apache", "date_start"]),
        "n_licences": str(len(lic)),
        "n_permissive": str(len(permissive_without_restrictions(ds))),
        "n_osi_approved": str(int((lic["osi_approved"] == "yes").sum())),
        "n_releases": str(len(rel)),
        "n_with_data": str(int((rel["data"] != "none").sum())),
        "n_open_source_ai": str(int((rel["stage"] == "Open-source AI").sum())),
        "n_openai_releases": str(int((rel["developer"] == "OpenAI").sum())),
        "n_openai_stages": str(rel.loc[rel["developer"] == "OpenAI", "stage"].nunique()),
        # counts the prose writes in words ("five licences against eight questions")
        "n_licences_word": formats.number_word(len(lic)),
        "n_questions_word": formats.number_word(len(LICENCE_QUESTIONS)),
        "n_software_licences_word": formats.number_word((lic["kind"] == "software").sum()),
        "n_model_licences_word": formats.number_word((lic["kind"] == "model").sum()),
    }
