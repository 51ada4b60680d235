"""The quiz in the built book (chapters/03-four-organisations.html), offline, no kernel:
answers by mouse and keyboard, feedback and score, progress kept across reloads, reset,
axe, no console errors or outside requests, markup shown as text; and the same answers give
the same score in the browser, in Python and in a kernel.  The quiz is driven as a learner
drives it by ``harness.quiz_page.QuizPage`` (shared with the SCORM browser tests)."""

from __future__ import annotations

import json

import pytest

from harness import browser
from harness.quiz_page import QuizPage
from osai.quiz import load_bank, score_answers
from osai.quiz.sealed import seal_bank
from quiz_answers import mixed_answers, wrong_option

CH = "03-four-organisations"
PAGE = "chapters/03-four-organisations.html"


@pytest.fixture(scope="module")
def bank():
    return load_bank(CH)


def _q(bank, qid):
    return next(q for q in bank["questions"] if q["id"] == qid)


def open_quiz(page, book_url) -> QuizPage:
    return QuizPage.open(page, book_url + PAGE, CH)


def test_quiz_renders_offline_without_problems(audited_page, book_url, bank):
    page, audit = audited_page
    quiz = open_quiz(page, book_url)
    assert quiz.quiz.locator("fieldset legend").count() == len(bank["questions"])
    assert quiz.score_reads(0, len(bank["questions"]))
    browser.wait_for_charts(page)
    page.wait_for_load_state("networkidle")
    assert audit.problems() == []


def test_mouse_right_and_wrong(audited_page, book_url, bank):
    page, audit = audited_page
    quiz = open_quiz(page, book_url)
    q = _q(bank, "opencv-start")
    right = next(o for o in q["options"] if o["id"] in q["correct"])
    assert quiz.enter(q, right["id"]) == "correct"
    text = quiz.feedback_text(q)
    assert "✓" in text and "Correct." in text and right["feedback"] in text
    assert quiz.feedback(q).get_attribute("aria-live") == "polite"
    assert quiz.score_reads(1)
    wrong = next(o for o in q["options"] if o["id"] not in q["correct"])
    assert quiz.enter(q, wrong["id"]) == "incorrect"
    text = quiz.feedback_text(q)
    assert "✗" in text and "Not quite." in text and wrong["feedback"] in text
    assert quiz.score_reads(0)
    assert audit.problems() == []


def test_keyboard_only(audited_page, book_url, bank):
    page, audit = audited_page
    quiz = open_quiz(page, book_url)
    # a radio group: focus the first option, arrow to the others, Tab to the button, Enter
    q = _q(bank, "opencv-start")
    quiz.key_in(q, q["correct"][0])
    assert quiz.focused_text() == "Check answer"
    assert quiz.focus_visible()
    page.keyboard.press("Enter")
    assert quiz.wait_verdict(q) == "correct"
    # a number input: type, then Enter submits
    n = _q(bank, "lp-to-microsoft-days")
    assert quiz.enter(n, n["answer"] + 5, by="keyboard") == "incorrect"
    assert str(n["answer"]) not in quiz.feedback_text(n)  # a wrong answer is not told the key
    assert quiz.enter(n, n["answer"], by="keyboard") == "correct"
    assert str(n["answer"]) in quiz.feedback_text(n)  # the right one reads the value from data
    # selects: an ordering answered from the keyboard
    o = _q(bank, "openai-order")
    assert quiz.enter(o, o["solution"], by="keyboard") == "correct"
    assert quiz.score_reads(3)
    # two events given the same position: asked to fix it, nothing checked or stored
    first, second = quiz.question(o).locator("select").all()[:2]
    second.select_option(first.input_value())
    assert quiz.check(o) == "incomplete"
    assert "different position" in quiz.feedback_text(o)
    assert quiz.stored()["answers"][o["id"]] == o["solution"]  # the last checked answer kept
    assert quiz.score_reads(3)
    assert audit.problems() == []


