# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   osai:
#     title: "Assignment 1: the four organisations in numbers"
#     data: [events.csv, organisations.csv]
# ---

# %% [markdown] grading={"kind": "prompt", "id": "intro"}
# # Assignment 1: the four organisations in numbers
#
# In this assignment you analyse the course data on OpenCV, scikit-learn, OpenAI and
# Hugging Face with **pandas**. The two tables you need, `events.csv` and
# `organisations.csv`, are in the same folder as this notebook.
#
# **What to do.** Write the three functions below. Replace `raise NotImplementedError()`
# with your code and keep each function's name and arguments. Do not change the
# read-only cells; they are restored before grading.
#
# **Check your work.** Run every cell from the top (*Kernel → Restart & Run All*). Each
# test cell checks part of your answer; if it runs without an error, you passed its
# visible checks. When your work is graded, more (hidden) tests run in the same cells, so
# make your functions correct in general, not only for these checks.
#
# **Points (6 in total)**
#
# | Question | What is checked | Points |
# |---|---|---|
# | 1. Total funding | right organisations, sums and order; currencies kept apart | 2 |
# | 2. Years to first release | right years; no release gives a missing value | 2 |
# | 3. Events per category | right counts; order by count, then name | 2 |
#
# Each test cell is all or nothing: its points are given when every check in it passes.
# The full rubric is in `rubric.md` of the assignment.

# %% grading={"kind": "readonly", "id": "setup"}
import pandas as pd

events = pd.read_csv("events.csv")
organisations = pd.read_csv("organisations.csv")
events.head()

# %% [markdown] grading={"kind": "prompt", "id": "q1-prompt"}
# ## Question 1: total funding per organisation (2 points)
#
# Write `total_funding(events, currency="USD")`. It returns a pandas `Series`:
#
# * indexed by `org_id`, one entry per organisation that has at least one event of
#   category `"funding"` in the given `currency`;
# * whose values are the sum of `amount` over those events;
# * sorted from the largest total to the smallest.
#
# Only events of category `"funding"` count: a pledge at a founding is not funding.
# Never add amounts in different currencies. Do not change `events`.

# %% grading={"kind": "answer", "id": "total-funding"}
def total_funding(events, currency="USD"):
    """Total funding per organisation in one currency, largest first."""
    ### BEGIN SOLUTION
    mask = (events["category"] == "funding") & (events["currency"] == currency)
    totals = events.loc[mask].groupby("org_id")["amount"].sum()
    return totals.sort_values(ascending=False)
    ### END SOLUTION


# %% grading={"kind": "tests", "id": "test-total-funding", "points": 2}
_toy = pd.DataFrame({
    "org_id": ["a", "a", "b", "b"],
    "category": ["funding", "funding", "funding", "founding"],
    "amount": [1.0, 2.0, 5.0, 100.0],
    "currency": ["USD", "USD", "USD", "USD"],
})
assert isinstance(total_funding(_toy), pd.Series), "total_funding should return a Series"
assert total_funding(_toy).to_dict() == {"b": 5.0, "a": 3.0}, "sum funding only, largest first"
usd = total_funding(events)
assert set(usd.index) <= set(organisations["org_id"]), "the index holds org_id values"
### BEGIN HIDDEN TESTS
assert list(total_funding(_toy).index) == ["b", "a"]
_mixed = pd.DataFrame({
    "org_id": ["a", "a", "b", "c", "c"],
    "category": ["funding", "funding", "funding", "founding", "revenue"],
    "amount": [10.0, 20.0, 7.0, 1000.0, 3.0],
    "currency": ["USD", "EUR", "EUR", "USD", "USD"],
})
assert total_funding(_mixed).to_dict() == {"a": 10.0}
assert total_funding(_mixed, "EUR").to_dict() == {"a": 20.0, "b": 7.0}
assert list(total_funding(_mixed, "EUR").index) == ["a", "b"]
assert len(total_funding(_mixed, "GBP")) == 0
_before = events.copy()
total_funding(events, "EUR")
pd.testing.assert_frame_equal(events, _before)
_expected = (events[(events["category"] == "funding") & (events["currency"] == "USD")]
             .groupby("org_id")["amount"].sum())
assert usd.to_dict() == _expected.to_dict()
assert usd.is_monotonic_decreasing
### END HIDDEN TESTS

