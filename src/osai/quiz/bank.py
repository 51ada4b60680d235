"""Quiz banks: find ``exercises/quizzes/<chapter-id>.yml`` and load it.

:func:`load_bank` reads one bank (a chapter id or a path) and returns it checked and
built (:func:`osai.quiz.bank_checks.validate_raw`: rules, schema, answers computed from
``data/``) as the typed model of :mod:`osai.quiz.model`; :func:`load_all` loads every
teaching chapter's, in the order of :func:`osai.syllabus.chapters`.  Any problem raises
:class:`~osai.quiz.quiz_error.QuizError` naming the file and the question id.

The loaded bank (a plain JSON-able dict, answer key included) is what the exports,
handouts and class report read (:mod:`osai.instructor`), from a checkout of the course.
What a learner receives is its sealed form (:mod:`osai.quiz.sealed`, no key):
:func:`learner_bank` seals the loaded bank, or, in an installed ``osai`` (whose wheel ships
the banks sealed, ``<chapter>`` :data:`LEARNER_SUFFIX`), reads the sealed copy.  Used by the
widget (:mod:`osai.quiz.widget`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from osai.paths import course_root
from osai.quiz.bank_checks import validate_raw
from osai.quiz.model import Bank
from osai.quiz.quiz_error import QuizError
from osai.quiz.sealed import is_sealed, seal_bank
from osai.syllabus import chapters

__all__ = ["LEARNER_SUFFIX", "bank_path", "learner_bank", "load_all", "load_bank", "quiz_dir",
           "write_learner_banks"]

#: a sealed bank's file name after the chapter id (the wheel ships these, not the YAML)
LEARNER_SUFFIX = ".learner.json"


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
        if path.with_name(path.stem + LEARNER_SUFFIX).is_file():
            raise QuizError(file, "this installed osai holds the quiz banks without their "
                            "answer keys; run the instructor's tools from a checkout of the "
                            "course")
        raise QuizError(file, "no such quiz bank")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise QuizError(file, f"not valid YAML: {exc}") from None
    return validate_raw(raw, file, path.stem, path.parent)


def load_all() -> dict[str, Bank]:
    """Every teaching chapter's bank, in chapter order (a missing bank is an error)."""
    return {ch: load_bank(ch) for ch in chapters()}


def learner_bank(chapter: str | os.PathLike) -> dict:
    """The learner's form of a chapter's bank (:func:`osai.quiz.sealed.seal_bank`): sealed
    from the YAML when it is there (a checkout), else the sealed copy an installed
    ``osai`` ships."""
    path = bank_path(chapter)
    sealed = path.with_name(path.stem + LEARNER_SUFFIX)
    if path.is_file() or not sealed.is_file():
        return seal_bank(load_bank(chapter))
    try:
        bank = json.loads(sealed.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QuizError(_rel(sealed), f"not a readable sealed quiz bank ({exc})") from None
    if not isinstance(bank, dict) or not is_sealed(bank):
        raise QuizError(_rel(sealed), "not a sealed quiz bank")
    return bank


def write_learner_banks(folder: Path) -> list[Path]:
    """Seal every bank in ``folder`` (``<chapter>.yml``) into ``<chapter>.learner.json``
    beside it and remove the YAML (the wheel's build step, :file:`setup.py`)."""
    written = []
    for path in sorted(folder.glob("*.yml")):
        target = path.with_name(path.stem + LEARNER_SUFFIX)
        target.write_text(json.dumps(seal_bank(load_bank(path)), ensure_ascii=False),
                          encoding="utf-8")
        path.unlink()
        written.append(target)
    return written
