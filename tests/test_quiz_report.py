"""``osai quiz report``: the class report from progress files, folders and LMS exports.

Fixture inputs are written here: progress files of several learners (one in a folder, one
whose name is hostile HTML), Moodle's SCORM interactions report (tab-separated, as Moodle's
CSV download writes it, two attempts for one learner), a generic interactions CSV, and
malformed inputs of every kind.  The shares in the HTML are compared with values worked
out by hand below.
"""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from osai.instructor.quiz_cli import main as quiz_main
from osai.instructor.scorm.responses import decode
from osai.quiz import load_bank

CH = "03-four-organisations"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def banks():
    return {CH: load_bank(CH)}


def _progress(path, answers, chapter=CH):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": "osai-quiz-progress", "version": 1,
                                "chapters": {chapter: {"answers": answers, "score": 0,
                                                       "total": 11}}}), encoding="utf-8")
    return path


ORDER_RIGHT = "openai-launch,openai-charter,openai-lp,openai-microsoft-2019"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("class")
    good = [
        _progress(d / "alice.json", {
            "opencv-start": "c", "openai-pledgers": ["a", "c"], "lp-to-microsoft-days": 133,
            "openai-order": {"openai-launch": 1, "openai-lp": 2, "openai-charter": 3,
                             "openai-microsoft-2019": 4}}),
    ]
    folder = d / "folder"
    _progress(folder / "bob.json", {
        "opencv-start": "a", "openai-pledgers": ["a", "b"], "lp-to-microsoft-days": 130,
        "founding-settings": {"l1": "r4", "l2": "r2", "l3": "r3", "l4": "r1"}})
    _progress(folder / "sub" / "carol.json", {
        "opencv-start": "a", "openai-pledgers": ["a", "d"], "nope": "a",
        "sklearn-supporters": "z"})
    _progress(folder / f"{HOSTILE}.json", {"opencv-start": "c"})
    (folder / f"{HOSTILE}-broken.json").write_text("{", encoding="utf-8")
    good.append(folder)
    # Moodle's interactions report, CSV download: tab-separated, "Include question text",
    # "Include responses" and "Include results" ticked; identity field: email address
    head = ["Name", "Email address", "Attempt", "Started on", "Last accessed on", "Score",
            "The four organisations"]
    for i in range(3):
        head += [f"Question {i}", f"Response {i}", f"Result {i}"]
    rows = [
        ["Dave Doe", "dave@example.org", "1", "1 May", "1 May", "50", "50",
         f"{CH}/opencv-start", "c", "correct", f"{CH}/openai-pledgers", "a,d", "wrong",
         f"{CH}/openai-order", ORDER_RIGHT, "correct"],
        ["<b>Eve</b>", "", "1", "1 May", "1 May", "0", "0",
         f"{CH}/opencv-start", "b", "wrong", "", "", "", "", "", ""],
        ["<b>Eve</b>", "", "2", "2 May", "2 May", "100", "100",
         f"{CH}/opencv-start", "c", "correct", "", "", "", "", "", ""],
        ["Finn", "finn@example.org", "1", "1 May", "1 May", "0", "0",
         f"{CH}/no-such-question", "a", "wrong", "", "", "", "", "", ""],
        ["Gail", "gail@example.org", "-", "-", "-", "-", "Not attempted",
         "", "", "", "", "", "", "", "", ""],
    ]
    moodle = d / "moodle-interactions.txt"
    moodle.write_text("\n".join("\t".join(r) for r in [head, *rows]) + "\n", encoding="utf-8")
    good.append(moodle)
    generic = d / "generic.csv"
    generic.write_text("learner,interaction_id,student_response,result\n"
                       f"frank,{CH}/founding-settings,\"l1.r1,l2.r2,l3.r3,l4.r4\",wrong\n"
                       f"frank,{CH}/opencv-start,zz,wrong\n", encoding="utf-8")
    good.append(generic)
    bad = {
        "bad-json.json": b"{\"format\": ",
        "foreign.json": json.dumps({"format": "something-else"}).encode(),
        "unknown-chapter.json": json.dumps({"format": "osai-quiz-progress", "version": 1,
                                            "chapters": {"99-nope": {"answers": {}}}}).encode(),
        "latin1.csv": "learner,interaction_id,student_response\nJos\xe9,a/b,c\n".encode("latin-1"),
        "foreign.csv": b"a,b,c\n1,2,3\n",
    }
    bad_paths = []
    for name, data in bad.items():
        (d / name).write_bytes(data)
        bad_paths.append(d / name)
    return d, good, bad_paths


