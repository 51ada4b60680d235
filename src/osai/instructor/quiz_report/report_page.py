"""The class report as one self-contained HTML file: no script, no request outside it.

Every text that comes from the inputs (learner ids never appear, but file names and the
reasons naming them do) or from the banks is escaped with :func:`html.escape`; links to
the book are built only from a base URL the instructor gives and the anchors the bank
loader computed (checked against a strict pattern).
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from osai.instructor.quiz_report.aggregate import QuestionStats
from osai.instructor.quiz_report.chart import chapter_svg
from osai.instructor.quiz_report.item_analysis import FIGURES, ItemFigures
from osai.instructor.quiz_report.records import Skip

__all__ = ["check_book_url", "render_page"]

_ANCHOR = re.compile(r"^[A-Za-z][\w.:-]*$")
_SCHEME = re.compile(r"^[A-Za-z][\w+.-]*:")


def check_book_url(url: str) -> str:
    """The book's URL as a browser reads it (C0 controls and spaces trimmed at both ends,
    tabs and newlines dropped anywhere, as the WHATWG URL parser does), when it is http(s)
    or a relative path; ValueError otherwise (``"\tjavascript:..."`` is refused)."""
    clean = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(33)))))
    if not clean:
        raise ValueError(f"--book-url {url!r} is empty")
    if (_SCHEME.match(clean) or clean.startswith("//") or clean.startswith("\\")) \
            and not re.match(r"^https?://", clean, re.IGNORECASE):
        raise ValueError(f"--book-url {url!r} must be an http(s) URL or a relative path")
    return clean

CSS = """
body { font-family: system-ui, sans-serif; line-height: 1.5; color: #111827; max-width: 60rem;
  margin: 1rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #9ca3af; padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }
td { overflow-wrap: anywhere; }
td:first-child { white-space: nowrap; }
th { background: #f3f4f6; }
td.num { text-align: right; white-space: nowrap; }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; }
svg { max-width: 100%; height: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll:focus-visible { outline: 3px solid #1f4e8c; outline-offset: 2px; }
@media (max-width: 40rem) {
  body { padding: 0 0.5rem; }
  table { min-width: 36rem; }
}
.skips li { font-family: ui-monospace, monospace; font-size: 0.9rem; overflow-wrap: anywhere; }
a { color: #1f4e8c; }
"""


def _scroll(table: str, label: str) -> str:
    """A table in a box that scrolls sideways on a narrow screen (focusable, so keyboard
    users can scroll it too), so the page itself never does."""
    return (f'<div class="scroll" role="region" tabindex="0" aria-label="{escape(label)}">'
            f"\n{table}\n</div>")


def _pct(s: QuestionStats) -> str:
    return f"{100 * s.share:.0f}%"


def _section(s: QuestionStats, book_url: str | None, chapter_title: str) -> str:
    text = escape(s.section)
    if book_url and s.section_anchor and _ANCHOR.match(s.section_anchor):
        href = f"{book_url.rstrip('/')}/chapters/{quote(s.chapter)}.html#{s.section_anchor}"
        return f'<a href="{escape(href)}">{text}</a> ({escape(chapter_title)})'
    return f"{text} ({escape(chapter_title)})"


def _fig(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.2f}".replace("+0.00", "0.00")


def _items(chapter: str, title: str, rows: list[ItemFigures], numbers: dict[str, int]) -> str:
    body = []
    for f in rows:
        options = "; ".join(f"{escape(o_id)}{' (key)' if key else ''}: {100 * share:.0f}%"
                            for o_id, _text, share, key in f.options) or "n/a"
        body.append(
            f'<tr data-question="{escape(f.question)}">'
            f"<td>Q{numbers.get(f.question, '?')}<br><small>id {escape(f.question)}</small></td>"
            f'<td class="num">{f.difficulty:.2f}</td><td class="num">{_fig(f.point_biserial)}</td>'
            f'<td class="num">{_fig(f.upper_lower)}</td><td>{options}</td>'
            f"<td>{escape(', '.join(f.flags)) or 'none'}</td></tr>")
    return _scroll(
        f'<table id="items-{escape(chapter)}" class="items">\n'
        f"<caption>{escape(title)}: item analysis</caption>\n"
        "<thead><tr><th scope=\"col\">Question</th><th scope=\"col\">Difficulty</th>"
        "<th scope=\"col\">Discrimination</th><th scope=\"col\">Upper-lower</th>"
        "<th scope=\"col\">Options chosen</th><th scope=\"col\">Flags</th></tr></thead>\n"
        "<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>",
        f"{title}: item analysis")


def _figures_legend() -> str:
    return ("<section id=\"figures\">\n<h2>What the item figures mean</h2>\n<dl>\n"
            + "\n".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in FIGURES.items())
            + "\n</dl>\n</section>")


def _chapter(chapter: str, title: str, rows: list[QuestionStats],
             items: list[ItemFigures] | None = None) -> str:
    caption = (f"Chapter {chapter}: share of learners who answered each question right "
               "(bar length; the label gives right answers of answers)")
    svg = chapter_svg(rows, caption)
    body = []
    for s in rows:
        wrong = escape(s.wrong_answer) + f" ({s.wrong_count})" if s.wrong_answer else "none"
        body.append(
            "<tr>"
            f"<td>Q{s.number}</td>"
            f"<td>{escape(s.prompt)}<br><small>id {escape(s.question)}</small></td>"
            f'<td class="num" data-right="{s.right}" data-answered="{s.answered}">'
            f"{_pct(s)} ({s.right} of {s.answered})</td>"
            f"<td>{wrong}</td>"
            f"<td>{escape(s.wrong_feedback or '')}</td>"
            "</tr>")
    table_id = f"table-{escape(chapter)}"
    return (f'<section id="chapter-{escape(chapter)}">\n'
            f"<h2>{escape(title)} <small>({escape(chapter)})</small></h2>\n"
            f'<figure aria-describedby="{table_id}">\n{svg}\n'
            f"<figcaption>{escape(caption)}. The table below gives the same numbers."
            "</figcaption>\n</figure>\n"
            + _scroll(
                f'<table id="{table_id}" class="questions">\n'
                f"<caption>{escape(title)}: every question answered</caption>\n"
                "<thead><tr><th scope=\"col\">Question</th><th scope=\"col\">Prompt</th>"
                "<th scope=\"col\">Answered right</th><th scope=\"col\">Most-chosen wrong "
                "answer (learners)</th><th scope=\"col\">Its feedback</th></tr></thead>\n"
                "<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>",
                f"{title}: table of every question")
            + ("\n" + _items(chapter, title, items, {s.question: s.number for s in rows})
               if items else "")
            + "\n</section>")


def render_page(stats: dict[str, list[QuestionStats]], missed: list[QuestionStats],
                titles: dict[str, str], skips: list[Skip], n_learners: int,
                n_answers: int, book_url: str | None = None,
                items: dict[str, list[ItemFigures]] | None = None) -> str:
    items = items or {}
    if book_url is not None:
        book_url = check_book_url(book_url)
    top = []
    for s in missed:
        top.append(
            "<tr>"
            f"<td>{escape(s.chapter)} Q{s.number}</td><td>{escape(s.prompt)}</td>"
            f'<td class="num">{_pct(s)} ({s.right} of {s.answered})</td>'
            f"<td>{_section(s, book_url, titles.get(s.chapter, s.chapter))}</td></tr>")
    missed_html = ("<p>Every answered question was answered right by everybody.</p>"
                   if not top else
                   _scroll('<table id="most-missed"><caption>The questions with the lowest '
                           "share answered right</caption>\n<thead><tr>"
                           "<th scope=\"col\">Question</th><th scope=\"col\">Prompt</th>"
                           "<th scope=\"col\">Answered right</th>"
                           "<th scope=\"col\">Section to revisit</th></tr></thead>\n"
                           "<tbody>\n" + "\n".join(top) + "\n</tbody></table>",
                           "The most-missed questions"))
    if skips:
        skip_html = (f"<p>{len(skips)} input(s) or part(s) of inputs were left out:</p>\n"
                     '<ul class="skips">\n'
                     + "\n".join(f"<li>{escape(s.line())}</li>" for s in skips) + "\n</ul>")
    else:
        skip_html = "<p>No input was left out.</p>"
    chapters = "\n".join(_chapter(c, titles.get(c, c), rows, items.get(c))
                         for c, rows in stats.items())
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n"
        "<title>Quiz class report</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>Quiz class report</h1>\n"
        f'<p id="summary">{n_answers} answer(s) from {n_learners} learner(s), '
        f"{sum(len(r) for r in stats.values())} question(s) in {len(stats)} chapter(s)."
        "</p>\n"
        "<section id=\"missed\">\n<h2>Five most-missed questions</h2>\n"
        f"{missed_html}\n</section>\n{_figures_legend() if items else ''}\n{chapters}\n"
        f"<section id=\"skipped\">\n<h2>Inputs left out</h2>\n{skip_html}\n</section>\n"
        "</main>\n</body>\n</html>\n")
