"""The SCORM 1.2 package under a real SCORM 1.2 runtime, in Chromium.

The package (``osai.instructor.scorm``) is unzipped and served next to a small LMS page that loads
scorm-again's ``dist/scorm12.js`` (tests/js, never the book), sets ``window.API = new
Scorm12API(...)`` (no commit URL: the runtime keeps the data in memory) and opens a
chapter's SCO in an iframe, as an LMS player does.  Chapter 03's quiz is answered right and
wrong by mouse and keyboard (``harness.quiz_page``); the score and status the runtime
received are checked against the bank, its interactions and suspend_data against
:mod:`osai.instructor.scorm.responses` (the course's one encoding of answers as SCORM
responses); the SCO is closed and relaunched from the runtime's stored data
(``loadFromJSON``) and the answers come back.  No request leaves the package.  Outside an
LMS the page keeps its answers in localStorage and logs nothing; the API is also found
through a nested frame and through window.opener.  The same for SCORM 2004.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest

from harness import browser
from harness.quiz_page import QuizPage
from osai.instructor.scorm.responses import decode_suspend, encode, encode_suspend, interaction
from osai.quiz import is_correct, load_bank, score_answers
from quiz_answers import mixed_answers

pytestmark = pytest.mark.browser

CH = "03-four-organisations"
PAGE = f"course/chapters/{CH}.html"
LAUNCH = f"{PAGE}?sco={CH}"

HARNESS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SCORM 1.2 test LMS</title>
<link rel="icon" href="data:,">
<script src="lms/scorm12.js"></script>
<script>
var lms = { initializes: 0, commits: 0, finishes: 0, errors: [], log: [] };
function makeAPI(stored) {
  var api = new Scorm12API({ lmsCommitUrl: false, autocommit: false, logLevel: 4,
    onLogMessage: function (level, msg) { if (level >= 4) lms.errors.push(String(msg)); } });
  if (stored) api.loadFromJSON(stored, "");
  api.on("LMSSetValue.cmi.*", function (element, value) { lms.log.push([element, value]); });
  api.on("LMSInitialize", function () { lms.initializes++; });
  api.on("LMSCommit", function () { lms.commits++; });
  api.on("LMSFinish", function () { lms.finishes++; });
  return api;
}
function launch(href, stored) {
  window.API = makeAPI(stored);
  document.getElementById("sco").src = href;
}
function launchNested(href) {
  window.API = makeAPI(null);
  var f = document.getElementById("sco");
  f.srcdoc = '<iframe id="inner" title="SCO" style="width:960px;height:700px" src="' +
    href + '"></iframe>';
}
function cmi() { return JSON.parse(JSON.stringify(window.API.renderCMIToJSONObject())); }
</script></head>
<body><iframe id="sco" title="SCO" style="width:1000px;height:760px"></iframe></body></html>
"""


@pytest.fixture(scope="module")
def bank():
    return load_bank(CH)


@pytest.fixture(scope="module")
def lms(scorm_zip, test_js, tmp_path_factory):
    """``(base URL, server log)``: the LMS page at /index.html, the package under /course/."""
    root = tmp_path_factory.mktemp("lms")
    with zipfile.ZipFile(scorm_zip) as zf:
        zf.extractall(root / "course")
    (root / "lms").mkdir()
    shutil.copy2(test_js / "scorm-again" / "dist" / "scorm12.js", root / "lms" / "scorm12.js")
    (root / "index.html").write_text(HARNESS, encoding="utf-8")
    log: list = []
    with browser.serve(root, requests=log) as url:
        yield url, log


@pytest.fixture
def lms_page(chromium, lms):
    url, log = lms
    context = chromium.new_context()
    page = context.new_page()
    audit = browser.PageAudit(url, server_log=log)
    audit.attach(page)
    yield page, audit, url
    context.close()


def _q(bank, qid):
    return next(q for q in bank["questions"] if q["id"] == qid)


def sco_quiz(page, frame="#sco") -> QuizPage:
    """The quiz of the SCO the LMS page shows in its frame, once drawn."""
    return QuizPage(page, CH, root=page.frame_locator(frame)).wait_ready()


