"""No answer key in what learners receive, and restored answers that cannot hurt the quiz.

* Every chapter page's HTML and widget state: no ``correct``/``solution``/``answer``, no
  right option id set, no solution, no feedback text, no event date of an ordering, no
  "Right" before answering; answering right in the page then shows the right feedback.
* Restore: answers of every wrong shape for every question type (chapter 5 has all six),
  handed over through ``localStorage`` and through the "osai-quiz-restore" event (as the
  SCORM adapter does), leave the quiz usable: the wrong ones dropped and named in a notice,
  never shown as checked, never written back or sent; the valid ones kept; Reset works.
* "Try another" over variants, from the keyboard, in the page's own module.
"""

from __future__ import annotations

import json
import re

from harness.quiz_page import QuizPage
from osai.quiz import chapters, load_bank
from osai.quiz.sealed import seal_bank
from quiz_answers import right_answer, shapes, with_variants

STATE = re.compile(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                   re.S)
CH = "05-investor-led"
UNKNOWN = ["constructor", "__proto__", "toString", "hasOwnProperty", "gone-question"]


def _page(ch: str) -> str:
    return f"chapters/{ch}.html"


def _widget_bank(html: str) -> tuple[str, dict]:
    """The quiz model's state in a page: (its JSON text, the bank)."""
    state = json.loads(STATE.search(html).group(1))
    model = next(m for m in state["state"].values() if m["model_name"] == "AnyModel"
                 and "bank" in m["state"])
    return json.dumps(model["state"], ensure_ascii=False), model["state"]["bank"]


def _secrets(q: dict) -> list[str]:
    """What a page must not hold for a loaded question (key, feedback, dates)."""
    out = []
    for o in q.get("options", []):
        out.append(o["feedback"])
    for it in q.get("left", []):
        out.append(it["feedback"])
    for it in q.get("items", []):
        out.append(f"{it['text']} ({it['date']})")
    if "feedback" in q:
        from osai.quiz.model import fill_answer
        out.append(fill_answer(q["feedback"]["correct"], q))
    if "solution" in q:
        out.append(json.dumps(q["solution"], sort_keys=True, separators=(",", ":")))
        out.append(json.dumps(q["solution"]))
    if q["type"] == "multiple":
        out += [json.dumps(sorted(q["correct"])), json.dumps(q["correct"]),
                json.dumps(sorted(q["correct"]), separators=(",", ":"))]
    return [s for s in out if len(s) > 3]


def test_built_pages_hold_no_answer_key(book_dir):
    for ch in chapters():
        html = (book_dir / _page(ch)).read_text(encoding="utf-8")
        state_text, bank = _widget_bank(html)
        assert bank["form"] == "osai-quiz-sealed/1", ch
        for name in ('"correct"', '"solution"', '"answer"', '"compute"', '"date"',
                     "{answer}"):
            assert name not in state_text, (ch, name)
        assert "Right" not in json.dumps(bank, ensure_ascii=False), ch
        full = load_bank(ch)
        for q in full["questions"]:
            for secret in _secrets(q):
                for form in (secret, json.dumps(secret, ensure_ascii=False)[1:-1],
                             json.dumps(secret)[1:-1]):
                    assert form not in html, (ch, q["id"], secret)


def test_answering_right_in_the_page_opens_the_right_feedback(audited_page, book_url):
    page, audit = audited_page
    bank = load_bank(CH)
    quiz = QuizPage.open(page, book_url + _page(CH), CH)
    for q in bank["questions"]:
        assert quiz.enter(q, right_answer(q)) == "correct", q["id"]
        text = quiz.feedback_text(q)
        if q["type"] in ("single", "scenario"):
            assert next(o["feedback"] for o in q["options"] if o["id"] in q["correct"]) in text
        elif q["type"] == "multiple":
            assert all(o["feedback"] in text for o in q["options"])
        else:
            from osai.quiz.model import fill_answer
            assert fill_answer(q["feedback"]["correct"], q) in text
    assert "Right" in quiz.quiz.inner_text()
    assert quiz.score_reads(len(bank["questions"]), len(bank["questions"]))
    assert audit.problems() == []


# ------------------------------------------------------------------ restore

#: an init script: the "osai-quiz-restore" listener gives what the test put in
#: sessionStorage (as osai-scorm.js gives suspend_data), and every "osai-quiz-change" is
#: recorded (and kept out of localStorage, as the SCORM adapter does)
HOOK = """
window.__changes = [];
window.addEventListener("osai-quiz-restore", (e) => {
  const given = sessionStorage.getItem("test-restore");
  if (given !== null) { e.detail.answers = JSON.parse(given); e.detail.keptBy = "Kept by the test."; }
});
window.addEventListener("osai-quiz-change", (e) => {
  if (sessionStorage.getItem("test-restore") === null) return;
  window.__changes.push(JSON.parse(JSON.stringify(e.detail.answers)));
  e.preventDefault();
});
"""


