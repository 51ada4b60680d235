"""Quiz banks: load, validate and normalise ``exercises/quizzes/<chapter-id>.yml``; score.

A bank is checked twice: against ``exercises/quizzes/schema.json`` (shape), and against the
rules a schema cannot express (exactly one correct option, an objective that exists for the
chapter in ``exercises/objectives.yml``, event ids that exist in ``data/``, an ordering
without duplicates or ties ...).  Any problem raises :class:`QuizError`, whose message
names the file and the question id, so a bad bank fails the book build (the chapter cell
loads it) with a message that says where to look.

Answers are never typed in a bank: a numeric question names two events (``compute:
{years_between: [a, b]}``) and an ordering question names events; the loader resolves the
answer from ``data/events.csv`` (and ``data/context_events.csv``).  Dates, amounts and
intervals in prompts, options and feedback are placeholders (``{date:openai-lp}``) that
:mod:`osai.quiz.facts` fills from the same tables.

Every question's ``section`` must name a heading of its chapter (``chapters/<id>.md``);
the loader attaches ``section_anchor``, the HTML id Sphinx gives that heading (the explicit
MyST label ``(label)=`` written above it, else the docutils id of its title), so the widget
can link back to the section.  When the chapter's source is not there (a bank checked on its
own, outside the repository) the section is not checked and ``section_anchor`` is ``None``.

The normalised bank (a plain JSON-able dict) is what the widget's JavaScript receives, what
:func:`score_answers` reads and what the handouts print.  :func:`score_answers` mirrors
``scoreAnswers`` in ``quiz.js`` line for line; a test checks that both agree.
"""

from __future__ import annotations

import json
import math
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from osai.formats import fmt_date, fmt_number
from osai.paths import course_root

__all__ = [
    "QuizError",
    "TYPES",
    "bank_path",
    "chapter_headings",
    "chapter_source",
    "chapters",
    "is_correct",
    "load_all",
    "load_bank",
    "quiz_dir",
    "score_answers",
    "clean_answers",
]

TYPES = ("single", "multiple", "numeric", "ordering", "matching", "scenario")
COMPUTE_KINDS = ("years_between", "months_between", "days_between")
#: the finest date precision each kind of computed interval needs
_NEEDS = {"years_between": "year", "months_between": "month", "days_between": "day"}
_RANK = {"year": 0, "month": 1, "day": 2}
#: slack for floating-point comparisons of numeric answers (same constant in quiz.js)
EPSILON = 1e-9


class QuizError(ValueError):
    """A problem in a quiz bank (or a progress file), located by file and question id."""

    def __init__(self, file: str | os.PathLike, message: str, question: str | None = None):
        self.file = str(file)
        self.question = question
        self.message = message
        where = self.file if question is None else f"{self.file}, question '{question}'"
        super().__init__(f"{where}: {message}")


def quiz_dir() -> Path:
    """``$OSAI_QUIZ_DIR`` if set, else ``exercises/quizzes`` of the course (checkout or
    installed copy, see :mod:`osai.paths`)."""
    env = os.environ.get("OSAI_QUIZ_DIR")
    return Path(env).resolve() if env else course_root() / "exercises" / "quizzes"


def _objectives_file() -> Path:
    return course_root() / "exercises" / "objectives.yml"


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(course_root()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=4)
def _objectives_cached(path: str, stamp: float) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _objectives() -> dict:
    path = _objectives_file()
    return _objectives_cached(str(path), path.stat().st_mtime_ns)


def chapters() -> list[str]:
    """Teaching chapter ids, in order, from ``exercises/objectives.yml``."""
    return list(_objectives())


@lru_cache(maxsize=2)
def _schema_cached(path: str, stamp: float) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _schema(folder: Path) -> dict:
    path = folder / "schema.json"
    if not path.is_file():  # a bank outside the course folder is checked by the course schema
        path = course_root() / "exercises" / "quizzes" / "schema.json"
    return _schema_cached(str(path), path.stat().st_mtime_ns)


def _events() -> dict[str, dict]:
    """Every dated event of the data package (organisation and context events) by id."""
    from osai.data import load_dataset

    ds = load_dataset()
    out: dict[str, dict] = {}
    for frame, who in ((ds.events, "org_name"), (ds.context_events, "actor")):
        for row in frame.itertuples(index=False):
            out[row.event_id] = {
                "id": row.event_id,
                "date": str(row.date),
                "precision": str(row.date_precision),
                "start": row.date_start.to_pydatetime().date(),
                "title": str(row.title),
                "who": str(getattr(row, who)),
                "amount": _amount(getattr(row, "amount", None)),
                "currency": _currency(getattr(row, "currency", None)),
            }
    return out