def test_every_question_type_can_be_answered_from_the_keyboard(audited_page, book_url, bank):
    """Choices, numbers, orderings and matchings: focus, arrows, Space, Tab and Enter only."""
    page, audit = audited_page
    quiz = open_quiz(page, book_url)
    answers = mixed_answers(bank)
    assert {q["type"] for q in bank["questions"]} >= {"single", "multiple", "numeric",
                                                      "ordering", "matching"}
    quiz.enter_all(bank, answers, keyboard={q["id"] for q in bank["questions"]})
    for q in bank["questions"]:
        want = answers[q["id"]]
        assert quiz.shown_answer(q) == (sorted(want) if q["type"] == "multiple" else want)
    assert quiz.score() == score_answers(bank, answers)["score"]
    assert quiz.stored()["answers"] == answers
    assert audit.problems() == []


def test_progress_kept_across_reload_then_reset(audited_page, book_url, bank):
    page, audit = audited_page
    quiz = open_quiz(page, book_url)
    answers = mixed_answers(bank)
    quiz.enter_all(bank, answers)
    expected = score_answers(bank, answers)["score"]
    assert quiz.score_reads(expected)
    assert set(quiz.stored()["answers"]) == set(answers)
    quiz.reload()
    assert quiz.score_reads(expected)
    for q in bank["questions"]:
        want = answers[q["id"]]
        assert quiz.shown_answer(q) == (sorted(want) if q["type"] == "multiple" else want)
        assert quiz.result(q) in ("correct", "incorrect") and quiz.feedback_text(q) != ""
    quiz.reset()
    assert quiz.score_reads(0)
    assert quiz.stored() is None
    assert quiz.quiz.locator("input:checked").count() == 0
    quiz.reload()
    assert quiz.score_reads(0)
    assert audit.problems() == []


def test_axe_clean(audited_page, book_url, bank):
    page, _ = audited_page
    quiz = open_quiz(page, book_url)
    browser.wait_for_charts(page)
    # show feedback of both kinds before checking
    q = _q(bank, "opencv-start")
    quiz.enter(q, q["correct"][0])
    pledgers = _q(bank, "openai-pledgers")
    quiz.enter(pledgers, [wrong_option(pledgers)])
    # The quiz must be clean. Charts are checked by the chart tests: the timeline's Vega
    # rule-mark layer currently fails svg-img-alt (reported to the chart owner).
    assert browser.axe_violations(page, exclude=[".osai-chart"]) == []


def test_markup_in_bank_text_is_shown_as_text(audited_page, book_url):
    """The widget's own module (from the page's embedded state) renders hostile text inertly."""
    page, audit = audited_page
    open_quiz(page, book_url)
    hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>"
    bank = seal_bank({"chapter": "99-test", "title": "t", "questions": [
        {"id": "h", "type": "single", "objective": "o", "section": hostile, "prompt": hostile,
         "options": [{"id": "a", "text": hostile, "feedback": hostile},
                     {"id": "b", "text": "b", "feedback": "b"}], "correct": ["a"]}]})
    result = page.evaluate("""async (bank) => {
        const state = JSON.parse(document.querySelector(
            'script[type="application/vnd.jupyter.widget-state+json"]').textContent);
        const model = Object.values(state.state).find(m => m.model_name === 'AnyModel');
        const url = URL.createObjectURL(new Blob([model.state._esm], {type: 'text/javascript'}));
        const mod = await import(url);
        const values = {bank, answers: {}, storage_key: 'osai-quiz-test', score: 0};
        const fake = {get: k => values[k], set: (k, v) => { values[k] = v; },
                      save_changes() {}, on() {}, off() {}};
        const el = document.createElement('div');
        document.body.append(el);
        mod.default.render({model: fake, el});
        el.querySelector('input[value="a"]').checked = true;
        el.querySelector('button[type="submit"]').click();  // checked as the form submits
        return {imgs: el.querySelectorAll('img').length,
                scripts: el.querySelectorAll('script').length,
                pwned: window.__pwned || null, text: el.textContent, score: values.score};
    }""", bank)
    assert result["imgs"] == 0 and result["scripts"] == 0 and result["pwned"] is None
    assert result["text"].count(hostile) >= 4  # prompt, section, option, feedback
    assert result["score"] == 1
    assert audit.problems() == []


