"""The instructor commands, one module each, re-exported here for existing callers:

* :mod:`.release`: ``release`` (source notebook, student version, LMS zip);
* :mod:`.collect`: ``collect`` (LMS downloads in, entry by entry, with a report);
* :mod:`.autograde`: ``autograde`` (each submission in its own sandbox);
* :mod:`.feedback`: ``feedback`` (per-student HTML, hidden tests removed);
* :mod:`.export`: ``export_grades``;
* :mod:`.plot`: ``plot_grades``;
* :mod:`.common`: what they share (outcomes and their report, student ids, logs).

Errors are raised as :class:`~osai.grading.course.GradingError` naming the assignment and
student.
"""

from __future__ import annotations

from .autograde import autograde
from .collect import COLLECT_PRESETS, CollectLimits, collect
from .common import (MAX_NOTEBOOK_BYTES, OUTCOME_FIELDS, STATUS_HELP, STATUSES, STUDENT_ID,
                     Outcome, outcome_paths, read_outcomes, submitted_students, summary,
                     write_outcomes)
from .export import EXPORT_FIELDS, export_grades, grade_rows
from .feedback import (FeedbackOutcome, feedback, feedback_report_path, feedback_summary,
                       hidden_lines, hidden_text_in)
from .plot import grade_chart, plot_grades
from .release import release

__all__ = [
    "COLLECT_PRESETS",
    "CollectLimits",
    "EXPORT_FIELDS",
    "FeedbackOutcome",
    "MAX_NOTEBOOK_BYTES",
    "OUTCOME_FIELDS",
    "Outcome",
    "STATUSES",
    "STATUS_HELP",
    "STUDENT_ID",
    "autograde",
    "collect",
    "export_grades",
    "feedback",
    "feedback_report_path",
    "feedback_summary",
    "grade_chart",
    "grade_rows",
    "hidden_lines",
    "hidden_text_in",
    "outcome_paths",
    "plot_grades",
    "read_outcomes",
    "release",
    "submitted_students",
    "summary",
    "write_outcomes",
]