# --------------------------------------------------------------------------- sections

_FENCE = re.compile(r"^(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LABEL = re.compile(r"^\(([^()\s]+)\)=\s*$")
#: a MyST role, {name}`text` or {name}`text <target>`: its display text is what renders
_ROLE = re.compile(r"\{[\w:.-]+\}`([^`<]*?)\s*(?:<[^`>]*>)?`")


def chapter_source(chapter: str) -> Path:
    """The MyST source of a teaching chapter, ``chapters/<chapter>.md``."""
    return course_root() / "chapters" / f"{chapter}.md"


def _plain(title: str) -> str:
    """A heading's text as it renders: roles show their display text, markup dropped."""
    text = _ROLE.sub(lambda m: m.group(1), title)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1", r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def _make_id(text: str) -> str:
    """The id docutils (and so Sphinx) derives from a section title."""
    try:
        from docutils.nodes import make_id
    except ImportError:  # pragma: no cover - docutils comes with Sphinx
        import unicodedata

        text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
        text = re.sub(r"[^a-z0-9]+", "-", text)
        return re.sub(r"^[^a-z]+|-+$", "", text)
    return make_id(text)


def chapter_headings(path: Path) -> list[dict]:
    """Headings of a MyST chapter, in order: ``{title, level, anchor, line}``.

    Code fences are skipped (a ``#`` comment in a cell is not a heading).  ``anchor`` is the
    label written directly above the heading, if any, else the docutils id of its title.
    """
    out: list[dict] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    fence: str | None = None
    label: str | None = None
    start = 0
    if lines and lines[0].strip() == "---":  # jupytext front matter
        end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0)
        start = end + 1
    for n, line in enumerate(lines[start:], start + 1):
        stripped = line.strip()
        m = _FENCE.match(stripped)
        if fence:
            if m and stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        lab = _LABEL.match(stripped)
        if lab:
            label = lab.group(1)
            continue
        head = _HEADING.match(line)
        if head:
            title = _plain(head.group(2))
            out.append({"title": title, "level": len(head.group(1)), "line": n,
                        "anchor": label or _make_id(title)})
        if stripped:
            label = None
    return out


def _section_anchors(chapter: str, file: str) -> dict[str, str] | None:
    """Heading title -> anchor for a chapter, or None when its source is not available."""
    path = chapter_source(chapter)
    if not path.is_file():
        return None
    anchors: dict[str, str] = {}
    dupes: set[str] = set()
    for h in chapter_headings(path):
        if h["title"] in anchors:
            dupes.add(h["title"])
        anchors[h["title"]] = h["anchor"]
    for title in dupes:  # a repeated heading cannot be named unambiguously
        anchors[title] = ""
    return anchors


def _amount(value: Any) -> float | None:
    try:
        return None if value is None or math.isnan(float(value)) else float(value)
    except (TypeError, ValueError):
        return None


def _currency(value: Any) -> str:
    text = "" if value is None else str(value)
    return "USD" if text in ("", "nan", "<NA>", "None") else text


def bank_path(chapter: str | os.PathLike) -> Path:
    """The bank file of a chapter id (or a path, returned as is)."""
    text = str(chapter)
    if text.endswith((".yml", ".yaml")) or os.sep in text:
        return Path(chapter)
    return quiz_dir() / f"{text}.yml"


# --------------------------------------------------------------------------- dates

def _interval_end(ev: dict):
    import datetime as dt

    start = ev["start"]
    if ev["precision"] == "year":
        return dt.date(start.year + 1, 1, 1)
    if ev["precision"] == "month":
        y, m = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return dt.date(y, m, 1)
    return start + dt.timedelta(days=1)


def event_date(ev: dict) -> str:
    """An event's date as prose writes it, at its precision."""
    return fmt_date(ev["start"], ev["precision"])


def _compute(kind: str, a: dict, b: dict) -> int:
    """Calendar interval from event a to event b (b must not be earlier)."""
    if kind == "years_between":
        return b["start"].year - a["start"].year
    if kind == "months_between":
        return (b["start"].year - a["start"].year) * 12 + b["start"].month - a["start"].month
    return (b["start"] - a["start"]).days


# --------------------------------------------------------------------------- validation

