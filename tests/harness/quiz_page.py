"""Drive a chapter's quiz (``osai/quiz/quiz.js``) in a Playwright page, as a learner does.

One driver for every browser test of the quiz: the web book (``test_quiz_browser``), the
SCORM packages under an LMS runtime (``test_scorm_browser``, where the quiz sits in a frame
or a pop-up).  :class:`QuizPage` wraps the Playwright ``Page`` that has the keyboard and
the place the quiz is in (the page itself, a ``Frame`` or a ``FrameLocator``):

* :meth:`QuizPage.open` goes to a chapter's page and waits for its quiz;
* :meth:`question` finds a question (by its bank entry, its id or its place N);
  :meth:`enter` answers any question type by mouse (``by="mouse"``: clicks on the labels,
  as a learner does) or by keyboard (``by="keyboard"``: focus, arrows and Space, Tab to
  the button, Enter) and checks it; :meth:`key_in` stops before the Enter, to look at the
  focus;
* :meth:`result`, :meth:`feedback_text`, :meth:`score` and :meth:`score_text` read what
  the quiz shows; :meth:`shown_answer` reads an answer back from the controls (after a
  reload or a relaunch); :meth:`stored` reads the answers kept in ``localStorage``;
* :meth:`reload` and :meth:`reset` reload the page and press "Reset quiz".

Every wait is on the quiz's own state (its questions drawn, a verdict written), never a
fixed time.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: the key quiz.js keeps a chapter's answers under in localStorage
STORAGE_KEY = "osai-quiz/v1/{chapter}"
READY = ".osai-quiz .osai-quiz-q"
CHOICE = ("single", "scenario", "multiple")


class QuizPage:
    """A chapter's quiz in ``page`` (or in ``root``, a frame of it)."""

    def __init__(self, page, chapter: str, root=None, timeout: float = 20_000):
        self.page = page
        self.chapter = chapter
        self.root = root if root is not None else page
        self.timeout = timeout

    # ------------------------------------------------------------------ finding it

    @classmethod
    def open(cls, page, url: str, chapter: str, **kwargs) -> "QuizPage":
        """Go to ``url`` (a chapter's page) and wait for its quiz."""
        quiz = cls(page, chapter, **kwargs)
        page.goto(url)
        return quiz.wait_ready()

    def wait_ready(self) -> "QuizPage":
        """Wait until the quiz's questions are drawn."""
        self.root.locator(READY).first.wait_for(timeout=self.timeout)
        return self

    @property
    def quiz(self):
        return self.root.locator(".osai-quiz")

    def question(self, q) -> Any:
        """The form of a question: by its bank entry, its id, or its place (0 = first)."""
        if isinstance(q, int):
            return self.root.locator(".osai-quiz-q").nth(q)
        qid = q["id"] if isinstance(q, dict) else q
        return self.root.locator(f'.osai-quiz-q[data-qid="{qid}"]')

    def count(self) -> int:
        """How many questions the quiz shows."""
        return self.root.locator(".osai-quiz-q").count()

    def feedback(self, q):
        return self.question(q).locator(".osai-quiz-feedback")

    def check_button(self, q):
        return self.question(q).get_by_role("button", name="Check answer")

    # ------------------------------------------------------------------ answering

    def enter(self, q: dict, answer, by: str = "mouse") -> str:
        """Answer ``q`` with ``answer`` (in the form quiz.js stores) and check it; returns
        the verdict shown (``correct``, ``incorrect`` or ``incomplete``)."""
        if by == "keyboard":
            self.key_in(q, answer)
            self.page.keyboard.press("Enter")
        elif by == "mouse":
            self.set_by_mouse(q, answer)
            self.check_button(q).click()
        else:
            raise ValueError(f"by={by!r}: 'mouse' or 'keyboard'")
        return self.wait_verdict(q)

    def set_by_mouse(self, q: dict, answer) -> None:
        """Set the controls of ``q`` to ``answer`` with the mouse (labels clicked, numbers
        typed, drop-downs chosen), without checking it."""
        form = self.question(q)
        if q["type"] in CHOICE:
            want = set(answer if isinstance(answer, list) else [answer])
            for row in form.locator(".osai-quiz-option").all():
                box = row.locator("input")
                if box.is_checked() != (box.get_attribute("value") in want):
                    row.locator("label").click()
        elif q["type"] == "numeric":
            form.locator("input[type=number]").fill(str(answer))
        else:
            for key, value in answer.items():
                form.locator(f'select[data-key="{key}"]').select_option(str(value))

    def key_in(self, q: dict, answer) -> None:
        """Set ``answer`` from the keyboard and leave the focus where Enter checks it (the
        "Check answer" button, or the number field)."""
        form, keys = self.question(q), self.page.keyboard
        if q["type"] in ("single", "scenario"):
            # a radio group: Space picks the first option, the arrows move the choice
            form.locator("input").first.focus()
            keys.press("Space")
            for _ in range([o["id"] for o in q["options"]].index(answer)):
                keys.press("ArrowDown")
            keys.press("Tab")
        elif q["type"] == "multiple":
            want = set(answer)
            boxes = form.locator("input").all()
            for box in boxes:
                box.focus()
                if box.is_checked() != (box.get_attribute("value") in want):
                    keys.press("Space")
            boxes[-1].focus()
            keys.press("Tab")
        elif q["type"] == "numeric":
            form.locator("input[type=number]").focus()
            keys.press("Control+A")
            keys.type(str(answer))
        else:
            selects = form.locator("select").all()
            for select in selects:
                values = select.evaluate("s => [...s.options].map(o => o.value)")
                select.focus()
                keys.press("Home")
                for _ in range(values.index(str(answer[select.get_attribute("data-key")]))):
                    keys.press("ArrowDown")
            selects[-1].focus()
            keys.press("Tab")

    def check(self, q) -> str:
        """Press "Check answer" with the mouse; returns the verdict."""
        self.check_button(q).click()
        return self.wait_verdict(q)

    def wait_verdict(self, q) -> str:
        """Wait until the question shows a verdict; returns it."""
        self.question(q).locator(".osai-quiz-feedback[data-result]").wait_for(
            timeout=self.timeout)
        return self.result(q)

    def enter_all(self, bank: dict, answers: dict, keyboard: set[str] = frozenset()) -> None:
        """Answer every question of ``bank`` from ``answers``; those in ``keyboard`` from
        the keyboard, the others with the mouse."""
        for q in bank["questions"]:
            self.enter(q, answers[q["id"]], by="keyboard" if q["id"] in keyboard else "mouse")

    # ------------------------------------------------------------------ reading it

    def result(self, q) -> str | None:
        """``correct``, ``incorrect``, ``incomplete``, or None before any check."""
        return self.feedback(q).get_attribute("data-result")

    def feedback_text(self, q) -> str:
        return self.feedback(q).inner_text()

    def score_text(self) -> str:
        return self.root.locator(".osai-quiz-score").inner_text()

    def score(self) -> int:
        """The score the quiz shows (its ``data-score``)."""
        return int(self.root.locator(".osai-quiz-score").get_attribute("data-score"))

    def score_reads(self, score: int, total: int | None = None) -> bool:
        text = self.score_text()
        return text.startswith(f"Score: {score} of" + (f" {total} correct" if total else ""))

    def intro(self) -> str:
        return self.root.locator(".osai-quiz-intro").inner_text()

    def shown_answer(self, q: dict):
        """The answer the controls of ``q`` hold, in the form quiz.js stores (None when
        nothing is set)."""
        form = self.question(q)
        if q["type"] in CHOICE:
            chosen = sorted(b.get_attribute("value") for b in form.locator("input").all()
                            if b.is_checked())
            if q["type"] == "multiple":
                return chosen or None
            return chosen[0] if chosen else None
        if q["type"] == "numeric":
            value = form.locator("input[type=number]").input_value()
            return float(value) if value else None
        out = {}
        for select in form.locator("select").all():
            value = select.input_value()
            out[select.get_attribute("data-key")] = (int(value) if q["type"] == "ordering"
                                                     and value else value)
        return out

    def stored(self) -> dict | None:
        """What quiz.js keeps in this page's localStorage for the chapter, or None."""
        text = self.root.locator("body").evaluate("(b, key) => localStorage.getItem(key)",
                                                  STORAGE_KEY.format(chapter=self.chapter))
        return json.loads(text) if text is not None else None

    def focused_text(self) -> str:
        return self.page.evaluate("document.activeElement.textContent")

    def focus_visible(self) -> bool:
        """The focused element draws an outline."""
        return self.page.evaluate(
            "getComputedStyle(document.activeElement).outlineStyle") != "none"

    # ------------------------------------------------------------------ page actions

    def reload(self) -> "QuizPage":
        self.page.reload()
        return self.wait_ready()

    def reset(self) -> None:
        """Press "Reset quiz" and wait for the score to say so."""
        self.root.get_by_role("button", name="Reset quiz").click()
        self.root.locator(".osai-quiz-score", has_text=re.compile("Quiz reset")).wait_for(
            timeout=self.timeout)
