# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   osai:
#     title: "Assignment 2: comparison charts with Altair"
#     data: [events.csv, organisations.csv]
# ---

# %% [markdown] grading={"kind": "prompt", "id": "intro"}
# # Assignment 2: comparison charts with Altair
#
# You build three **Altair** charts that compare OpenCV, scikit-learn, OpenAI and Hugging
# Face, from `events.csv` and `organisations.csv` (in the same folder as this notebook).
#
# **What to do.** Write the three functions below; each returns an Altair chart. Keep
# their names and arguments and replace `raise NotImplementedError()` with your code.
# Do not change the read-only cells; they are restored before grading.
#
# **How it is graded.** The tests do not look at a picture: they read the chart's
# *specification*, `chart.to_dict()`, and check its mark, its encodings (field, type,
# aggregate), its transforms (filters, lookups) and its parameters (selections). So
# build each chart exactly as asked; a chart that looks similar but is built differently
# (for example, filtered with pandas when a chart filter is asked for) loses the points.
#
# **Check your work.** Run every cell from the top. A test cell that runs without an
# error passed its visible checks; hidden checks run at grading time.
#
# **Points (8 in total)**
#
# | Question | What is checked | Points |
# |---|---|---|
# | 1. Funding bar chart | mark, x/y encodings, filters, sort, tooltip, unfiltered data | 3 |
# | 2. Interactive timeline | mark, x/y/colour encodings, legend selection, opacity, tooltip | 3 |
# | 3. Community-led vs investor-led | mark, encodings, `model` joined by `org_id` | 2 |
#
# Each test cell is all or nothing. The full rubric is in `rubric.md` of the assignment.

# %% grading={"kind": "readonly", "id": "setup"}
import json

import altair as alt
import pandas as pd

events = pd.read_csv("events.csv")
organisations = pd.read_csv("organisations.csv")


def mark_type(spec):
    """The mark of a chart specification, e.g. 'bar'."""
    mark = spec.get("mark", {})
    return mark if isinstance(mark, str) else mark.get("type")


def channel(spec, name):
    """One encoding channel of a specification ({} when it is not used)."""
    return spec.get("encoding", {}).get(name, {})


def as_list(value):
    return value if isinstance(value, list) else [value]


events.head()

# %% [markdown] grading={"kind": "prompt", "id": "q1-prompt"}
# ## Question 1: total funding in USD, as a bar chart (3 points)
#
# Write `funding_chart(events)` returning a bar chart with:
#
# * the whole `events` table as its data (do **not** filter it with pandas);
# * chart filters (`transform_filter`) that keep only events whose `category` is
#   `"funding"` and whose `currency` is `"USD"`;
# * `x`: `org_id`, nominal, sorted by the bar length from the largest to the smallest
#   (`sort="-y"`);
# * `y`: the sum of `amount`, quantitative, titled `"Total funding (USD)"`;
# * a tooltip with `org_id` and the sum of `amount`.

# %% grading={"kind": "answer", "id": "funding-chart"}
def funding_chart(events):
    """Bar chart of the total USD funding of each organisation."""
    ### BEGIN SOLUTION
    return (
        alt.Chart(events)
        .transform_filter(alt.datum.category == "funding")
        .transform_filter(alt.FieldEqualPredicate(field="currency", equal="USD"))
        .mark_bar()
        .encode(
            x=alt.X("org_id:N", sort="-y", title="Organisation"),
            y=alt.Y("sum(amount):Q", title="Total funding (USD)"),
            tooltip=["org_id:N", alt.Tooltip("sum(amount):Q", format=",.0f")],
        )
    )
    ### END SOLUTION


# %% grading={"kind": "tests", "id": "test-funding-chart", "points": 3}
spec = funding_chart(events).to_dict()
assert mark_type(spec) == "bar", "use mark_bar()"
assert channel(spec, "x").get("field") == "org_id", "x should be org_id"
assert channel(spec, "x").get("type") == "nominal", "org_id is a nominal field"
assert channel(spec, "y").get("field") == "amount", "y should be the amount"
assert channel(spec, "y").get("aggregate") == "sum", "y should be the sum of amount"
assert channel(spec, "y").get("type") == "quantitative", "amounts are quantitative"
### BEGIN HIDDEN TESTS
_transforms = json.dumps(spec.get("transform", []))
assert all(word in _transforms for word in ("category", "funding", "currency", "USD"))
assert len(spec["datasets"][spec["data"]["name"]]) == len(events)
_sort = channel(spec, "x").get("sort")
assert _sort == "-y" or (isinstance(_sort, dict) and _sort.get("order") == "descending"
                         and _sort.get("encoding", "y") == "y")
assert channel(spec, "y").get("title") == "Total funding (USD)"
_tips = as_list(channel(spec, "tooltip"))
assert any(t.get("field") == "org_id" for t in _tips)
assert any(t.get("field") == "amount" and t.get("aggregate") == "sum" for t in _tips)
### END HIDDEN TESTS

# %% grading={"kind": "readonly", "id": "show-funding-chart"}
funding_chart(events)