def _check_question(q: Any, n: int, file: str, chapter: str, objectives: set[str],
                    events: dict[str, dict], seen: set[str],
                    anchors: dict[str, str] | None = None) -> dict:
    """Validate one raw question; return it normalised (answers resolved from data)."""
    if not isinstance(q, dict):
        raise QuizError(file, f"question #{n} is not a mapping")
    qid = q.get("id")
    if not isinstance(qid, str) or not qid:
        raise QuizError(file, f"question #{n} has no id")

    def fail(message: str):
        raise QuizError(file, message, qid)

    if qid in seen:
        fail("duplicate question id (ids must be unique in a bank)")
    seen.add(qid)
    qtype = q.get("type")
    if qtype not in TYPES:
        fail(f"unknown type {qtype!r} (known: {', '.join(TYPES)})")
    objective = q.get("objective")
    if not objective:
        fail("no learning objective (add `objective:` with an id from exercises/objectives.yml)")
    if objective not in objectives:
        fail(f"unknown objective {objective!r} for chapter {chapter} "
             f"(known: {', '.join(sorted(objectives))})")

    out: dict[str, Any] = {k: q[k] for k in ("id", "type", "objective", "section", "prompt")
                           if k in q}
    out["section_anchor"] = None
    if anchors is not None and isinstance(q.get("section"), str):
        section = q["section"]
        if section not in anchors:
            near = ", ".join(repr(t) for t in anchors if t.lower()[:6] == section.lower()[:6])
            fail(f"section {section!r} is not a heading of chapters/{chapter}.md"
                 + (f" (did you mean {near}?)" if near else
                    f" (headings: {', '.join(repr(t) for t in anchors)})"))
        if not anchors[section]:
            fail(f"section {section!r} names more than one heading of chapters/{chapter}.md; "
                 "give the headings different titles")
        out["section_anchor"] = anchors[section]
    if qtype in ("single", "multiple", "scenario"):
        options = q.get("options")
        if not isinstance(options, list) or len(options) < 2:
            fail("needs a list of at least two options")
        norm, ids = [], set()
        for i, opt in enumerate(options):
            if not isinstance(opt, dict):
                fail(f"option #{i + 1} is not a mapping")
            oid = opt.get("id") or "abcdefghijklmnopqrstuvwxyz"[i]
            if oid in ids:
                fail(f"duplicate option id {oid!r}")
            ids.add(oid)
            if not opt.get("feedback"):
                fail(f"option {oid!r} has no feedback (every option explains why it is "
                     "right or wrong)")
            norm.append({"id": oid, "text": opt.get("text"), "feedback": opt.get("feedback"),
                         "correct": bool(opt.get("correct", False))})
        correct = [o["id"] for o in norm if o["correct"]]
        if not correct:
            fail("no correct answer (mark one option `correct: true`)")
        if qtype != "multiple" and len(correct) != 1:
            fail(f"a {qtype} question needs exactly one correct option, "
                 f"found {len(correct)}: {', '.join(correct)}")
        out["options"] = [{k: o[k] for k in ("id", "text", "feedback")} for o in norm]
        out["correct"] = correct
        if qtype == "scenario":
            out["case"] = q.get("case")
    elif qtype == "numeric":
        if "tolerance" not in q or q.get("tolerance") is None:
            fail("numeric question without a tolerance (add `tolerance:`, e.g. 0 or 0.5)")
        tol = q["tolerance"]
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0 \
                or not math.isfinite(tol):
            fail(f"tolerance must be a number >= 0, not {tol!r}")
        compute = q.get("compute")
        if not isinstance(compute, dict) or len(compute) != 1:
            fail("numeric question needs `compute:` with one of "
                 f"{', '.join(COMPUTE_KINDS)} (the answer is computed from data/, never typed)")
        (kind, ref), = compute.items()
        if kind not in COMPUTE_KINDS:
            fail(f"unknown compute {kind!r} (known: {', '.join(COMPUTE_KINDS)})")
        if not isinstance(ref, list) or len(ref) != 2:
            fail(f"compute {kind} needs a list of two event ids")
        for eid in ref:
            if eid not in events:
                fail(f"unknown event id {eid!r} in compute (not in data/events.csv or "
                     "data/context_events.csv)")
        a, b = events[ref[0]], events[ref[1]]
        need = _NEEDS[kind]
        for ev in (a, b):
            if _RANK[ev["precision"]] < _RANK[need]:
                fail(f"compute {kind}: event {ev['id']!r} is dated only to the "
                     f"{ev['precision']}, too coarse for {kind}")
        value = _compute(kind, a, b)
        if value < 0:
            fail(f"compute {kind}: {ref[1]!r} is earlier than {ref[0]!r}; swap them")
        out.update(answer=value, tolerance=tol, unit=q.get("unit"),
                   compute={"kind": kind, "events": list(ref),
                            "dates": [event_date(a), event_date(b)]},
                   feedback=q.get("feedback"))
    elif qtype == "ordering":
        ids = q.get("events")
        if not isinstance(ids, list) or len(ids) < 3:
            fail("ordering needs `events:` with at least three event ids")
        dupes = sorted({e for e in ids if ids.count(e) > 1})
        if dupes:
            fail(f"ordering has duplicate events: {', '.join(map(str, dupes))}")
        for eid in ids:
            if eid not in events:
                fail(f"unknown event id {eid!r} (not in data/events.csv or "
                     "data/context_events.csv)")
        evs = sorted((events[e] for e in ids), key=lambda e: (e["start"], e["id"]))
        for x, y in zip(evs, evs[1:]):
            if _interval_end(x) > y["start"]:
                fail(f"events {x['id']!r} ({x['date']}) and {y['id']!r} ({y['date']}) cannot "
                     "be ordered at their date precision; pick events further apart")
        if [e["id"] for e in evs] == ids:
            fail("events are listed in their correct order already; list them shuffled")
        out["items"] = [{"id": e, "text": f"{events[e]['who']}: {events[e]['title']}",
                         "date": event_date(events[e])} for e in ids]
        out["solution"] = {e["id"]: i + 1 for i, e in enumerate(evs)}
        out["feedback"] = q.get("feedback")
    elif qtype == "matching":
        pairs = q.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            fail("matching needs `pairs:` with at least two pairs")
        lefts = [p.get("left") for p in pairs if isinstance(p, dict)]
        rights = [p.get("right") for p in pairs if isinstance(p, dict)]
        for name, values in (("left", lefts), ("right", rights)):
            dupes = sorted({str(v) for v in values if values.count(v) > 1})
            if dupes:
                fail(f"matching has duplicate {name} entries: {', '.join(dupes)} "
                     "(each must be unique, or the answer is ambiguous)")
        distractors = q.get("distractors") or []
        clash = sorted(set(map(str, distractors)) & set(map(str, rights)))
        if clash:
            fail(f"distractor is also a right answer: {', '.join(clash)}")
        choices = sorted(set(map(str, rights)) | set(map(str, distractors)), key=str.lower)
        right_ids = {text: f"r{i + 1}" for i, text in enumerate(choices)}
        out["left"] = [{"id": f"l{i + 1}", "text": p.get("left"), "feedback": p.get("feedback")}
                       for i, p in enumerate(pairs)]
        out["right"] = [{"id": right_ids[t], "text": t} for t in choices]
        out["solution"] = {f"l{i + 1}": right_ids[str(p.get("right"))]
                           for i, p in enumerate(pairs)}
        out["feedback"] = q.get("feedback")
    return out