def _rounds(bank: dict) -> list[tuple[dict, dict]]:
    """(answers to restore, the ones that must be kept): in round k, every other question
    gets its k-th answer of a wrong shape and the rest a valid answer, plus unknown ids."""
    per_q = {q["id"]: [a for a, ok in shapes(q) if not ok] for q in bank["questions"]}
    rounds = []
    for k in range(max(len(v) for v in per_q.values())):
        given, kept = {}, {}
        for i, q in enumerate(bank["questions"]):
            if (i + k) % 2 == 0:
                wrong = per_q[q["id"]]
                given[q["id"]] = wrong[k % len(wrong)]
            else:
                given[q["id"]] = kept[q["id"]] = right_answer(q) if k % 3 else \
                    next(a for a, ok in shapes(q) if ok)
        given[UNKNOWN[k % len(UNKNOWN)]] = right_answer(bank["questions"][0])
        rounds.append((given, kept))
    return rounds


def _json_text(answers: dict) -> str:
    # 10**400 is written as digits (what a hostile suspend_data may hold)
    return json.dumps(answers)


def _check_restored(quiz: QuizPage, bank: dict, given: dict, kept: dict) -> None:
    dropped = [k for k in given if k not in kept]
    notice = quiz.root.locator(".osai-quiz-notice")
    assert notice.is_visible()
    text = notice.inner_text()
    assert "could not be used" in text
    if len(dropped) > 5:
        assert f"and {len(dropped) - 5} more" in text
    assert quiz.count() == len(bank["questions"])
    for q in bank["questions"]:
        if q["id"] in kept:
            assert quiz.result(q) in ("correct", "incorrect"), q["id"]
            want = kept[q["id"]]
            shown = quiz.shown_answer(q)
            if q["type"] == "multiple":
                assert shown == sorted(want)
            elif q["type"] == "numeric":
                assert shown == float(want)
            elif q["type"] == "ordering":
                assert shown == {k: int(v) for k, v in want.items()}
            else:
                assert shown == want
        else:
            assert quiz.result(q) is None, (q["id"], given[q["id"]])  # never shown as checked
            shown = quiz.shown_answer(q)
            assert not shown or all(v in ("", None) for v in shown.values()), q["id"]


def _still_usable(quiz: QuizPage, bank: dict) -> None:
    quiz.reset()
    assert not quiz.root.locator(".osai-quiz-notice").is_visible()
    assert quiz.score_reads(0)
    q = bank["questions"][0]
    assert quiz.enter(q, right_answer(q)) == "correct"
    assert quiz.score_reads(1)


def test_restore_from_local_storage_drops_every_wrong_shape(audited_page, book_url):
    page, audit = audited_page
    bank = load_bank(CH)
    quiz = QuizPage.open(page, book_url + _page(CH), CH)
    key = f"osai-quiz/v1/{CH}"
    for given, kept in _rounds(bank):
        page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                      [key, '{"version":1,"answers":' + _json_text(given) + "}"])
        quiz.reload()
        _check_restored(quiz, bank, given, kept)
        stored = quiz.stored()
        assert stored["answers"] == kept  # written back clean: the dropped ones are gone
    _still_usable(quiz, bank)
    for broken in ("[1, 2]", '"x"', '{"version":1,"answers":5}', "{not json",
                   '{"version":1,"answers":{"__proto__":{"x":1}}}'):
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, broken])
        quiz.reload()
        assert quiz.count() == len(bank["questions"])
        assert quiz.score_reads(0)
        _still_usable(quiz, bank)
    assert audit.problems() == []


def test_restore_through_the_page_hook_drops_every_wrong_shape(audited_page, book_url):
    page, audit = audited_page
    page.add_init_script(HOOK)
    bank = load_bank(CH)
    quiz = QuizPage.open(page, book_url + _page(CH), CH)
    for given, kept in _rounds(bank):
        page.evaluate("v => sessionStorage.setItem('test-restore', v)", _json_text(given))
        quiz.reload()
        assert "Kept by the test." in quiz.intro()
        _check_restored(quiz, bank, given, kept)
        changes = page.evaluate("window.__changes")
        assert changes and changes[-1] == kept  # the clean answers sent, at once
        assert all(set(c) <= set(kept) for c in changes)  # a dropped one is never sent
        q = next(q for q in bank["questions"] if q["id"] in kept)
        quiz.enter(q, kept[q["id"]])
        assert set(page.evaluate("window.__changes")[-1]) == set(kept)
    # the issue's own case: a number for a multiple answer, then other non-objects
    multiple = next(q for q in bank["questions"] if q["type"] == "multiple")
    for given in ({multiple["id"]: 5}, 5, "x", [1], {multiple["id"]: "a"}):
        page.evaluate("v => sessionStorage.setItem('test-restore', v)", json.dumps(given))
        quiz.reload()
        assert quiz.root.locator(".osai-quiz-notice").is_visible()
        assert quiz.result(multiple) is None
        assert all(not c for c in page.evaluate("window.__changes"))
        _still_usable(quiz, bank)
    assert audit.problems() == []


