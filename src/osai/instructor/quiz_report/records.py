"""What every reader of the class report gives back: answers and skipped inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from osai.instructor.printable import printable

__all__ = ["Answer", "Skip", "Reading"]


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
        where = f", {self.where}" if self.where else ""
        return printable(f"skipped {self.file}{where}: {self.reason}")


@dataclass
class Reading:
    """What one file gave: answers kept and parts skipped."""

    answers: list[Answer] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