def _schema_error(err, raw: dict, file: str) -> QuizError:
    path = list(err.absolute_path)
    qid = None
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        q = raw["questions"][path[1]]
        qid = q.get("id") if isinstance(q, dict) else None
        qid = qid or f"#{path[1] + 1}"
        path = path[2:]
    where = "/".join(map(str, path)) or "(top level)"
    return QuizError(file, f"schema: {where}: {err.message}", qid)


def _with_facts(q: Any, n: int, file: str, events: dict[str, dict]) -> Any:
    """The question with its ``{year:...}``-style placeholders filled from data (facts.py)."""
    from osai.quiz.facts import fill_facts

    qid = (q.get("id") if isinstance(q, dict) else None) or f"#{n}"

    def fail(message: str):
        raise QuizError(file, message, qid)

    return fill_facts(q, events, fail)


def validate_raw(raw: Any, file: str, chapter: str | None = None,
                 schema_folder: Path | None = None) -> dict:
    """Check a parsed bank (invariants, then the JSON Schema) and return it normalised."""
    import jsonschema

    if not isinstance(raw, dict):
        raise QuizError(file, "a bank must be a mapping with `chapter:` and `questions:`")
    chapter = raw.get("chapter") if chapter is None else chapter
    objectives_all = _objectives()
    if chapter not in objectives_all:
        raise QuizError(file, f"unknown chapter {chapter!r} (chapters in "
                              f"exercises/objectives.yml: {', '.join(objectives_all)})")
    if raw.get("chapter") != chapter:
        raise QuizError(file, f"`chapter: {raw.get('chapter')}` does not match the file name "
                              f"({chapter})")
    objectives = {o["id"] for o in objectives_all[chapter]["objectives"]}
    questions = raw.get("questions")
    if not isinstance(questions, list) or not questions:
        raise QuizError(file, "no questions")
    events = _events()
    anchors = _section_anchors(chapter, file)
    seen: set[str] = set()
    norm = [_check_question(_with_facts(q, i + 1, file, events), i + 1, file, chapter,
                            objectives, events, seen, anchors)
            for i, q in enumerate(questions)]
    validator = jsonschema.Draft202012Validator(_schema(schema_folder or quiz_dir()))
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise _schema_error(best, raw, file)
    return {
        "chapter": chapter,
        "title": raw.get("title") or objectives_all[chapter].get("title", chapter),
        "file": file,
        "questions": norm,
    }


