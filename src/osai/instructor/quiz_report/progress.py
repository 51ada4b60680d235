"""Read the progress files learners save from the quiz (format ``osai-quiz-progress``).

A progress file holds one learner's answers (the widget's "Save my answers" button, or
:meth:`osai.quiz.Quiz.save_progress`); it names no learner, so the report names the
learner by the file's path.  Every answer is checked against the loaded bank: an unknown
chapter, an unknown question id or an answer that does not fit its question is skipped
with a reason, and the rest of the file is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

from osai.quiz.answers import answer_problem
from osai.quiz.scoring import is_correct
from osai.quiz.widget import PROGRESS_FORMAT, PROGRESS_VERSION
from osai.instructor.quiz_report.records import Answer, Reading, Skip, shown_id

__all__ = ["questions_by_id", "read_progress", "read_progress_bytes"]


def questions_by_id(bank: dict) -> dict[str, tuple[dict, str]]:
    """Every question a learner can answer, by id: (the question shown, its base id): the
    base questions and their variants (an answer is kept under the variant's id)."""
    out: dict[str, tuple[dict, str]] = {}
    for q in bank["questions"]:
        out[q["id"]] = (q, q["id"])
        for v in q.get("variants") or ():
            out[v["id"]] = (v, q["id"])
    return out


def read_progress(path: Path, label: str, banks: dict[str, dict],
                  learner: str | None = None) -> Reading:
    """Answers of one progress file; ``label`` names the file in skip lines."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Reading(skips=[Skip(label, f"cannot be read ({exc.strerror})")])
    return read_progress_bytes(raw, label, banks, learner)


def read_progress_bytes(raw: bytes, label: str, banks: dict[str, dict],
                        learner: str | None = None) -> Reading:
    """Answers of a progress file's bytes (a file, or an entry of an archive)."""
    out = Reading()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.skips.append(Skip(label, f"not UTF-8 text (byte {exc.start})"))
        return out
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        out.skips.append(Skip(label, f"not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                     f"{exc.msg})"))
        return out
    except RecursionError:
        out.skips.append(Skip(label, "JSON nested too deep to be a progress file"))
        return out
    if not isinstance(data, dict) or data.get("format") != PROGRESS_FORMAT:
        out.skips.append(Skip(label, f"not a quiz progress file (no \"format\": "
                                     f"\"{PROGRESS_FORMAT}\")"))
        return out
    if data.get("version") != PROGRESS_VERSION:
        out.skips.append(Skip(label, f"progress file version {data.get('version')!r} is not "
                                     f"supported (expected {PROGRESS_VERSION})"))
        return out
    chapters = data.get("chapters")
    if not isinstance(chapters, dict):
        out.skips.append(Skip(label, "`chapters` is not a mapping"))
        return out
    who = learner or label
    for chapter, entry in chapters.items():
        bank = banks.get(chapter)
        if bank is None:
            out.skips.append(Skip(label, "unknown chapter (no quiz bank)", f"chapter {chapter!r}"))
            continue
        answers = entry.get("answers") if isinstance(entry, dict) else None
        if not isinstance(answers, dict):
            out.skips.append(Skip(label, "`answers` is not a mapping", f"chapter {chapter}"))
            continue
        by_id = questions_by_id(bank)
        seen: set[str] = set()
        for qid, answer in answers.items():
            where = f"chapter {chapter}, question {shown_id(qid)}"
            if qid not in by_id:
                out.skips.append(Skip(label, "unknown question id in this chapter's bank", where))
                continue
            question, base = by_id[qid]
            problem = answer_problem(question, answer)
            if problem:
                out.skips.append(Skip(label, f"answer dropped: {problem}", where))
                continue
            if base in seen:
                out.skips.append(Skip(label, "a second answer to the same question (another "
                                             "variant); the first is kept", where))
                continue
            seen.add(base)
            out.answers.append(Answer(who, chapter, base, answer,
                                      is_correct(question, answer), label))
    if not out.answers and not out.skips:
        out.skips.append(Skip(label, "holds no answers"))
    return out
