"""Printable quiz handouts (questions only) and answer keys (answers + every feedback text).

Self-contained HTML files (no scripts, no outside requests); every text from a bank is
escaped, so a question that contains markup prints as text.  Written by ``osai quiz
handouts`` (:mod:`osai.instructor.quiz_cli`) from the loaded banks (:mod:`osai.quiz.model`).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from osai.formats import fmt_number
from osai.quiz.model import fill_answer

CSS = """
body { font-family: system-ui, sans-serif; line-height: 1.45; max-width: 46rem;
  margin: 2rem auto; padding: 0 1rem; color: #111; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
.meta { font-size: 0.9rem; color: #333; }
.q { break-inside: avoid; border-top: 1px solid #999; padding-top: 0.5rem; }
.case { border-left: 4px solid #999; padding-left: 0.75rem; }
ul.choices { list-style: none; padding-left: 0.5rem; }
.blank { display: inline-block; min-width: 8rem; border-bottom: 1px solid #000; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 0.25rem 0.5rem;
  text-align: left; vertical-align: top; }
.right { font-weight: 700; }
@media print { body { margin: 0; } }
"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<main>\n{body}\n</main>\n</body>\n</html>\n")


def _head(q: dict, n: int) -> str:
    parts = [f'<section class="q"><h2>Question {n}. {escape(q["prompt"])}</h2>',
             f'<p class="meta">Section: {escape(q["section"])} · objective: '
             f'{escape(q["objective"])} · id: {escape(q["id"])}</p>']
    if q["type"] == "scenario":
        parts.append(f'<p class="case"><strong>Case.</strong> {escape(q["case"])}</p>')
    return "\n".join(parts)


def question_html(q: dict, n: int) -> str:
    out = [_head(q, n)]
    t = q["type"]
    if t in ("single", "scenario", "multiple"):
        out.append(f"<p>{'Tick all that apply.' if t == 'multiple' else 'Tick one.'}</p>")
        out.append('<ul class="choices">' + "".join(
            f"<li>☐ {escape(o['text'])}</li>" for o in q["options"]) + "</ul>")
    elif t == "numeric":
        out.append(f'<p>Answer: <span class="blank"></span> {escape(q["unit"])}</p>')
    elif t == "ordering":
        out.append("<p>Write each event's position in time (1 = earliest).</p><table>"
                   "<tr><th>Event</th><th>Position</th></tr>" + "".join(
                       f"<tr><td>{escape(i['text'])}</td><td></td></tr>" for i in q["items"])
                   + "</table>")
    elif t == "matching":
        out.append("<p>Write the matching choice next to each item.</p><table>"
                   "<tr><th>Item</th><th>Match</th></tr>" + "".join(
                       f"<tr><td>{escape(x['text'])}</td><td></td></tr>" for x in q["left"])
                   + "</table><p>Choices: " + "; ".join(escape(r["text"]) for r in q["right"])
                   + "</p>")
    out.append("</section>")
    return "\n".join(out)


def answer_html(q: dict, n: int) -> str:
    out = [_head(q, n)]
    t = q["type"]
    if t in ("single", "scenario", "multiple"):
        items = []
        for o in q["options"]:
            ok = o["id"] in q["correct"]
            mark = "✓ right" if ok else "✗ wrong"
            items.append(f'<li><span class="{"right" if ok else ""}">{mark}: '
                         f"{escape(o['text'])}</span><br>{escape(o['feedback'])}</li>")
        out.append("<ul>" + "".join(items) + "</ul>")
    elif t == "numeric":
        c = q["compute"]
        out.append(f'<p class="right">Answer: {escape(fmt_number(q["answer"]))} '
                   f'{escape(q["unit"])} (accepted within ±{escape(fmt_number(q["tolerance"]))})'
                   f"</p><p>Computed from data: {escape(c['kind'].replace('_', ' '))} "
                   f"{escape(c['events'][0])} ({escape(c['dates'][0])}) and "
                   f"{escape(c['events'][1])} ({escape(c['dates'][1])}).</p>")
        fb = q["feedback"]
        out.append(f"<p>Feedback if right: {escape(fill_answer(fb['correct'], q))}</p>"
                   f"<p>Feedback if wrong: {escape(fill_answer(fb['incorrect'], q))}</p>")
    elif t == "ordering":
        order = sorted(q["items"], key=lambda i: q["solution"][i["id"]])
        out.append("<ol>" + "".join(f"<li>{escape(i['text'])} ({escape(i['date'])})</li>"
                                    for i in order) + "</ol>")
        out.append(f"<p>Feedback if right: {escape(q['feedback']['correct'])}</p>"
                   f"<p>Feedback if wrong: {escape(q['feedback']['incorrect'])}</p>")
    elif t == "matching":
        right = {r["id"]: r["text"] for r in q["right"]}
        out.append("<table><tr><th>Item</th><th>Match</th><th>Why</th></tr>" + "".join(
            f"<tr><td>{escape(x['text'])}</td><td class=\"right\">"
            f"{escape(right[q['solution'][x['id']]])}</td><td>{escape(x['feedback'])}</td></tr>"
            for x in q["left"]) + "</table>")
        out.append(f"<p>Feedback if right: {escape(q['feedback']['correct'])}</p>"
                   f"<p>Feedback if wrong: {escape(q['feedback']['incorrect'])}</p>")
    out.append("</section>")
    return "\n".join(out)


def handout(bank: dict) -> str:
    body = [f"<h1>Quiz: {escape(bank['title'])}</h1>",
            f'<p class="meta">Chapter {escape(bank["chapter"])} · {len(bank["questions"])} '
            "questions · Name: <span class=\"blank\"></span></p>"]
    body += [question_html(q, i + 1) for i, q in enumerate(bank["questions"])]
    return _page(f"Quiz: {bank['title']}", "\n".join(body))


def answer_key(bank: dict) -> str:
    body = [f"<h1>Answer key: {escape(bank['title'])}</h1>",
            f'<p class="meta">Chapter {escape(bank["chapter"])} · source: '
            f'{escape(bank["file"])} · for instructors</p>']
    body += [answer_html(q, i + 1) for i, q in enumerate(bank["questions"])]
    return _page(f"Answer key: {bank['title']}", "\n".join(body))


def write_handouts(banks: dict[str, dict], out: Path) -> list[Path]:
    """Write ``<chapter>-questions.html`` and ``<chapter>-answers.html`` per bank, and an
    ``index.html`` linking them; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written, links = [], []
    for chapter, bank in banks.items():
        q = out / f"{chapter}-questions.html"
        a = out / f"{chapter}-answers.html"
        q.write_text(handout(bank), encoding="utf-8")
        a.write_text(answer_key(bank), encoding="utf-8")
        written += [q, a]
        links.append(f'<li>{escape(bank["title"])}: <a href="{escape(q.name)}">questions</a>'
                     f' · <a href="{escape(a.name)}">answer key</a></li>')
    index = out / "index.html"
    index.write_text(_page("Quiz handouts", "<h1>Quiz handouts</h1><ul>" + "".join(links)
                           + "</ul>"), encoding="utf-8")
    written.append(index)
    return written
