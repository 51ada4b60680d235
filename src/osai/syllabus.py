"""The teaching chapters: the course's one list of them, with what each one promises.

``exercises/objectives.yml`` holds, in book order, every teaching chapter's id (its file
name in ``chapters/``, ``NN-slug``), title, teaching minutes, slots in the instructor
guide's two plans and learning objectives.  Everything that needs the chapter list reads it
here: the quiz banks (one per chapter), the SCORM outline, the instructor guide's tables,
the tests.  ``_toc.yml`` (which Jupyter Book needs) must list the same chapters in the same
order: :func:`check_toc` says where it does not.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from osai.paths import course_root

__all__ = ["MIN_DISCUSSION", "OBJECTIVES", "PLANS", "SLOTS", "chapter_meta", "chapter_number", "chapters", "check_toc",
           "learning_outcomes", "objectives_data", "objectives_file", "schedule"]

#: where the chapter list lives, relative to the course root
OBJECTIVES = "exercises/objectives.yml"
#: the instructor guide's plans: field of objectives.yml -> the plan's name
PLANS = {"six_weeks": "six weeks", "two_days": "two days"}
#: each plan's slot, a course-design choice: (minutes in a session, minutes of breaks in it).
#: A week's session is a two-hour slot; a workshop half-day is three and a half hours with
#: one break.  What teaching leaves of a slot is the session's discussion time.
SLOTS = {"six_weeks": (120, 0), "two_days": (210, 15)}
#: the least discussion time a session may be planned with (the chapter's questions)
MIN_DISCUSSION = 15
_ID = re.compile(r"(?:^|/)(\d{2})-[^/]+$")


def objectives_file() -> Path:
    """``exercises/objectives.yml`` of the checkout, else of the installed course."""
    return course_root() / OBJECTIVES


@lru_cache(maxsize=4)
def _read(path: str, stamp: int) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def objectives_data() -> dict:
    """``exercises/objectives.yml`` as read (chapter id -> entry), re-read when it changes."""
    path = objectives_file()
    return _read(str(path), path.stat().st_mtime_ns)


def chapters() -> list[str]:
    """Teaching chapter ids, in book order."""
    return list(objectives_data())


def chapter_meta(chapter: str) -> dict:
    """Title, minutes, plan slots and objectives of a teaching chapter."""
    data = objectives_data()
    if chapter not in data:
        raise KeyError(f"{objectives_file().name}: no chapter '{chapter}' "
                       f"(known: {', '.join(data)})")
    return data[chapter]


def chapter_number(docname: str) -> int | None:
    """The chapter number a page's name carries (``chapters/06-big-tech`` -> 6), else None."""
    match = _ID.search(docname)
    return int(match.group(1)) if match else None


def check_toc(toc_files: list[str], teaching: list[str] | None = None) -> list[str]:
    """Problems between ``_toc.yml``'s files (``chapters/NN-slug``, in order) and the
    teaching chapters (the course's list unless ``teaching`` is given)."""
    listed = [Path(f).name for f in toc_files]
    teaching = chapters() if teaching is None else teaching
    problems = [f"{objectives_file().name}: {c} is not in _toc.yml" for c in teaching
                if c not in listed]
    in_toc = [f for f in listed if f in teaching]
    if not problems and in_toc != teaching:
        problems.append(f"_toc.yml lists the teaching chapters as {in_toc}; "
                        f"{objectives_file().name} as {teaching}")
    return problems


def learning_outcomes() -> pd.DataFrame:
    """Every learning objective of the teaching chapters (the instructor guide's table)."""
    rows = []
    for chapter, meta in objectives_data().items():
        for obj in meta["objectives"]:
            rows.append({"Chapter": f"{chapter_number(chapter)}. {meta['title']}",
                         "Objective id": obj["id"], "By the end, learners can": obj["text"]})
    return pd.DataFrame(rows)


def schedule(plan: str) -> pd.DataFrame:
    """Minutes per session of one of the guide's :data:`PLANS` (``"six_weeks"``, say): the
    sessions in the order they first appear, with their chapters, teaching minutes, break
    and discussion minutes, and the slot they fill (:data:`SLOTS`).

    A session whose teaching leaves less than :data:`MIN_DISCUSSION` minutes of its slot is
    an error that names the session: a plan must fit its slots as planned, without asking
    learners to read ahead."""
    if plan not in PLANS:
        raise KeyError(f"unknown plan {plan!r} (known: {', '.join(PLANS)})")
    meta = objectives_data()
    sessions: dict[str, list[str]] = {}
    for chapter, entry in meta.items():
        if not entry.get(plan):
            raise KeyError(f"{objectives_file().name}: {chapter} has no {plan} slot")
        sessions.setdefault(str(entry[plan]), []).append(chapter)
    slot, breaks = SLOTS[plan]
    rows = []
    for session, chapters_in in sessions.items():
        teaching = sum(int(meta[c]["minutes"]) for c in chapters_in)
        discussion = slot - breaks - teaching
        if discussion < MIN_DISCUSSION:
            raise ValueError(
                f"{objectives_file().name}: {PLANS[plan]} plan, {session}: {teaching} teaching "
                f"minutes leave {discussion} of the {slot}-minute slot for discussion "
                f"(at least {MIN_DISCUSSION} needed)")
        rows.append({
            "Session": session,
            "Chapters": "; ".join(f"{chapter_number(c)}. {meta[c]['title']}"
                                  for c in chapters_in),
            "Teaching minutes": teaching,
            "Break minutes": breaks,
            "Discussion minutes": discussion,
            "Session minutes": slot,
        })
    return pd.DataFrame(rows)
