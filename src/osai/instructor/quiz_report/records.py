"""What every reader of the class report gives back: answers and skipped inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from osai.instructor.printable import printable

__all__ = ["MAX_SKIPS_PER_FILE", "Answer", "Skip", "Reading", "cap_skips", "shown_id"]

#: skip lines kept per file; the rest are counted in one more line
MAX_SKIPS_PER_FILE = 20
#: the longest name or reason a skip line shows
_LONGEST = 200


def _clip(text: str) -> str:
    return text if len(text) <= _LONGEST else f"{text[:_LONGEST]}... ({len(text):,} characters)"


def shown_id(value: object) -> str:
    """An id from an input, as a skip line shows it (quoted, at most 200 characters)."""
    return _clip(repr(value))


@dataclass(frozen=True)
class Answer:
    """One learner's answer to one question, checked against the loaded bank."""

    learner: str
    chapter: str
    question: str
    #: the answer in the JSON form quiz.js writes (option id, list, number, mapping)
    answer: Any
    correct: bool
    #: the file it came from (as given on the command line, or found in a folder)
    source: str
    #: the LMS attempt number (0 for a progress file): a later attempt replaces an earlier
    attempt: int = 0


@dataclass(frozen=True)
class Skip:
    """An input (or a part of one) left out of the report, and why."""

    file: str
    reason: str
    #: row, chapter or question, when only a part of the file is skipped
    where: str | None = None

    def line(self) -> str:
        """One line, whatever the names hold (control and direction characters escaped)."""
        where = f", {_clip(self.where)}" if self.where else ""
        return printable(f"skipped {_clip(self.file)}{where}: {_clip(self.reason)}")


@dataclass
class Reading:
    """What one file gave: answers kept and parts skipped."""

    answers: list[Answer] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)


def cap_skips(skips: list[Skip], limit: int = MAX_SKIPS_PER_FILE) -> list[Skip]:
    """At most ``limit`` skips per file (in order), then one line per file counting the
    rest, so one file full of unknown ids cannot fill the report."""
    kept: list[Skip] = []
    count: dict[str, int] = {}
    for skip in skips:
        count[skip.file] = count.get(skip.file, 0) + 1
        if count[skip.file] <= limit:
            kept.append(skip)
    for file, n in count.items():
        if n > limit:
            kept.append(Skip(file, f"{n - limit:,} more skipped part(s) not listed "
                                   f"({n:,} in all)"))
    return kept