@pytest.fixture(scope="module")
def run(inputs, banks, tmp_path_factory):
    import osai.instructor.quiz_cli as cli

    def go(paths, capsys=None):
        out = tmp_path_factory.mktemp("out") / "report.html"
        saved = cli.load_all
        cli.load_all = lambda: banks
        try:
            code = quiz_main(["report", *map(str, paths), "--out", str(out),
                              "--book-url", "https://example.org/book/"])
        finally:
            cli.load_all = saved
        return code, out
    return go


@pytest.fixture(scope="module")
def report(inputs, run):
    d, good, bad = inputs
    code, out = run([*good, *bad])
    assert code == 0
    return out.read_text(encoding="utf-8")


def _rows(html):
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", id=f"table-{CH}")
    out = {}
    for tr in table.tbody.find_all("tr"):
        cells = tr.find_all("td")
        qid = cells[1].small.get_text().removeprefix("id ")
        out[qid] = (int(cells[2]["data-right"]), int(cells[2]["data-answered"]),
                    cells[3].get_text(), cells[4].get_text())
    return soup, out


def test_shares_per_question_match_hand_counts(report, banks):
    _, rows = _rows(report)
    q = {x["id"]: x for x in banks[CH]["questions"]}
    # opencv-start: alice c, bob a, carol a, hostile-named file c, dave c, eve c (attempt 2
    # replaces attempt 1's b); frank's "zz" is skipped
    assert rows["opencv-start"][:2] == (4, 6)
    assert rows["opencv-start"][2] == f"{q['opencv-start']['options'][0]['text']} (2)"
    assert rows["opencv-start"][3] == q["opencv-start"]["options"][0]["feedback"]
    # openai-pledgers: right a,b; alice a,c; bob a,b; carol a,d; dave a,d -> d chosen twice
    assert rows["openai-pledgers"][:2] == (1, 4)
    assert rows["openai-pledgers"][2].startswith(q["openai-pledgers"]["options"][3]["text"])
    assert rows["lp-to-microsoft-days"][:2] == (1, 2)
    assert rows["lp-to-microsoft-days"][2].startswith("130")
    assert "{answer}" not in rows["lp-to-microsoft-days"][3]
    assert rows["openai-order"][:2] == (1, 2)  # alice wrong, dave right
    assert rows["openai-order"][2].startswith("1st: ")
    assert rows["founding-settings"][:2] == (1, 2)  # bob right, frank wrong
    assert "matched with" in rows["founding-settings"][2]
    # questions nobody answered are not listed
    assert "charter-quote" not in rows and "sklearn-supporters" not in rows


def test_most_missed_lists_lowest_shares_with_sections(report, banks):
    soup, _ = _rows(report)
    table = soup.find("table", id="most-missed")
    first = table.tbody.find_all("tr")[0].find_all("td")
    assert first[0].get_text() == f"{CH} Q3"  # openai-pledgers, 1 of 4
    link = first[3].a
    q = next(x for x in banks[CH]["questions"] if x["id"] == "openai-pledgers")
    assert link.get_text() == q["section"]
    assert link["href"] == f"https://example.org/book/chapters/{CH}.html#{q['section_anchor']}"
    assert len(table.tbody.find_all("tr")) == 5


