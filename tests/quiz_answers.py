"""Answers the browser tests give a chapter's quiz: about half right, half wrong, every
question type (shared by the quiz and the SCORM browser tests)."""

from __future__ import annotations


def wrong_option(q: dict) -> str:
    return next(o["id"] for o in q["options"] if o["id"] not in q["correct"])


def mixed_answers(bank: dict) -> dict:
    """Even-numbered questions right, odd ones wrong, in the JSON form quiz.js stores."""
    out = {}
    for i, q in enumerate(bank["questions"]):
        right = i % 2 == 0
        if q["type"] in ("single", "scenario"):
            out[q["id"]] = q["correct"][0] if right else wrong_option(q)
        elif q["type"] == "multiple":
            out[q["id"]] = list(q["correct"]) if right else [o["id"] for o in q["options"]]
        elif q["type"] == "numeric":
            out[q["id"]] = q["answer"] if right else q["answer"] + q["tolerance"] + 2
        else:
            sol = dict(q["solution"])
            if not right:
                a, b = list(sol)[:2]
                sol[a], sol[b] = sol[b], sol[a]
            out[q["id"]] = sol
    return out
