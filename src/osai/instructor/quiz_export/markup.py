"""What every export format shares: bank text as HTML, and the mapping of each question type.

Every string of a bank is text, never markup.  :func:`html_text` turns it into HTML that
shows exactly that text: ``& < > " '`` become entities, and so do the characters a format
would otherwise eat or choke on (carriage returns, which XML parsers normalise; U+2028/9; C0
controls, which XML 1.0 forbids; ``%`` and ``[``, which GIFT reads as a weight or a format
at the start of an answer; leading and trailing white space, which Moodle trims).  Each
format then escapes that HTML once more for its own syntax (XML, GIFT).

:func:`question_html`, :func:`pairs_feedback_html` and :func:`order_feedback_html` give the
fixed HTML shapes the formats share, so a reader (the tests) can take them apart again.
Feedback that names a numeric question's ``{answer}`` is filled by
:func:`osai.quiz.model.fill_answer`, as the widget fills it.
"""

from __future__ import annotations

import math
import re
from html import escape

from osai.quiz.model import fill_answer

__all__ = [
    "FORMATS",
    "as_matching",
    "fraction",
    "html_text",
    "number",
    "order_feedback_html",
    "ordinal",
    "overall_feedback_html",
    "pairs_feedback_html",
    "question_html",
]

#: format name -> file it writes in the output folder
FORMATS = {"moodle": "osai-quizzes.moodle.xml", "qti": "osai-quizzes.qti.zip",
           "gift": "osai-quizzes.gift.txt"}

# characters written as numeric references whatever their place in the text
_ALWAYS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\r\u2028\u2029\ufffe\uffff%\\[\\]]"
                     "|[\ud800-\udfff]")
_EDGE = re.compile(r"^\s+|\s+$")


def _ref(ch: str) -> str:
    return "".join(f"&#{ord(c)};" for c in ch)


def html_text(value) -> str:
    """A bank string as HTML that displays exactly that string (see the module docstring)."""
    text = escape(str(value), quote=False)
    text = _ALWAYS.sub(lambda m: _ref(m.group()), text)
    return _EDGE.sub(lambda m: _ref(m.group()), text)


def number(x) -> str:
    """A number as the formats write it: integers plain, else the shortest exact decimal."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x!r}")
    return str(int(x)) if x == int(x) else repr(x)


def fraction(part: int, whole: int, sign: int = 1) -> str:
    """``sign * 100 * part / whole`` as Moodle writes grade fractions (five decimals at most;
    Moodle's import matches them to its grade list within 1e-5)."""
    value = sign * 100.0 * part / whole
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def question_html(q: dict, unit: bool = False) -> str:
    """The question text: a scenario's case, then the prompt (and, for formats without units,
    the unit of a numeric answer)."""
    parts = []
    if q.get("type") == "scenario" and q.get("case"):
        parts.append(f'<p class="osai-case">{html_text(q["case"])}</p>')
    parts.append(f'<p class="osai-prompt">{html_text(q.get("prompt", ""))}</p>')
    if unit and q.get("type") == "numeric" and q.get("unit"):
        parts.append(f'<p class="osai-unit">Unit: {html_text(q["unit"])}</p>')
    return "".join(parts)


def as_matching(q: dict) -> dict:
    """A matching or ordering question as matching: ``{left, right, solution, feedback}``.

    Ordering becomes matching of each item to its position ("1st" ... "Nth"): the nearest
    native type in QTI 1.2 (Canvas) and GIFT.  Each item's feedback is its date.
    """
    if q["type"] == "matching":
        return {"left": q["left"], "right": q["right"], "solution": q["solution"]}
    n = len(q["items"])
    right = [{"id": f"p{i}", "text": ordinal(i)} for i in range(1, n + 1)]
    left = [{"id": it["id"], "text": it["text"], "feedback": it.get("date")}
            for it in q["items"]]
    return {"left": left, "right": right,
            "solution": {k: f"p{v}" for k, v in q["solution"].items()}}


def pairs_feedback_html(q: dict) -> str:
    """Per-pair feedback of a matching question as a list: item, its match, why.  The arrow
    is the character itself, not a reference: Moodle's XML import drops a whitespace-only
    run between two references (see :mod:`.moodle_xml`)."""
    right = {r["id"]: r["text"] for r in q["right"]}
    rows = "".join(
        f'<li><span class="osai-left">{html_text(x["text"])}</span> \u2192 '
        f'<span class="osai-right">{html_text(right[q["solution"][x["id"]]])}</span>: '
        f'<span class="osai-why">{html_text(x.get("feedback") or "")}</span></li>'
        for x in q["left"])
    return f'<ul class="osai-pairs">{rows}</ul>'


def order_feedback_html(q: dict) -> str:
    """The right order of an ordering question, each event with its date."""
    by_id = {it["id"]: it for it in q["items"]}
    order = sorted(q["solution"], key=q["solution"].get)
    rows = "".join(f'<li><span class="osai-item">{html_text(by_id[i]["text"])}</span> '
                   f'(<span class="osai-date">{html_text(by_id[i]["date"])}</span>)</li>'
                   for i in order)
    return f'<ol class="osai-order">{rows}</ol>'


def overall_feedback_html(q: dict) -> str:
    """Right / not right feedback, for a format with one general feedback only (GIFT)."""
    fb = q.get("feedback") or {}
    return (f'<p class="osai-if-right">If right: {html_text(fill_answer(fb.get("correct"), q))}'
            f'</p><p class="osai-if-wrong">If not: '
            f'{html_text(fill_answer(fb.get("incorrect"), q))}</p>')
