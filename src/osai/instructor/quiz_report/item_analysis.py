"""Item analysis: how each question behaved in the class, in the figures test writers use.

Per question of a chapter, over the learners who answered it:

* **difficulty** ``p``: the share who answered right;
* **discrimination**, the point-biserial correlation between the item (1 right, 0 wrong)
  and the learner's *rest score* (right answers to the chapter's other questions), so the
  item is not correlated with itself: ``r = (M1 - M0) / s * sqrt(p * (1 - p))``, with M1 and
  M0 the mean rest scores of those right and wrong and ``s`` the rest scores' population
  standard deviation; None when everybody (or nobody) was right or the rest scores are all
  equal;
* when the input names learners (LMS exports do; a progress file is named only by its
  path), the **upper-lower index** ``D``: learners ranked by their chapter score (ties by
  name), the share right in the top 27% minus the share right in the bottom 27% (each group
  at least one learner; None under 4 learners);
* the **share choosing each option** (choice questions; for a multiple answer, ticking it);
* **flags**: too easy (p > 0.90), too hard (p < 0.30), negative discrimination (r or D
  below 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from osai.instructor.quiz_report.records import Answer

__all__ = ["EASY", "FIGURES", "HARD", "ItemFigures", "item_analysis"]

EASY = 0.90
HARD = 0.30
GROUP = 0.27

#: what each figure means for a teacher, two sentences each (shown in the report)
FIGURES = {
    "Difficulty": "The share of learners who answered the question right, from 0 to 1. "
                  "Above 0.90 the question tells you little about who understood; below "
                  "0.30 it points at a section to teach again or a question to rewrite.",
    "Discrimination": "The point-biserial correlation between getting this question right "
                      "and the score on the chapter's other questions, from -1 to 1. From "
                      "about 0.2 up the question separates learners who understood the "
                      "chapter from those who did not; near 0 or below, it measures "
                      "something else, often a wrong key or a misleading option.",
    "Upper-lower": "The share right among the 27% of learners with the highest chapter "
                   "scores minus the share right among the 27% with the lowest (shown when "
                   "the input names learners, as LMS exports do). It reads like the "
                   "discrimination: positive is what you want, and a negative value means "
                   "the stronger learners were caught by the question more often.",
    "Options chosen": "The share of learners who chose each option (for a question with "
                      "several answers, who ticked it). An option almost nobody chooses is "
                      "not a plausible mistake and can be rewritten; a wrong option chosen "
                      "more often than the key points at a misconception, or at a fault "
                      "in the question.",
    "Flags": "Too easy (difficulty above 0.90), too hard (below 0.30) and negative "
             "discrimination. A flag is a reason to read the question again with its "
             "figures, not a verdict: a key idea everyone has learned is rightly easy.",
}


@dataclass(frozen=True)
class ItemFigures:
    chapter: str
    question: str
    answered: int
    difficulty: float
    point_biserial: float | None
    upper_lower: float | None
    #: (option id, option text, share choosing it, is it keyed right), bank order
    options: tuple[tuple[str, str, float, bool], ...]
    flags: tuple[str, ...]


def _point_biserial(items: list[int], rest: list[float]) -> float | None:
    n = len(items)
    right = [r for i, r in zip(items, rest) if i]
    wrong = [r for i, r in zip(items, rest) if not i]
    if not right or not wrong:
        return None
    mean = sum(rest) / n
    sd = math.sqrt(sum((r - mean) ** 2 for r in rest) / n)
    if sd == 0:
        return None
    p = len(right) / n
    return (sum(right) / len(right) - sum(wrong) / len(wrong)) / sd * math.sqrt(p * (1 - p))


def _upper_lower(ranked: list[tuple[float, str, int]]) -> float | None:
    """``ranked``: (chapter score, learner, item right) of those who answered the item."""
    n = len(ranked)
    if n < 4:
        return None
    k = max(1, round(GROUP * n))
    order = sorted(ranked, key=lambda t: (-t[0], t[1]))
    upper, lower = order[:k], order[-k:]
    return sum(t[2] for t in upper) / k - sum(t[2] for t in lower) / k


def _options(q: dict, answers: list) -> tuple[tuple[str, str, float, bool], ...]:
    if q["type"] not in ("single", "scenario", "multiple") or not answers:
        return ()
    correct = set(q.get("correct") or ())
    out = []
    for o in q["options"]:
        if q["type"] == "multiple":
            n = sum(1 for a in answers if o["id"] in a)
        else:
            n = sum(1 for a in answers if a == o["id"])
        out.append((o["id"], str(o.get("text", "")), n / len(answers), o["id"] in correct))
    return tuple(out)


def item_analysis(answers: list[Answer], banks: dict[str, dict]) -> dict[str, list[ItemFigures]]:
    """Per chapter (bank order), the figures of every question with answers."""
    by_chapter: dict[str, dict[str, dict[str, Answer]]] = {}
    for a in answers:
        by_chapter.setdefault(a.chapter, {}).setdefault(a.learner, {})[a.question] = a
    out: dict[str, list[ItemFigures]] = {}
    for chapter, bank in banks.items():
        learners = by_chapter.get(chapter)
        if not learners:
            continue
        named = any(a.learner != a.source for got in learners.values() for a in got.values())
        totals = {who: sum(a.correct for a in got.values()) for who, got in learners.items()}
        rows = []
        for q in bank["questions"]:
            took = [(who, got[q["id"]]) for who, got in learners.items() if q["id"] in got]
            if not took:
                continue
            items = [int(a.correct) for _, a in took]
            rest = [totals[who] - int(a.correct) for who, a in took]
            p = sum(items) / len(items)
            r = _point_biserial(items, rest)
            d = _upper_lower([(totals[who], who, int(a.correct)) for who, a in took]) \
                if named else None
            flags = []
            if p > EASY:
                flags.append("too easy")
            if p < HARD:
                flags.append("too hard")
            if (r is not None and r < 0) or (d is not None and d < 0):
                flags.append("negative discrimination")
            rows.append(ItemFigures(chapter, q["id"], len(took), p, r, d,
                                    _options(q, [a.answer for _, a in took]), tuple(flags)))
        if rows:
            out[chapter] = rows
    return out