def interactions(cmi: dict) -> list[dict]:
    raw = cmi["cmi"]["interactions"]
    rows = raw.get("childArray", raw) if isinstance(raw, dict) else raw
    if isinstance(rows, dict):
        rows = [rows[k] for k in sorted(rows, key=int)]
    return rows


def test_quiz_reports_to_the_runtime_and_comes_back(lms_page, bank):
    page, audit, url = lms_page
    page.goto(url + "index.html")
    page.evaluate("href => launch(href, null)", LAUNCH)
    quiz = sco_quiz(page)
    page.wait_for_function("lms.initializes === 1 && lms.commits >= 1")
    assert page.evaluate("API.LMSGetValue('cmi.core.lesson_status')") == "incomplete"
    # the quiz tells the learner where the answers go
    intro = quiz.intro()
    assert "learning platform (LMS)" in intro and "kept in this browser" not in intro

    answers = mixed_answers(bank)
    keyboard = {"opencv-start", "lp-to-microsoft-days", "openai-order"}
    # charter-quote first checked with another answer, then the planned one: one
    # interaction for it, holding the last answer
    cq = _q(bank, "charter-quote")
    quiz.enter(cq, next(o["id"] for o in cq["options"] if o["id"] != answers[cq["id"]]))
    checks = 1
    for q in bank["questions"]:
        got = quiz.enter(q, answers[q["id"]], by="keyboard" if q["id"] in keyboard else "mouse")
        checks += 1
        assert got == ("correct" if is_correct(q, answers[q["id"]]) else "incorrect"), q["id"]
    assert keyboard <= set(answers)

    page.wait_for_function(f"lms.commits >= {checks + 1}")
    data = page.evaluate("cmi()")
    core = data["cmi"]["core"]
    result = score_answers(bank, answers)
    # scorm-again keeps CMI values as the strings the SCO set
    assert core["score"] == {"raw": str(round(100 * result["score"] / result["total"])),
                             "min": "0", "max": "100"}
    assert 0 < result["score"] < result["total"]
    assert core["lesson_status"] == "completed"
    got = interactions(data)
    assert len(got) == len(bank["questions"])
    # numbered by first check: charter-quote first, then the rest in the order answered
    first_checks = [cq] + [q for q in bank["questions"] if q is not cq]
    assert [r["id"] for r in got] == [f"{CH}/{q['id']}" for q in first_checks]
    for row, q in zip(got, first_checks):
        want = interaction(CH, q, answers[q["id"]], "1.2")
        assert {k: row[k] for k in want} == want, q["id"]
        assert len(row["time"]) == 8 and row["time"][2] == ":" == row["time"][5]
    suspend = data["cmi"]["suspend_data"]
    assert len(suspend) <= 4096
    assert decode_suspend(suspend) == answers
    # inside the LMS the answers stay out of the browser's storage
    assert quiz.stored() is None
    assert page.evaluate("lms.errors") == []

    # the learner leaves: LMSFinish with the session time and exit=suspend
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("lms.finishes === 1")
    stored = page.evaluate("cmi()")
    assert stored["cmi"]["core"]["exit"] == "suspend"
    assert stored["cmi"]["core"]["session_time"] not in ("", "00:00:00", None)

    # relaunch from what the runtime stored: every answer and its feedback are back
    page.evaluate("([href, s]) => launch(href, s)", [LAUNCH, stored])
    quiz = sco_quiz(page)
    page.wait_for_function("lms.initializes === 2")
    for q in bank["questions"]:
        a = answers[q["id"]]
        assert quiz.shown_answer(q) == (sorted(a) if q["type"] == "multiple" else a), q["id"]
        want = "correct" if is_correct(q, a) else "incorrect"
        assert quiz.result(q) == want, q["id"]
    assert quiz.score_reads(result["score"], result["total"])

    # a change after the relaunch: one more right answer, still one interaction per question
    wrong = next(q for q in bank["questions"] if q["type"] in ("single", "scenario")
                 and not is_correct(q, answers[q["id"]]))
    quiz.enter(wrong, wrong["correct"][0])
    answers[wrong["id"]] = wrong["correct"][0]
    page.wait_for_function(
        f"API.cmi.core.score.raw === '{round(100 * (result['score'] + 1) / result['total'])}'")
    again = page.evaluate("cmi()")
    rows = interactions(again)
    assert len(rows) == len(bank["questions"])
    assert [r["id"] for r in rows] == [f"{CH}/{q['id']}" for q in first_checks]
    assert rows[first_checks.index(wrong)]["result"] == "correct"
    assert decode_suspend(again["cmi"]["suspend_data"]) == answers
    assert page.evaluate("lms.errors") == []

    # nothing outside the package (and the LMS page with its runtime) was requested
    paths = {path.split("?")[0] for path, _status in audit.server_log}
    assert paths, "the server saw no request"
    outside = sorted(p for p in paths if not p.startswith("/course/")
                     and p not in ("/index.html", "/lms/scorm12.js"))
    assert outside == []
    assert audit.problems() == []


