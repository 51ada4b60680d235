"""The SCORM 1.2 package under a real SCORM 1.2 runtime, in Chromium.

The package (``osai.instructor.scorm``) is unzipped and served next to a small LMS page that loads
scorm-again's ``dist/scorm12.js`` (tests/js, never the book), sets ``window.API = new
Scorm12API(...)`` (no commit URL: the runtime keeps the data in memory) and opens a
chapter's SCO in an iframe, as an LMS player does.  Chapter 03's quiz is answered right and
wrong by mouse and keyboard; the score, status, interactions and suspend_data the runtime
received are checked against the bank (independently of osai-scorm.js); the SCO is closed
and relaunched from the runtime's stored data (``loadFromJSON``) and the answers come back.
No request leaves the package.  Outside an LMS the page keeps its answers in localStorage
and logs nothing; the API is also found through a nested frame and through window.opener.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest

from harness import browser
from osai.quiz import load_bank
from osai.quiz.bank import is_correct, score_answers
from quiz_answers import mixed_answers

pytestmark = pytest.mark.browser

CH = "03-four-organisations"
PAGE = f"course/chapters/{CH}.html"
LAUNCH = f"{PAGE}?sco={CH}"
STORAGE_KEY = f"osai-quiz/v1/{CH}"

HARNESS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SCORM 1.2 test LMS</title>
<link rel="icon" href="data:,">
<script src="lms/scorm12.js"></script>
<script>
var lms = { initializes: 0, commits: 0, finishes: 0, errors: [] };
function makeAPI(stored) {
  var api = new Scorm12API({ lmsCommitUrl: false, autocommit: false, logLevel: 4,
    onLogMessage: function (level, msg) { if (level >= 4) lms.errors.push(String(msg)); } });
  if (stored) api.loadFromJSON(stored, "");
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


def expected_interaction(q, answer) -> dict:
    """The shared contract (see osai-scorm.js), computed here from the bank."""
    t = q["type"]
    if t in ("single", "scenario"):
        kind, resp = "choice", answer
    elif t == "multiple":
        kind, resp = "choice", ",".join(sorted(answer))
    elif t == "numeric":
        kind, resp = "numeric", str(answer)
    elif t == "ordering":
        order = [it["id"] for it in q["items"]]
        kind = "sequencing"
        resp = ",".join(sorted(answer, key=lambda k: (answer[k], order.index(k))))
    else:
        kind, resp = "matching", ",".join(f"{left['id']}.{answer[left['id']]}"
                                      for left in q["left"])
    return {"id": f"{CH}/{q['id']}", "type": kind, "student_response": resp,
            "result": "correct" if is_correct(q, answer) else "wrong"}


def by_mouse(frame, q, answer):
    f = frame.locator(f'.osai-quiz-q[data-qid="{q["id"]}"]')
    if q["type"] in ("single", "scenario", "multiple"):
        want = answer if isinstance(answer, list) else [answer]
        for row in f.locator(".osai-quiz-option").all():
            box = row.locator("input")
            if box.is_checked() != (box.get_attribute("value") in want):
                row.locator("label").click()
    elif q["type"] == "numeric":
        f.locator("input[type=number]").fill(str(answer))
    else:
        for key, value in answer.items():
            f.locator(f'select[data-key="{key}"]').select_option(str(value))
    f.get_by_role("button", name="Check answer").click()


def by_keyboard(page, frame, q, answer):
    f = frame.locator(f'.osai-quiz-q[data-qid="{q["id"]}"]')
    if q["type"] in ("single", "scenario"):
        f.locator("input").first.focus()
        page.keyboard.press("Space")
        for _ in range([o["id"] for o in q["options"]].index(answer)):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
    elif q["type"] == "numeric":
        f.locator("input[type=number]").focus()
        page.keyboard.type(str(answer))
    elif q["type"] == "ordering":
        for select in f.locator("select").all():
            select.focus()
            for _ in range(answer[select.get_attribute("data-key")]):
                page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"no keyboard path for {q['type']}")
    page.keyboard.press("Enter")


def sco_frame(page):
    frame = page.frame_locator("#sco")
    frame.locator(".osai-quiz .osai-quiz-q").first.wait_for(timeout=20_000)
    return frame


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
    frame = sco_frame(page)
    page.wait_for_function("lms.initializes === 1 && lms.commits >= 1")
    assert page.evaluate("API.LMSGetValue('cmi.core.lesson_status')") == "incomplete"
    # the quiz tells the learner where the answers go
    intro = frame.locator(".osai-quiz-intro").inner_text()
    assert "learning platform (LMS)" in intro and "kept in this browser" not in intro

    answers = mixed_answers(bank)
    keyboard = {"opencv-start", "lp-to-microsoft-days", "openai-order"}
    # charter-quote first checked with another answer, then the planned one: one
    # interaction for it, holding the last answer
    cq = _q(bank, "charter-quote")
    by_mouse(frame, cq, next(o["id"] for o in cq["options"] if o["id"] != answers[cq["id"]]))
    checks = 1
    for q in bank["questions"]:
        if q["id"] in keyboard:
            by_keyboard(page, frame, q, answers[q["id"]])
        else:
            by_mouse(frame, q, answers[q["id"]])
        checks += 1
        fb = frame.locator(f'.osai-quiz-q[data-qid="{q["id"]}"] .osai-quiz-feedback')
        want = "correct" if is_correct(q, answers[q["id"]]) else "incorrect"
        assert fb.get_attribute("data-result") == want, q["id"]
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
    for row, q in zip(got, bank["questions"]):
        want = expected_interaction(q, answers[q["id"]])
        assert {k: row[k] for k in want} == want, q["id"]
        assert len(row["time"]) == 8 and row["time"][2] == ":" == row["time"][5]
    suspend = data["cmi"]["suspend_data"]
    assert len(suspend) <= 4096
    assert json.loads(suspend) == {"v": 1, "a": answers}
    # inside the LMS the answers stay out of the browser's storage
    stored_locally = frame.locator("body").evaluate(
        "(b, key) => window.localStorage.getItem(key)", STORAGE_KEY)
    assert stored_locally is None
    assert page.evaluate("lms.errors") == []

    # the learner leaves: LMSFinish with the session time and exit=suspend
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("lms.finishes === 1")
    stored = page.evaluate("cmi()")
    assert stored["cmi"]["core"]["exit"] == "suspend"
    assert stored["cmi"]["core"]["session_time"] not in ("", "00:00:00", None)

    # relaunch from what the runtime stored: every answer and its feedback are back
    page.evaluate("([href, s]) => launch(href, s)", [LAUNCH, stored])
    frame = sco_frame(page)
    page.wait_for_function("lms.initializes === 2")
    for q in bank["questions"]:
        f = frame.locator(f'.osai-quiz-q[data-qid="{q["id"]}"]')
        a = answers[q["id"]]
        if q["type"] in ("single", "scenario", "multiple"):
            checked = sorted(b.get_attribute("value") for b in f.locator("input").all()
                             if b.is_checked())
            assert checked == sorted(a if isinstance(a, list) else [a]), q["id"]
        elif q["type"] == "numeric":
            assert float(f.locator("input[type=number]").input_value()) == a
        else:
            for key, value in a.items():
                assert f.locator(f'select[data-key="{key}"]').input_value() == str(value)
        want = "correct" if is_correct(q, a) else "incorrect"
        assert f.locator(".osai-quiz-feedback").get_attribute("data-result") == want, q["id"]
    score = frame.locator(".osai-quiz-score").inner_text()
    assert score.startswith(f"Score: {result['score']} of {result['total']} correct")

    # a change after the relaunch: one more right answer, still one interaction per question
    wrong = next(q for q in bank["questions"] if q["type"] in ("single", "scenario")
                 and not is_correct(q, answers[q["id"]]))
    by_mouse(frame, wrong, wrong["correct"][0])
    answers[wrong["id"]] = wrong["correct"][0]
    page.wait_for_function(
        f"API.cmi.core.score.raw === '{round(100 * (result['score'] + 1) / result['total'])}'")
    again = page.evaluate("cmi()")
    rows = interactions(again)
    assert len(rows) == len(bank["questions"])
    assert [r["id"] for r in rows] == [f"{CH}/{q['id']}" for q in bank["questions"]]
    assert rows[bank["questions"].index(wrong)]["result"] == "correct"
    assert json.loads(again["cmi"]["suspend_data"])["a"] == answers
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
    frame = sco_frame(page)
    # Reset inside the LMS: score 0, incomplete, no answers kept
    q = _q(bank, "opencv-start")
    by_mouse(frame, q, q["correct"][0])
    page.wait_for_function("API.cmi.core.score.raw !== '' && API.cmi.core.score.raw !== '0'")
    frame.get_by_role("button", name="Reset quiz").click()
    page.wait_for_function("API.cmi.core.score.raw === '0'")
    core = page.evaluate("cmi()")["cmi"]
    assert core["core"]["lesson_status"] == "incomplete"
    assert json.loads(core["suspend_data"]) == {"v": 1, "a": {}}
    links = frame.locator("a[href]").evaluate_all(
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
        page.goto(address)
        page.locator(".osai-quiz .osai-quiz-q").first.wait_for(timeout=20_000)
        assert "kept in this browser" in page.locator(".osai-quiz-intro").inner_text()
        by_mouse(page, q, q["correct"][0])
        saved = json.loads(page.evaluate("k => localStorage.getItem(k)", STORAGE_KEY))
        assert saved["answers"] == {q["id"]: q["correct"][0]}
        assert page.locator("a[target=_blank][aria-describedby~=osai-scorm-newtab]").count() == 0
        page.evaluate("localStorage.clear()")
    assert audit.problems() == []


def test_api_found_through_a_nested_frame_and_an_opener(lms_page, bank):
    page, audit, url = lms_page
    q = _q(bank, "opencv-start")
    page.goto(url + "index.html")
    # two frames deep (an LMS player page inside the LMS page)
    page.evaluate("href => launchNested(href)", LAUNCH)
    inner = page.frame_locator("#sco").frame_locator("#inner")
    inner.locator(".osai-quiz .osai-quiz-q").first.wait_for(timeout=20_000)
    by_mouse(inner, q, q["correct"][0])
    page.wait_for_function("API.cmi.interactions.childArray.length === 1")
    assert interactions(page.evaluate("cmi()"))[0]["id"] == f"{CH}/{q['id']}"
    # a new window whose opener holds the API (an LMS that opens SCOs in a popup)
    page.goto(url + "index.html")
    page.evaluate("window.API = makeAPI(null)")
    with page.context.expect_page() as popup_info:
        page.evaluate("href => window.open(href)", url + LAUNCH)
    popup = popup_info.value
    popup.locator(".osai-quiz .osai-quiz-q").first.wait_for(timeout=20_000)
    by_mouse(popup, q, q["correct"][0])
    page.wait_for_function("API.cmi.core.score.raw !== ''")
    assert page.evaluate("API.cmi.interactions.childArray.length") == 1
    assert popup.evaluate("k => localStorage.getItem(k)", STORAGE_KEY) is None
    popup.close()
    assert audit.problems() == []


# ------------------------------------------------------------------ SCORM 2004 4th Edition

LAUNCH_2004 = f"{PAGE}?sco={CH}&scorm=2004"
HARNESS_2004 = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SCORM 2004 test LMS</title>
<link rel="icon" href="data:,">
<script src="lms/scorm2004.js"></script>
<script src="lms/scorm12.js"></script>
<script>
var lms = { initializes: 0, commits: 0, finishes: 0, errors: [], sets: {} };
function log(level, msg) { if (level >= 4) lms.errors.push(String(msg)); }
function makeAPI(stored) {
  var api = new Scorm2004API({ lmsCommitUrl: false, autocommit: false, logLevel: 4,
    onLogMessage: log });
  if (stored) api.loadFromJSON(stored, "");
  api.on("Initialize", function () { lms.initializes++; });
  api.on("Commit", function () { lms.commits++; });
  api.on("Terminate", function () { lms.finishes++; });
  // cmi.exit and cmi.session_time are write-only: the LMS page keeps what the SCO set
  api.on("SetValue.cmi.*", function (element, value) { lms.sets[element] = value; });
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
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")  # UTC, as written
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


def expected_interaction_2004(q, answer) -> dict:
    """SCORM 2004's formats: lists joined by [,], matching pairs by [.]."""
    want = expected_interaction(q, answer)
    resp = want.pop("student_response")
    if want["type"] == "matching":
        resp = "[,]".join(pair.replace(".", "[.]", 1) for pair in resp.split(","))
    elif want["type"] in ("choice", "sequencing"):
        resp = resp.replace(",", "[,]")
    want["learner_response"] = resp
    want["result"] = "correct" if want["result"] == "correct" else "incorrect"
    return want


