"""The quiz widget: one anywidget for the static book and for JupyterLab.

The answer logic lives in ``quiz.js`` (an ES module), so the widget works from the widget
state myst-nb embeds in a built page, with no kernel.  The widget holds the learner's form
of the bank (:func:`osai.quiz.bank.learner_bank`: salted hashes, sealed feedback, no answer
key), so neither the page nor the kernel needs the key to check an answer.  With a kernel, the learner's checked
answers and score sync to Python (``quiz.answers``, ``quiz.score``), and
:meth:`Quiz.save_progress` / :meth:`Quiz.load_progress` keep them in a JSON file the learner
owns.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from osai.quiz.bank import learner_bank
from osai.quiz.quiz_error import QuizError
from osai.quiz.scoring import clean_answers, question_index, score_answers

HERE = Path(__file__).resolve().parent
PROGRESS_FORMAT = "osai-quiz-progress"
PROGRESS_VERSION = 1


class Quiz(anywidget.AnyWidget):
    """A chapter's quiz.  ``Quiz("03-four-organisations")`` loads and validates the bank."""

    _esm = HERE / "quiz.js"
    _css = HERE / "quiz.css"

    chapter = traitlets.Unicode("").tag(sync=True)
    #: the learner's form of the bank (no answer key; :mod:`osai.quiz.sealed`)
    bank = traitlets.Dict().tag(sync=True)
    #: localStorage key in the browser (keyed by chapter; answers inside are keyed by
    #: question id, and answers that no longer fit the bank are dropped with a notice)
    storage_key = traitlets.Unicode("").tag(sync=True)
    #: checked answers by question id, in the JSON form quiz.js writes
    answers = traitlets.Dict().tag(sync=True)
    score = traitlets.Int(0).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)

    def __init__(self, chapter: str, **kwargs: Any):
        bank = learner_bank(chapter)
        super().__init__(chapter=bank["chapter"], bank=bank,
                         storage_key=f"osai-quiz/v1/{bank['chapter']}",
                         total=len(bank["questions"]), **kwargs)

    @traitlets.observe("answers")
    def _rescore(self, change) -> None:
        kept, _ = clean_answers(self.bank, change["new"] if isinstance(change["new"], dict)
                                else {})
        self.score = score_answers(self.bank, kept)["score"]

    # ------------------------------------------------------------------ Python side

    def result(self) -> dict:
        """``{score, total, correct: {question id: bool}}`` for the current answers (checked
        against the bank's hashes, as the page checks them)."""
        kept, _ = clean_answers(self.bank, self.answers)
        return score_answers(self.bank, kept)

    def answer(self, question_id: str, value: Any) -> bool:
        """Answer one question (or a variant of it) from Python, as the widget would;
        returns whether it is right."""
        index = question_index(self.bank)
        if question_id not in index:
            raise KeyError(f"{self.bank['file']}: no question '{question_id}'")
        base = index[question_id][1]
        others = {k: v for k, v in self.answers.items()
                  if k not in index or index[k][1] != base}
        self.answers = {**others, question_id: value}
        return self.result()["correct"].get(question_id, False)

    def reset(self) -> None:
        self.answers = {}

    def save_progress(self, path: str | os.PathLike) -> Path:
        """Write this chapter's answers to a JSON progress file (other chapters kept).

        An existing file that cannot be read as a progress file is never overwritten:
        :class:`QuizError` names it, and the learner's data stays as it was.
        """
        path = Path(path)
        data = _read_progress(path) if path.exists() else _empty_progress()
        data["chapters"][self.chapter] = {"answers": dict(self.answers),
                                          "score": self.score, "total": self.total}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
            os.replace(tmp, path)  # atomic: a crash never leaves half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def load_progress(self, path: str | os.PathLike) -> list[str]:
        """Restore this chapter's answers from a progress file; returns dropped question ids.

        On a missing or bad file, raises :class:`QuizError` naming it and keeps the current
        answers.  Answers to questions no longer in the bank (or no longer fitting them) are
        dropped and their ids returned.
        """
        path = Path(path)
        if not path.exists():
            raise QuizError(path, "no such progress file")
        data = _read_progress(path)
        entry = data["chapters"].get(self.chapter)
        if entry is None:
            raise QuizError(path, f"holds no progress for chapter {self.chapter} "
                                  f"(it has: {', '.join(data['chapters']) or 'none'})")
        answers = entry.get("answers") if isinstance(entry, dict) else None
        if not isinstance(answers, dict):
            raise QuizError(path, f"chapter {self.chapter}: `answers` is not a mapping")
        kept, dropped = clean_answers(self.bank, answers)
        self.answers = kept
        return dropped


def _empty_progress() -> dict:
    return {"format": PROGRESS_FORMAT, "version": PROGRESS_VERSION, "chapters": {}}


def _read_progress(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QuizError(path, f"is not a readable quiz progress file ({exc}); "
                              "it was left unchanged") from None
    if not isinstance(data, dict) or data.get("format") != PROGRESS_FORMAT \
            or not isinstance(data.get("chapters"), dict):
        raise QuizError(path, f"is not a quiz progress file (expected JSON with "
                              f"\"format\": \"{PROGRESS_FORMAT}\"); it was left unchanged")
    if data.get("version") != PROGRESS_VERSION:
        raise QuizError(path, f"progress file version {data.get('version')!r} is not "
                              f"supported (expected {PROGRESS_VERSION}); it was left unchanged")
    return data


def show(chapter: str) -> Quiz:
    """The quiz of a chapter, for a chapter cell: ``osai.quiz.show("03-four-organisations")``."""
    return Quiz(chapter)