def test_links_to_other_pages_open_beside_the_sco_and_reset_reports(lms_page, bank):
    page, audit, url = lms_page
    page.goto(url + "index.html")
    page.evaluate("href => launch(href, null)", LAUNCH)
    quiz = sco_quiz(page)
    # Reset inside the LMS: score 0, incomplete, no answers kept
    q = _q(bank, "opencv-start")
    quiz.enter(q, q["correct"][0])
    page.wait_for_function("API.cmi.core.score.raw !== '' && API.cmi.core.score.raw !== '0'")
    quiz.reset()
    page.wait_for_function("API.cmi.core.score.raw === '0'")
    core = page.evaluate("cmi()")["cmi"]
    assert core["core"]["lesson_status"] == "incomplete"
    # no answer kept; the question keeps its interaction index for a later check
    assert core["suspend_data"] == encode_suspend({}, {"opencv-start": 0})
    links = quiz.root.locator("a[href]").evaluate_all(
        "as => as.map(a => [a.href, a.target, a.rel, a.getAttribute('aria-describedby') || ''])")
    others = [link for link in links if "/course/" in link[0] and f"/{CH}.html" not in link[0]]
    same = [link for link in links if f"/{CH}.html" in link[0]]
    assert others and all(t == "_blank" and "noopener" in r and "osai-scorm-newtab" in d
                          for _h, t, r, d in others)
    assert same and all(f"?sco={CH}" in h and t != "_blank" for h, t, _r, _d in same)
    assert audit.problems() == []


def test_outside_an_lms_the_page_is_the_plain_book(lms_page, bank):
    """No API (with or without ?sco=): localStorage as before, nothing logged, links as
    they are."""
    page, audit, url = lms_page
    q = _q(bank, "opencv-start")
    for address in (url + PAGE, url + LAUNCH):
        quiz = QuizPage.open(page, address, CH)
        assert "kept in this browser" in quiz.intro()
        quiz.enter(q, q["correct"][0])
        assert quiz.stored()["answers"] == {q["id"]: q["correct"][0]}
        assert page.locator("a[target=_blank][aria-describedby~=osai-scorm-newtab]").count() == 0
        page.evaluate("localStorage.clear()")
    assert audit.problems() == []


def test_api_found_through_a_nested_frame_and_an_opener(lms_page, bank):
    page, audit, url = lms_page
    q = _q(bank, "opencv-start")
    page.goto(url + "index.html")
    # two frames deep (an LMS player page inside the LMS page)
    page.evaluate("href => launchNested(href)", LAUNCH)
    inner = QuizPage(page, CH, root=page.frame_locator("#sco").frame_locator("#inner"))
    inner.wait_ready().enter(q, q["correct"][0])
    page.wait_for_function("API.cmi.interactions.childArray.length === 1")
    assert interactions(page.evaluate("cmi()"))[0]["id"] == f"{CH}/{q['id']}"
    # a new window whose opener holds the API (an LMS that opens SCOs in a popup)
    page.goto(url + "index.html")
    page.evaluate("window.API = makeAPI(null)")
    with page.context.expect_page() as popup_info:
        page.evaluate("href => window.open(href)", url + LAUNCH)
    popup = QuizPage(popup_info.value, CH).wait_ready()
    popup.enter(q, q["correct"][0])
    page.wait_for_function("API.cmi.core.score.raw !== ''")
    assert page.evaluate("API.cmi.interactions.childArray.length") == 1
    assert popup.stored() is None
    popup.page.close()
    assert audit.problems() == []


