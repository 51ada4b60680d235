"""``osai quiz report``: a class view of the quizzes, from files, without a server.

Inputs (any mix): the progress files learners save from the quiz, folders of them, an
LMS's zip download of the submissions (:mod:`.archive`), and
LMS exports of the SCORM package's interactions (Moodle's interactions report, or a plain
CSV); see :mod:`.sources`.  Each answer is checked against the loaded banks; anything
that cannot be read is skipped with a one-line reason (:class:`.records.Skip`).  The
output is one HTML file (:mod:`.report_page`) with, per chapter, a chart and a table of the
share answered right and the commonest wrong answer with its feedback, an item analysis
(:mod:`.item_analysis`: difficulty, discrimination, options chosen, flags, and what each
figure means), and the five most-missed questions with the section to revisit.

Modules: :mod:`.records` (answers, skips), :mod:`.interactions` (SCORM interactions ->
answers), :mod:`.progress`, :mod:`.archive`, :mod:`.csvtable`, :mod:`.moodle_interactions`,
:mod:`.generic` (readers), :mod:`.sources` (which reader for which input),
:mod:`.aggregate`, :mod:`.chart`, :mod:`.report_page`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from osai.instructor.quiz_report.aggregate import QuestionStats, aggregate, most_missed
from osai.instructor.quiz_report.item_analysis import ItemFigures, item_analysis
from osai.instructor.quiz_report.records import Answer, Skip
from osai.instructor.quiz_report.report_page import check_book_url
from osai.instructor.quiz_report.sources import read_inputs

__all__ = ["Report", "build_report", "check_book_url", "write_report"]


@dataclass
class Report:
    answers: list[Answer]
    skips: list[Skip]
    stats: dict[str, list[QuestionStats]]
    missed: list[QuestionStats]
    items: dict[str, list[ItemFigures]]

    @property
    def learners(self) -> int:
        return len({a.learner for a in self.answers})


def build_report(paths: list[Path], banks: dict[str, dict]) -> Report:
    reading = read_inputs([Path(p) for p in paths], banks)
    stats = aggregate(reading.answers, banks)
    return Report(reading.answers, reading.skips, stats, most_missed(stats),
                  item_analysis(reading.answers, banks))


def write_report(report: Report, banks: dict[str, dict], out: Path,
                 book_url: str | None = None) -> Path:
    """Write the HTML file (atomically); returns its path."""
    from osai.instructor.quiz_report.report_page import render_page

    titles = {c: str(b.get("title") or c) for c, b in banks.items()}
    text = render_page(report.stats, report.missed, titles, report.skips, report.learners,
                       len(report.answers), book_url, report.items)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a normal file, not mkstemp's owner-only mode
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
