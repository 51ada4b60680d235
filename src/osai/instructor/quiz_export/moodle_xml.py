"""Moodle XML, as Moodle's question import reads it (``question/format/xml/format.php``).

One ``<quiz>`` file for the chosen chapters: a ``category`` pseudo-question per chapter
(``$course$/top/osai/<chapter>``, its title as the category info), then its questions, each
with the chapter and the objective as tags and ``<idnumber>`` the question id.  A question
with variants gets a category of its own, ``$course$/top/osai/<chapter>/<question id>``,
holding it and its variants (each a full question, ``<idnumber>`` its own id), so a quiz
can draw one with "random question from category"; the chapter's category follows again.

=====================  ===========================================================
bank type              Moodle question
=====================  ===========================================================
single, scenario       ``multichoice``, ``<single>true``: right 100, wrong 0
multiple               ``multichoice``, ``<single>false``: each right option
                       100/k, each wrong option -100/m (k right, m wrong; Moodle's
                       grade list holds 1/1 ... 1/10), so ticking all scores 0
numeric                ``numerical``: the answer computed from data/ (fraction 100,
                       ``<tolerance>``, right feedback) and ``*`` (fraction 0,
                       wrong feedback); the unit as ``<units>``
matching               ``matching`` (qtype_match): each pair a ``<subquestion>``,
                       each distractor a subquestion with empty text, as Moodle
                       stores them; per-pair feedback in the general feedback
ordering               ``ordering`` (qtype_ordering, core since Moodle 4.4, a plugin
                       before): items in the right order, all-or-nothing grading;
                       the right order with dates in the general feedback
=====================  ===========================================================

Spacing: Moodle parses the file with PHP's xml parser with ``XML_OPTION_SKIP_WHITE``
(``lib/xmlize.php``), which hands character data over in chunks split at every entity
(each ``&lt;``, ``&gt;``, ``&amp;`` of the HTML) and skips a chunk that is only
whitespace, so the space in ``</span> <span>`` would be lost; such a run between two of
``<``, ``>``, ``&`` is written as ``&#32;`` (:func:`keep_spaces`).  The importer then trims
each text (``getpath(..., true)``).

Texts are HTML (``format="html"``): every bank string escaped by
:func:`~osai.instructor.quiz_export.markup.html_text`, the whole escaped again by the XML writer
(ElementTree), so ``]]>``, ``</text>`` or ``<script>`` in a bank stay text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from osai.instructor.quiz_export.markup import (
    fraction,
    html_text,
    number,
    order_feedback_html,
    pairs_feedback_html,
    question_html,
)
from osai.quiz.model import fill_answer

__all__ = ["keep_spaces", "moodle_xml"]

_LOST_SPACE = re.compile(r"(?<=[<>&])[ \t\r\n]+(?=[<>&])")


def keep_spaces(html: str) -> str:
    """``html`` with every whitespace-only run between two of ``<``, ``>``, ``&`` written
    as ``&#32;``, which Moodle's import keeps (the same space once rendered)."""
    return _LOST_SPACE.sub("&#32;", html)


def _text(parent: ET.Element, tag: str, html: str, fmt: str | None = "html",
          **attrs) -> ET.Element:
    el = ET.SubElement(parent, tag, {**({"format": fmt} if fmt else {}), **attrs})
    ET.SubElement(el, "text").text = keep_spaces(html) if fmt == "html" else html
    return el


def _combined(el: ET.Element, q: dict) -> None:
    fb = q.get("feedback") or {}
    right = html_text(fill_answer(fb.get("correct"), q)) if fb.get("correct") else ""
    wrong = html_text(fill_answer(fb.get("incorrect"), q)) if fb.get("incorrect") else ""
    _text(el, "correctfeedback", right)
    _text(el, "partiallycorrectfeedback", wrong)
    _text(el, "incorrectfeedback", wrong)
    ET.SubElement(el, "shownumcorrect")


