"""The learner's form of a quiz bank: no answer key in it, only salted hashes.

The loaded bank (:func:`osai.quiz.bank.load_bank`) holds the key (``correct``,
``solution``, ``answer``) and every feedback text; the instructor's tools read it from the
checkout.  What a learner receives (the widget state in the built pages and the SCORM
packages, the banks in the wheel and the bundle) is :func:`seal_bank`'s form instead:

* each question (and each variant) gets a random ``salt`` and ``check``, the SHA-256 of
  the salt and the canonical right answer (:func:`canonical`); a numeric question has a
  hash for every accepted point of a grid of ``step`` over ``answer ± tolerance``;
* per-option feedback is ``sealed``: encrypted with a key derived from the salt and that
  option's id, so it opens only for the option chosen; what is shown after a right
  answer (the right-answer text, an ordering's dates, a matching's explanations) is
  sealed with the key of the right answer; a wrong-answer text is plain, and in a numeric
  question it loses the clause that names ``{answer}``;
* no ``correct``, ``solution``, ``answer``, ``compute`` or event dates.

The cipher is SHA-256 in counter mode (the keystream block *i* is SHA-256(key ‖ i), XORed
with the UTF-8 text); ``quiz.js`` holds the same SHA-256, so checking works where the
browser's WebCrypto does not (a book served over plain http on a classroom network is not
a secure context).  What this does not stop: anyone can hash every option, or every
number in a range, with the salt from the page.  A determined learner can find the key
by trying; SCORM scores are formative.

:func:`check` and :func:`open_sealed` are what :mod:`osai.quiz.scoring` and tests use in
Python; ``quiz.js`` mirrors them (a test runs both on the same answers).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
from typing import Any

from osai.quiz.model import fill_answer
from osai.quiz.quiz_error import QuizError

__all__ = ["EPSILON", "FORM", "MAX_POINTS", "canonical", "check", "is_sealed", "open_sealed",
           "seal_bank", "seal_question"]

#: ``form`` of a sealed bank (quiz.js and scoring tell the two forms apart by it)
FORM = "osai-quiz-sealed/1"
#: the most grid points a numeric question may accept (2 * tolerance / step + 1)
MAX_POINTS = 2001
#: slack for floating-point comparisons of numeric answers (same constant in quiz.js)
EPSILON = 1e-9
_STEPS = (1, 0.5, 0.25, 0.2, 0.1, 0.05, 0.01)
_MAGIC = "osai:"


# --------------------------------------------------------------------------- primitives

def _digest(purpose: str, salt: str, text: str) -> bytes:
    return hashlib.sha256(f"osai-quiz|{purpose}|{salt}|{text}".encode("utf-8")).digest()


def _hash(salt: str, canon: str) -> str:
    """The check of one canonical answer (hex)."""
    return _digest("check", salt, canon).hex()


def _stream(key: bytes, length: int) -> bytes:
    out = bytearray()
    block = 0
    while len(out) < length:
        out += hashlib.sha256(key + block.to_bytes(4, "big")).digest()
        block += 1
    return bytes(out[:length])


def _seal(key: bytes, value: Any) -> str:
    data = (_MAGIC + json.dumps(value, ensure_ascii=False, separators=(",", ":"))).encode()
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, _stream(key, len(data))))).decode()


def _unseal(key: bytes, text: str) -> Any:
    """The value sealed with ``key``, or None when the key is not the one."""
    try:
        data = base64.b64decode(text, validate=True)
        plain = bytes(a ^ b for a, b in zip(data, _stream(key, len(data)))).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if not plain.startswith(_MAGIC):
        return None
    try:
        return json.loads(plain[len(_MAGIC):])
    except json.JSONDecodeError:
        return None


def _option_key(salt: str, option_id: str) -> bytes:
    return _digest("option", salt, option_id)


def _answer_key(salt: str, canon: str) -> bytes:
    return _digest("answer", salt, canon)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --------------------------------------------------------------------------- canonical answers

def _grid(q: dict, x: float) -> list[int] | None:
    """The grid points (as integers, in steps of ``q['step']``) a number falls on or
    between; the number is right when every one of them is accepted."""
    step = q["step"]
    t = x / step
    nearest = round(t)
    if abs(t - nearest) * step <= EPSILON:
        return [int(nearest)]
    return [math.floor(t), math.ceil(t)]


def canonical(question: dict, answer: Any) -> list[str] | None:
    """The canonical strings a well-shaped answer is checked by (all must be accepted), or
    None for an answer of the wrong shape (see :func:`osai.quiz.answers.answer_problem`)."""
    from osai.quiz.answers import answer_problem  # answers imports nothing from here

    if answer_problem(question, answer) is not None:
        return None
    qtype = question["type"]
    if qtype in ("single", "scenario"):
        return [answer]
    if qtype == "multiple":
        return [_compact(sorted(answer))]
    if qtype == "numeric":
        return [str(i) for i in _grid(question, float(answer))]
    if qtype == "ordering":
        return [_compact({k: int(v) for k, v in answer.items()})]
    return [_compact(dict(answer))]


def check(question: dict, answer: Any) -> bool:
    """Whether ``answer`` is right for a sealed question (by its hashes)."""
    canon = canonical(question, answer)
    if canon is None:
        return False
    accepted = set(question["check"])
    return all(_hash(question["salt"], c) in accepted for c in canon)


def open_sealed(question: dict, answer: Any) -> dict:
    """What the learner reads after checking ``answer``: ``{"correct": bool, "options":
    {option id: feedback} (the chosen ones; every one after a right answer), "text": the
    right- or wrong-answer text, "order": [[item, date], ...] (ordering, when right),
    "left": [explanation, ...] (matching, when right)}``."""
    right = check(question, answer)
    out: dict = {"correct": right, "options": {}}
    salt = question["salt"]
    qtype = question["type"]
    if qtype in ("single", "scenario", "multiple"):
        canon = canonical(question, answer)
        chosen = [] if canon is None else [answer] if isinstance(answer, str) else answer
        for opt in question["options"]:
            if opt["id"] in chosen:
                out["options"][opt["id"]] = _unseal(_option_key(salt, opt["id"]), opt["sealed"])
        if right and qtype == "multiple":
            out["options"].update(_unseal(_answer_key(salt, canon[0]), question["sealed"]) or {})
        return out
    if not right:
        out["text"] = question["feedback"]["incorrect"]
        return out
    canon = canonical(question, answer)
    if qtype == "numeric":
        value = None
        for c in canon:
            for sealed in question["sealed"]:
                value = value or _unseal(_answer_key(salt, c), sealed)
    else:
        value = _unseal(_answer_key(salt, canon[0]), question["sealed"])
    out.update(value or {})
    return out


# --------------------------------------------------------------------------- sealing

_CLAUSE = re.compile(r"[^.!?]*\{answer\}[^.!?]*[.!?]?")


def _without_answer(text: str) -> str:
    """A wrong-answer text that does not give the right number: the sentence naming
    ``{answer}`` is dropped, or, when it is the only one, its clause after ':' or ';'."""
    if "{answer}" not in text:
        return text
    kept = _CLAUSE.sub("", text).strip()
    if kept:
        return kept
    head = re.split(r"[:;]", text.split("{answer}")[0])
    if len(head) > 1 and head[0].strip():
        return head[0].strip() + "."
    return "That is not the number the course data give; check the dates again."


def _step(q: dict) -> float:
    tol, answer = q["tolerance"], q["answer"]
    for step in _STEPS:
        if abs(tol / step - round(tol / step)) < 1e-9 and                 abs(answer / step - round(answer / step)) < 1e-9:
            return step
    raise QuizError(q.get("file", "bank"), f"answer {answer} and tolerance {tol} are not "
                    "multiples of 0.01; the learner's form cannot hash them", q["id"])


def seal_question(q: dict, file: str = "bank") -> dict:
    """The learner's form of one loaded question (and of its variants)."""
    salt = secrets.token_hex(16)
    qtype = q["type"]
    out = {k: q[k] for k in ("id", "type", "objective", "section", "prompt",
                             "section_anchor", "variant_of", "case", "unit") if k in q}
    out["salt"] = salt
    if qtype in ("single", "scenario", "multiple"):
        out["options"] = [{"id": o["id"], "text": o["text"],
                           "sealed": _seal(_option_key(salt, o["id"]), o["feedback"])}
                          for o in q["options"]]
        right = q["correct"][0] if qtype != "multiple" else q["correct"]
        (canon,) = canonical(out, right)
        out["check"] = [_hash(salt, canon)]
        if qtype == "multiple":
            out["sealed"] = _seal(_answer_key(salt, canon),
                                  {o["id"]: o["feedback"] for o in q["options"]})
    elif qtype == "numeric":
        step = _step({**q, "file": file})
        low = round((q["answer"] - q["tolerance"]) / step)
        high = round((q["answer"] + q["tolerance"]) / step)
        if high - low + 1 > MAX_POINTS:
            raise QuizError(file, f"tolerance {q['tolerance']} accepts more than "
                            f"{MAX_POINTS} values; make it smaller", q["id"])
        out["step"] = step
        text = {"text": fill_answer(q["feedback"]["correct"], q)}
        pairs = sorted((_hash(salt, str(i)), _seal(_answer_key(salt, str(i)), text))
                       for i in range(low, high + 1))
        out["check"] = [h for h, _ in pairs]
        out["sealed"] = [s for _, s in pairs]
        out["feedback"] = {"incorrect": _without_answer(str(q["feedback"]["incorrect"]))}
    elif qtype in ("ordering", "matching"):
        if qtype == "ordering":
            out["items"] = [{"id": it["id"], "text": it["text"]} for it in q["items"]]
        else:
            out["left"] = [{"id": it["id"], "text": it["text"]} for it in q["left"]]
            out["right"] = [dict(r) for r in q["right"]]
        (canon,) = canonical(out, q["solution"])
        out["check"] = [_hash(salt, canon)]
        shown: dict = {"text": q["feedback"]["correct"]}
        if qtype == "ordering":
            by_id = {it["id"]: it for it in q["items"]}
            shown["order"] = [[by_id[k]["text"], by_id[k]["date"]]
                              for k, _ in sorted(q["solution"].items(), key=lambda kv: kv[1])]
        else:
            shown["left"] = [it["feedback"] for it in q["left"]]
        out["sealed"] = _seal(_answer_key(salt, canon), shown)
        out["feedback"] = {"incorrect": q["feedback"]["incorrect"]}
    else:
        raise QuizError(file, f"unknown type {qtype!r}", q.get("id"))
    if q.get("variants"):
        out["variants"] = [seal_question(v, file) for v in q["variants"]]
    return out


def seal_bank(bank: dict) -> dict:
    """The learner's form of a loaded bank (a new random salt per question each call)."""
    if is_sealed(bank):
        return bank
    return {"form": FORM, "chapter": bank["chapter"], "title": bank["title"],
            "file": bank.get("file", ""),
            "questions": [seal_question(q, bank.get("file", "bank")) for q in bank["questions"]]}


def is_sealed(bank_or_question: dict) -> bool:
    """Whether a bank (or a question) is in the learner's form."""
    return bank_or_question.get("form") == FORM or "salt" in bank_or_question
