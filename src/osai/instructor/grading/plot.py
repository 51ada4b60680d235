"""``osai grade plot``: each assignment's grade distribution as an HTML chart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from osai.text.script_json import escape_json
from osai.instructor.grading.workdir import Course, GradingError
from osai.instructor.grading.export import grade_rows


class ScriptSafeJSON(json.JSONEncoder):
    """JSON for Altair's HTML page: ``< > &`` and U+2028/9 as ``\\u`` escapes, so no text
    (an assignment name, a title) can end the page's ``<script>`` early."""

    def encode(self, o: Any) -> str:
        return escape_json(super().encode(o))


def grade_chart(rows: list[dict[str, Any]], assignment: str):
    """An Altair histogram of one assignment's scores, as a percentage of the maximum.

    Only the percentages go into the chart's data: no student id, name or e-mail is
    written into the page.
    """
    import altair as alt
    import pandas as pd

    mine = [r for r in rows if r["assignment"] == assignment]
    frame = pd.DataFrame({"percent": [round(100 * r["score"] / r["max_score"], 1)
                                      if r["max_score"] else 0.0 for r in mine]},
                         dtype=float)
    mean = float(frame["percent"].mean()) if len(frame) else 0.0
    title = alt.TitleParams(f"{assignment}: grade distribution",
                            subtitle=f"{len(frame)} students, mean {mean:.1f}% of the maximum")
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("percent:Q", bin=alt.Bin(extent=[0, 100], step=10),
                title="Score (% of the maximum)"),
        y=alt.Y("count():Q", title="Students"),
        tooltip=[alt.Tooltip("count():Q", title="Students")],
    )
    rule = alt.Chart(pd.DataFrame({"mean": [mean]})).mark_rule(strokeDash=[4, 3]).encode(
        x="mean:Q", tooltip=[alt.Tooltip("mean:Q", format=".1f", title="Mean (%)")])
    return (bars + rule).properties(title=title, width=420, height=240)


def plot_grades(course: Course, assignments: Sequence[str] | None = None,
                inline: bool = True) -> list[Path]:
    """Save each assignment's grade distribution as ``reports/<a>-grades.html``.

    ``inline`` embeds the Vega JavaScript so the page works offline.
    """
    if not course.db_path.is_file():
        raise GradingError(f"no gradebook at {course.db_path}; release and autograde first")
    rows = grade_rows(course, assignments)
    names = sorted({r["assignment"] for r in rows} | set(assignments or []))
    paths = []
    course.reports_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = course.reports_dir / f"{name}-grades.html"
        grade_chart(rows, name).save(str(path), inline=inline,
                                     json_kwds={"cls": ScriptSafeJSON})
        paths.append(path)
    return paths
