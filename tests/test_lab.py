"""A learner runs every chapter in JupyterLab with no network, and reads it as in the book.

Starts the JupyterLab that ``make lab`` starts (same environment, same settings) on the
chapters as learners get them (``_build/notebooks``, the notebooks of the course bundle),
opens each chapter, runs every cell through JupyterLab's own command, and asserts: no cell
error, no request outside 127.0.0.1, no raw MyST markup in the rendered Markdown cells (the
text a learner reads), a glued number from the data in its place, and, where a chapter draws
a chart, the chart drawn by Altair's offline renderer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

import osai
from harness import browser
from harness.learner import chapter_pages
from osai import paths
from osai.book import lab
from osai.book.notebooks import RAW_MARKUP
from osai.text import myst

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show
CHAPTERS = chapter_pages()
pytestmark = pytest.mark.slow
#: what JupyterLab logs once it serves (its URL, with the port it took)
SERVING = re.compile(r"http://127\.0\.0\.1:(\d+)/lab")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _follow(proc, log, serving: threading.Event, port: list) -> None:
    """Copy JupyterLab's output to ``log``; set ``serving`` at the line giving its URL."""
    with log.open("w") as fh:
        for line in proc.stdout:
            fh.write(line)
            fh.flush()
            found = SERVING.search(line)
            if found and not serving.is_set():
                port.append(int(found.group(1)))  # another process may have taken ours
                serving.set()
    serving.set()  # it exited: stop waiting


def _wait_listening(port: int, proc, log, timeout: float) -> None:
    """Wait until ``port`` accepts a connection (polling the condition, as Playwright's
    waits do), or fail when JupyterLab exits or the time is up."""
    deadline = time.monotonic() + timeout
    poll = threading.Event()
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except ConnectionRefusedError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab is not listening on {port}:\n" + log.read_text())
            poll.wait(0.05)


@pytest.fixture(scope="module")
def jupyterlab(notebooks_dir, tmp_path_factory):
    lab.prepare()
    # JupyterLab autosaves open files: work on a copy of the chapters
    root = tmp_path_factory.mktemp("labroot")
    for notebook in notebooks_dir.glob("*.ipynb"):
        shutil.copy2(notebook, root / notebook.name)
    # every cell in the page (no windowing), so the test reads every rendered cell
    settings = tmp_path_factory.mktemp("labsettings")
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    port = _free_port()
    token = "osai-test"
    env = dict(os.environ)
    env.pop("OSAI_CONTEXT", None)  # a learner's kernel is a live context
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path_factory.mktemp("runtime"))
    log = tmp_path_factory.mktemp("lablog") / "lab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
           "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}",
           f"--LabApp.user_settings_dir={settings}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    serving, taken = threading.Event(), []
    threading.Thread(target=_follow, args=(proc, log, serving, taken), daemon=True).start()
    try:  # whatever happens, JupyterLab stops with the fixture
        if not serving.wait(timeout=90):
            pytest.fail("JupyterLab did not start in 90 s:\n" + log.read_text())
        if not taken:
            pytest.fail("JupyterLab exited:\n" + log.read_text())
        # it logs its URL just before it starts its event loop, whose first step binds the port
        _wait_listening(taken[0], proc, log, timeout=30)
        base = f"http://127.0.0.1:{taken[0]}/"
        urllib.request.urlopen(f"{base}api/status?token={token}", timeout=10)  # it answers
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _shutdown_kernels(base: str, token: str) -> None:
    with urllib.request.urlopen(f"{base}api/kernels?token={token}", timeout=10) as r:
        kernels = json.load(r)
    for kernel in kernels:
        req = urllib.request.Request(f"{base}api/kernels/{kernel['id']}?token={token}",
                                     method="DELETE")
        urllib.request.urlopen(req, timeout=20)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_in_jupyterlab_offline_and_reads_as_the_book(jupyterlab, chromium,
                                                                  built_book, chapter):
    base, token = jupyterlab
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    audit = browser.PageAudit(base)
    audit.attach(page)
    try:
        _run_chapter(page, base, token, audit, built_book, f"{chapter}.ipynb")
        _check_reading(page, built_book, chapter)
    except Exception:
        artefacts = built_book.root / "test-artifacts"
        artefacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(artefacts / f"jupyterlab-{chapter}-failure.png"))
        raise
    finally:
        context.close()
        _shutdown_kernels(base, token)