def _kernel_score(answers: dict) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import json, osai.quiz\n"
        f"quiz = osai.quiz.show({CH!r})\n"
        f"quiz.answers = json.loads({json.dumps(answers)!r})\n"
        "print(json.dumps({'score': quiz.score, 'total': quiz.total}))")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    out = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
def test_same_score_in_browser_python_and_kernel(audited_page, book_url, bank):
    page, audit = audited_page
    quiz = open_quiz(page, book_url)
    answers = mixed_answers(bank)
    quiz.enter_all(bank, answers)
    in_browser = quiz.score()
    stored = quiz.stored()["answers"]
    in_python = score_answers(bank, answers)["score"]
    in_kernel = _kernel_score(stored)  # the answers exactly as the browser saved them
    assert 0 < in_browser < len(bank["questions"])
    assert in_browser == in_python == in_kernel["score"]
    assert in_kernel["total"] == len(bank["questions"])
    assert audit.problems() == []


def test_quiz_reads_well_on_a_phone(audited_page, book_url, bank):
    """At 360 px: the question is body-sized text, each option's control sits beside its
    text, touch targets are at least 44 px high, and the page does not scroll sideways."""
    page, audit = audited_page
    page.set_viewport_size({"width": 360, "height": 800})
    open_quiz(page, book_url)
    got = page.evaluate("""() => {
        const body = parseFloat(getComputedStyle(document.querySelector('.osai-quiz')).fontSize);
        const legends = [...document.querySelectorAll('.osai-quiz legend')]
          .map(l => parseFloat(getComputedStyle(l).fontSize));
        const options = [...document.querySelectorAll('.osai-quiz-option input[type=radio],'
                                                      + '.osai-quiz-option input[type=checkbox]')]
          .map(i => {
            const r = i.getBoundingClientRect();
            const l = document.querySelector(`label[for="${i.id}"]`).getBoundingClientRect();
            return {beside: r.right <= l.left + 1 && r.top >= l.top - 1 && r.bottom <= l.bottom + 1,
                    target: Math.max(l.height, r.height)};
          });
        // the controls a reader can reach now ("Try another" appears only after a check)
        const controls = [...document.querySelectorAll('.osai-quiz button, .osai-quiz select,'
                                                       + ' .osai-quiz input[type=number]')]
          .filter(e => e.getClientRects().length > 0)
          .map(e => e.getBoundingClientRect().height);
        return {body, legends, options, controls,
                scroll: document.documentElement.scrollWidth,
                client: document.documentElement.clientWidth};
    }""")
    assert got["legends"] and all(abs(s - got["body"]) < 0.5 for s in got["legends"]), got
    assert got["options"] and all(o["beside"] for o in got["options"]), got["options"]
    assert min(o["target"] for o in got["options"]) >= 44
    assert min(got["controls"]) >= 44, got["controls"]
    assert got["scroll"] <= got["client"]
    # focus stays visible on an option
    page.locator(".osai-quiz-option input").first.focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    assert audit.problems() == []


def test_revisit_link_only_with_a_section_anchor(audited_page, book_url):
    """A question with `section_anchor` shows "Revisit: <section>" with its feedback,
    linking to the heading; one without shows no link."""
    page, audit = audited_page
    open_quiz(page, book_url)
    bank = {"chapter": "99-test", "title": "t", "questions": [
        {"id": f"q{i}", "type": "single", "objective": "o", "section": "The models",
         "prompt": "p", "options": [{"id": "a", "text": "A", "feedback": "f"},
                                    {"id": "b", "text": "B", "feedback": "g"}],
         "correct": ["a"], **extra}
        for i, extra in enumerate([{"section_anchor": "the-models"}, {}])]}
    links = page.evaluate("""async (bank) => {
        const state = JSON.parse(document.querySelector(
            'script[type="application/vnd.jupyter.widget-state+json"]').textContent);
        const model = Object.values(state.state).find(m => m.model_name === 'AnyModel');
        const url = URL.createObjectURL(new Blob([model.state._esm], {type: 'text/javascript'}));
        const mod = await import(url);
        const values = {bank, answers: {}, storage_key: 'osai-quiz-test-revisit', score: 0};
        const fake = {get: k => values[k], set: (k, v) => { values[k] = v; },
                      save_changes() {}, on() {}, off() {}};
        const el = document.createElement('div');
        document.body.append(el);
        mod.default.render({model: fake, el});
        const out = [];
        for (const form of el.querySelectorAll('form')) {
            form.querySelector('input[value="b"]').checked = true;
            form.querySelector('button[type="submit"]').click();
            const a = form.querySelector('.osai-quiz-feedback a');
            out.push(a ? [a.textContent, a.getAttribute('href')] : null);
        }
        return out;
    }""", bank)
    assert links == [["Revisit: The models", "#the-models"], None]
    assert audit.problems() == []