# ------------------------------------------------------------------ Try another

RENDER = """async ([bank, answers, id]) => {
    const state = JSON.parse(document.querySelector(
        'script[type="application/vnd.jupyter.widget-state+json"]').textContent);
    const model = Object.values(state.state).find(m => m.model_name === 'AnyModel');
    const url = URL.createObjectURL(new Blob([model.state._esm], {type: 'text/javascript'}));
    const mod = await import(url);
    const values = {bank, answers, storage_key: 'osai-quiz-test/' + id, score: 0};
    window.__values = values;
    const fake = {get: k => values[k], set: (k, v) => { values[k] = v; },
                  save_changes() {}, on() {}, off() {}};
    document.getElementById(id)?.remove();
    const el = document.createElement('div');
    el.id = id;
    document.querySelector('main, body').prepend(el);
    mod.default.render({model: fake, el});
}"""


def test_try_another_shows_the_next_variant_in_place(audited_page, book_url):
    page, audit = audited_page
    ch = "03-four-organisations"
    full = with_variants(load_bank(ch))
    sealed = seal_bank(full)
    QuizPage.open(page, book_url + _page(ch), ch)
    page.evaluate(RENDER, [sealed, {}, "variants"])
    quiz = QuizPage(page, ch, root=page.locator("#variants")).wait_ready()
    q = next(q for q in full["questions"] if q["type"] == "numeric")
    another = quiz.question(q).get_by_role("button", name="Try another")
    assert not another.is_visible()  # only after a check
    assert quiz.enter(q, q["answer"] + 1, by="keyboard") == "incorrect"
    assert another.is_visible()
    another.focus()
    page.keyboard.press("Enter")
    v2 = q["variants"][0]
    form = quiz.question(v2)
    form.wait_for()
    assert form.get_attribute("data-base") == q["id"]
    assert quiz.question(q).count() == 0  # in place: one form per question
    assert page.evaluate("document.activeElement.tagName") == "LEGEND"
    assert "(version 2)" in quiz.focused_text()
    assert "another version" in quiz.score_text()
    assert q["id"] not in page.evaluate("window.__values.answers")  # its answer removed
    assert quiz.result(v2) is None
    assert quiz.enter(v2, v2["answer"], by="keyboard") == "correct"
    assert page.evaluate("window.__values.answers")[v2["id"]] == v2["answer"]
    # the next one, then back to the first
    quiz.question(v2).get_by_role("button", name="Try another").click()
    v3 = q["variants"][1]
    assert quiz.enter(v3, right_answer(v3)) == "correct"
    quiz.question(v3).get_by_role("button", name="Try another").click()
    assert quiz.question(q).count() == 1
    o = next(q for q in full["questions"] if q["type"] == "ordering")
    ov = o["variants"][0]
    assert quiz.enter(o, right_answer(ov)) == "incorrect"  # another order: not this one's
    quiz.question(o).get_by_role("button", name="Try another").click()
    assert quiz.enter(ov, right_answer(ov)) == "correct"

    # restored answers name the variant answered; a second answer to one question is dropped
    page.evaluate(RENDER, [sealed, {}, "variants"])  # storage from above: v2 of ordering
    quiz = QuizPage(page, ch, root=page.locator("#variants")).wait_ready()
    assert quiz.result(ov) == "correct"
    answers = {v3["id"]: right_answer(v3), q["id"]: q["answer"], ov["id"]: right_answer(ov)}
    page.evaluate("k => localStorage.removeItem(k)", "osai-quiz-test/variants")
    page.evaluate(RENDER, [sealed, answers, "variants"])
    quiz = QuizPage(page, ch, root=page.locator("#variants")).wait_ready()
    assert quiz.result(v3) == "correct" and quiz.result(ov) == "correct"
    notice = quiz.root.locator(".osai-quiz-notice").inner_text()
    assert q["id"] in notice and "second answer" in notice
    assert set(page.evaluate("window.__values.answers")) == {v3["id"], ov["id"]}
    quiz.reset()
    assert quiz.question(q).count() == 1 and quiz.question(o).count() == 1
    assert audit.problems() == []


def test_scorm_packages_hold_no_answer_key(scorm_zip, scorm2004_zip):
    import zipfile

    for package in (scorm_zip, scorm2004_zip):
        seen = 0
        with zipfile.ZipFile(package) as zf:
            for name in zf.namelist():
                if not name.endswith((".html", ".js", ".json")):
                    continue
                text = zf.read(name).decode("utf-8", errors="replace")
                match = STATE.search(text) if name.endswith(".html") else None
                if match:
                    _, bank = _widget_bank(text)
                    seen += 1
                    state = json.dumps(bank, ensure_ascii=False)
                    for mark in ('"correct"', '"solution"', '"answer"', "Right"):
                        assert mark not in state, (package.name, name, mark)
                assert "correct: true" not in text, (package.name, name)
        assert seen >= 7, package.name
