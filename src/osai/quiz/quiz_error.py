"""The quiz's one error: :class:`QuizError`, a problem located by file and question id.

Raised by the bank loader and its checks (:mod:`osai.quiz.bank`, :mod:`osai.quiz.bank_checks`,
:mod:`osai.quiz.facts`) and by the widget's progress files (:mod:`osai.quiz.widget`);
callers catch it as ``osai.quiz.QuizError``.
"""

from __future__ import annotations

import os

__all__ = ["QuizError"]


class QuizError(ValueError):
    """A problem in a quiz bank (or a progress file), located by file and question id."""

    def __init__(self, file: str | os.PathLike, message: str, question: str | None = None):
        self.file = str(file)
        self.question = question
        self.message = message
        where = self.file if question is None else f"{self.file}, question '{question}'"
        super().__init__(f"{where}: {message}")