def test_scorm2004_quiz_reports_to_the_runtime_and_comes_back(chromium, lms2004, bank):
    url, log = lms2004
    context = chromium.new_context()
    page = context.new_page()
    audit = browser.PageAudit(url, server_log=log)
    audit.attach(page)
    page.goto(url + "index.html")
    page.evaluate("href => launch(href, null)", LAUNCH_2004)
    frame = sco_frame(page)
    page.wait_for_function("lms.initializes === 1 && lms.commits >= 1")
    assert page.evaluate("API_1484_11.GetValue('cmi.completion_status')") == "incomplete"
    assert "learning platform (LMS)" in frame.locator(".osai-quiz-intro").inner_text()

    answers = mixed_answers(bank)
    keyboard = {"opencv-start", "lp-to-microsoft-days", "openai-order"}
    for q in bank["questions"]:
        if q["id"] in keyboard:
            by_keyboard(page, frame, q, answers[q["id"]])
        else:
            by_mouse(frame, q, answers[q["id"]])
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
        want = expected_interaction_2004(q, answers[q["id"]])
        assert {k: row[k] for k in want} == want, q["id"]
        assert TIMESTAMP.match(row["timestamp"]), row["timestamp"]
    assert json.loads(data["suspend_data"]) == {"v": 1, "a": answers}
    assert frame.locator("body").evaluate(
        "(b, key) => window.localStorage.getItem(key)", STORAGE_KEY) is None
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
    frame = sco_frame(page)
    page.wait_for_function("lms.initializes === 2")
    for q in bank["questions"]:
        want = "correct" if is_correct(q, answers[q["id"]]) else "incorrect"
        fb = frame.locator(f'.osai-quiz-q[data-qid="{q["id"]}"] .osai-quiz-feedback')
        assert fb.get_attribute("data-result") == want, q["id"]
    assert frame.locator(".osai-quiz-score").inner_text().startswith(
        f"Score: {result['score']} of {result['total']} correct")
    wrong = next(q for q in bank["questions"] if q["type"] in ("single", "scenario")
                 and not is_correct(q, answers[q["id"]]))
    by_mouse(frame, wrong, wrong["correct"][0])
    page.wait_for_function(
        f"API_1484_11.cmi.score.raw === '{round(100 * (result['score'] + 1) / result['total'])}'")
    again = page.evaluate("cmi()")["cmi"]
    assert [r["id"] for r in interactions({"cmi": again})] == [
        f"{CH}/{q['id']}" for q in bank["questions"]]
    assert page.evaluate("lms.errors") == []

    # the same 2004 launch under a SCORM 1.2 runtime: it falls back to API and 1.2's formats
    page.evaluate("href => launch12(href)", LAUNCH_2004)
    frame = sco_frame(page)
    multiple = next(q for q in bank["questions"] if q["type"] == "multiple")
    by_mouse(frame, multiple, sorted(multiple["correct"]))
    page.wait_for_function("API.cmi.interactions.childArray.length === 1")
    row = interactions(page.evaluate("cmi()"))[0]
    assert row["student_response"] == ",".join(sorted(multiple["correct"]))
    assert page.evaluate("API.cmi.core.lesson_status") == "incomplete"

    paths = {path.split("?")[0] for path, _status in audit.server_log}
    outside = sorted(p for p in paths if not p.startswith("/course/")
                     and p not in ("/index.html", "/lms/scorm2004.js", "/lms/scorm12.js"))
    assert paths and outside == []
    assert audit.problems() == []
    context.close()