def test_page_with_other_widgets_loads_the_widget_manager(audited_page, book_url, book_dir):
    """Only the quiz (an anywidget) is drawn by the small loader; a page whose saved state
    holds other Jupyter widgets gets the full widget manager, which draws them all."""
    import re

    html = (book_dir / PAGE).read_text(encoding="utf-8")
    match = re.search(r'(<script type="application/vnd.jupyter.widget-state\+json">)(.*?)'
                      r"(</script>)", html, re.S)
    state = json.loads(match.group(2))
    layout = next(k for k, m in state["state"].items() if m["model_name"] == "LayoutModel")
    controls = {"model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0"}
    state["state"]["osai-test-style"] = {**controls, "model_name": "SliderStyleModel",
                                         "state": {}}
    state["state"]["osai-test-slider"] = {**controls, "model_name": "IntSliderModel", "state": {
        "value": 3, "min": 0, "max": 10, "description": "Test slider",
        "layout": f"IPY_MODEL_{layout}", "style": "IPY_MODEL_osai-test-style"}}
    view = ('<script type="application/vnd.jupyter.widget-view+json">'
            '{"version_major": 2, "version_minor": 0, "model_id": "osai-test-slider"}</script>')
    page_html = (html[:match.start(2)] + json.dumps(state).replace("</", "<\\/")
                 + html[match.end(2):])
    page_html = page_html.replace("</article>", view + "</article>", 1)
    # served by the browser itself (route), never written into the build, at the chapter's
    # folder depth so its relative links reach the real book
    url = book_url + "test-artifacts/with-slider.html"
    page, audit = audited_page
    page.route(url, lambda route: route.fulfill(status=200, body=page_html,
                                                content_type="text/html; charset=utf-8"))
    page.goto(url)
    page.wait_for_selector(".widget-subarea .widget-slider", timeout=30_000)
    page.wait_for_selector(".widget-subarea .osai-quiz .osai-quiz-q", timeout=30_000)
    assert page.locator(".osai-quiz").count() == 1  # drawn once, by the manager
    assert page.evaluate("typeof window.require") == "function"
    assert audit.problems() == []


def test_save_my_answers_downloads_a_progress_file(audited_page, book_url, bank, tmp_path):
    """"Save my answers" (reached and pressed by keyboard) downloads <chapter>-answers.json
    in the progress-file format, which Quiz.load_progress and the class report read."""
    from osai.quiz import Quiz
    from osai.instructor.quiz_report.progress import read_progress

    page, audit = audited_page
    quiz_page = open_quiz(page, book_url)
    answers = mixed_answers(bank)
    quiz_page.enter_all(bank, answers)
    save = page.get_by_role("button", name="Save my answers")
    box = save.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    last = bank["questions"][-1]["id"]
    quiz_page.check_button(last).focus()
    for _ in range(6):  # past the last feedback's revisit link, if any
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Save my answers":
            break
    assert page.evaluate("document.activeElement.textContent") == "Save my answers"
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == f"{CH}-answers.json"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    expected = score_answers(bank, answers)
    assert data["format"] == "osai-quiz-progress" and data["version"] == 1
    assert data["chapters"][CH] == {"answers": answers, "score": expected["score"],
                                    "total": expected["total"]}
    assert "saved as" in quiz_page.score_text()
    quiz = Quiz(CH)
    assert quiz.load_progress(path) == [] and quiz.answers == answers
    read = read_progress(path, path.name, {CH: bank})
    assert read.skips == [] and sum(a.correct for a in read.answers) == expected["score"]
    assert audit.problems() == []