def test_each_bad_input_is_named_with_a_reason(report, inputs, capsys):
    d, _, bad = inputs
    soup = BeautifulSoup(report, "html.parser")
    lines = [li.get_text() for li in soup.select("ul.skips li")]
    for path in bad:
        assert any(line.startswith(f"skipped {path}") for line in lines), path
    text = "\n".join(lines)
    assert "not valid JSON" in text and "not a quiz progress file" in text
    assert "unknown chapter" in text and "not UTF-8" in text and "foreign CSV headers" in text
    assert "question 'nope'" in text and "question 'sklearn-supporters'" in text
    assert re.search(r"moodle-interactions\.txt, row 5, interaction 0: unknown question", text)
    assert re.search(r"generic\.csv, row 3: response 'zz' does not fit", text)


def test_hostile_names_stay_text_and_nothing_is_requested(report):
    assert "<img" not in report and "<b>" not in report and "<script" not in report
    soup = BeautifulSoup(report, "html.parser")
    assert soup.find("img") is None and soup.find("b") is None
    assert any(f"{HOSTILE}-broken.json: not valid JSON" in li.get_text()
               for li in soup.select("ul.skips li"))
    assert not re.search(r"https?://(?!example\.org/book/)", report)
    assert not soup.find_all("script") and not soup.find_all(["link", "iframe", "object"])


def test_chart_is_inline_svg_with_a_caption(report):
    soup = BeautifulSoup(report, "html.parser")
    fig = soup.find("section", id=f"chapter-{CH}").figure
    svg = fig.find("svg")
    assert svg is not None and svg["role"] == "img" and svg["aria-label"]
    assert fig.figcaption.get_text().startswith(f"Chapter {CH}")
    assert svg.find_all("path") or svg.find_all("rect")


def test_nothing_usable_exits_1_and_skips_go_to_stderr(inputs, run, capsys):
    d, _, bad = inputs
    code, out = run(bad)
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    for path in bad:
        assert f"skipped {path}" in err


@pytest.mark.parametrize("qid, text, want", [
    ("opencv-start", "c", "c"),
    ("openai-pledgers", "a,b", ["a", "b"]),
    ("lp-to-microsoft-days", "133", 133),
    ("openai-order", ORDER_RIGHT, {"openai-launch": 1, "openai-charter": 2, "openai-lp": 3,
                                   "openai-microsoft-2019": 4}),
    ("founding-settings", "l1.r4,l2.r2,l3.r3,l4.r1", {"l1": "r4", "l2": "r2", "l3": "r3",
                                                      "l4": "r1"}),
    # SCORM 2004's learner_response formats (the 2004 package writes these)
    ("openai-pledgers", "a[,]b", ["a", "b"]),
    ("openai-order", ORDER_RIGHT.replace(",", "[,]"), {"openai-launch": 1, "openai-charter": 2,
                                                       "openai-lp": 3,
                                                       "openai-microsoft-2019": 4}),
    ("founding-settings", "l1[.]r4[,]l2[.]r2[,]l3[.]r3[,]l4[.]r1",
     {"l1": "r4", "l2": "r2", "l3": "r3", "l4": "r1"}),
])
def test_contract_responses_parse_to_widget_answers(banks, qid, text, want):
    q = next(x for x in banks[CH]["questions"] if x["id"] == qid)
    assert decode(q, text) == want


@pytest.mark.parametrize("qid, text", [
    ("opencv-start", "z"), ("openai-pledgers", "a,,b"), ("lp-to-microsoft-days", "abc"),
    ("openai-order", "openai-launch,openai-lp"), ("founding-settings", "l1-r4,l2.r2"),
    ("founding-settings", "l1.r9,l2.r2,l3.r3,l4.r1"),
    ("openai-pledgers", "a[,][,]b"), ("founding-settings", "l1[.]r4[,]l2.r2[,]l3[.]r3[,]l4[.]r1"),
])
def test_responses_that_do_not_fit_are_refused(banks, qid, text):
    q = next(x for x in banks[CH]["questions"] if x["id"] == qid)
    with pytest.raises(ValueError):
        decode(q, text)


