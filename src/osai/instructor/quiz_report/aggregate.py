"""From answers to the class view: per question, the share right and the commonest mistake.

For each question of each chapter with at least one answer: how many learners answered,
how many answered right, and the most-chosen wrong answer described in words with the
feedback the bank gives for it:

* single, scenario: the wrong option chosen most often, and that option's feedback;
* multiple: the wrong option ticked most often in wrong answers (or, when every wrong
  answer only left a right option out, the right option left out most often), and its
  feedback;
* numeric: the wrong value given most often, and the bank's feedback for a wrong answer;
* ordering: the wrong order given most often, as the items from earliest to latest;
* matching: the wrong set of matches given most often, as its wrong pairs, with the
  bank's feedback on those items.

Ties are broken by the bank's order (options) or the first wrong answer met, so the
report is the same for the same input.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from osai.formats import fmt_number
from osai.instructor.quiz_report.records import Answer
from osai.quiz.model import fill_answer

__all__ = ["QuestionStats", "aggregate", "most_missed"]

_ORD = {1: "1st", 2: "2nd", 3: "3rd"}


@dataclass(frozen=True)
class QuestionStats:
    chapter: str
    number: int  # 1-based position in the bank, as the widget numbers it
    question: str
    prompt: str
    section: str
    section_anchor: str | None
    type: str
    answered: int
    right: int
    wrong_answer: str | None  # the most-chosen wrong answer, in words
    wrong_count: int
    wrong_feedback: str | None

    @property
    def share(self) -> float:
        return self.right / self.answered

    @property
    def missed(self) -> int:
        return self.answered - self.right


def _key(answer) -> str:
    return json.dumps(answer, sort_keys=True)


def _commonest_wrong(q: dict, wrong: list) -> tuple[str | None, int, str | None]:
    if not wrong:
        return None, 0, None
    qtype = q["type"]
    if qtype in ("single", "scenario", "multiple"):
        options = {o["id"]: o for o in q["options"]}
        order = [o["id"] for o in q["options"]]
        if qtype == "multiple":
            picked = Counter(a for ans in wrong for a in set(ans) if a not in q["correct"])
            if not picked:
                left_out = Counter(c for ans in wrong for c in q["correct"] if c not in ans)
                oid = max(order, key=lambda o: (left_out.get(o, 0), -order.index(o)))
                opt = options[oid]
                return (f"left out: {opt['text']}", left_out[oid], opt["feedback"])
        else:
            picked = Counter(wrong)
        oid = max(order, key=lambda o: (picked.get(o, 0), -order.index(o)))
        opt = options[oid]
        return opt["text"], picked[oid], opt["feedback"]
    counts = Counter(_key(a) for a in wrong)
    first = {}
    for a in wrong:
        first.setdefault(_key(a), a)
    best = max(counts, key=lambda k: (counts[k], -list(first).index(k)))
    answer = first[best]
    feedback = (q.get("feedback") or {}).get("incorrect")
    if qtype == "numeric":
        return (f"{fmt_number(answer)} {q.get('unit') or ''}".strip(), counts[best],
                fill_answer(feedback, q) if feedback else None)
    if qtype == "ordering":
        items = {it["id"]: it["text"] for it in q["items"]}
        order = sorted(answer, key=lambda k: (answer[k], k))
        words = "; ".join(f"{_ORD.get(answer[k], f'{answer[k]}th')}: {items[k]}"
                          for k in order)
        return words, counts[best], feedback
    # matching
    lefts = {item["id"]: item for item in q["left"]}
    rights = {r["id"]: r["text"] for r in q["right"]}
    bad = [k for k in lefts if answer.get(k) != q["solution"][k]]
    words = "; ".join(f"{lefts[k]['text']} matched with {rights[answer[k]]}" for k in bad)
    extra = " ".join(lefts[k]["feedback"] for k in bad if lefts[k].get("feedback"))
    return words, counts[best], " ".join(t for t in (feedback, extra) if t) or None


def aggregate(answers: list[Answer], banks: dict[str, dict]) -> dict[str, list[QuestionStats]]:
    """Per chapter (bank order), the stats of every question that has answers."""
    by_q: dict[tuple[str, str], list[Answer]] = {}
    for a in answers:
        by_q.setdefault((a.chapter, a.question), []).append(a)
    out: dict[str, list[QuestionStats]] = {}
    for chapter, bank in banks.items():
        rows = []
        for number, q in enumerate(bank["questions"], start=1):
            got = by_q.get((chapter, q["id"]))
            if not got:
                continue
            wrong = [a.answer for a in got if not a.correct]
            text, count, feedback = _commonest_wrong(q, wrong)
            rows.append(QuestionStats(
                chapter=chapter, number=number, question=q["id"], prompt=str(q["prompt"]),
                section=str(q.get("section") or ""), section_anchor=q.get("section_anchor"),
                type=q["type"], answered=len(got), right=sum(a.correct for a in got),
                wrong_answer=text, wrong_count=count, wrong_feedback=feedback))
        if rows:
            out[chapter] = rows
    return out


def most_missed(stats: dict[str, list[QuestionStats]], n: int = 5) -> list[QuestionStats]:
    """The ``n`` questions with the lowest share right (ties: more learners missed it, then
    chapter and bank order); questions everybody got right are left out."""
    rows = [s for rows in stats.values() for s in rows if s.missed]
    chapters = list(stats)
    rows.sort(key=lambda s: (s.share, -s.missed, chapters.index(s.chapter), s.number))
    return rows[:n]
