"""SCORM learner responses: the one encode/decode pair between the widget's answers and
what the SCORM adapter (``_static/osai-scorm.js``) writes to the LMS.

The course's SCORM packages report one interaction per checked base question (its variants
share it), at an index fixed at its first check and kept in ``cmi.suspend_data``:
id ``<chapter>/<base question id>``, a type, the learner's response (SCORM 1.2
``cmi.interactions.n.student_response``, SCORM 2004 ``learner_response``) and a result
(1.2 ``correct``/``wrong``, 2004 ``correct``/``incorrect``).  The response, by type:

=================  ============  ===============================  ======================
question           type          SCORM 1.2                        SCORM 2004
=================  ============  ===============================  ======================
single, scenario   choice        the option id: ``c``             the same
multiple           choice        ids sorted: ``a,c``              ``a[,]c``
numeric            numeric       the number as JavaScript writes  ``133``, ``0.5``,
                                 it (``133``, ``0.5``, ``1e+21``) ``0.0000001``
ordering           sequencing    item ids, earliest position      ``x_1[,]y[,]z``
                                 first: ``x-1,y,z``
matching           matching      ``l1.r2,l2.r1`` (bank order)     ``l1[.]r2[,]l2[.]r1``
=================  ============  ===============================  ======================

The ids come from the loaded bank (:mod:`osai.quiz.model`); the bank schema allows only
``[a-z0-9-]`` in them, so no separator is ever part of an id.  SCORM 2004 writes what
Moodle's 2004 player accepts (``mod/scorm/datamodels/scorm_13.js``): ids inside a
response as ``CMIShortIdentifier`` tokens, ``-`` written ``_`` (:func:`token`; bank ids
never hold ``_``, so :func:`decode` maps it back, for either version), a multiple answer's
ids once each, a number as a ``CMIDecimal`` (:func:`decimal_text`; none past 99999, then
no response field).  The adapter also keeps every answer in ``cmi.suspend_data`` as
``JSON.stringify({v: 1, a: answers, i: index})`` (:func:`encode_suspend`).

* :func:`encode` / :func:`decode`: an answer (the JSON form quiz.js stores) to its response
  and back; ``decode(q, encode(q, a, v), v) == a`` for every answer a learner can check
  (a multiple answer in sorted order, an ordering that gives each item its own position);
* :func:`interaction`: the fields the adapter sets for one answer (but the time);
* :func:`encode_suspend` / :func:`decode_suspend`: ``cmi.suspend_data``;
* :func:`interaction_id` / :func:`parse_interaction_id`.

Used by the class report (:mod:`osai.instructor.quiz_report`, which reads LMS exports of
the interactions); ``tests/test_scorm_responses.py`` checks all of it against
osai-scorm.js run in node.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from osai.instructor.scorm.jstext import json_text, number_text, parse_json
from osai.quiz.model import Answer, Question
from osai.quiz.scoring import is_correct, well_formed

__all__ = ["INTERACTION_TYPES", "RESPONSE_FIELD", "SUSPEND_LIMIT", "VERSIONS", "decimal_text",
           "decode", "decode_suspend", "encode", "encode_suspend", "interaction",
           "interaction_id", "parse_interaction_id", "suspend_index", "token", "untoken"]

VERSIONS = ("1.2", "2004")
#: the interaction field that holds the response
RESPONSE_FIELD = {"1.2": "student_response", "2004": "learner_response"}
#: the result of a wrong answer (a right one is "correct" in both)
WRONG = {"1.2": "wrong", "2004": "incorrect"}
#: question type -> SCORM interaction type
INTERACTION_TYPES = {"single": "choice", "scenario": "choice", "multiple": "choice",
                     "numeric": "numeric", "ordering": "sequencing", "matching": "matching"}
#: the longest cmi.suspend_data the adapter writes (1.2: CMIString4096; 2004: SPM 64000)
SUSPEND_LIMIT = {"1.2": 4096, "2004": 64000}
#: (between list items, inside a matching pair)
_SEPARATORS = {"1.2": (",", "."), "2004": ("[,]", "[.]")}
#: a number as a learner or an LMS writes it (a decimal comma allowed), nothing else
#: Moodle's SCORM 2004 CMIDecimal (mod/scorm/datamodels/scorm_13.js)
_DECIMAL = re.compile(r"-?[0-9]{1,5}(?:\.[0-9]{1,18})?")
#: a bank id (question, option, item)
_ID = re.compile(r"[a-z0-9-]{1,250}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")


def _version(version: str) -> str:
    if version not in VERSIONS:
        raise ValueError(f"unknown SCORM version {version!r} (known: {', '.join(VERSIONS)})")
    return version


def interaction_id(chapter: str, question_id: str) -> str:
    """``"03-four-organisations/opencv-start"``."""
    return f"{chapter}/{question_id}"


def parse_interaction_id(text: str) -> tuple[str, str]:
    """``"03-four-organisations/opencv-start"`` -> (chapter, question id)."""
    chapter, sep, qid = text.strip().partition("/")
    if not sep or not chapter or not qid or "/" in qid:
        raise ValueError(f"interaction id {text!r} is not <chapter>/<question id>")
    return chapter, qid


def _utf16(text: str) -> bytes:
    """Sort key of JavaScript's default sort: UTF-16 code units."""
    return text.encode("utf-16-be", "surrogatepass")


