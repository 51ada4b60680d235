"""Test-wiseness cues in the choice questions of a loaded bank: ``osai quiz check``.

A learner who has not read the chapter can still score when the right option gives itself
away.  The item-writing guidelines (Haladyna, Downing and Rodriguez 2002) name the cues;
this module measures the ones a program can, on the text the learner reads (placeholders
filled), for every ``single``, ``scenario`` and ``multiple`` question:

* **longest option**: whether a keyed option is longer than every distractor.  By chance that
  happens in ``keyed / options`` of the items; a bank may exceed chance by at most
  :data:`MAX_LONGEST_OVER_CHANCE` (10 points);
* **length ratio**: the longest keyed option's length over the longest unkeyed one's; no
  item may reach :data:`MAX_RATIO` (1.6);
* **stem overlap**: the share of an option's content words (stop words dropped, words
  split at hyphens, plural "s" folded) that also occur in the stem (prompt and case).  An
  item is flagged when its key's share exceeds its best distractor's by more than
  :data:`MAX_OVERLAP_GAP`; a bank when its keys' mean share exceeds its distractors' mean
  by more than :data:`MAX_BANK_OVERLAP_GAP`;
* **"all/none of the above"** options, which the guidelines advise against.

:func:`lint_bank` returns a :class:`BankLint` (per bank and per item); :func:`problems`
lists the thresholds it breaks, one line each naming the file and the question id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from osai.quiz.model import Bank

__all__ = ["BankLint", "ItemLint", "MAX_BANK_OVERLAP_GAP", "MAX_LONGEST_OVER_CHANCE",
           "MAX_OVERLAP_GAP", "MAX_RATIO", "content_words", "lint_bank", "problems",
           "report_lines"]

#: a bank's keyed options may be the longest this many points above chance, no more
MAX_LONGEST_OVER_CHANCE = 0.10
#: no keyed option may be this many times as long as the longest distractor
MAX_RATIO = 1.6
#: an item's key may share at most this much more of its content words with the stem than
#: its most stem-like distractor does.  One shared word in a four-word option is 25%, an
#: incidental echo (a name the question is about); more than that and the key repeats the
#: stem's wording where the distractors do not, the cue the guidelines warn of.  On the
#: banks of 1c0a2d7 it flags 02 gpt-oss-label, 07 weights-openness, 08 lab-library and
#: restrict-uses, all read as answerable without the chapter by an independent review.
MAX_OVERLAP_GAP = 0.25
#: a bank's keys may, on average, echo the stem this much more than its distractors (the
#: banks of 1c0a2d7 range from -6 to +13 points)
MAX_BANK_OVERLAP_GAP = 0.10

CHOICE = ("single", "scenario", "multiple")
_ABOVE = re.compile(r"\b(all|none|both|neither) of (the )?(above|these|them|those)\b",
                    re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9][a-z0-9']*")
STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself
yourselves one it's its' s t don't isn't
""".split())


def content_words(text: str) -> set[str]:
    """The words of a text that carry content: lower case, stop words dropped, a plural
    "s" folded ("sponsors" and "sponsor" are one word)."""
    out = set()
    for w in _WORD.findall(text.lower()):
        w = w.strip("'-")
        if not w or w in STOP:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.add(w)
    return out


def _overlap(option: str, stem: set[str]) -> float:
    words = content_words(option)
    return len(words & stem) / len(words) if words else 0.0


@dataclass
class ItemLint:
    """The cues of one choice question."""

    id: str
    type: str
    options: int
    keyed: int
    key_longest: bool        #: a keyed option is longer than every distractor (a tie gives
    #: no cue)
    chance: float            #: keyed / options
    ratio: float             #: longest keyed length / longest unkeyed length
    key_overlap: float       #: mean stem overlap of the keyed options
    distractor_overlap: float  #: highest stem overlap of a distractor
    mean_distractor_overlap: float
    above: list[str] = field(default_factory=list)  #: "all/none of the above" options

    @property
    def overlap_gap(self) -> float:
        return self.key_overlap - self.distractor_overlap