def test_moodle_report_of_a_package_with_one_sco_per_chapter(banks, tmp_path):
    """With several SCOs Moodle writes each SCO's score cell followed by that SCO's
    interaction cells, so a row has more cells than the header (report.php)."""
    from osai.instructor.quiz_report.csvtable import read_table
    from osai.instructor.quiz_report.moodle_interactions import read_moodle

    ch4 = "04-community-led"
    both = {**banks, ch4: load_bank(ch4)}
    q4 = both[ch4]["questions"][1]  # sklearn-consortium-purpose, single
    head = ["Name", "Attempt", "Started on", "Last accessed on", "Score", "Chapter 3",
            "Chapter 4", "Question 0", "Response 0"]
    row = ["Ann", "1", "x", "x", "50", "100", f"{CH}/opencv-start", "c", "0",
           f"{ch4}/{q4['id']}", q4["correct"][0]]
    short = ["Bo", "1", "x", "x", "50", "100", "0", f"{CH}/opencv-start", "c"]
    path = tmp_path / "m.txt"
    path.write_text("\n".join("\t".join(r) for r in (head, row, short)), encoding="utf-8")
    got = read_moodle(*read_table(path), "m.txt", both)
    assert sorted((a.learner, a.chapter, a.question, a.correct) for a in got.answers) == [
        ("Ann", CH, "opencv-start", True), ("Ann", ch4, q4["id"], True)]
    assert [s.line() for s in got.skips] == ["skipped m.txt, row 3: 9 cells, expected 11"]


def test_moodle_report_without_question_ids_is_skipped_with_the_option_to_tick(banks,
                                                                               tmp_path):
    path = tmp_path / "noq.txt"
    path.write_text("Name\tAttempt\tScore\tSCO\tResponse 0\nAnn\t1\t1\t1\tc\n",
                    encoding="utf-8")
    from osai.instructor.quiz_report.sources import read_inputs

    got = read_inputs([path], banks)
    assert got.answers == [] and "Include question text" in got.skips[0].reason


def test_book_url_must_be_http_or_relative(tmp_path, capsys):
    code = quiz_main(["report", str(tmp_path), "--out", str(tmp_path / "r.html"),
                      "--book-url", "javascript:alert(1)"])
    assert code == 2 and "http(s) URL or a relative path" in capsys.readouterr().err


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_report_reads_on_a_phone_and_a_desktop_and_is_axe_clean(report, chromium, tmp_path,
                                                                 width):
    """The instructor opens the report in a browser: nothing sideways, axe WCAG 2.1 A/AA
    clean, every chart drawn with a size inside the page, no request made."""
    from harness import browser

    path = tmp_path / "report.html"
    path.write_text(report, encoding="utf-8")
    context = chromium.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        assert requests == [path.as_uri()]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px sideways scroll at {width}px"
        boxes = page.locator("figure svg").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [r.width, r.right]; })")
        assert boxes and all(0 < w and right <= width for w, right in boxes), boxes
        assert browser.axe_violations(page) == []
        assert errors == []
    finally:
        context.close()


def test_generic_csv_of_scorm2004_interactions(banks):
    """A table written from a SCORM 2004 runtime's cmi.interactions (the 2004 package's
    learner_response formats, result incorrect) reads as the 1.2 one does."""
    from osai.instructor.quiz_report.generic import generic_columns, read_generic

    header = ["learner", "id", "type", "learner_response", "result", "timestamp"]
    rows = [["hana", f"{CH}/openai-pledgers", "choice", "a[,]c", "incorrect",
             "2026-05-01T10:00:00.0Z"],
            ["hana", f"{CH}/founding-settings", "matching", "l1[.]r4[,]l2[.]r2[,]l3[.]r3[,]l4[.]r1",
             "correct", "2026-05-01T10:01:00.0Z"],
            ["hana", f"{CH}/openai-order", "sequencing", ORDER_RIGHT.replace(",", "[,]"),
             "correct", "2026-05-01T10:02:00.0Z"],
            ["hana", f"{CH}/founding-settings", "matching", "l1.r4[,]l2.r2", "incorrect", ""],
            # as the 2004 adapter writes an ordering now ("-" as "_", Moodle's
            # CMIShortIdentifier): the same answer
            ["ivan", f"{CH}/openai-order", "sequencing",
             ORDER_RIGHT.replace("-", "_").replace(",", "[,]"), "correct",
             "2026-05-01T10:02:00.12Z"]]
    assert generic_columns(header) is not None
    got = read_generic(header, rows, "scorm2004.csv", banks)
    answers = {a.question: a.answer for a in got.answers if a.learner == "hana"}
    assert [a.answer for a in got.answers if a.learner == "ivan"] == [
        answers["openai-order"]]
    assert answers == {"openai-pledgers": ["a", "c"],
                       "founding-settings": {"l1": "r4", "l2": "r2", "l3": "r3", "l4": "r1"},
                       "openai-order": {"openai-launch": 1, "openai-charter": 2, "openai-lp": 3,
                                        "openai-microsoft-2019": 4}}
    assert [(s.where, "left[.]right" in s.reason) for s in got.skips] == [
        ("row 5", True)]


