"""The loaded quiz bank, typed: one :class:`~typing.TypedDict` per question type.

:func:`osai.quiz.bank_checks.validate_raw` builds these from a bank's YAML (placeholders
filled, option ids given, numeric answers and orders computed from ``data/``).  They are
plain JSON-able dicts at run time, because that is what the widget syncs to ``quiz.js``,
what the exports, handouts and class report read, and what :mod:`osai.quiz.scoring`
scores; the classes here say which keys each type has.

Every question has ``id``, ``type``, ``objective``, ``section``, ``prompt`` and
``section_anchor`` (the HTML id of its section's heading, or None when the chapter's source
was not there to check), then, by type:

=========================  ==============================================================
single, multiple           ``options`` (:class:`Option`), ``correct`` (ids of the right ones)
scenario                   the same, and ``case``
numeric                    ``answer`` (computed), ``tolerance``, ``unit``, ``compute``
                           (:class:`Compute`), ``feedback`` (:class:`Feedback`)
ordering                   ``items`` (:class:`Item`), ``solution`` (item id -> position,
                           1 = earliest), ``feedback``
matching                   ``left`` (:class:`Left`), ``right`` (:class:`Right`, sorted),
                           ``solution`` (left id -> right id), ``feedback``
=========================  ==============================================================

Variants: a numeric or ordering question whose bank entry has ``variants:`` gets
``variants``, a list of complete questions of its type (its own prompt, computed answer or
order, and feedback; the rest inherited) with ids ``<id>-v2``, ``<id>-v3`` ... and
``variant_of`` (the base id).  :attr:`Bank.questions` lists base questions only; a learner
answers one variant of each, keyed by the id of the variant shown.

A learner's answer has the JSON form ``quiz.js`` stores (:data:`Answer`).

:func:`fill_answer` is the one place Python writes a numeric question's ``{answer}`` into
its feedback, as ``quiz.js``'s ``fill`` does on the page: the exports, the handouts and
the class report all call it.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict, Union, get_args

from osai.formats import fmt_number

__all__ = [
    "Answer",
    "Bank",
    "ChoiceQuestion",
    "Compute",
    "Feedback",
    "Item",
    "Left",
    "MatchingQuestion",
    "MultipleQuestion",
    "NumericQuestion",
    "Option",
    "OrderingQuestion",
    "Question",
    "QuestionType",
    "Right",
    "ScenarioQuestion",
    "SingleQuestion",
    "TYPES",
    "fill_answer",
]

QuestionType = Literal["single", "multiple", "numeric", "ordering", "matching", "scenario"]
#: every question type, in the order the docs list them
TYPES: tuple[str, ...] = get_args(QuestionType)


class Option(TypedDict):
    """One option of a choice question (its ``id``: from the bank, else a, b, c ...)."""

    id: str
    text: str
    feedback: str


class Feedback(TypedDict):
    """What the learner reads after a right and after a wrong answer."""

    correct: str
    incorrect: str


class Compute(TypedDict):
    """How a numeric answer is computed: an interval ``kind`` between two events."""

    kind: str              #: years_between, months_between or days_between
    events: list[str]      #: the two event ids, earlier first
    dates: list[str]       #: their dates as prose writes them


class Item(TypedDict):
    """One event of an ordering question."""

    id: str                #: the event id
    text: str              #: "<who>: <title>"
    date: str              #: its date as prose writes it


class Left(TypedDict):
    """One item to match (ids l1, l2 ... in the bank's order)."""

    id: str
    text: str
    feedback: str


class Right(TypedDict):
    """One choice to match an item with (ids r1, r2 ... in case-blind alphabetical order;
    distractors included)."""

    id: str
    text: str


class _Common(TypedDict):
    id: str
    objective: str
    section: str
    prompt: str
    section_anchor: str | None


class SingleQuestion(_Common):
    type: Literal["single"]
    options: list[Option]
    correct: list[str]     #: exactly one id


class MultipleQuestion(_Common):
    type: Literal["multiple"]
    options: list[Option]
    correct: list[str]     #: one id or more


class ScenarioQuestion(_Common):
    type: Literal["scenario"]
    options: list[Option]
    correct: list[str]     #: exactly one id
    case: str


class NumericQuestion(_Common):
    type: Literal["numeric"]
    answer: int
    tolerance: float
    unit: str
    compute: Compute
    feedback: Feedback     #: may name ``{answer}`` (see :func:`fill_answer`)
    #: the alternates (a base question with ``variants:`` in its bank), ids ``<id>-v2`` ...
    variants: NotRequired[list[NumericQuestion]]
    variant_of: NotRequired[str]  #: an alternate's base question id


class OrderingQuestion(_Common):
    type: Literal["ordering"]
    items: list[Item]
    solution: dict[str, int]
    feedback: Feedback
    variants: NotRequired[list[OrderingQuestion]]  #: as in :class:`NumericQuestion`
    variant_of: NotRequired[str]


class MatchingQuestion(_Common):
    type: Literal["matching"]
    left: list[Left]
    right: list[Right]
    solution: dict[str, str]
    feedback: Feedback


ChoiceQuestion = Union[SingleQuestion, MultipleQuestion, ScenarioQuestion]
Question = Union[SingleQuestion, MultipleQuestion, ScenarioQuestion, NumericQuestion,
                 OrderingQuestion, MatchingQuestion]


class Bank(TypedDict):
    """A chapter's loaded bank."""

    chapter: str
    title: str
    file: str              #: the bank's file, relative to the course when inside it
    questions: list[Question]  #: base questions only (alternates are in their ``variants``)


#: a learner's answer as quiz.js stores it: an option id (single, scenario), option ids
#: (multiple), a number (numeric), item id -> position (ordering), left id -> right id
#: (matching)
Answer = Union[str, list[str], float, dict[str, int], dict[str, str]]


def fill_answer(text: Any, question: Question | dict) -> str:
    """A feedback text as the learner reads it: in a numeric question, ``{answer}`` becomes
    the answer computed from ``data/``, written as the widget writes numbers
    (:func:`osai.formats.fmt_number`); other texts are returned as they are.  No text: ''."""
    if text is None:
        return ""
    if question.get("type") != "numeric":
        return str(text)
    return str(text).replace("{answer}", fmt_number(question["answer"]))
