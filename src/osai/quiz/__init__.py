"""Quizzes: one question bank (``exercises/quizzes/*.yml``), one widget, instructor handouts.

* :func:`show` / :class:`Quiz`: the anywidget a chapter cell displays
  (``osai.quiz.show("03-four-organisations")``); works offline in the built book and syncs
  ``answers`` and ``score`` to Python in JupyterLab.
* :func:`load_bank`, :func:`load_all`: validated, normalised banks; :class:`QuizError`
  names the file and the question id of any problem.
* :func:`score_answers`: the Python mirror of the widget's JavaScript scoring.
* ``python -m osai.quiz handouts --out DIR``: printable handouts and answer keys.
* ``python -m osai.quiz export --format moodle|qti|gift --out DIR``: the banks in an LMS's own
  question formats (:mod:`osai.instructor.quiz_export`).
"""

from osai.quiz.bank import QuizError, chapters, is_correct, load_all, load_bank, quiz_dir, score_answers
from osai.quiz.widget import Quiz, show

__all__ = ["Quiz", "QuizError", "chapters", "is_correct", "load_all", "load_bank",
           "quiz_dir", "score_answers", "show"]
