"""GIFT, as Moodle's GIFT import reads it (``question/format/gift/format.php``).

A ``$CATEGORY: $course$/top/osai/<chapter>`` line per chapter, then its questions; a
question with variants shares ``$CATEGORY: $course$/top/osai/<chapter>/<question id>`` with
them (then the chapter's category again).  GIFT
has no tags: the question name is ``::<chapter>/<question id>::``, and a comment line above
each question carries ``// [tag:<chapter>] [tag:<objective>]``, which readers that take tags
from comments read as tags (gift-pegjs does, "like the Moodle parser", its grammar says)
and any other reader skips as a comment.

=====================  ===========================================================
bank type              GIFT
=====================  ===========================================================
single, scenario       ``{=right#feedback ~wrong#feedback}``
multiple               ``{~%50%right#feedback ~%-50%wrong#feedback}``: weights as
                       in the Moodle XML export
numeric                ``{#=%100%answer:tolerance#right ~#wrong}``; the unit is
                       written in the question text (GIFT has no units)
matching               ``{=item -> match ... = -> distractor}``; per-pair and
                       right/wrong feedback in the general feedback (``####``)
ordering               matching of each event to its position ("1st" ... "Nth"):
                       GIFT has no ordering type (Moodle's ordering plugin has a
                       ``{>...}`` extension that standard GIFT readers reject)
=====================  ===========================================================

Texts are ``[html]``: each bank string escaped by
:func:`~osai.instructor.quiz_export.markup.html_text` (so ``->``, ``%``, ``[`` are entities), then
every GIFT special (``\\ ~ = # { } :``) escaped with a backslash as Moodle's ``repchar``
does, and newlines written ``\\n``.  Matching choices are plain text in GIFT; theirs
are the same HTML, with runs of white space kept as entities (GIFT readers collapse them).
"""

from __future__ import annotations

import re

from osai.instructor.quiz_export.markup import (
    as_matching,
    fraction,
    html_text,
    number,
    order_feedback_html,
    overall_feedback_html,
    pairs_feedback_html,
    question_html,
)
from osai.quiz.model import fill_answer

__all__ = ["escape", "gift_text"]

_SPECIAL = re.compile(r"([\\~=#{}:])")


def escape(text: str) -> str:
    """Escape GIFT's reserved characters (Moodle's ``repchar``); newlines become ``\\n``."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")


def _plain(html: str) -> str:
    """A matching choice: GIFT readers trim it and collapse white space, so keep it as
    entities wherever one space would not survive."""
    return re.sub(r"\s(?=\s)|(?<=\s)\s|[^\S ]", lambda m: f"&#{ord(m.group())};", html)


def _question(q: dict, chapter: str) -> str:
    lines = [f"// [tag:{chapter}] [tag:{q['objective']}]",
             (f"::{escape(chapter + '/' + q['id'])}::[html]"
              f"{escape(question_html(q, unit=True))}{{")]
    t = q["type"]
    general = ""
    if t in ("single", "scenario", "multiple"):
        right = set(q["correct"])
        k, m = len(right), len(q["options"]) - len(right)
        for o in q["options"]:
            if t != "multiple":
                mark = "=" if o["id"] in right else "~"
            else:
                mark = (f"~%{fraction(1, k)}%" if o["id"] in right
                        else f"~%{fraction(1, m, -1)}%")
            lines.append(f"\t{mark}{escape(html_text(o['text']))}"
                         f"#{escape(html_text(o['feedback']))}")
    elif t == "numeric":
        fb = q.get("feedback") or {}
        lines[-1] += "#"
        lines.append(f"\t=%100%{number(q['answer'])}:{number(q['tolerance'])}"
                     f"#{escape(html_text(fill_answer(fb.get('correct'), q)))}")
        lines.append(f"\t~#{escape(html_text(fill_answer(fb.get('incorrect'), q)))}")
    else:
        mq = as_matching(q)
        right = {r["id"]: r["text"] for r in mq["right"]}
        used = set(mq["solution"].values())
        for x in mq["left"]:
            lines.append(f"\t={escape(html_text(x['text']))} -> "
                         f"{escape(_plain(html_text(right[mq['solution'][x['id']]])))}")
        for r in mq["right"]:
            if r["id"] not in used:
                lines.append(f"\t= -> {escape(_plain(html_text(r['text'])))}")
        general = (pairs_feedback_html(q) if t == "matching" else order_feedback_html(q)) \
            + overall_feedback_html(q)
    if general:
        lines.append(f"\t####{escape(general)}")
    lines.append("}")
    return "\n".join(lines)


def gift_text(banks: dict[str, dict]) -> str:
    """One GIFT file with every bank: a category line per chapter, blank-line separated."""
    blocks = ["// Quiz banks of the course \"Sustaining open-source AI\" (osai quiz export)."]
    for chapter, bank in banks.items():
        blocks.append(f"$CATEGORY: $course$/top/osai/{chapter}")
        for q in bank["questions"]:
            variants = q.get("variants") or []
            if not variants:
                blocks.append(_question(q, chapter))
                continue
            # a question and its variants share a category (one random question from it)
            blocks.append(f"$CATEGORY: $course$/top/osai/{chapter}/{q['id']}")
            blocks += [_question(v, chapter) for v in (q, *variants)]
            blocks.append(f"$CATEGORY: $course$/top/osai/{chapter}")
    return "\n\n".join(blocks) + "\n"
