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


def right_answer(q: dict):
    """The right answer of a loaded question (with its key), in the form quiz.js stores."""
    if q["type"] in ("single", "scenario"):
        return q["correct"][0]
    if q["type"] == "multiple":
        return list(q["correct"])
    if q["type"] == "numeric":
        return q["answer"]
    return dict(q["solution"])


def with_variants(bank: dict) -> dict:
    """A copy of a loaded bank whose numeric and ordering questions carry two variants each,
    in the loaded form the contract gives (ids ``<base>-v2``, ``<base>-v3``, ``variant_of``):
    a numeric variant asks for another number, an ordering variant for another order."""
    import copy

    out = copy.deepcopy(bank)
    for q in out["questions"]:
        if q["type"] not in ("numeric", "ordering"):
            continue
        q["variants"] = []
        for k in (2, 3):
            v = copy.deepcopy({key: val for key, val in q.items() if key != "variants"})
            v.update(id=f"{q['id']}-v{k}", variant_of=q["id"],
                     prompt=f"{q['prompt']} (version {k})")
            if q["type"] == "numeric":
                v["answer"] = q["answer"] + 10 * k
            else:
                order = sorted(q["solution"], key=q["solution"].get)
                order = order[k - 1:] + order[:k - 1]  # another order of the same events
                v["solution"] = {e: i + 1 for i, e in enumerate(order)}
            q["variants"].append(v)
    return out


def shapes(q: dict) -> list[tuple[object, bool]]:
    """Answers of every shape for a question: (answer, has the right shape)."""
    common = [None, True, 5, "zz", [], ["zz"], {}, {"x": 1}, [{}], 10 ** 400]
    t = q["type"]
    ids = [o["id"] for o in q.get("options", [])]
    if t in ("single", "scenario"):
        return [(i, True) for i in ids] + [(a, False) for a in common + [ids[:1], 5.5]]
    if t == "multiple":
        return [(ids[:1], True), (ids[:2], True), (ids, True), ([ids[0], ids[0]], True)] + \
            [(a, False) for a in common + [ids[0], [5], [True], {ids[0]: 1}]]
    if t == "numeric":
        return [(0, True), (5, True), (133.5, True), (-2, True), (1e9, True)] + \
            [(a, False) for a in common if a != 5] + \
            [(a, False) for a in ("133", [133], 1e10, -1e12)]
    keys = [it["id"] for it in q["items" if t == "ordering" else "left"]]
    if t == "ordering":
        good = {k: i + 1 for i, k in enumerate(keys)}
        flipped = {k: len(keys) - i for i, k in enumerate(keys)}
        bad = [{k: str(v) for k, v in good.items()}, {k: v - 1 for k, v in good.items()},
               {k: 1 for k in keys}, {**good, keys[0]: 1.5}, {**good, keys[0]: True},
               {k: good[k] for k in keys[1:]}, {**good, "constructor": 9},
               {**good, "__proto__": 1}, list(good.values()), {k: None for k in keys}]
        return [(good, True), (flipped, True), ({k: float(v) for k, v in good.items()}, True)] \
            + [(a, False) for a in common + bad]
    rights = [r["id"] for r in q["right"]]
    good = {k: rights[i % len(rights)] for i, k in enumerate(keys)}
    bad = [{k: "zz" for k in keys}, {k: 1 for k in keys}, {k: [rights[0]] for k in keys},
           {k: good[k] for k in keys[1:]}, {**good, "extra": rights[0]}, list(good.values())]
    return [(good, True), ({k: rights[0] for k in keys}, True)] + \
        [(a, False) for a in common + bad]