# %% [markdown] grading={"kind": "prompt", "id": "q2-prompt"}
# ## Question 2: an interactive timeline (3 points)
#
# Write `timeline_chart(events)` returning a chart of every event over time with:
#
# * filled points (`mark_point(filled=True)`);
# * `x`: `date`, temporal; `y`: `org_id`, nominal; `color`: `category`, nominal;
# * a point selection on the `category` field bound to the legend
#   (`alt.selection_point(fields=["category"], bind="legend")`), added to the chart;
# * an `opacity` of 1 for the selected categories and 0.15 for the others
#   (`alt.condition(selection, alt.value(1), alt.value(0.15))`);
# * a tooltip with at least `title` and `date`.
#
# Click a category in the legend to highlight its events.

# %% grading={"kind": "answer", "id": "timeline-chart"}
def timeline_chart(events):
    """Events over time, one row per organisation, highlighted from the legend."""
    ### BEGIN SOLUTION
    pick = alt.selection_point(fields=["category"], bind="legend")
    return (
        alt.Chart(events)
        .mark_point(filled=True, size=80)
        .encode(
            x=alt.X("date:T", title="Date"),
            y=alt.Y("org_id:N", title="Organisation"),
            color=alt.Color("category:N", title="Category"),
            opacity=alt.condition(pick, alt.value(1), alt.value(0.15)),
            tooltip=["title:N", "date:N", "category:N"],
        )
        .add_params(pick)
    )
    ### END SOLUTION


# %% grading={"kind": "tests", "id": "test-timeline-chart", "points": 3}
spec = timeline_chart(events).to_dict()
assert mark_type(spec) == "point", "use mark_point(filled=True)"
assert channel(spec, "x").get("field") == "date", "x should be the date"
assert channel(spec, "x").get("type") == "temporal", "dates are temporal"
assert channel(spec, "y").get("field") == "org_id", "y should be org_id"
assert channel(spec, "color").get("field") == "category", "colour by category"
assert spec.get("params"), "add a selection with add_params(...)"
### BEGIN HIDDEN TESTS
assert spec["mark"].get("filled") is True
assert channel(spec, "y").get("type") == "nominal"
assert channel(spec, "color").get("type") == "nominal"
_params = [p for p in spec["params"] if p.get("bind") == "legend"]
assert len(_params) == 1
_select = _params[0]["select"]
_select = {"type": _select} if isinstance(_select, str) else _select
assert _select["type"] == "point" and _select.get("fields") == ["category"]
_opacity = channel(spec, "opacity")
assert _opacity["condition"]["param"] == _params[0]["name"]
assert _opacity["condition"]["value"] == 1 and _opacity["value"] == 0.15
_tips = {t.get("field") for t in as_list(channel(spec, "tooltip"))}
assert {"title", "date"} <= _tips
assert len(spec["datasets"][spec["data"]["name"]]) == len(events)
### END HIDDEN TESTS

# %% grading={"kind": "readonly", "id": "show-timeline-chart"}
timeline_chart(events)

# %% [markdown] grading={"kind": "prompt", "id": "q3-prompt"}
# ## Question 3: community-led against investor-led (2 points)
#
# Write `model_chart(events, organisations)` returning a grouped bar chart with:
#
# * bars (`mark_bar()`) counting events: `x` is `category` (nominal) and `y` is
#   `count()`;
# * `color` and `xOffset` both `model` (nominal), so each category has one bar for
#   community-led and one for investor-led organisations.
#
# `model` is a column of `organisations`, not of `events`: join it on `org_id`, either
# with a chart lookup (`transform_lookup(lookup="org_id", from_=alt.LookupData(...))`)
# or with `pandas.merge` before building the chart.

# %% grading={"kind": "answer", "id": "model-chart"}
def model_chart(events, organisations):
    """Events per category, community-led next to investor-led."""
    ### BEGIN SOLUTION
    return (
        alt.Chart(events)
        .transform_lookup(lookup="org_id",
                          from_=alt.LookupData(organisations, "org_id", ["model"]))
        .mark_bar()
        .encode(
            x=alt.X("category:N", title="Category"),
            y=alt.Y("count():Q", title="Events"),
            color=alt.Color("model:N", title="Model"),
            xOffset="model:N",
        )
    )
    ### END SOLUTION


# %% grading={"kind": "tests", "id": "test-model-chart", "points": 2}
spec = model_chart(events, organisations).to_dict()
assert mark_type(spec) == "bar", "use mark_bar()"
assert channel(spec, "x").get("field") == "category", "x should be the category"
assert channel(spec, "y").get("aggregate") == "count", "y should be count()"
assert channel(spec, "color").get("field") == "model", "colour by model"
### BEGIN HIDDEN TESTS
assert channel(spec, "xOffset").get("field") == "model"
assert channel(spec, "color").get("type") == "nominal"
_lookups = [t for t in spec.get("transform", []) if "lookup" in t]
_rows = spec["datasets"][spec["data"]["name"]]
_joined = any(t["lookup"] == "org_id" and "model" in t["from"].get("fields", [])
              for t in _lookups)
_merged = bool(_rows) and all("model" in row for row in _rows)
assert _joined or _merged
assert len(_rows) == len(events)
### END HIDDEN TESTS

# %% grading={"kind": "readonly", "id": "show-model-chart"}
model_chart(events, organisations)
