"""Widget exercises that compare the four organisations, one module each:
:mod:`.comparison`, :mod:`.timeline`, :mod:`.weighing` and :mod:`.live` (what they share is
in :mod:`.common`).  Everything is re-exported here, so chapters call ``explore.<name>``.

Three exercises, each a :class:`osai.render.Figure` whose controls are Vega-Lite params
bound to HTML inputs, so they work on the static book page with no kernel (DESIGN.md,
decision 5: a control that changes while its output does not is worse than none):

* :func:`comparison_explorer`: tick organisations (check boxes) and choose a dimension
  (drop-down); a table-like chart lists the sourced facts for that choice, each line with
  its source ids.
* :func:`timeline_explorer`: the dated events, filtered by category and organisation (two
  drop-downs); a third drop-down (or a click on a point) picks one event, whose date,
  description and source are written out under the chart, so the details are reachable
  with the keyboard as well as on hover.
* :func:`tradeoff_weighing`: six sliders weight the course's own 1-5 assessments
  (``data/assessments.csv``); Vega-Lite transforms compute the weighted score per
  organisation and the bars re-sort as the weights move.  :func:`weighted_ranking` gives
  the same numbers in Python.

:func:`live_tradeoff` is the live-notebook extra: ipywidgets with Python callbacks, where
the learner may also enter their own scores and save them to a JSON file.  It is never
shown on a built page: in the book context it returns a note that says how to run it.
"""

from __future__ import annotations

from osai.explore.common import ORG_IDS
from osai.explore.comparison import COMPARISON_DIMENSIONS, comparison_explorer, comparison_facts
from osai.explore.live import LIVE_NOTE, live_class, live_tradeoff
from osai.explore.timeline import timeline_explorer
from osai.explore.weighing import (
    ASSESSMENT_DIMENSIONS,
    MAX_WEIGHT,
    assessment_scores,
    prompts_markdown,
    ranking_table,
    tradeoff_prompts,
    tradeoff_weighing,
    weighted_ranking,
)

__all__ = [
    "ASSESSMENT_DIMENSIONS",
    "COMPARISON_DIMENSIONS",
    "LIVE_NOTE",
    "LiveTradeoff",
    "MAX_WEIGHT",
    "ORG_IDS",
    "assessment_scores",
    "comparison_explorer",
    "comparison_facts",
    "live_tradeoff",
    "prompts_markdown",
    "ranking_table",
    "timeline_explorer",
    "tradeoff_prompts",
    "tradeoff_weighing",
    "weighted_ranking",
]


def __getattr__(name: str):
    # LiveTradeoff subclasses an ipywidgets class: it is built on first use only, so
    # importing osai.explore in the book build does not import ipywidgets.
    if name == "LiveTradeoff":
        return live_class()
    raise AttributeError(name)