def load_bank(chapter: str | os.PathLike) -> dict:
    """Load, validate and normalise one bank (a chapter id or a path to a ``.yml``)."""
    path = bank_path(chapter)
    file = _rel(path)
    if not path.is_file():
        raise QuizError(file, "no such quiz bank")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise QuizError(file, f"not valid YAML: {exc}") from None
    expected = path.stem
    return validate_raw(raw, file, expected, path.parent)


def load_all() -> dict[str, dict]:
    """Every teaching chapter's bank, in chapter order (a missing bank is an error)."""
    return {ch: load_bank(ch) for ch in chapters()}


# --------------------------------------------------------------------------- scoring
# Keep in step with isCorrect/scoreAnswers in quiz.js.

def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _is_int(x: Any) -> bool:
    return _is_number(x) and float(x) == int(x)


def is_correct(question: dict, answer: Any) -> bool:
    """Whether ``answer`` (in the widget's JSON form) is right for a normalised question."""
    qtype = question["type"]
    if answer is None:
        return False
    if qtype in ("single", "scenario"):
        return isinstance(answer, str) and answer == question["correct"][0]
    if qtype == "multiple":
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            return False
        return len(set(answer)) == len(answer) and set(answer) == set(question["correct"])
    if qtype == "numeric":
        return _is_number(answer) and \
            abs(answer - question["answer"]) <= question["tolerance"] + EPSILON
    if qtype in ("ordering", "matching"):
        solution = question["solution"]
        if not isinstance(answer, dict) or set(answer) != set(solution):
            return False
        if qtype == "ordering":
            return all(_is_int(answer[k]) and int(answer[k]) == v for k, v in solution.items())
        return all(answer[k] == v for k, v in solution.items())
    return False


def score_answers(bank: dict, answers: dict | None) -> dict:
    """Score answers against a normalised bank: ``{score, total, correct: {qid: bool}}``.

    One point per question; unanswered or malformed answers score 0; answers to question
    ids not in the bank are ignored.
    """
    answers = answers or {}
    correct = {q["id"]: is_correct(q, answers.get(q["id"])) for q in bank["questions"]}
    return {"score": sum(correct.values()), "total": len(bank["questions"]),
            "correct": correct}


def _well_formed(question: dict, answer: Any) -> bool:
    qtype = question["type"]
    if qtype in ("single", "scenario"):
        return isinstance(answer, str) and answer in {o["id"] for o in question["options"]}
    if qtype == "multiple":
        ids = {o["id"] for o in question["options"]}
        return isinstance(answer, list) and bool(answer) and all(a in ids for a in answer)
    if qtype == "numeric":
        return _is_number(answer)
    if qtype == "ordering":
        return isinstance(answer, dict) and set(answer) == set(question["solution"]) and \
            all(_is_int(v) for v in answer.values())
    if qtype == "matching":
        rights = {r["id"] for r in question["right"]}
        return isinstance(answer, dict) and set(answer) == set(question["solution"]) and \
            all(v in rights for v in answer.values())
    return False


def clean_answers(bank: dict, answers: dict) -> tuple[dict, list[str]]:
    """Keep the answers that fit the bank; returns (kept, ids of dropped answers)."""
    by_id = {q["id"]: q for q in bank["questions"]}
    kept, dropped = {}, []
    for qid, answer in answers.items():
        if qid in by_id and _well_formed(by_id[qid], answer):
            kept[qid] = answer
        else:
            dropped.append(qid)
    return kept, dropped
