"""Drive the built book in headless Chromium (Playwright), offline: used by the tests and
by the benchmark.

* :func:`serve` serves a folder (the built book, :func:`osai.paths.html_dir`) on 127.0.0.1
  from a background thread.
* :func:`launch` starts Chromium: Debian's ``/usr/bin/chromium`` when present (this machine
  and CI, where ``playwright install`` cannot download), else Playwright's own browser.
* :class:`PageAudit` opens a page with every request outside the origin aborted and records
  console errors, failed requests and outside requests.
* :func:`axe_violations` runs axe-core (the copy shipped in axe-playwright-python) with the
  WCAG 2.1 A and AA rules.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from osai import paths

#: the built book, for the bench scripts (the tests take it from the ``book_dir`` fixture)
BUILD = paths.html_dir()
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-quic", "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A plain static host; with ``precompressed``, it serves ``file.gz`` for ``file`` to a
    browser that accepts gzip, as nginx's ``gzip_static on`` does.  Each request's path and
    status go to ``requests`` when it is a list."""

    precompressed = False
    requests: list | None = None

    def log_message(self, *args):  # keep test output clean
        pass

    def log_request(self, code="-", size="-"):
        if self.requests is not None:
            self.requests.append((self.path, int(getattr(code, "value", code))))

    def send_head(self):
        if self.precompressed and "gzip" in self.headers.get("Accept-Encoding", ""):
            path = self.translate_path(self.path)
            if os.path.isfile(path) and os.path.isfile(path + ".gz"):
                with open(path + ".gz", "rb") as fh:
                    data = fh.read()
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(path))
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                import io

                return io.BytesIO(data)
        return super().send_head()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a browser that cancels a request (a page left, a chart no longer needed) closes
        # the connection mid-answer: not a fault of the book, so no traceback
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: Path, *, precompressed: bool = False,
          requests: list | None = None):
    """Serve ``directory`` on 127.0.0.1 (random port); yields the base URL.

    ``precompressed``: serve the build's ``.gz`` copies to browsers that accept gzip.
    ``requests``: a list that receives ``(path, status)`` for every request."""
    if not (directory / "index.html").is_file():
        raise FileNotFoundError(f"{directory} has no index.html: run `make book` first")
    handler_class = type("_Handler", (_QuietHandler,),
                         {"precompressed": precompressed, "requests": requests})
    handler = functools.partial(handler_class, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chromium_path() -> str | None:
    """Debian's Chromium if installed (``$OSAI_CHROMIUM`` overrides); None = Playwright's."""
    env = os.environ.get("OSAI_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


#: font sets a reader's machine may have alone: Debian's default, DejaVu (wide), and
#: Liberation (metric-compatible with Arial and Times, narrower)
FONT_SETS = {"dejavu": Path("/usr/share/fonts/truetype/dejavu"),
             "liberation": Path("/usr/share/fonts/truetype/liberation")}


def fontconfig_file(name: str, folder: Path) -> Path | None:
    """A fontconfig file in ``folder`` that lists only the font set ``name``, its fonts
    taking every generic family; None when that set is not installed here."""
    fonts = FONT_SETS[name]
    if not fonts.is_dir():
        return None
    family = {"dejavu": "DejaVu Sans", "liberation": "Liberation Sans"}[name]
    conf = folder / f"fonts-{name}.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / ('fc-cache-' + name)}</cachedir>\n"
        + "".join(f"  <alias><family>{generic}</family><prefer><family>{family}</family>"
                  "</prefer></alias>\n" for generic in ("sans-serif", "serif", "system-ui"))
        + "</fontconfig>\n", encoding="utf-8")
    return conf


def launch(playwright, fonts: Path | None = None):
    """Headless Chromium; with ``fonts`` (a fontconfig file), it sees only those fonts."""
    path = chromium_path()
    kwargs = {"headless": True, "args": CHROMIUM_FLAGS}
    if path:
        kwargs["executable_path"] = path
    if fonts is not None:
        kwargs["env"] = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
    return playwright.chromium.launch(**kwargs)


@dataclass
class PageAudit:
    """What happened while a page loaded and was used."""

    origin: str
    #: the server's own log, ``(path, status)`` per request (:func:`serve` ``requests``):
    #: catches what the browser asks for by itself, such as ``/favicon.ico``, which
    #: Playwright's events do not report
    server_log: list | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    bytes_by_url: dict[str, int] = field(default_factory=dict)

    def attach(self, page) -> None:
        self._log_start = len(self.server_log) if self.server_log is not None else 0

        def route(r):
            url = r.request.url
            if url.startswith(self.origin) or url.startswith("data:") or url.startswith("blob:"):
                r.continue_()
            else:
                self.outside_requests.append(url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: self.console_errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed_requests.append(
            f"{r.url} ({r.failure})") if r.url.startswith(self.origin) else None)

        def response(resp):
            if resp.status >= 400:
                self.failed_requests.append(f"{resp.url} (HTTP {resp.status})")

        page.on("response", response)

    def problems(self) -> list[str]:
        out = [f"console error: {e}" for e in self.console_errors]
        out += [f"page error: {e}" for e in self.page_errors]
        out += [f"failed request: {e}" for e in self.failed_requests]
        out += [f"request outside the origin: {e}" for e in self.outside_requests]
        if self.server_log is not None:
            seen = {e.split(" (HTTP")[0] for e in self.failed_requests}
            out += [f"failed request (server log): {path} (HTTP {status})"
                    for path, status in self.server_log[self._log_start:]
                    if status >= 400 and self.origin.rstrip("/") + path not in seen]
        return out


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(
        encoding="utf-8")


def axe_violations(page, exclude: list[str] | None = None) -> list[dict]:
    """axe-core WCAG 2.1 A/AA violations on the page as ``{id, impact, help, nodes}`` dicts.

    RequireJS (loaded by the widget manager) would swallow axe's UMD ``define``; it is
    hidden while axe's source is evaluated.
    """
    page.evaluate("() => { window.__osaiDefine = window.define; window.define = undefined; }")
    page.evaluate(_axe_source())
    page.evaluate("() => { window.define = window.__osaiDefine; }")
    context = {"exclude": [[sel] for sel in (exclude or [])]} if exclude else None
    result = page.evaluate(
        "([ctx, tags]) => axe.run(ctx || document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        [context, WCAG_TAGS],
    )
    return [
        {"id": v["id"], "impact": v.get("impact"), "help": v["help"],
         "nodes": [n.get("target") for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def book_pages(html: Path) -> list[str]:
    """Every page of the built book in ``html`` (the ``_build/html`` folder), as paths
    relative to it; none when there is no build."""
    if not html.is_dir():
        return []
    skip = ("vendor/", "_sources/", "_static/", "_images/")
    found = (p.relative_to(html).as_posix() for p in html.rglob("*.html"))
    return sorted(p for p in found if not p.startswith(skip))


def laid_out_pages(html: Path, pages: list[str]) -> list[str]:
    """The ``pages`` with a layout of their own (not a redirect, as ``index.html`` is)."""
    return [p for p in pages
            if 'http-equiv="refresh"' not in (html / p).read_text(encoding="utf-8").lower()]


def wait_for_charts(page, timeout: float = 20_000) -> int:
    """Make every course chart on the page live (a reader would by reaching for it, or the
    browser when idle with it in view), and wait until each is drawn (or failed); returns
    the count."""
    count = page.locator(".osai-chart").count()
    if count:
        page.wait_for_function("() => typeof window.osaiDrawAll === 'function'",
                               timeout=timeout)
        page.evaluate("() => { window.osaiDrawAll(); }")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.osai-chart')].every("
            "el => el.dataset.osaiDrawn === 'true' || el.dataset.osaiError)",
            timeout=timeout,
        )
    return count
