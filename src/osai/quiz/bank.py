"""Quiz banks: find ``exercises/quizzes/<chapter-id>.yml`` and load it.

:func:`load_bank` reads one bank (a chapter id or a path) and returns it checked and
built (:func:`osai.quiz.bank_checks.validate_raw`: rules, schema, answers computed from
``data/``) as the typed model of :mod:`osai.quiz.model`; :func:`load_all` loads every
teaching chapter's, in the order of :func:`osai.syllabus.chapters`.  Any problem raises
:class:`~osai.quiz.quiz_error.QuizError` naming the file and the question id.

The loaded bank (a plain JSON-able dict) is what the widget's JavaScript receives, what
:mod:`osai.quiz.scoring` scores, and what the exports, handouts and class report read.
Used by the widget (:mod:`osai.quiz.widget`) and by :mod:`osai.instructor`.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from osai.paths import course_root
from osai.quiz.bank_checks import validate_raw
from osai.quiz.model import Bank
from osai.quiz.quiz_error import QuizError
from osai.syllabus import chapters

__all__ = ["bank_path", "load_all", "load_bank", "quiz_dir"]


def quiz_dir() -> Path:
    """``$OSAI_QUIZ_DIR`` if set, else ``exercises/quizzes`` of the course (checkout or
    installed copy, see :mod:`osai.paths`)."""
    env = os.environ.get("OSAI_QUIZ_DIR")
    return Path(env).resolve() if env else course_root() / "exercises" / "quizzes"


def bank_path(chapter: str | os.PathLike) -> Path:
    """The bank file of a chapter id (or a path, returned as is)."""
    text = str(chapter)
    if text.endswith((".yml", ".yaml")) or os.sep in text:
        return Path(chapter)
    return quiz_dir() / f"{text}.yml"


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(course_root()))
    except ValueError:
        return str(path)


def load_bank(chapter: str | os.PathLike) -> Bank:
    """Load, check and build one bank (a chapter id or a path to a ``.yml``)."""
    path = bank_path(chapter)
    file = _rel(path)
    if not path.is_file():
        raise QuizError(file, "no such quiz bank")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise QuizError(file, f"not valid YAML: {exc}") from None
    return validate_raw(raw, file, path.stem, path.parent)


def load_all() -> dict[str, Bank]:
    """Every teaching chapter's bank, in chapter order (a missing bank is an error)."""
    return {ch: load_bank(ch) for ch in chapters()}
