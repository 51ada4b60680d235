"""Check a parsed quiz bank and build the loaded bank (:mod:`osai.quiz.model`) from it.

A bank is checked twice: against the rules a schema cannot express (exactly one correct
option, an objective that exists for the chapter in ``exercises/objectives.yml``, event ids
that exist in ``data/``, an ordering without duplicates or ties, a section that is a
heading of the chapter ...), then against ``exercises/quizzes/schema.json`` (shape).  Any
problem raises :class:`~osai.quiz.quiz_error.QuizError`, whose message names the file and the
question id, so a bad bank fails the book build with a message that says where to look.

Answers are never typed in a bank: a numeric question names two events (``compute:
{years_between: [a, b]}``) and an ordering question names events; the answer is computed
here from those events (:mod:`osai.quiz.events`).  Such a question may carry
``variants:``, alternates that ask the same about other events; each is built into a
complete question (id ``<id>-v2`` ..., ``variant_of``) listed in the base's ``variants``.
Placeholders in the text (``{date:openai-lp}``) are filled first (:mod:`osai.quiz.facts`);
each question's section gets its anchor (:mod:`osai.quiz.sections`).

Used by :func:`osai.quiz.bank.load_bank` (which finds and reads the file) and by tests
that check a bank they build in memory.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from osai.paths import course_root
from osai.quiz.events import INTERVALS, Event, checked_interval, event_date, load_events, \
    period_end
from osai.quiz.facts import fill_facts
from osai.quiz.model import TYPES, Bank, Compute, Item, Left, MatchingQuestion, \
    MultipleQuestion, NumericQuestion, Option, OrderingQuestion, Question, Right, \
    ScenarioQuestion, SingleQuestion
from osai.quiz.quiz_error import QuizError
from osai.quiz.sections import section_anchors
from osai.syllabus import chapter_meta, chapters

__all__ = ["schema_file", "validate_raw"]

#: the model's class of each question type
_CLASS = {"single": SingleQuestion, "multiple": MultipleQuestion, "scenario": ScenarioQuestion,
          "numeric": NumericQuestion, "ordering": OrderingQuestion,
          "matching": MatchingQuestion}


def schema_file(folder: Path | None = None) -> Path:
    """The bank schema: ``schema.json`` next to the bank, else the course's (a bank outside
    the course folder is checked by the course schema)."""
    path = folder / "schema.json" if folder is not None else None
    if path is None or not path.is_file():
        path = course_root() / "exercises" / "quizzes" / "schema.json"
    return path


@lru_cache(maxsize=2)
def _schema_cached(path: str, stamp: int) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _schema(folder: Path | None) -> dict:
    path = schema_file(folder)
    return _schema_cached(str(path), path.stat().st_mtime_ns)


# --------------------------------------------------------------------------- one question

def _choice(q: dict, qtype: str, fail) -> dict:
    """``options``, ``correct`` (and a scenario's ``case``)."""
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
        norm.append((Option(id=oid, text=opt.get("text"), feedback=opt.get("feedback")),
                     bool(opt.get("correct", False))))
    correct = [o["id"] for o, right in norm if right]
    if not correct:
        fail("no correct answer (mark one option `correct: true`)")
    if qtype != "multiple" and len(correct) != 1:
        fail(f"a {qtype} question needs exactly one correct option, "
             f"found {len(correct)}: {', '.join(correct)}")
    out = {"options": [o for o, _ in norm], "correct": correct}
    if qtype == "scenario":
        out["case"] = q.get("case")
    return out


def _numeric(q: dict, events: dict[str, Event], fail) -> dict:
    """``answer`` computed from two events, ``tolerance``, ``unit``, ``compute``, ``feedback``."""
    if "tolerance" not in q or q.get("tolerance") is None:
        fail("numeric question without a tolerance (add `tolerance:`, e.g. 0 or 0.5)")
    tol = q["tolerance"]
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0 \
            or not math.isfinite(tol):
        fail(f"tolerance must be a number >= 0, not {tol!r}")
    compute = q.get("compute")
    if not isinstance(compute, dict) or len(compute) != 1:
        fail("numeric question needs `compute:` with one of "
             f"{', '.join(INTERVALS)} (the answer is computed from data/, never typed)")
    (kind, ref), = compute.items()
    if kind not in INTERVALS:
        fail(f"unknown compute {kind!r} (known: {', '.join(INTERVALS)})")
    if not isinstance(ref, list) or len(ref) != 2:
        fail(f"compute {kind} needs a list of two event ids")
    for eid in ref:
        if eid not in events:
            fail(f"unknown event id {eid!r} in compute (not in data/events.csv or "
                 "data/context_events.csv)")
    a, b = events[ref[0]], events[ref[1]]
    try:
        value = checked_interval(kind, a, b)
    except ValueError as exc:
        fail(f"compute {kind}: {exc}")
    return {"answer": value, "tolerance": tol, "unit": q.get("unit"),
            "compute": Compute(kind=kind, events=list(ref),
                               dates=[event_date(a), event_date(b)]),
            "feedback": q.get("feedback")}


def _ordering(q: dict, events: dict[str, Event], fail) -> dict:
    """``items`` (events as listed), ``solution`` (positions by date), ``feedback``."""
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
        if period_end(x) > y["start"]:
            fail(f"events {x['id']!r} ({x['date']}) and {y['id']!r} ({y['date']}) cannot "
                 "be ordered at their date precision; pick events further apart")
    if [e["id"] for e in evs] == ids:
        fail("events are listed in their correct order already; list them shuffled")
    return {"items": [Item(id=e, text=f"{events[e]['who']}: {events[e]['title']}",
                           date=event_date(events[e])) for e in ids],
            "solution": {e["id"]: i + 1 for i, e in enumerate(evs)},
            "feedback": q.get("feedback")}


def _matching(q: dict, fail) -> dict:
    """``left`` (l1 ...), ``right`` (r1 ..., distractors included), ``solution``, ``feedback``."""
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
    return {"left": [Left(id=f"l{i + 1}", text=p.get("left"), feedback=p.get("feedback"))
                     for i, p in enumerate(pairs)],
            "right": [Right(id=right_ids[t], text=t) for t in choices],
            "solution": {f"l{i + 1}": right_ids[str(p.get("right"))]
                         for i, p in enumerate(pairs)},
            "feedback": q.get("feedback")}


def _question(q: Any, n: int, file: str, chapter: str, objectives: set[str],
              events: dict[str, Event], seen: set[str],
              anchors: dict[str, str] | None) -> Question:
    """Check one raw question (placeholders filled); return it as the model's question."""
    if not isinstance(q, dict):
        raise QuizError(file, f"question #{n} is not a mapping")
    qid = q.get("id")
    if not isinstance(qid, str) or not qid:
        raise QuizError(file, f"question #{n} has no id")

    def fail(message: str) -> NoReturn:
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

    # the keys every type shares, in this order (the order quiz.js and the exports see)
    head: dict[str, Any] = {k: q[k] for k in ("id", "type", "objective", "section", "prompt")
                            if k in q}
    head["section_anchor"] = None
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
        head["section_anchor"] = anchors[section]
    if qtype in ("single", "multiple", "scenario"):
        rest = _choice(q, qtype, fail)
    elif qtype == "numeric":
        rest = _numeric(q, events, fail)
    elif qtype == "ordering":
        rest = _ordering(q, events, fail)
    else:
        rest = _matching(q, fail)
    question = _CLASS[qtype](**head, **rest)
    if q.get("variants") is not None:
        question["variants"] = _variants(q, question, events, seen, file)
    return question


#: what a variant gives of its own; everything else it inherits from its base question
_OWN = {"numeric": ("prompt", "compute", "feedback"), "ordering": ("prompt", "events", "feedback")}
_DATA = {"numeric": "compute", "ordering": "events"}


def _variants(q: dict, base: Question, events: dict[str, Event], seen: set[str],
              file: str) -> list[Question]:
    """A numeric or ordering question's alternates (``variants:``), each a complete
    question of the same type with id ``<base>-v2``, ``-v3`` ... and ``variant_of``."""
    qid, qtype = q["id"], q["type"]

    def fail(message: str, vid: str = qid) -> NoReturn:
        raise QuizError(file, message, vid)

    alternates = q["variants"]
    if qtype not in _OWN:
        fail(f"only numeric and ordering questions can have variants, not {qtype}")
    if not isinstance(alternates, list) or len(alternates) < 2:
        fail("`variants:` needs a list of at least two alternates (the question itself is "
             "the first variant)")
    key = _DATA[qtype]
    given = {_frozen(q.get(key)): qid}
    out = []
    for k, alt in enumerate(alternates, start=2):
        vid = f"{qid}-v{k}"
        if not isinstance(alt, dict):
            fail(f"variant {k} is not a mapping", vid)
        extra = sorted(set(alt) - set(_OWN[qtype]))
        if extra:
            fail(f"variant {k} sets {', '.join(extra)}; a variant gives only "
                 f"{', '.join(_OWN[qtype])} and inherits the rest", vid)
        for need in ("prompt", key):
            if not alt.get(need):
                fail(f"variant {k} has no `{need}:`", vid)
        same = given.get(_frozen(alt[key]))
        if same is not None:
            fail(f"variant {k} asks about the same events as {same}; pick other events", vid)
        given[_frozen(alt[key])] = vid
        if vid in seen:
            fail("a question already has this id; rename it (variant ids are <id>-v2, ...)",
                 vid)
        seen.add(vid)
        raw = {k2: v for k2, v in q.items() if k2 != "variants"} | alt | {"id": vid}
        one = dict(_question(raw, 0, file, "", {q["objective"]}, events, set(), None))
        one["section_anchor"] = base["section_anchor"]
        one["variant_of"] = qid
        out.append(one)
    return out


def _frozen(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _with_facts(q: Any, n: int, file: str, events: dict[str, Event]) -> Any:
    """The question with its ``{year:...}``-style placeholders filled from data (facts.py)."""
    qid = (q.get("id") if isinstance(q, dict) else None) or f"#{n}"

    def fail(message: str) -> NoReturn:
        raise QuizError(file, message, qid)

    return fill_facts(q, events, fail)


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


def validate_raw(raw: Any, file: str, chapter: str | None = None,
                 schema_folder: Path | None = None) -> Bank:
    """Check a parsed bank (rules, then the JSON Schema) and return the loaded bank.

    ``file`` names the bank in messages; ``chapter`` is the chapter its file name gives
    (default: the bank's own ``chapter:``); ``schema_folder`` is the bank's folder (its
    ``schema.json`` is used when there is one, see :func:`schema_file`).
    """
    import jsonschema

    if not isinstance(raw, dict):
        raise QuizError(file, "a bank must be a mapping with `chapter:` and `questions:`")
    chapter = raw.get("chapter") if chapter is None else chapter
    known = chapters()
    if chapter not in known:
        raise QuizError(file, f"unknown chapter {chapter!r} (chapters in "
                              f"exercises/objectives.yml: {', '.join(known)})")
    if raw.get("chapter") != chapter:
        raise QuizError(file, f"`chapter: {raw.get('chapter')}` does not match the file name "
                              f"({chapter})")
    meta = chapter_meta(chapter)
    objectives = {o["id"] for o in meta["objectives"]}
    questions = raw.get("questions")
    if not isinstance(questions, list) or not questions:
        raise QuizError(file, "no questions")
    events = load_events()
    anchors = section_anchors(chapter)
    seen: set[str] = set()
    norm = [_question(_with_facts(q, i + 1, file, events), i + 1, file, chapter,
                      objectives, events, seen, anchors)
            for i, q in enumerate(questions)]
    validator = jsonschema.Draft202012Validator(_schema(schema_folder))
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise _schema_error(best, raw, file)
    return Bank(chapter=chapter, title=raw.get("title") or meta.get("title", chapter),
                file=file, questions=norm)