@dataclass
class BankLint:
    """The cues of one bank: its choice items and their totals."""

    chapter: str
    file: str
    items: list[ItemLint]

    @property
    def longest_share(self) -> float:
        return sum(i.key_longest for i in self.items) / len(self.items) if self.items else 0.0

    @property
    def chance(self) -> float:
        return sum(i.chance for i in self.items) / len(self.items) if self.items else 0.0

    @property
    def max_ratio(self) -> float:
        return max((i.ratio for i in self.items), default=0.0)

    @property
    def overlap_gap(self) -> float:
        """Mean stem overlap of the keys minus that of the distractors."""
        if not self.items:
            return 0.0
        keys = sum(i.key_overlap for i in self.items) / len(self.items)
        dis = sum(i.mean_distractor_overlap for i in self.items) / len(self.items)
        return keys - dis


def _item(q: dict) -> ItemLint:
    stem = content_words(q.get("prompt", "") + " " + q.get("case", ""))
    keyed = set(q["correct"])
    keys = [o for o in q["options"] if o["id"] in keyed]
    others = [o for o in q["options"] if o["id"] not in keyed]
    key_len = max(len(o["text"]) for o in keys)
    other_len = max((len(o["text"]) for o in others), default=0)
    dis = [_overlap(o["text"], stem) for o in others]
    return ItemLint(
        id=q["id"], type=q["type"], options=len(q["options"]), keyed=len(keys),
        key_longest=key_len > other_len,
        chance=len(keys) / len(q["options"]),
        ratio=key_len / other_len if other_len else float("inf"),
        key_overlap=sum(_overlap(o["text"], stem) for o in keys) / len(keys),
        distractor_overlap=max(dis, default=0.0),
        mean_distractor_overlap=sum(dis) / len(dis) if dis else 0.0,
        above=[o["id"] for o in q["options"] if _ABOVE.search(o["text"])])


def lint_bank(bank: Bank) -> BankLint:
    """The cues of a loaded bank's choice questions (variants have none: they are numeric
    or ordering questions)."""
    return BankLint(chapter=bank["chapter"], file=bank["file"],
                    items=[_item(q) for q in bank["questions"] if q["type"] in CHOICE])


def problems(lint: BankLint) -> list[str]:
    """Every threshold the bank breaks, one line each naming the file (and question)."""
    out = []
    if lint.longest_share > lint.chance + MAX_LONGEST_OVER_CHANCE + 1e-9:
        longest = [i.id for i in lint.items if i.key_longest]
        out.append(f"{lint.file}: the keyed option is the longest in "
                   f"{lint.longest_share:.0%} of the choice items (chance {lint.chance:.0%}, "
                   f"allowed {lint.chance + MAX_LONGEST_OVER_CHANCE:.0%}): "
                   + ", ".join(longest))
    if lint.overlap_gap > MAX_BANK_OVERLAP_GAP:
        out.append(f"{lint.file}: the keys share {lint.overlap_gap:+.0%} more of their words "
                   f"with the stem than the distractors do (allowed "
                   f"{MAX_BANK_OVERLAP_GAP:+.0%})")
    for i in lint.items:
        where = f"{lint.file}, question {i.id}"
        if i.ratio >= MAX_RATIO:
            out.append(f"{where}: the keyed option is {i.ratio:.1f} times as long as the "
                       f"longest distractor (allowed: under {MAX_RATIO})")
        if i.overlap_gap > MAX_OVERLAP_GAP:
            out.append(f"{where}: the key repeats {i.key_overlap:.0%} of its words from the "
                       f"stem, the closest distractor {i.distractor_overlap:.0%}")
        for oid in i.above:
            out.append(f"{where}: option {oid} is an 'all/none of the above' option")
    return out


def report_lines(lint: BankLint, items: bool = False) -> list[str]:
    """A bank's summary line, and with ``items`` one line per choice question."""
    out = [f"{lint.chapter}: {len(lint.items)} choice items; keyed option longest "
           f"{sum(i.key_longest for i in lint.items)}/{len(lint.items)} = "
           f"{lint.longest_share:.0%} (chance {lint.chance:.0%}); max length ratio "
           f"{lint.max_ratio:.2f}; stem overlap gap {lint.overlap_gap:+.0%}"]
    if items:
        out += [f"  {i.id:32} {i.type:8} longest={'yes' if i.key_longest else 'no ':3} "
                f"ratio={i.ratio:4.2f} overlap key={i.key_overlap:.0%} "
                f"distractors<={i.distractor_overlap:.0%}"
                + (" all/none-of-the-above" if i.above else "") for i in lint.items]
    return out
