# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   osai:
#     title: "Assignment 3: case analysis of a sustainability choice"
#     data: [events.csv, organisations.csv]
# ---

# %% [markdown] grading={"kind": "prompt", "id": "intro"}
# # Assignment 3: case analysis of a sustainability choice
#
# **The case.** In September 2018 scikit-learn, a community-led library started in 2007,
# set up a **consortium at Fondation Inria** so that companies could sponsor the
# project and pay core maintainers, instead of creating a company or relying on
# research grants alone. Five years later a company spun off anyway: **Probabl** (2023),
# which raised a seed round in 2025. Six months after the consortium, OpenAI took a
# different route to the same problem (paying for the work): in March 2019 it created a
# **capped-profit company** controlled by its non-profit.
#
# **What to do.**
#
# * Part A (4 points, autograded): write two small functions on `events.csv`.
# * Part B (12 points, graded by hand with the rubric): answer three questions in
#   the answer cells under each question. Write in full sentences, about 150 to 250
#   words per answer, and cite events by their `event_id` (for example
#   `sklearn-consortium`) whenever you use a fact from the data.
#
# Do not change the read-only cells; they are restored before grading.
#
# **Points (16 in total)**
#
# | Part | Question | Points |
# |---|---|---|
# | A | 1. `years_between` | 2 |
# | A | 2. `funding_events` | 2 |
# | B | 3. The choice and its problem | 4 |
# | B | 4. Trade-offs against OpenAI's capped-profit company | 4 |
# | B | 5. Your recommendation | 4 |
#
# Each written answer is marked on two criteria, each scored 0, 1 or 2;
# the levels are described under each question and in `rubric.md`.

# %% grading={"kind": "readonly", "id": "setup"}
import pandas as pd

events = pd.read_csv("events.csv")
events[events["org_id"].isin(["sklearn", "openai"])][["event_id", "date", "category", "title"]]

# %% [markdown] grading={"kind": "prompt", "id": "q1-prompt"}
# ## Part A
#
# ### Question 1: years between two events (2 points)
#
# Write `years_between(events, first_id, second_id)`: the number of years (an `int`)
# from the event whose `event_id` is `first_id` to the event `second_id`, using the year
# of each `date` only (dates have different precisions, such as `2007` and
# `2018-09-17`). The result is negative when the second event came first. An unknown
# `event_id` raises a `KeyError`.

# %% grading={"kind": "answer", "id": "years-between"}
def years_between(events, first_id, second_id):
    """Years from one event to another, using the year of each date."""
    ### BEGIN SOLUTION
    years = events.set_index("event_id")["date"].astype(str).str[:4].astype(int)
    for event_id in (first_id, second_id):
        if event_id not in years.index:
            raise KeyError(event_id)
    return int(years[second_id] - years[first_id])
    ### END SOLUTION


# %% grading={"kind": "tests", "id": "test-years-between", "points": 2}
_toy = pd.DataFrame({"event_id": ["start", "middle", "end"],
                     "date": ["2007", "2018-09-17", "2023-05"]})
assert years_between(_toy, "start", "middle") == 11, "2007 to 2018: eleven years"
assert isinstance(years_between(_toy, "start", "end"), int), "return an int"
### BEGIN HIDDEN TESTS
assert years_between(_toy, "start", "end") == 16
assert years_between(_toy, "end", "start") == -16
assert years_between(_toy, "middle", "middle") == 0
try:
    years_between(_toy, "start", "no-such-event")
except KeyError:
    pass
else:
    raise AssertionError("an unknown event_id should raise KeyError")
_real = events.set_index("event_id")["date"].str[:4].astype(int)
assert years_between(events, "sklearn-consortium", "openai-lp") == int(
    _real["openai-lp"] - _real["sklearn-consortium"])
### END HIDDEN TESTS

# %% [markdown] grading={"kind": "prompt", "id": "q2-prompt"}
# ### Question 2: an organisation's funding events (2 points)
#
# Write `funding_events(events, org_id)`: the list of `event_id` of the events of
# category `"funding"` of that organisation, oldest first (dates compare correctly as
# text here because they all start with the year). An organisation without funding
# events gives an empty list.

# %% grading={"kind": "answer", "id": "funding-events"}
def funding_events(events, org_id):
    """Event ids of one organisation's funding events, oldest first."""
    ### BEGIN SOLUTION
    rows = events[(events["org_id"] == org_id) & (events["category"] == "funding")]
    return list(rows.sort_values(["date", "event_id"])["event_id"])
    ### END SOLUTION


