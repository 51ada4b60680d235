"""A class on a real JupyterHub: one instructor and three students, real Unix users.

The hub is ``deploy/local-hub`` (JupyterHub, configurable-http-proxy, PAM, LocalProcess-
Spawner) started by :class:`harness.hub.HubClass`; the course environment is built from
``binder/requirements.txt`` and the wheel, as an image would be.  In order:

1. a student opens the book's launch link (nbgitpuller) in Chromium, logs in with their Unix
   password, lands in JupyterLab on the chapter, runs every cell and answers a quiz
   question;
2. the instructor releases an assignment to nbgrader's exchange with ``osai grade``, as
   their own Unix user; each student fetches, answers and submits it from their own server
   (the Assignments tab's calls), as their own Unix user;
3. the instructor collects (a forged and a linked submission are refused), autogrades in
   the bubblewrap sandbox (each submission capped by its own cgroup, under a cgroup
   delegated to the instructor), makes and releases feedback; each student fetches theirs;
4. no student can read another's files or submissions; the grades reach the Canvas and
   Moodle gradebook CSVs.

Needs root (users, PAM, setuid spawning; skipped otherwise), bubblewrap (the sandbox tier),
Chromium and the built book (the wheel and ``_build/notebooks``).  CI runs as root.
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
import urllib.error
from pathlib import Path

import nbformat
import pytest

from harness import browser
from harness.grading import A1, EXPECTED, _wrong
from harness.hub_course import fetch_and_submit, grade, instructor_checkout, launch_and_run
from harness.quiz_page import QuizPage
from quiz_answers import right_answer
from osai import paths
from osai.instructor.grading.authoring import solution_answers
from osai.quiz import load_bank

ROOT = paths.project_root()
CHAPTER = "03-four-organisations"

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="a hub with real Unix users needs root")


@pytest.fixture(scope="module")
def hub(built_book):
    from harness.hub import HubClass

    klass = HubClass(students=3).start()
    try:
        yield klass
    except BaseException:
        print(klass.log_tail())
        raise
    finally:
        klass.close()


def _step(msg: str) -> None:
    print(f"[hub test] {time.strftime('%H:%M:%S')} {msg}", flush=True)


# ------------------------------------------------------------------ 1. the launch link


def test_student_follows_the_launch_link_and_runs_the_chapter(hub, chromium, built_book):
    student = hub.students[0]
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    audit = browser.PageAudit(hub.url + "/")
    audit.attach(page)
    try:
        timings = launch_and_run(page, hub, student, CHAPTER)
        _step(f"JupyterLab open {timings['lab open']:.1f} s after the click, kernel running "
              f"at {timings['kernel running']:.1f} s, every cell run at "
              f"{timings['every cell run']:.1f} s")
        # nbgitpuller put the course in the learner's own home, owned by them
        pulled = hub.home(student) / "course-notebooks" / f"{CHAPTER}.ipynb"
        assert pulled.is_file()
        assert pulled.stat().st_uid == hub.uid(student)
        bank = load_bank(CHAPTER)
        question = next(q for q in bank["questions"] if q["type"] in ("single", "scenario"))
        quiz = QuizPage(page, CHAPTER)
        quiz.question(question).scroll_into_view_if_needed(timeout=60_000)
        assert quiz.enter(question, right_answer(question)) == "correct"
        outside = list(audit.outside_requests)
        assert outside == [], f"the hub's JupyterLab requested outside: {outside[:5]}"
    except Exception:
        artefacts = built_book.root / "test-artifacts"
        artefacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(artefacts / "hub-launch-failure.png"))
        raise
    finally:
        context.close()


# ------------------------------------------------------------------ 2-4. the exchange


def _grade(hub, *args, prefix=()):
    proc = grade(hub, *args, prefix=prefix)
    _step(f"osai grade {' '.join(map(str, args))}: exit {proc.returncode}")
    return proc


def _answers_for(hub, source_nb) -> dict:
    right = solution_answers(source_nb)
    first, second, third = hub.students
    return {first: right, second: _wrong(A1, right), third: None}


def test_exchange_release_submit_collect_grade_feedback(hub, bwrap):
    from harness.hub import delegated_cgroup

    instructor_checkout(hub)
    proc = _grade(hub, "release", A1)
    assert proc.returncode == 0, proc.stderr
    outbound = hub.exchange / "osai" / "outbound" / A1
    assert (outbound / f"{A1}.ipynb").is_file(), proc.stdout
    source_nb = nbformat.read(hub.home(hub.instructor) / "course-work" / "source" / A1
                              / f"{A1}.ipynb", 4)
    answers = _answers_for(hub, source_nb)

    tokens = {}
    for student in hub.students:  # each from their own server: the Assignments tab's calls
        hub.start_server(student)
        tokens[student] = token = hub.user_token(student)
        # nbgrader's instructor tools are off for learners (course-env.sh)
        with pytest.raises(urllib.error.HTTPError) as refused:
            hub.server_call(student, token, "GET", "/formgrader")
        assert refused.value.code == 404
        listed = hub.server_call(student, token, "GET", "/assignments?course_id=osai")
        assert listed["success"], listed
        assert [a["assignment_id"] for a in listed["value"]] == [A1]
        submitted = fetch_and_submit(hub, student, token, A1, answers[student])
        assert submitted["success"], submitted
        assert (hub.home(student) / A1 / f"{A1}.ipynb").stat().st_uid == hub.uid(student)
    _step("three students submitted")

    inbound = hub.exchange / "osai" / "inbound"
    _check_isolation(hub, inbound)
    forged, linked = _forge(hub, inbound)

    proc = _grade(hub, "collect", A1)
    assert proc.returncode == 0, proc.stderr
    report = list(csv.DictReader(open(hub.home(hub.instructor) / "course-work" / "reports"
                                      / f"{A1}-collect.csv", encoding="utf-8")))
    by_entry = {r["entry"]: r for r in report}
    assert by_entry[forged]["outcome"] == "skipped"
    assert by_entry[forged]["reason"] == "owner", by_entry[forged]
    assert hub.students[2] in by_entry[forged]["detail"]
    assert by_entry[linked]["reason"] == "link", by_entry[linked]
    collected = {r["student"] for r in report if r["outcome"] == "collected"}
    assert collected == set(hub.students)
    # the forged folder names the second student: their own submission is the one taken
    work = hub.home(hub.instructor) / "course-work"
    second = nbformat.read(work / "submitted" / hub.students[1] / A1 / f"{A1}.ipynb", 4)
    assert "forged" not in json.dumps(second)

    with delegated_cgroup(hub.instructor) as prefix:
        proc = _grade(hub, "autograde", A1, "--no-progress", prefix=prefix)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "--no-sandbox" not in proc.stdout and "WARNING" not in proc.stderr, proc.stderr

    proc = _grade(hub, "feedback", A1)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "feedback released to the exchange for 3 student(s)" in proc.stdout, proc.stdout

    for student in hub.students:
        fetched = hub.server_call(student, tokens[student], "POST",
                                  "/assignments/fetch_feedback",
                                  form={"course_id": "osai", "assignment_id": A1})
        assert fetched["success"], fetched
        pages = list((hub.home(student) / A1 / "feedback").rglob("*.html"))
        assert len(pages) == 1, pages
        assert pages[0].stat().st_uid == hub.uid(student)
        text = pages[0].read_text(encoding="utf-8")
        kind = {hub.students[0]: "correct", hub.students[1]: "wrong",
                hub.students[2]: "unanswered"}[student]
        shown = re.search(r"\(Score: ([\d.]+) / ([\d.]+)\)", text)
        assert shown, (student, text[:400])
        assert float(shown[1]) == EXPECTED[A1][kind][1], (student, shown[0])
        assert float(shown[2]) == EXPECTED[A1]["correct"][1], (student, shown[0])
    # the released pages are found by each submission's secret: nobody can list them
    for student in hub.students:
        proc = hub.run_as(student, ["ls", hub.exchange / "osai" / "feedback"])
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, proc.stdout

    proc = _grade(hub, "export", "--format", "canvas", "--format", "moodle")
    assert proc.returncode == 0, proc.stderr
    for name, id_column, score_column in (("grades-canvas.csv", "SIS Login ID", A1),
                                          ("grades-moodle.csv", "username", A1)):
        rows = list(csv.DictReader(open(work / name, encoding="utf-8-sig")))
        got = {}
        for row in rows:
            key = next((row[k] for k in row if k.lower() == id_column.lower()), None)
            value = next((row[k] for k in row if k.startswith(score_column)), None)
            got[key] = value
        for student, kind in zip(hub.students, ("correct", "wrong", "unanswered")):
            assert float(got[student]) == EXPECTED[A1][kind][1], (name, got)


def _check_isolation(hub, inbound: Path) -> None:
    """A student cannot list the inbound folder, read another's home, or find another's
    submission; the instructor can read every submission."""
    first, second, _ = hub.students
    spy = second
    for cmd, what in ((["ls", inbound], "list the inbound folder"),
                      (["ls", hub.home(first)], "list another student's home"),
                      (["cat", hub.home(first) / A1 / f"{A1}.ipynb"],
                       "read another student's notebook"),
                      (["ls", hub.home(hub.instructor)], "list the instructor's home")):
        proc = hub.run_as(spy, cmd)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, \
            f"{spy} could {what}: {proc.stdout[:200]}"
    proc = hub.run_as(hub.instructor, ["ls", inbound])
    assert proc.returncode == 0 and proc.stdout.count(f"+{A1}+") == 3, proc.stdout


def _forge(hub, inbound: Path) -> tuple[str, str]:
    """The third student writes a submission folder named after the second (a forgery),
    and adds a link to the instructor's gradebook to their own submission."""
    first, second, third = hub.students
    stamp = time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime(time.time() + 60))
    forged = f"{second}+{A1}+{stamp}+forged"
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("# forged"))
    script = (f"mkdir '{inbound / forged}' && cat > '{inbound / forged / (A1 + '.ipynb')}'"
              f" <<'EOF'\n{nbformat.writes(nb)}\nEOF\n")
    proc = hub.run_as(third, ["sh", "-c", script])
    assert proc.returncode == 0, proc.stderr
    own = next(p for p in os.listdir(inbound) if p.startswith(f"{third}+"))
    target = hub.home(hub.instructor) / "course-work" / "gradebook.db"
    proc = hub.run_as(third, ["ln", "-s", target, inbound / own / "notes.ipynb"])
    assert proc.returncode == 0, proc.stderr
    return forged, f"{own}/notes.ipynb"


def test_no_server_starts_for_an_account_outside_the_class(hub):
    """LocalProcessSpawner runs a server as whoever the hub user names: the hub refuses
    root, a system account and a user outside the class's group, even asked by an admin
    (or named by an LMS launch)."""
    for name in ("root", "daemon", "nobody"):
        hub.ensure_user(name)
        with pytest.raises(urllib.error.HTTPError):
            hub.api("POST", f"/hub/api/users/{name}/server")
        assert not hub.servers().get(name, {}).get("ready"), name
        assert hub.server_pids(name) == [], name
    assert "is not a learner of this hub" in hub.log.read_text()