# ------------------------------------------------------------------ SCORM 2004 4th Edition

LAUNCH_2004 = f"{PAGE}?sco={CH}&scorm=2004"
HARNESS_2004 = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SCORM 2004 test LMS</title>
<link rel="icon" href="data:,">
<script src="lms/scorm2004.js"></script>
<script src="lms/scorm12.js"></script>
<script>
var lms = { initializes: 0, commits: 0, finishes: 0, errors: [], sets: {}, log: [] };
function log(level, msg) { if (level >= 4) lms.errors.push(String(msg)); }
function makeAPI(stored) {
  var api = new Scorm2004API({ lmsCommitUrl: false, autocommit: false, logLevel: 4,
    onLogMessage: log });
  if (stored) api.loadFromJSON(stored, "");
  api.on("Initialize", function () { lms.initializes++; });
  api.on("Commit", function () { lms.commits++; });
  api.on("Terminate", function () { lms.finishes++; });
  // cmi.exit and cmi.session_time are write-only: the LMS page keeps what the SCO set
  api.on("SetValue.cmi.*", function (element, value) {
    lms.sets[element] = value;
    lms.log.push([element, value]);
  });
  return api;
}
function launch(href, stored) {
  window.API = undefined;
  window.API_1484_11 = makeAPI(stored);
  document.getElementById("sco").src = href;
}
function launch12(href) {  // an LMS that plays the 2004 package with a SCORM 1.2 runtime
  window.API_1484_11 = undefined;
  window.API = new Scorm12API({ lmsCommitUrl: false, autocommit: false, logLevel: 4,
    onLogMessage: log });
  document.getElementById("sco").src = href;
}
function cmi() {
  return JSON.parse(JSON.stringify((window.API_1484_11 || window.API).renderCMIToJSONObject()));
}
</script></head>
<body><iframe id="sco" title="SCO" style="width:1000px;height:760px"></iframe></body></html>
"""
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\dZ$")  # UTC, 2 digits
DURATION = re.compile(r"^PT\d+H\d+M\d+S$")


@pytest.fixture(scope="module")
def lms2004(scorm2004_zip, test_js, tmp_path_factory):
    root = tmp_path_factory.mktemp("lms2004")
    with zipfile.ZipFile(scorm2004_zip) as zf:
        zf.extractall(root / "course")
    (root / "lms").mkdir()
    for name in ("scorm2004.js", "scorm12.js"):
        shutil.copy2(test_js / "scorm-again" / "dist" / name, root / "lms" / name)
    (root / "index.html").write_text(HARNESS_2004, encoding="utf-8")
    log: list = []
    with browser.serve(root, requests=log) as url:
        yield url, log


def test_scorm2004_quiz_reports_to_the_runtime_and_comes_back(chromium, lms2004, bank):
    url, log = lms2004
    context = chromium.new_context()
    page = context.new_page()
    audit = browser.PageAudit(url, server_log=log)
    audit.attach(page)
    page.goto(url + "index.html")
    page.evaluate("href => launch(href, null)", LAUNCH_2004)
    quiz = sco_quiz(page)
    page.wait_for_function("lms.initializes === 1 && lms.commits >= 1")
    assert page.evaluate("API_1484_11.GetValue('cmi.completion_status')") == "incomplete"
    assert "learning platform (LMS)" in quiz.intro()

    answers = mixed_answers(bank)
    quiz.enter_all(bank, answers, keyboard={"opencv-start", "lp-to-microsoft-days",
                                            "openai-order"})
    page.wait_for_function(f"lms.commits >= {len(bank['questions']) + 1}")
    data = page.evaluate("cmi()")["cmi"]
    result = score_answers(bank, answers)
    assert 0 < result["score"] < result["total"]
    assert data["score"]["raw"] == str(round(100 * result["score"] / result["total"]))
    assert (data["score"]["min"], data["score"]["max"]) == ("0", "100")
    assert float(data["score"]["scaled"]) == pytest.approx(result["score"] / result["total"],
                                                           abs=1e-7)
    assert data["completion_status"] == "completed"
    assert data["success_status"] == "unknown"  # formative: no pass mark
    rows = interactions({"cmi": data})
    assert len(rows) == len(bank["questions"])
    for row, q in zip(rows, bank["questions"]):
        want = interaction(CH, q, answers[q["id"]], "2004")
        assert {k: row[k] for k in want} == want, q["id"]
        assert TIMESTAMP.match(row["timestamp"]), row["timestamp"]
    assert decode_suspend(data["suspend_data"]) == answers
    assert quiz.stored() is None
    assert page.evaluate("lms.errors") == []

    # the learner leaves: Terminate, with exit=suspend and an ISO 8601 session time
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("lms.finishes === 1")
    sets = page.evaluate("lms.sets")
    assert sets["cmi.exit"] == "suspend"
    assert DURATION.match(sets["cmi.session_time"]), sets["cmi.session_time"]
    stored = page.evaluate("cmi()")
    stored["cmi"]["entry"] = "resume"  # what the LMS sets after exit=suspend

    # relaunch from the stored data: the answers, feedback and score are back
    page.evaluate("([href, s]) => launch(href, s)", [LAUNCH_2004, stored])
    quiz = sco_quiz(page)
    page.wait_for_function("lms.initializes === 2")
    for q in bank["questions"]:
        want = "correct" if is_correct(q, answers[q["id"]]) else "incorrect"
        assert quiz.result(q) == want, q["id"]
    assert quiz.score_reads(result["score"], result["total"])
    wrong = next(q for q in bank["questions"] if q["type"] in ("single", "scenario")
                 and not is_correct(q, answers[q["id"]]))
    quiz.enter(wrong, wrong["correct"][0])
    page.wait_for_function(
        f"API_1484_11.cmi.score.raw === '{round(100 * (result['score'] + 1) / result['total'])}'")
    again = page.evaluate("cmi()")["cmi"]
    assert [r["id"] for r in interactions({"cmi": again})] == [
        f"{CH}/{q['id']}" for q in bank["questions"]]
    assert page.evaluate("lms.errors") == []

    # the same 2004 launch under a SCORM 1.2 runtime: it falls back to API and 1.2's formats
    page.evaluate("href => launch12(href)", LAUNCH_2004)
    quiz = sco_quiz(page)
    multiple = next(q for q in bank["questions"] if q["type"] == "multiple")
    quiz.enter(multiple, sorted(multiple["correct"]))
    page.wait_for_function("API.cmi.interactions.childArray.length === 1")
    row = interactions(page.evaluate("cmi()"))[0]
    assert row["student_response"] == encode(multiple, sorted(multiple["correct"]), "1.2")
    assert page.evaluate("API.cmi.core.lesson_status") == "incomplete"

    paths = {path.split("?")[0] for path, _status in audit.server_log}
    outside = sorted(p for p in paths if not p.startswith("/course/")
                     and p not in ("/index.html", "/lms/scorm2004.js", "/lms/scorm12.js"))
    assert paths and outside == []
    assert audit.problems() == []
    context.close()


# ------------------------------------------------------------------ out of order, resumed

def _flip(q: dict, answer):
    """Another answer to the same question (right for wrong and wrong for right)."""
    t = q["type"]
    if t in ("single", "scenario"):
        return next(o["id"] for o in q["options"] if o["id"] != answer)
    if t == "multiple":
        return sorted(q["correct"]) if sorted(answer) != sorted(q["correct"]) else \
            [o["id"] for o in q["options"]]
    if t == "numeric":
        return q["answer"] if answer != q["answer"] else q["answer"] + q["tolerance"] + 2
    return dict(q["solution"]) if answer != q["solution"] else mixed_answers(
        {"questions": [{}, q]})[q["id"]]


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_interactions_keep_their_question_out_of_order_and_across_sessions(
        chromium, lms, lms2004, bank, version):
    """Answered in reverse with one skipped, one re-checked, then left, resumed, the skipped
    one answered and an earlier one changed, left and resumed again: every interaction
    index is only ever written with one question's id, each question has one index, every
    record holds that question's last answer, and (2004) every value the SCO set passes
    Moodle's SCORM 2004 data-model rules (tests/moodle_scorm.py)."""
    from moodle_scorm import problems

    url, log = lms if version == "1.2" else lms2004
    launch = LAUNCH if version == "1.2" else LAUNCH_2004
    api = "API" if version == "1.2" else "API_1484_11"
    finish = "lms.finishes"
    context = chromium.new_context()
    page = context.new_page()
    audit = browser.PageAudit(url, server_log=log)
    audit.attach(page)
    page.goto(url + "index.html")
    page.evaluate("href => launch(href, null)", launch)
    quiz = sco_quiz(page)
    qs = bank["questions"]
    given = mixed_answers(bank)
    last: dict = {}
    skipped = qs[1]

    def check(q, answer):
        quiz.enter(q, answer)
        last[q["id"]] = answer
        page.wait_for_function(f"lms.log.some(e => e[0] === 'cmi.suspend_data' && "
                               f"e[1].indexOf({json.dumps(json.dumps(q['id']))}) >= 0)")

    def leave_and_resume(n):
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        page.wait_for_function(f"{finish} === {n}")
        stored = page.evaluate("cmi()")
        if version == "2004":
            stored["cmi"]["entry"] = "resume"
        page.evaluate("([href, s]) => launch(href, s)", [launch, stored])
        out = sco_quiz(page)
        page.wait_for_function(f"lms.initializes === {n + 1}")
        return out

    for q in reversed(qs):
        if q is not skipped:
            check(q, given[q["id"]])
    check(qs[-1], _flip(qs[-1], given[qs[-1]["id"]]))  # the first one checked, again
    quiz = leave_and_resume(1)
    check(skipped, given[skipped["id"]])
    check(qs[0], _flip(qs[0], given[qs[0]["id"]]))
    quiz = leave_and_resume(2)
    check(qs[2], _flip(qs[2], given[qs[2]["id"]]))
    page.wait_for_function(f"lms.commits >= {len(qs) + 4}")

    sets = [tuple(e) for e in page.evaluate("lms.log")]
    ids: dict[int, set] = {}
    for element, value in sets:
        m = re.fullmatch(r"cmi\.interactions\.(\d+)\.id", element)
        if m:
            ids.setdefault(int(m.group(1)), set()).add(value)
    assert all(len(v) == 1 for v in ids.values()), ids
    order = [q for q in reversed(qs) if q is not skipped] + [skipped]
    assert {n: v.pop() for n, v in ids.items()} == {
        n: f"{CH}/{q['id']}" for n, q in enumerate(order)}
    rows = interactions(page.evaluate("cmi()"))
    assert [r["id"] for r in rows] == [f"{CH}/{q['id']}" for q in order]
    for row, q in zip(rows, order):
        want = interaction(CH, q, last[q["id"]], version)
        assert {k: row[k] for k in want} == want, q["id"]
    if version == "2004":
        assert problems(sets) == []
        assert all(TIMESTAMP.match(r["timestamp"]) for r in rows)
    assert page.evaluate(f"{api} === window.{api}")
    sco_problems = page.frame_locator("#sco").locator("body").evaluate(
        "() => window.osaiScorm.problems()")
    assert sco_problems == []
    assert page.evaluate("lms.errors") == []
    assert audit.problems() == []
    context.close()
