"""A learner runs a chapter in JupyterLab with no network, and its chart draws.

Starts the JupyterLab that ``make lab`` starts (same environment, same settings), opens the
MyST chapter (jupytext opens it as a notebook), runs every cell through JupyterLab's own
command, and asserts that the Altair chart is drawn by the offline renderer, with no cell
error and no request outside 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from osai import browser, lab

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "chapters/03-four-organisations.md"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    lab.prepare()
    # JupyterLab autosaves (and jupytext rewrites) open files: work on a copy of the chapter
    root = tmp_path_factory.mktemp("labroot")
    (root / "chapters").mkdir()
    shutil.copy2(ROOT / CHAPTER, root / CHAPTER)
    port = _free_port()
    token = "osai-test"
    env = dict(os.environ)
    env.pop("OSAI_CONTEXT", None)  # a learner's kernel is a live context
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path_factory.mktemp("runtime"))
    log = tmp_path_factory.mktemp("lablog") / "lab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
           "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2)
            break
        except Exception:
            if proc.poll() is not None:
                pytest.fail("JupyterLab exited:\n" + log.read_text())
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("JupyterLab did not start in 90 s:\n" + log.read_text())
    yield base, token
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_chapter_runs_in_jupyterlab_offline_and_chart_draws(jupyterlab, chromium):
    base, token = jupyterlab
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    audit = browser.PageAudit(base)
    audit.attach(page)
    try:
        _run_chapter(page, base, token, audit)
    except Exception:
        artefacts = ROOT / "_build" / "test-artifacts"
        artefacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(artefacts / "jupyterlab-failure.png"))
        raise
    finally:
        context.close()


def _step(msg: str) -> None:
    print(f"[lab test] {time.strftime('%H:%M:%S')} {msg}", flush=True)


def _run_chapter(page, base, token, audit):
    _step("opening the chapter")
    page.goto(f"{base}lab/tree/{CHAPTER}?token={token}")
    # the .md chapter opens as a notebook (jupytext), not as a text file
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    # the kernel must be connected, not just shown as idle, or "Run All" does nothing
    page.wait_for_function(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            const k = w && w.sessionContext && w.sessionContext.session
                && w.sessionContext.session.kernel;
            return k && k.connectionStatus === 'connected' && k.status === 'idle';
        }""",
        timeout=90_000,
    )
    _step("kernel connected; running all cells")
    started = False
    for _attempt in range(3):
        # as a learner would: Run menu, "Run All Cells"
        page.locator(".jp-NotebookPanel .jp-Cell").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                        .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))""",
                timeout=20_000)
            started = True
            break
        except Exception:
            _step("no cell started; choosing Run All Cells again")
    assert started, "Run All Cells never started the kernel"
    # the run ends when every code cell has an execution count, or at the first error
    page.wait_for_function(
        """() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            if (!panel) return false;
            if (panel.querySelector("[data-mime-type='application/vnd.jupyter.error']"))
                return true;
            const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=150_000,
    )
    _step("run finished")
    tracebacks = page.locator("[data-mime-type='application/vnd.jupyter.error']")
    assert tracebacks.count() == 0, tracebacks.first.inner_text()
    text = page.locator(".jp-NotebookPanel").inner_text()
    assert "Error loading script" not in text
    # Altair's offline renderer (JupyterChart) draws the timeline
    page.wait_for_selector(".jp-OutputArea .vega-embed svg, .jp-OutputArea .vega-embed canvas",
                           timeout=60_000)
    assert page.locator(".jp-OutputArea .vega-embed").count() >= 1
    outside = [u for u in audit.outside_requests]
    assert outside == [], f"JupyterLab requested outside 127.0.0.1: {outside[:5]}"