def _check_reading(page, built_book, chapter):
    """What a learner reads: the rendered Markdown cells hold no raw MyST, and numbers,
    figure captions and admonitions are in place."""
    selector = f"{PANEL} .jp-MarkdownCell .jp-RenderedMarkdown"
    page.wait_for_selector(selector, timeout=30_000)
    rendered = page.locator(selector)
    texts = rendered.all_inner_texts()
    assert texts, "no rendered Markdown cell"
    text = "\n".join(texts)
    raw = {m: text.count(m) for m in RAW_MARKUP if m in text}
    assert raw == {}, f"{chapter}: raw MyST in rendered Markdown: {raw}"
    assert not any(line.strip().endswith(")=") for line in text.splitlines()), chapter
    source = (paths.project_root() / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    titles = [d.args for d in myst.directives(source) if d.name == "admonition"]
    if titles:  # an admonition reads as a box (a block quote) under its bold title
        boxed = page.locator(f"{PANEL} .jp-RenderedMarkdown blockquote > p:first-child strong")
        shown = [t.strip() for t in boxed.all_inner_texts()]
        for title in titles:
            assert title.strip() in shown, f"{chapter}: admonition '{title}' is not a box"
    book_page = built_book.html / "chapters" / f"{chapter}.html"
    for number in re.findall(r'caption-number">(Figure [\d.]+)\s*<', book_page.read_text()):
        # each figure's caption, numbered as in the book, in bold
        assert page.locator(f"{PANEL} .jp-RenderedMarkdown strong",
                            has_text=f"{number}.").count() == 1, f"{chapter}: {number}"
    if chapter == "04-community-led":
        year = osai.load_dataset().organisations.loc["sklearn", "founded"]
        assert f"scikit-learn began in {year}" in text
        assert "{glue:text}sklearn_start" not in text


# the code cells of the notebook on show, from JupyterLab's own model (cells the book hides
# start with their code collapsed, so they show no execution prompt to read)
_CODE_CELLS = ("window.jupyterapp.shell.currentWidget.content.widgets"
               ".filter(c => c.model.type === 'code')")


def _step(msg: str) -> None:
    print(f"[lab test] {time.strftime('%H:%M:%S')} {msg}", flush=True)


def _run_chapter(page, base, token, audit, built_book, notebook):
    _step(f"opening {notebook}")
    # reset: each chapter opens alone, not beside the tabs the last one left open
    page.goto(f"{base}lab/tree/{notebook}?reset&token={token}")
    page.wait_for_selector(f"{PANEL} .jp-Cell", timeout=90_000)
    cells = json.loads((built_book.notebooks / notebook).read_text(encoding="utf-8"))["cells"]
    if not any(c["cell_type"] == "code" for c in cells):
        return  # a chapter of text only (the welcome page): nothing to run
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
        page.locator(f"{PANEL} .jp-Cell").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(
                _CODE_CELLS + """.some(c => c.model.executionCount !== null
                                              || c.model.executionState === 'running')""",
                timeout=20_000)
            started = True
            break
        except Exception:
            _step("no cell started; choosing Run All Cells again")
    assert started, "Run All Cells never started the kernel"
    # the run ends when every code cell has an execution count, or at the first error (read
    # from the cells' own outputs: a cell the book hides keeps its outputs out of the page)
    page.wait_for_function(
        """() => {
            const cells = """ + _CODE_CELLS + """;
            if (cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error')))
                return true;
            return cells.length > 0 && cells.every(c => c.model.executionCount !== null
                                                    && c.model.executionState !== 'running');
        }""",
        timeout=150_000,
    )
    _step("run finished")
    errors = page.evaluate(_CODE_CELLS + """.flatMap(c => c.model.outputs.toJSON())
        .filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`)""")
    assert errors == [], errors
    text = page.locator(PANEL).inner_text()
    assert "Error loading script" not in text
    html = built_book.html / "chapters" / notebook.replace(".ipynb", ".html")
    if "vega-embed" not in html.read_text(encoding="utf-8"):
        return  # the book page draws no chart, so neither does the notebook
    # Altair's offline renderer (JupyterChart) draws the charts
    page.wait_for_selector(".jp-OutputArea .vega-embed svg, .jp-OutputArea .vega-embed canvas",
                           timeout=60_000)
    assert page.locator(".jp-OutputArea .vega-embed").count() >= 1
    outside = [u for u in audit.outside_requests]
    assert outside == [], f"JupyterLab requested outside 127.0.0.1: {outside[:5]}"