def token(item_id: str, version: str) -> str:
    """An id as a response holds it: SCORM 2004 writes ``-`` as ``_`` (Moodle's player takes
    only ``[A-Za-z0-9_.]`` in response ids); SCORM 1.2 writes it as it is."""
    return item_id.replace("-", "_") if _version(version) == "2004" else item_id


def untoken(text: str) -> str:
    """The id a response token stands for (``_`` back to ``-``: bank ids never hold ``_``)."""
    return text.replace("_", "-")


def decimal_text(x: float | int) -> str | None:
    """A number as the adapter writes a SCORM 2004 numeric response (Moodle's CMIDecimal,
    ``-?d{1,5}(.d{1,18})?``): JavaScript's own text when it fits, else fixed-point with 18
    decimals (JavaScript's ``toFixed``: the exact value, halves away from zero) without
    trailing zeros; None when no such decimal exists (``|x| >= 100000``)."""
    text = number_text(x)
    if _DECIMAL.fullmatch(text):
        return text
    if abs(x) >= 1e5:
        return None
    fixed = Decimal(x).quantize(Decimal(1).scaleb(-18), rounding=ROUND_HALF_UP)
    out = f"{fixed:f}".rstrip("0").rstrip(".")
    return "0" if out == "-0" else out


def encode(question: Question, answer: Answer, version: str) -> str | None:
    """The response osai-scorm.js writes for this answer; ValueError for an answer the
    question's controls cannot give (:func:`osai.quiz.scoring.well_formed`); None for a
    number SCORM 2004 cannot hold (:func:`decimal_text`)."""
    items, pair = _SEPARATORS[_version(version)]
    if not well_formed(question, answer):
        raise ValueError(f"answer {answer!r} does not fit this {question['type']} question")
    qtype = question["type"]

    def tok(x: str) -> str:
        return token(x, version)

    if qtype in ("single", "scenario"):
        return tok(answer)
    if qtype == "multiple":
        return items.join(sorted({tok(a) for a in answer}, key=_utf16))
    if qtype == "numeric":
        return number_text(answer) if version == "1.2" else decimal_text(answer)
    if qtype == "ordering":
        # by position, ties in the bank's order (as the adapter sorts)
        order = sorted(enumerate(question["items"]),
                       key=lambda p: (float(answer[p[1]["id"]]), p[0]))
        return items.join(tok(item["id"]) for _, item in order)
    return items.join(f"{tok(left['id'])}{pair}{tok(answer[left['id']])}"
                      for left in question["left"])


def _split(text: str, sep: str) -> list[str]:
    parts = [p.strip() for p in text.split(sep)]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"empty item in a {sep!r}-separated response")
    return parts


