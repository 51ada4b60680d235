"""Quizzes: one question bank per chapter (``exercises/quizzes/*.yml``), one widget.

* :func:`show` / :class:`Quiz`: the anywidget a chapter cell displays
  (``osai.quiz.show("03-four-organisations")``); works offline in the built book and syncs
  ``answers`` and ``score`` to Python in JupyterLab (:mod:`.widget`).
* :func:`load_bank`, :func:`load_all`: checked banks in the typed model of :mod:`.model`
  (:mod:`.bank` finds and reads them, :mod:`.bank_checks` checks and builds them, with
  :mod:`.facts`, :mod:`.events` and :mod:`.sections`); :class:`QuizError` names the file
  and the question id of any problem.
* :func:`score_answers`, :func:`is_correct`: the Python mirror of the widget's JavaScript
  scoring (:mod:`.scoring`), on the loaded bank or on the learner's form;
  :mod:`.sealed` makes that form (salted hashes, feedback sealed per option, no answer key:
  what the pages, the wheel and the bundle hold) and :mod:`.answers` holds the one set of
  answer-shape rules per question type.
* :data:`chapters`: the teaching chapters (:func:`osai.syllabus.chapters`).

Instructors' tools on the banks (``osai quiz check | handouts | export | report``) live in
:mod:`osai.instructor`.
"""

from osai.quiz.bank import load_all, load_bank, quiz_dir
from osai.quiz.quiz_error import QuizError
from osai.quiz.scoring import is_correct, score_answers
from osai.quiz.widget import Quiz, show
from osai.syllabus import chapters

__all__ = ["Quiz", "QuizError", "chapters", "is_correct", "load_all", "load_bank",
           "quiz_dir", "score_answers", "show"]