def _progress_bytes(answers, chapter=CH) -> bytes:
    return json.dumps({"format": "osai-quiz-progress", "version": 1,
                       "chapters": {chapter: {"answers": answers, "score": 0,
                                              "total": 11}}}).encode("utf-8")


def test_an_lms_download_zip_is_read_entry_by_entry(banks, tmp_path, capsys):
    """The zip an LMS gives for "download all submissions": a folder per learner, plus the
    mess real archives hold (a nested zip, other files, an encrypted entry, a bomb, a
    hostile entry name); learners stay apart and every bad entry is one named line."""
    import io
    import zipfile

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("dave/03-four-organisations-answers.json",
                    _progress_bytes({"opencv-start": "c"}))
    lms = tmp_path / "submissions.zip"
    with zipfile.ZipFile(lms, "w", zipfile.ZIP_DEFLATED) as zf:
        for who, choice in (("Ann Lee_101", "c"), ("Bo Ng_102", "a"), ("Cy Ode_103", "b")):
            zf.writestr(f"{who}_assignsubmission_file/03-four-organisations-answers.json",
                        _progress_bytes({"opencv-start": choice}))
        zf.writestr("Ann Lee_101_assignsubmission_file/notes.docx", b"PK not a quiz")
        zf.writestr("__MACOSX/._x.json", b"\x00\x05")
        zf.writestr("late/more.zip", inner.getvalue())
        zf.writestr("bomb/answers.json", b" " * (6 * 2 ** 20))
        zf.writestr("locked/answers.json", b"{}")  # marked encrypted below
        zf.writestr("evil\nskipped fake.json\u202egpj.json", b"{")
    # set the "encrypted" flag of locked/answers.json in its local and central headers
    # (zipfile cannot write encrypted entries)
    raw = bytearray(lms.read_bytes())
    name = b"locked/answers.json"
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            if raw[start + name_at:start + name_at + len(name)] == name:
                raw[start + flag_at] |= 0x1
            start += 4
    lms.write_bytes(bytes(raw))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")

    out = tmp_path / "report.html"
    code = quiz_main(["report", str(lms), str(broken), "--out", str(out)])
    assert code == 0
    err = capsys.readouterr().err.splitlines()
    soup, rows = _rows(out.read_text(encoding="utf-8"))
    # Ann c (right), Bo a, Cy b, Dave c (right, in the nested zip): 2 right of 4
    assert rows["opencv-start"][:2] == (2, 4)
    assert "4 learner(s)" in soup.find(id="summary").get_text()
    reasons = {
        "notes.docx": "not a progress file",
        "bomb/answers.json": "too large",
        "locked/answers.json": "encrypted",
        "broken.zip": "not a readable zip archive",
    }
    for name, reason in reasons.items():
        assert any(name in line and reason in line for line in err), (name, err)
    assert not any("__MACOSX" in line for line in err)
    # the hostile entry name is one line, its newline and RTL override escaped
    evil = [line for line in err if "evil" in line]
    assert len(evil) == 1 and "\\u000a" in evil[0] and "\\u202e" in evil[0]
    assert all(line.startswith("skipped ") for line in err)
