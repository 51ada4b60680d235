"""Bytes on the wire and time to first chart, per page of a built book (``make bench``
steps 2 and 3; see ``scripts/bench.py`` for what is measured and how)."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

NOT_PAGES = ("vendor/", "_static/", "_sources/", "_images/")


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []
#: Chromium network emulation for the throttled runs (bytes per second; ms)
THROTTLE = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
            "uploadThroughput": 750_000 / 8}

# Recorded in every new document before any page script runs: the first frame in which a
# chart's picture (drawn at build, osai.book.chart_pictures) has a box on the page. A
# requestAnimationFrame callback runs just before the frame is painted, so its time is
# when the reader first sees a chart; the live Vega chart comes later, when reached for.
FIRST_DRAWN_INIT = """
(() => {
  window.__osaiFirstDrawn = null;
  const look = () => {
    for (const pic of document.querySelectorAll('.osai-chart .osai-picture')) {
      const box = pic.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) {
        const chart = pic.closest('.osai-chart');
        window.__osaiFirstDrawn = {t: performance.now(), id: chart && chart.id, drawn: true};
        return;
      }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""



def page_files(html_dir: Path) -> dict[str, int]:
    sizes = {}
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir).as_posix()
        if rel.startswith(NOT_PAGES):
            continue
        sizes[rel] = path.stat().st_size
    return sizes


def chapter_pages(html_dir: Path) -> list[str]:
    """The front page and every page of ``chapters/``."""
    pages = ["index.html"] if (html_dir / "index.html").is_file() else []
    return pages + sorted(p.relative_to(html_dir).as_posix()
                          for p in (html_dir / "chapters").glob("*.html"))


def _wire_log(context, page, base: str) -> dict:
    """Record, through the DevTools protocol, what each request cost on the wire."""
    log: dict = {"bytes": {}, "url": {}, "outside": [], "failed": []}
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")

    def sent(ev):
        url = ev["request"]["url"]
        log["url"][ev["requestId"]] = url
        if not url.startswith((base, "data:", "blob:")):
            log["outside"].append(url)

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished",
           lambda ev: log["bytes"].__setitem__(ev["requestId"], ev["encodedDataLength"]))
    cdp.on("Network.loadingFailed",
           lambda ev: log["failed"].append(log["url"].get(ev["requestId"], "?")))
    log["cdp"] = cdp
    return log


def first_visit(browser_mod, pw_browser, base: str, rel: str) -> dict:
    """Open ``rel`` in a fresh context; sum the bytes received for its first visit."""
    context = pw_browser.new_context()
    page = context.new_page()
    log = _wire_log(context, page, base)
    page.goto(base + rel, wait_until="load")

    def settle() -> None:
        try:
            page.wait_for_load_state("networkidle", timeout=15_000)
        except Exception:  # noqa: BLE001  (a page that never goes idle is still measured)
            pass
        page.wait_for_timeout(500)  # late lazy loads (fonts, widget front ends)

    # a reader who reads and touches nothing: the pictures, and the live chart of whatever
    # chart the browser found in view while idle
    settle()
    page.wait_for_timeout(2_500)
    settle()
    reading = int(sum(log["bytes"].values()))
    # then every chart brought live, as a reader who uses each one
    charts = browser_mod.wait_for_charts(page, timeout=60_000)
    settle()
    errors = page.evaluate(
        "() => [...document.querySelectorAll('.osai-chart')]"
        ".filter(el => el.dataset.osaiError).length")
    context.close()
    resources = sorted(
        ({"url": log["url"].get(rid, "?").removeprefix(base), "bytes": n}
         for rid, n in log["bytes"].items()), key=lambda x: -x["bytes"])
    return {"page": rel, "requests": len(resources), "reading_bytes": reading,
            "total_bytes": int(sum(x["bytes"] for x in resources)),
            "biggest": resources[:5], "charts": charts, "charts_failed": errors,
            "outside_requests": log["outside"], "failed_requests": log["failed"]}


# --------------------------------------------------------------------------- 3. chart time
def first_chart_time(pw_browser, base: str, rel: str, throttle: dict | None) -> float:
    context = pw_browser.new_context()
    context.add_init_script(FIRST_DRAWN_INIT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", throttle)
    page.goto(base + rel, wait_until="commit", timeout=120_000)
    page.wait_for_function("() => window.__osaiFirstDrawn !== null", timeout=120_000)
    first = page.evaluate("() => window.__osaiFirstDrawn")
    context.close()
    return first["t"]


def _median_of(fn, runs: int) -> dict:
    times = [fn() for _ in range(runs)]
    return {"runs": runs, "median_ms": statistics.median(times), "samples_ms": times}


def browser_measurements(html_dir: Path, runs: int, throttled_runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from harness import browser as browser_mod

    pages = chapter_pages(html_dir)
    out: dict = {"chapters": {}, "throttle": THROTTLE}
    with browser_mod.serve(html_dir) as plain, \
            browser_mod.serve(html_dir, precompressed=True) as gz, sync_playwright() as p:
        b = browser_mod.launch(p)
        out["chromium_version"] = b.version
        out["chromium_path"] = browser_mod.chromium_path() or "playwright's own"
        for rel in pages:
            row = {"plain": first_visit(browser_mod, b, plain, rel),
                   "gzip": first_visit(browser_mod, b, gz, rel)}
            if row["gzip"]["charts"]:
                row["first_chart_loopback"] = _median_of(
                    lambda: first_chart_time(b, gz, rel, None), runs)
                row["first_chart_throttled"] = _median_of(
                    lambda: first_chart_time(b, gz, rel, THROTTLE), throttled_runs)
            out["chapters"][rel] = row
            print(f"  {rel}: {row['plain']['total_bytes'] / 1024:,.0f} KiB plain, "
                  f"{row['gzip']['total_bytes'] / 1024:,.0f} KiB gzip"
                  + (f", first chart {row['first_chart_loopback']['median_ms']:.0f} ms / "
                     f"{row['first_chart_throttled']['median_ms']:.0f} ms throttled"
                     if "first_chart_loopback" in row else ""), flush=True)
        out["load_after"] = loadavg()
        b.close()
    return out
