"""The class report's item analysis, and hostile inputs that must cost one line each.

Item analysis: a bank of five single-answer questions (option ``a`` keyed) answered by six
learners, whose figures are worked out by hand below; read once from progress files (the
learners named by their file's path only: no upper-lower index) and once from an LMS
export that names them.  Hostile inputs: JSON nested 100,000 deep, answers of the wrong
shape (``[{}]`` for a multiple answer, a list as a matching value, ``10**400`` as a
number), alone and inside a class zip; a file of 200,000 unknown question ids; a
``--book-url`` that starts with a tab and then ``javascript:``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile

import pytest
from bs4 import BeautifulSoup

from osai.instructor.quiz_cli import main as quiz_main
from osai.instructor.quiz_report import build_report, check_book_url, write_report
from osai.instructor.quiz_report.records import MAX_SKIPS_PER_FILE
from osai.quiz import load_bank

CH = "03-four-organisations"
T = "09-items"

#: learner -> right (1) or wrong (0) on q1..q5; chapter totals 4, 3, 3, 2, 1, 2
GRID = {"l1": [1, 1, 0, 1, 1], "l2": [1, 1, 0, 1, 0], "l3": [1, 0, 0, 1, 1],
        "l4": [0, 1, 0, 1, 0], "l5": [0, 0, 0, 1, 0], "l6": [0, 0, 1, 1, 0]}
#: the wrong option each learner chose where wrong (q1: b, c, b for l4, l5, l6)
WRONG = {("l5", "q1"): "c"}

# By hand.  Rest score = chapter total minus the item.  r = (M1 - M0) / s * sqrt(p q).
# q1: p = 1/2; rest of the right (l1-l3) 3, 2, 2 -> M1 = 7/3; of the wrong (l4-l6) 2, 1, 2
#     -> M0 = 5/3; rest scores 3,2,2,2,1,2: mean 2, variance 1/3 -> r = (2/3) / sqrt(1/3)
#     * 1/2 = 1/sqrt(3).
# q2: p = 1/2; right l1, l2, l4: rest 3, 2, 1 -> M1 = 2; wrong l3, l5, l6: 3, 1, 2 -> M0 = 2
#     -> r = 0.
# q3: p = 1/6; right l6: rest 1 -> M1 = 1; wrong: 4, 3, 3, 2, 1 -> M0 = 13/5; rest scores
#     4,3,3,2,1,1: mean 7/3, variance 11/9 -> r = (-8/5) / (sqrt(11)/3) * sqrt(5)/6
#     = -(4/5) sqrt(5/11).
# q4: everybody right: p = 1, r undefined.
# q5: p = 1/3; right l1, l3: rest 3, 2 -> M1 = 5/2; wrong l2, l4, l5, l6: 3, 2, 1, 2 -> M0 = 2;
#     rest scores 3,3,2,2,1,2: mean 13/6, variance 17/36 -> r = (1/2) / (sqrt(17)/6)
#     * sqrt(2)/3 = sqrt(2/17).
# Upper-lower: 6 learners, groups of round(0.27 * 6) = 2; by total (ties by name) the top
# two are l1, l2 and the bottom two l6, l5: D = q1 1 - 0 = 1, q2 1 - 0 = 1,
# q3 0 - 1/2 = -1/2, q4 1 - 1 = 0, q5 1/2 - 0 = 1/2.
WANT_P = [1 / 2, 1 / 2, 1 / 6, 1, 1 / 3]
WANT_R = [1 / math.sqrt(3), 0.0, -(4 / 5) * math.sqrt(5 / 11), None, math.sqrt(2 / 17)]
WANT_D = [1, 1, -1 / 2, 0, 1 / 2]
WANT_FLAGS = [(), (), ("too hard", "negative discrimination"), ("too easy",), ()]


def _q(n: int) -> dict:
    return {"id": f"q{n}", "type": "single", "prompt": f"Question {n}?", "objective": "o",
            "section": "S", "options": [{"id": k, "text": k.upper(), "feedback": f"fb {k}"}
                                        for k in "abc"], "correct": ["a"]}


@pytest.fixture(scope="module")
def item_bank():
    return {T: {"chapter": T, "title": "Items", "questions": [_q(n) for n in range(1, 6)]}}


def _answer(who: str, j: int) -> str:
    return "a" if GRID[who][j] else WRONG.get((who, f"q{j + 1}"), "b")


def _progress(path, answers, chapter):
    path.write_text(json.dumps({"format": "osai-quiz-progress", "version": 1,
                                "chapters": {chapter: {"answers": answers}}}),
                    encoding="utf-8")
    return path


def _check_figures(rows, named: bool):
    assert [f.question for f in rows] == [f"q{n}" for n in range(1, 6)]
    for f, p, r, d, flags in zip(rows, WANT_P, WANT_R, WANT_D, WANT_FLAGS):
        assert f.answered == 6
        assert f.difficulty == pytest.approx(p), f.question
        if r is None:
            assert f.point_biserial is None
        else:
            assert f.point_biserial == pytest.approx(r, abs=1e-12), f.question
        assert f.upper_lower == (pytest.approx(d) if named else None), f.question
        assert f.flags == flags, f.question
    q1 = rows[0].options
    assert [(o[0], o[3]) for o in q1] == [("a", True), ("b", False), ("c", False)]
    assert [o[2] for o in q1] == pytest.approx([1 / 2, 1 / 3, 1 / 6])


def test_item_figures_from_progress_files(item_bank, tmp_path):
    files = [_progress(tmp_path / f"{who}.json",
                       {f"q{j + 1}": _answer(who, j) for j in range(5)}, T) for who in GRID]
    report = build_report(files, item_bank)
    assert report.skips == []
    _check_figures(report.items[T], named=False)


def test_item_figures_from_an_lms_export_that_names_learners(item_bank, tmp_path):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["learner", "interaction_id", "student_response"])
    for who in GRID:
        for j in range(5):
            w.writerow([f"{who}@example.org", f"{T}/q{j + 1}", _answer(who, j)])
    path = tmp_path / "export.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    report = build_report([path], item_bank)
    assert report.skips == []
    _check_figures(report.items[T], named=True)
    # the page: one row per question with the figures, flags, and what each figure means
    html = write_report(report, item_bank, tmp_path / "r.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.select(f"#items-{T} tbody tr")
    assert [r["data-question"] for r in rows] == [f"q{n}" for n in range(1, 6)]
    cells = [[c.get_text(" ", strip=True) for c in r.find_all("td")] for r in rows]
    assert cells[0][1:4] == ["0.50", "+0.58", "+1.00"]
    assert cells[2][1:4] == ["0.17", "-0.54", "-0.50"] and "negative" in cells[2][5]
    assert cells[3][2] == "n/a" and cells[3][5] == "too easy"
    assert "a (key): 50%; b: 33%; c: 17%" == cells[0][4]
    legend = soup.select("#figures dd")
    assert len(legend) == 5
    for dd in legend:  # two sentences each
        assert dd.get_text().count(". ") == 1 and dd.get_text().endswith(".")


# ------------------------------------------------------------------ hostile inputs

def _good(tmp_path, name="good.json"):
    return _progress(tmp_path / name, {"opencv-start": "c"}, CH)


def _deep() -> bytes:
    return (b'{"format":"osai-quiz-progress","version":1,"chapters":'
            + b"[" * 100_000 + b"]" * 100_000 + b"}")


def _wrong_shapes() -> dict:
    return {"opencv-start": "c", "openai-pledgers": [{}],
            "founding-settings": {"l1": ["r1"], "l2": "r2", "l3": "r3", "l4": "r4"},
            "lp-to-microsoft-days": 10 ** 400}


@pytest.fixture(scope="module")
def banks():
    return {CH: load_bank(CH)}


def _lines(report, name):
    return [s.line() for s in report.skips if name in s.file]


def test_deep_json_is_one_line_and_the_rest_is_reported(banks, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_bytes(_deep())
    report = build_report([deep, _good(tmp_path)], banks)
    assert len(_lines(report, "deep.json")) == 1
    assert "nested too deep" in _lines(report, "deep.json")[0]
    assert [(a.question, a.correct) for a in report.answers] == [("opencv-start", True)]


def test_answers_of_the_wrong_shape_are_dropped_by_name(banks, tmp_path):
    path = tmp_path / "shapes.json"
    path.write_text(json.dumps({"format": "osai-quiz-progress", "version": 1, "chapters": {
        CH: {"answers": {}}}}).replace('"answers": {}', '"answers": ' + json.dumps(
            {k: v for k, v in _wrong_shapes().items() if k != "lp-to-microsoft-days"})[:-1]
        + ', "lp-to-microsoft-days": 1' + "0" * 400 + "}"), encoding="utf-8")
    report = build_report([path], banks)
    assert [a.question for a in report.answers] == ["opencv-start"]
    lines = _lines(report, "shapes.json")
    assert len(lines) == 3
    for qid in ("openai-pledgers", "founding-settings", "lp-to-microsoft-days"):
        assert any(f"question '{qid}': answer dropped" in line for line in lines), qid
    html = write_report(report, banks, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "opencv-start" in html


def test_hostile_entries_inside_a_class_zip(banks, tmp_path):
    buf = io.BytesIO()
    shapes = json.dumps({"format": "osai-quiz-progress", "version": 1,
                         "chapters": {CH: {"answers": {"openai-pledgers": [{}],
                                                       "opencv-start": "a"}}}})
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ann/deep.json", _deep())
        zf.writestr("ben/shapes.json", shapes)
        zf.writestr("cat/good.json", json.dumps({"format": "osai-quiz-progress", "version": 1,
                                                 "chapters": {CH: {"answers": {
                                                     "opencv-start": "c"}}}}))
    path = tmp_path / "class.zip"
    path.write_bytes(buf.getvalue())
    report = build_report([path], banks)
    assert len(_lines(report, "ann/deep.json")) == 1
    assert len(_lines(report, "ben/shapes.json")) == 1
    assert sorted((a.learner.split("!")[1], a.question) for a in report.answers) == [
        ("ben/shapes.json", "opencv-start"), ("cat/good.json", "opencv-start")]


def test_skip_lines_are_capped_per_file(banks, tmp_path, capsys):
    many = tmp_path / "many.json"
    _progress(many, {f"unknown-{i}": "a" for i in range(200_000)} | {"opencv-start": "c"}, CH)
    out = tmp_path / "report.html"
    assert quiz_main(["report", str(many), str(_good(tmp_path)), "--out", str(out)]) == 0
    lines = _lines(build_report([many], banks), "many.json")
    assert len(lines) == MAX_SKIPS_PER_FILE + 1
    assert f"{200_000 - MAX_SKIPS_PER_FILE:,} more skipped part(s)" in lines[-1]
    assert out.stat().st_size < 100_000
    assert len(capsys.readouterr().err) < 10_000


@pytest.mark.parametrize("url", ["\tjavascript:alert(1)", " javascript:alert(1)",
                                 "java\tscript:alert(1)", "\x00javascript:x",
                                 "JAVASCRIPT:x", "data:text/html,x", "//evil.example/",
                                 "\n\tvbscript:x", "   "])
def test_book_url_is_checked_after_trimming(tmp_path, capsys, url):
    with pytest.raises(ValueError):
        check_book_url(url)
    assert quiz_main(["report", str(_good(tmp_path)), "--out", str(tmp_path / "r.html"),
                      "--book-url", url]) == 2
    assert "--book-url" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_book_urls_that_are_kept(tmp_path):
    assert check_book_url(" https://book.example/osai/\t") == "https://book.example/osai/"
    assert check_book_url("../book") == "../book"


#: wrong shapes per question type (a course update that changes a question's type, a
#: stale or hand-edited file): each must be dropped with a line, the rest of the file kept
WRONG_SHAPES = {
    "single": [5, None, ["c"], {"c": 1}, "zz", True, ""],
    "multiple": ["a", [{}], [], None, ["zz"], {"a": True}, [["a"]]],
    "numeric": [None, "133", [133], {}, True, -(10 ** 400)],
    "ordering": [None, [1, 2, 3, 4], {"openai-launch": 1}, {"x": 1},
                 {"openai-launch": "1", "openai-lp": 2, "openai-charter": 3,
                  "openai-microsoft-2019": 4},
                 {"openai-launch": 1, "openai-lp": 1, "openai-charter": 3,
                  "openai-microsoft-2019": 4},
                 {"openai-launch": [], "openai-lp": 2, "openai-charter": 3,
                  "openai-microsoft-2019": 4}],
    "matching": [None, ["r1"], {"l1": ["r1"], "l2": "r2", "l3": "r3", "l4": "r4"},
                 {"l1": {}, "l2": "r2", "l3": "r3", "l4": "r4"}, {"l1": "r1"},
                 {"l1": "zz", "l2": "r2", "l3": "r3", "l4": "r4"}],
}
SHAPE_QUESTION = {"single": "opencv-start", "multiple": "openai-pledgers",
                  "numeric": "lp-to-microsoft-days", "ordering": "openai-order",
                  "matching": "founding-settings"}


@pytest.mark.parametrize("qtype", sorted(WRONG_SHAPES))
def test_every_wrong_shape_is_dropped_and_the_valid_answers_kept(banks, tmp_path, qtype):
    qid = SHAPE_QUESTION[qtype]
    valid = {"charter-quote": "a", "sklearn-years-to-release": 3}
    files = []
    for n, answer in enumerate(WRONG_SHAPES[qtype]):
        text = json.dumps({"format": "osai-quiz-progress", "version": 1, "chapters": {CH: {
            "answers": {**valid, qid: "@@"}}}})
        raw = "-1" + "0" * 400 if answer == -(10 ** 400) else json.dumps(answer)
        path = tmp_path / f"{qtype}-{n}.json"
        path.write_text(text.replace('"@@"', raw), encoding="utf-8")
        files.append(path)
    report = build_report(files, banks)
    for path in files:
        lines = _lines(report, path.name)
        assert len(lines) == 1 and f"question '{qid}': answer dropped" in lines[0], lines
        got = {a.question for a in report.answers if a.source == str(path)}
        assert got == set(valid), path.name
    html = write_report(report, banks, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "charter-quote" in html
