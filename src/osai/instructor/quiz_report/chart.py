"""A chapter's chart: the share of learners who answered each question right.

Drawn with Altair and rendered offline to SVG by vl-convert (no browser, no network).
The SVG is meant to sit inline in the report's HTML, so its XML namespace declarations
are dropped (an HTML parser puts ``<svg>`` in the SVG namespace by itself) and it gets
``role="img"`` with a label; the table next to it is the text alternative.
"""

from __future__ import annotations

import html
import re

from osai.instructor.quiz_report.aggregate import QuestionStats

__all__ = ["chapter_svg"]


def chapter_svg(rows: list[QuestionStats], label: str) -> str:
    import altair as alt
    import pandas as pd
    import vl_convert as vlc

    frame = pd.DataFrame({
        "Question": [f"Q{s.number} {s.question}" for s in rows],
        "Share right (%)": [round(100 * s.share, 1) for s in rows],
        "Answers": [f"{s.right} of {s.answered}" for s in rows],
    })
    bars = alt.Chart(frame).mark_bar(color="#1f4e8c").encode(
        x=alt.X("Share right (%):Q", scale=alt.Scale(domain=[0, 100]),
                title="Answered right (% of learners who answered)"),
        y=alt.Y("Question:N", sort=None, title=None),
    )
    text = bars.mark_text(align="left", dx=4, color="#111827").encode(text="Answers:N")
    chart = (bars + text).properties(width=420, height=max(60, 26 * len(rows)))
    svg = vlc.vegalite_to_svg(chart.to_dict())
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg, count=0)
    return svg.replace("<svg", f'<svg role="img" aria-label="{html.escape(label)}"', 1)
