"""What the class does on the hub of :mod:`harness.hub` (the hub test and ``make bench``).

* :func:`launch_and_run`: a learner opens a launch link in Chromium, logs in, lands in
  JupyterLab on the chapter and runs every cell (Run menu, "Run All Cells"); returns the
  timings from the click;
* :func:`learner_usage`: memory (PSS) and CPU time of every process of a Unix user (their
  server and kernels);
* :func:`instructor_checkout` and :func:`grade`: the instructor's copy of the course in their
  home and ``osai grade`` run as them;
* :func:`fetch_and_submit`: a student fetches an assignment, answers it and submits it from
  their own server, with the calls JupyterLab's Assignments tab makes.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import nbformat

from osai import paths
from osai.book.launch import HubSettings, launch_url

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
#: the code cells of the notebook on show, from JupyterLab's own model
CODE_CELLS = ("window.jupyterapp.shell.currentWidget.content.widgets"
              ".filter(c => c.model.type === 'code')")


def launch_and_run(page, hub, student: str, chapter: str) -> dict[str, float]:
    """Follow the launch link of ``chapter`` as ``student``; seconds from the click to
    JupyterLab open on it, to its kernel running, and to every cell run.  Raises
    AssertionError when a cell fails."""
    settings = HubSettings(hub.url, hub.git.url, "learner-notebooks")
    timings: dict[str, float] = {}
    started = time.monotonic()
    page.goto(launch_url(settings, f"{chapter}.ipynb"))
    # the hub asks who they are; the link survives the login
    page.fill("input#username_input", student)
    page.fill("input#password_input", hub.passwords[student])
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{student}/lab/tree/{settings.folder}/{chapter}.ipynb*",
                      timeout=180_000)
    page.wait_for_selector(f"{PANEL} .jp-Cell", timeout=90_000)
    timings["lab open"] = time.monotonic() - started
    page.wait_for_function(
        """() => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const k = w && w.sessionContext && w.sessionContext.session
                && w.sessionContext.session.kernel;
            return k && k.connectionStatus === 'connected' && k.status === 'idle';
        }""", timeout=120_000)
    timings["kernel running"] = time.monotonic() - started
    for _attempt in range(3):  # as a learner would: Run menu, "Run All Cells"
        page.locator(f"{PANEL} .jp-Cell").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(CODE_CELLS + """.some(c => c.model.executionCount !== null
                || c.model.executionState === 'running')""", timeout=20_000)
            break
        except Exception:
            continue
    page.wait_for_function(
        "() => { const cells = " + CODE_CELLS + """;
            if (cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error')))
                return true;
            return cells.length > 0 && cells.every(c => c.model.executionCount !== null
                                                    && c.model.executionState !== 'running');
        }""", timeout=180_000)
    errors = page.evaluate(CODE_CELLS + """.flatMap(c => c.model.outputs.toJSON())
        .filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`)""")
    assert errors == [], f"{chapter}: {errors}"
    timings["every cell run"] = time.monotonic() - started
    return timings


def learner_usage(uid: int) -> tuple[float, float]:
    """(MiB of PSS, CPU seconds) of every process running as ``uid``: shared pages are split
    between the processes that share them, so learners' figures add up."""
    import psutil

    pss = cpu = 0.0
    for proc in psutil.process_iter(["uids"]):
        try:
            if proc.info["uids"].real != uid:
                continue
            pss += proc.memory_full_info().pss
            times = proc.cpu_times()
            cpu += times.user + times.system + times.children_user + times.children_system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return pss / 2 ** 20, cpu


def instructor_checkout(hub) -> None:
    """The instructor's copy of the course's assignments and data, in their home."""
    home = hub.home(hub.instructor)
    for part in ("exercises", "data"):
        shutil.copytree(paths.project_root() / part, home / "course" / part,
                        ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    uid = hub.uid(hub.instructor)
    for path in [home / "course", *(home / "course").rglob("*")]:
        os.lchown(path, uid, uid)


def grade(hub, *args, prefix=()):
    """``osai grade ... --exchange`` as the instructor, in their checkout and working folder."""
    home = hub.home(hub.instructor)
    cmd = [hub.env / "bin" / "osai", "grade", "--workdir", home / "course-work",
           "--assignments", home / "course" / "exercises" / "assignments",
           "--data", home / "course" / "data", "--exchange", hub.exchange, *args]
    return hub.run_as(hub.instructor, cmd, prefix=prefix, timeout=1800)


def fetch_and_submit(hub, student: str, token: str, assignment: str, answers=None,
                     course_id: str = "osai") -> dict:
    """Fetch ``assignment``, fill in ``answers`` (``{grade_id: code}``; None: as fetched)
    and submit, from the student's own server; returns nbgrader's answer to the submit."""
    from osai.instructor.grading.authoring import fill_answers

    form = {"course_id": course_id, "assignment_id": assignment}
    fetched = hub.server_call(student, token, "POST", "/assignments/fetch", form=form)
    assert fetched["success"], fetched
    path = f"/api/contents/{assignment}/{assignment}.ipynb"
    notebook = nbformat.from_dict(hub.server_call(student, token, "GET", path)["content"])
    if answers is not None:
        notebook = fill_answers(notebook, answers)
    hub.server_call(student, token, "PUT", path,
                    body={"type": "notebook", "format": "json",
                          "content": json.loads(nbformat.writes(notebook))})
    return hub.server_call(student, token, "POST", "/assignments/submit", form=form)