# %% [markdown] grading={"kind": "prompt", "id": "q2-prompt"}
# ## Question 2: years from founding to first public release (2 points)
#
# Write `years_to_first_release(organisations)`. It returns a `Series` indexed by
# `org_id` (all four organisations) whose values are the year of
# `first_public_release` minus the year of `founded`, as floats.
#
# The dates have different precisions (`1999`, `2010-02-01`): use the year only. An
# organisation without a first public release gets a missing value (`NaN`).

# %% grading={"kind": "answer", "id": "years-to-release"}
def years_to_first_release(organisations):
    """Years between founding and the first public release, per organisation."""
    ### BEGIN SOLUTION
    founded = pd.to_numeric(organisations["founded"].astype("string").str[:4])
    released = pd.to_numeric(organisations["first_public_release"].astype("string").str[:4],
                             errors="coerce")
    years = (released - founded).astype("float64")
    years.index = organisations["org_id"]
    return years
    ### END SOLUTION


# %% grading={"kind": "tests", "id": "test-years-to-release", "points": 2}
_toy = pd.DataFrame({
    "org_id": ["x", "y", "z"],
    "founded": ["1999", "2007", "2015-12-11"],
    "first_public_release": ["2000", "2010-02-01", None],
})
_years = years_to_first_release(_toy)
assert isinstance(_years, pd.Series), "years_to_first_release should return a Series"
assert _years["x"] == 1, "founded 1999, first release 2000: one year"
assert _years["y"] == 3, "use the year only: 2007 to 2010-02-01 is three years"
years = years_to_first_release(organisations)
assert len(years) == len(organisations), "one value per organisation"
### BEGIN HIDDEN TESTS
assert pd.isna(_years["z"])
assert _years.dtype == "float64"
assert list(_years.index) == ["x", "y", "z"]
assert list(years.index) == list(organisations["org_id"])
assert years.dtype == "float64"
_none = years_to_first_release(pd.DataFrame({
    "org_id": ["p", "q"], "founded": ["2001-05", "2003"], "first_public_release": [None, None],
}))
assert _none.isna().all() and list(_none.index) == ["p", "q"]
### END HIDDEN TESTS

# %% [markdown] grading={"kind": "prompt", "id": "q3-prompt"}
# ## Question 3: events per category (2 points)
#
# Write `events_per_category(events)`. It returns a `Series` indexed by `category` whose
# values are the number of events in each category, sorted by count from the largest to
# the smallest; categories with the same count are in alphabetical order.

# %% grading={"kind": "answer", "id": "events-per-category"}
def events_per_category(events):
    """Number of events per category, most frequent first, ties alphabetical."""
    ### BEGIN SOLUTION
    counts = events.groupby("category").size()
    order = sorted(counts.index, key=lambda name: (-counts[name], name))
    return counts[order]
    ### END SOLUTION


# %% grading={"kind": "tests", "id": "test-events-per-category", "points": 2}
counts = events_per_category(events)
assert isinstance(counts, pd.Series), "events_per_category should return a Series"
assert counts.sum() == len(events), "every event is counted once"
assert counts.is_monotonic_decreasing, "most frequent category first"
### BEGIN HIDDEN TESTS
_toy = pd.DataFrame({"category": ["r", "f", "f", "g", "f", "r"]})
assert events_per_category(_toy).to_dict() == {"f": 3, "r": 2, "g": 1}
_tied = events_per_category(pd.DataFrame({"category": ["b", "a", "b", "a", "c"]}))
assert list(_tied.index) == ["a", "b", "c"]
assert list(_tied) == [2, 2, 1]
assert counts.to_dict() == events["category"].value_counts().to_dict()
### END HIDDEN TESTS

# %% [markdown] grading={"kind": "prompt", "id": "results-prompt"}
# ## Your results on the course data
#
# Run the cell below to see what your three functions say about the four organisations.
# Nothing here is graded.

# %% grading={"kind": "readonly", "id": "results"}
print("Funding in USD:", total_funding(events).to_dict())
print("Funding in EUR:", total_funding(events, "EUR").to_dict())
print("Years to first public release:", years_to_first_release(organisations).to_dict())
print("Events per category:", events_per_category(events).to_dict())