# %% grading={"kind": "tests", "id": "test-funding-events", "points": 2}
_toy = pd.DataFrame({
    "event_id": ["late", "early", "other", "not-funding"],
    "date": ["2025-10", "2018-09-17", "2019", "2010"],
    "org_id": ["x", "x", "y", "x"],
    "category": ["funding", "funding", "funding", "release"],
})
assert funding_events(_toy, "x") == ["early", "late"], "funding only, oldest first"
assert isinstance(funding_events(events, "sklearn"), list), "return a list"
### BEGIN HIDDEN TESTS
assert funding_events(_toy, "y") == ["other"]
assert funding_events(_toy, "z") == []
_expected = list(events[(events["org_id"] == "sklearn") & (events["category"] == "funding")]
                 .sort_values("date")["event_id"])
assert funding_events(events, "sklearn") == _expected
### END HIDDEN TESTS

# %% grading={"kind": "readonly", "id": "show-part-a"}
print("Years from the start of scikit-learn to its consortium:",
      years_between(events, "sklearn-gsoc", "sklearn-consortium"))
print("scikit-learn funding events:", funding_events(events, "sklearn"))
print("OpenAI funding events:", funding_events(events, "openai"))

# %% [markdown] grading={"kind": "prompt", "id": "q3-prompt"}
# ## Part B
#
# ### Question 3: the choice and the problem it solved (4 points)
#
# Describe the choice scikit-learn made in 2018 and the problem it was meant to solve.
# Who paid for the work before, who could pay after, and who decides what the project
# does? Cite at least two events by `event_id`.
#
# | Criterion | 0 | 1 | 2 |
# |---|---|---|---|
# | Evidence | no event cited | one event, or events cited without dates | two or more events, cited with their dates |
# | Accuracy and reasoning | the choice or the problem is wrong | right but vague | who paid, who pays and who decides, each stated correctly |
#
# Write your answer in the cell below.

# %% [markdown] grading={"kind": "manual", "id": "answer-choice", "points": 4}
# *Model answer.* Until 2018 scikit-learn's work was paid for indirectly: volunteers,
# researchers on public grants (the Inria team that took over in 2010, `sklearn-release`)
# and a Google Summer of Code project at the start (`sklearn-gsoc`, 2007). The
# consortium at Fondation Inria (`sklearn-consortium`, 2018-09-17) let companies sponsor
# the project through a foundation and so employ core maintainers, without
# selling anything and without giving sponsors control: decisions stay with the
# community governance. The problem was the maintenance burden of a very widely used
# library resting on people whose jobs were not maintenance.

# %% [markdown] grading={"kind": "prompt", "id": "q4-prompt"}
# ### Question 4: trade-offs against OpenAI's capped-profit company (4 points)
#
# Compare the consortium with OpenAI's capped-profit company of March 2019
# (`openai-lp`) on at least three of: openness, funding stability, independence from
# investors, speed, community trust, resistance to mission drift. What did each organisation
# gain and what did it risk?
#
# | Criterion | 0 | 1 | 2 |
# |---|---|---|---|
# | Coverage and evidence | fewer than two dimensions | two dimensions, or no events cited | three or more dimensions, each backed by an event |
# | Reasoning | one-sided | gains and risks, for one organisation | gains and risks, for both, compared |
#
# Write your answer in the cell below.

# %% [markdown] grading={"kind": "manual", "id": "answer-trade-offs", "points": 4}
# *Model answer.* Openness: under the consortium everything stayed BSD-licensed; OpenAI
# moved from releasing to API access (`openai-api`). Independence from investors:
# sponsors of the consortium bought no decision rights, while investors in the
# capped-profit company get returns (capped at 100x) and Microsoft became a major partner
# (`openai-microsoft-2019`). Funding stability: sponsorship lasts only as long as sponsors
# keep paying, which is one reason a company (Probabl, `sklearn-probabl`) appeared later;
# OpenAI gained billions but depends on them. Mission drift: the consortium risks little drift; OpenAI's later restructurings
# (`openai-pbc`) show the pressure investor money put on the non-profit mission.

# %% [markdown] grading={"kind": "prompt", "id": "q5-prompt"}
# ### Question 5: your recommendation (4 points)
#
# A new community library becomes widely used and its maintainers burn out. Would you
# advise it to make scikit-learn's choice of 2018? State your recommendation, the
# conditions under which it would work, and one risk with how to reduce it.
#
# | Criterion | 0 | 1 | 2 |
# |---|---|---|---|
# | Recommendation | none, or not justified | justified by opinion | justified by the evidence of this case |
# | Conditions and risk | missing | conditions or a risk | conditions, a risk and a way to reduce it |
#
# Write your answer in the cell below.

# %% [markdown] grading={"kind": "manual", "id": "answer-recommendation", "points": 4}
# *Model answer.* Yes, if the library has many corporate users who benefit from it and a
# neutral host (a foundation) is available: the consortium paid maintainers without
# changing the licence or governance (`sklearn-consortium`). It works when sponsors
# value stability more than control. The main risk is that sponsorship stays too small
# or too concentrated; spreading it over many sponsors, adding public funding (as with
# P16, `sklearn-p16`) and allowing a separate company for paid services (as Probabl did)
# reduce it.