def _question(quiz: ET.Element, q: dict, chapter: str) -> None:
    kind = {"single": "multichoice", "scenario": "multichoice", "multiple": "multichoice",
            "numeric": "numerical", "matching": "matching", "ordering": "ordering"}[q["type"]]
    el = ET.SubElement(quiz, "question", {"type": kind})
    _text(el, "name", q["id"], fmt=None)
    _text(el, "questiontext", question_html(q))
    general = {"matching": lambda: pairs_feedback_html(q),
               "ordering": lambda: order_feedback_html(q)}.get(q["type"], lambda: "")()
    _text(el, "generalfeedback", general)
    ET.SubElement(el, "defaultgrade").text = "1"
    ET.SubElement(el, "penalty").text = "0.3333333"
    ET.SubElement(el, "hidden").text = "0"
    ET.SubElement(el, "idnumber").text = q["id"]

    if kind == "multichoice":
        single = q["type"] != "multiple"
        ET.SubElement(el, "single").text = "true" if single else "false"
        ET.SubElement(el, "shuffleanswers").text = "true"
        ET.SubElement(el, "answernumbering").text = "abc"
        ET.SubElement(el, "showstandardinstruction").text = "1"
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(el, tag, "")
        right = set(q["correct"])
        k, m = len(right), len(q["options"]) - len(right)
        for opt in q["options"]:
            if single:
                frac = "100" if opt["id"] in right else "0"
            else:
                frac = fraction(1, k) if opt["id"] in right else fraction(1, m, -1)
            ans = _text(el, "answer", html_text(opt["text"]), fraction=frac)
            _text(ans, "feedback", html_text(opt["feedback"]))
    elif kind == "numerical":
        fb = q.get("feedback") or {}
        ans = _text(el, "answer", number(q["answer"]), fmt="moodle_auto_format",
                    fraction="100")
        ET.SubElement(ans, "tolerance").text = number(q["tolerance"])
        _text(ans, "feedback", html_text(fill_answer(fb.get("correct"), q)))
        other = _text(el, "answer", "*", fmt="moodle_auto_format", fraction="0")
        ET.SubElement(other, "tolerance").text = "0"
        _text(other, "feedback", html_text(fill_answer(fb.get("incorrect"), q)))
        if q.get("unit"):
            units = ET.SubElement(el, "units")
            unit = ET.SubElement(units, "unit")
            ET.SubElement(unit, "multiplier").text = "1"
            ET.SubElement(unit, "unit_name").text = str(q["unit"])
        ET.SubElement(el, "unitgradingtype").text = "0"   # a missing unit costs nothing
        ET.SubElement(el, "unitpenalty").text = "0.1000000"
        ET.SubElement(el, "showunits").text = "3" if not q.get("unit") else "0"
        ET.SubElement(el, "unitsleft").text = "0"
    elif kind == "matching":
        ET.SubElement(el, "shuffleanswers").text = "true"
        _combined(el, q)
        right = {r["id"]: r["text"] for r in q["right"]}
        used = set(q["solution"].values())
        for left in q["left"]:
            sub = _text(el, "subquestion", html_text(left["text"]))
            _text(sub, "answer", html_text(right[q["solution"][left["id"]]]), fmt=None)
        for r in q["right"]:
            if r["id"] not in used:  # a distractor: a subquestion with no text
                sub = _text(el, "subquestion", "")
                _text(sub, "answer", html_text(r["text"]), fmt=None)
    else:  # ordering
        n = len(q["items"])
        ET.SubElement(el, "layouttype").text = "VERTICAL"
        ET.SubElement(el, "selecttype").text = "ALL"
        ET.SubElement(el, "selectcount").text = str(n)
        ET.SubElement(el, "gradingtype").text = "ALL_OR_NOTHING"
        ET.SubElement(el, "showgrading").text = "SHOW"
        ET.SubElement(el, "numberingstyle").text = "none"
        _combined(el, q)
        by_id = {it["id"]: it for it in q["items"]}
        for pos, item in enumerate(sorted(q["solution"], key=q["solution"].get), 1):
            _text(el, "answer", html_text(by_id[item]["text"]), fraction=str(pos))

    tags = ET.SubElement(el, "tags")
    for tag in (chapter, q["objective"]):
        ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag


def _category(quiz: ET.Element, path: str, info: str, idnumber: str) -> None:
    cat = ET.SubElement(quiz, "question", {"type": "category"})
    _text(cat, "category", f"$course$/top/osai/{path}", fmt=None)
    _text(cat, "info", html_text(info))
    ET.SubElement(cat, "idnumber").text = idnumber


def moodle_xml(banks: dict[str, dict]) -> bytes:
    """One Moodle XML file (UTF-8 bytes) with every bank: a category per chapter, and in it
    a category per question with variants (the question and its variants, for Moodle's
    "random question from category"); the questions in bank order."""
    quiz = ET.Element("quiz")
    for chapter, bank in banks.items():
        title = bank.get("title") or chapter
        _category(quiz, chapter, title, f"osai-{chapter}")
        for q in bank["questions"]:
            variants = q.get("variants") or []
            if not variants:
                _question(quiz, q, chapter)
                continue
            _category(quiz, f"{chapter}/{q['id']}",
                      f"{title}: {q['id']} and its {len(variants)} variants (objective "
                      f"{q['objective']}); add one random question from this category",
                      f"osai-{chapter}-{q['id']}")
            for v in (q, *variants):
                _question(quiz, v, chapter)
            _category(quiz, chapter, title, f"osai-{chapter}")
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"