def _number(text: str) -> float | int:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    value = float(text.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    # a whole number reads back as an int, as JSON gives it to Python
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _read(question: Question, text: str, version: str) -> Any:
    items, pair = _SEPARATORS[version]
    qtype = question["type"]
    if qtype in ("single", "scenario"):
        return untoken(text.strip())
    if qtype == "multiple":
        return [untoken(x) for x in _split(text, items)]
    if qtype == "numeric":
        return _number(text)
    if qtype == "ordering":
        order = [untoken(x) for x in _split(text, items)]
        known = {it["id"] for it in question["items"]}
        if sorted(order) != sorted(known):
            raise ValueError("an ordering response must name every item exactly once")
        return {item: i + 1 for i, item in enumerate(order)}
    if qtype == "matching":
        pairs = {}
        for part in _split(text, items):
            left, sep, right = part.partition(pair)
            if not sep or not left or not right:
                raise ValueError(f"matching pair {part!r} is not left{pair}right")
            left, right = untoken(left), untoken(right)
            if left in pairs:
                raise ValueError(f"matching item {left!r} is given twice")
            pairs[left] = right
        return pairs
    raise ValueError(f"unknown question type {qtype!r}")


def decode(question: Question, text: str, version: str | None = None) -> Answer:
    """The widget answer a response stands for; ValueError with the reason when it does
    not fit the question (unknown option id, missing item, not a number ...).

    ``version`` None (an LMS export that does not say): a response holding ``[,]`` or
    ``[.]`` is read as SCORM 2004's, any other as SCORM 1.2's.
    """
    if not isinstance(text, str):
        raise ValueError(f"response {text!r} is not text")
    if version is None:
        version = "2004" if "[,]" in text or "[.]" in text else "1.2"
    answer = _read(question, text, _version(version))
    if not well_formed(question, answer):
        raise ValueError(f"response {text!r} does not fit this {question['type']} question")
    return answer


def interaction(chapter: str, question: Question, answer: Answer,
                version: str) -> dict[str, str]:
    """The fields osai-scorm.js sets for one checked answer (``cmi.interactions.n.*``),
    but the time: ``{id, type, student_response | learner_response, result}``, and in
    SCORM 2004 ``description`` (the variant answered) when ``question`` is a variant.  The
    id is the base question's (one interaction per base question, variants included); a
    2004 numeric answer with no CMIDecimal form has no response field."""
    base = question.get("variant_of") or question["id"]
    out = {"id": interaction_id(chapter, base), "type": INTERACTION_TYPES[question["type"]]}
    response = encode(question, answer, version)
    if response is not None:
        out[RESPONSE_FIELD[version]] = response
    out["result"] = "correct" if is_correct(question, answer) else WRONG[version]
    if version == "2004" and base != question["id"]:
        out["description"] = question["id"]
    return out


def encode_suspend(answers: dict[str, Answer], index: dict[str, int] | None = None) -> str:
    """``cmi.suspend_data`` for these answers (by question id), as the adapter writes it:
    ``JSON.stringify({v: 1, a: answers, i: index})``, ``index`` giving each base question's
    interaction index (fixed at its first check).  Without ``index``, the form written
    before the index existed, ``{v: 1, a: answers}``, which the adapter still resumes (the
    interactions then numbered by answered question in bank order).  The adapter writes
    it only when it fits in :data:`SUSPEND_LIMIT` characters."""
    data: dict[str, Any] = {"v": 1, "a": answers}
    if index is not None:
        data["i"] = index
    return json_text(data)


def suspend_index(text: str) -> dict[str, int]:
    """The interaction index per base question in a ``cmi.suspend_data`` ({} when it has
    none), read as the adapter reads it: ids of the bank's form, whole numbers >= 0, each
    index once."""
    try:
        data = parse_json(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("i"), dict):
        return {}
    out: dict[str, int] = {}
    for key, n in data["i"].items():
        if _ID.fullmatch(key) and isinstance(n, int) and not isinstance(n, bool) and \
                0 <= n < 10**6 and n not in out.values():
            out[key] = n
    return out


def decode_suspend(text: str) -> dict[str, Any]:
    """The answers in a ``cmi.suspend_data``, read as the adapter reads them: anything but
    ``{"v": 1, "a": {...}}`` gives no answers ({})."""
    try:
        data = parse_json(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    v, answers = data.get("v"), data.get("a")
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != 1:
        return {}
    return answers if isinstance(answers, dict) else {}
