#!/usr/bin/env python3
"""Measure the course book's build, page weight and chart time (not a test; prints figures).

``make bench`` runs this after ``make book``.  Every figure is measured on this machine,
once, and printed; nothing is asserted and nothing is extrapolated.

1. **Build**: ``OSAI_CONTEXT=book jupyter-book build . -W -n --keep-going --all
   --path-output <fresh temporary folder>`` with an empty execution cache (cold), then the
   same command again into the same folder (warm, nothing changed: notebooks come from the
   jupyter-cache).  ``_build/`` of the working tree is never touched.
2. **Page weight**: the fresh build is served on 127.0.0.1 (:func:`osai.browser.serve`);
   chapters 03 and 07 are opened in a fresh headless Chromium context (empty cache, every
   request outside the origin aborted by :class:`osai.browser.PageAudit`) and the bytes of
   every response body of the first visit (until the charts are drawn and the network is
   idle) are summed; the 5 biggest resources are listed.  Also the size of each page's own
   ``.html`` file for every page of the build.
3. **Time to first chart**: ``performance.now()`` (relative to the navigation start) at the
   first ``osai:drawn`` event (``_static/osai-book.js`` dispatches it when a
   ``.osai-chart`` gets ``data-osai-drawn="true"``), recorded by an init script; median of
   N runs, a fresh browser context per run.
4. ``scripts/bench_widgets.py``, ``scripts/bench_bundle.py`` (the course bundle's size, a
   learner's install + run of every chapter in a clean venv) and (unless ``--quick``)
   ``scripts/bench_grading.py --submissions 100`` run as subprocesses; their printed tables
   are included verbatim.

The figures also go to ``.bench/results.json`` (git-ignored), with the build logs.

Usage: ``.venv/bin/python scripts/bench.py [--quick] [--runs 5] [--keep]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

OUT_DIR = ROOT / ".bench"
CHART_PAGES = ["chapters/03-four-organisations.html", "chapters/07-trade-offs.html"]
NOT_PAGES = ("vendor/", "_static/", "_sources/", "_images/")

# Recorded in every new document before any page script runs: the first osai:drawn event
# (it bubbles from the .osai-chart element up to window).
FIRST_DRAWN_INIT = """
(() => {
  window.__osaiFirstDrawn = null;
  window.__osaiDrawnCount = 0;
  window.addEventListener('osai:drawn', (ev) => {
    window.__osaiDrawnCount += 1;
    if (window.__osaiFirstDrawn === null) {
      const el = ev.target;
      window.__osaiFirstDrawn = {
        t: performance.now(),
        id: el && el.id,
        drawn: !!(el && el.getAttribute && el.getAttribute('data-osai-drawn') === 'true'),
      };
    }
  }, true);
})();
"""


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def kib(n: float) -> str:
    return f"{n / 1024:,.1f}"


# --------------------------------------------------------------------------- 1. build
def build_once(out: Path, log: Path) -> dict:
    bindir = Path(sys.executable).parent
    exe = bindir / "jupyter-book"
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", ".", "-W", "-n",
           "--keep-going", "--all", "--path-output", str(out)]
    env = dict(os.environ, OSAI_CONTEXT="book",
               PATH=str(bindir) + os.pathsep + os.environ.get("PATH", ""),
               PYTHONDONTWRITEBYTECODE="1")
    load = loadavg()
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    seconds = time.monotonic() - t0
    log.write_text(proc.stdout, encoding="utf-8")
    cache_line = next((ln.strip() for ln in proc.stdout.splitlines()
                       if "Using jupyter-cache at" in ln), "")
    executed = sum(1 for ln in proc.stdout.splitlines() if "Executing notebook using" in ln)
    cached = sum(1 for ln in proc.stdout.splitlines() if "Using cached notebook" in ln)
    warnings = sum(1 for ln in proc.stdout.splitlines() if "WARNING" in ln)
    return {"command": " ".join(["OSAI_CONTEXT=book"] + cmd), "seconds": seconds,
            "returncode": proc.returncode, "load_before": load, "load_after": loadavg(),
            "notebooks_executed": executed, "notebooks_from_cache": cached,
            "warning_lines": warnings, "cache": cache_line, "log": str(log),
            "tail": proc.stdout.splitlines()[-15:]}


# --------------------------------------------------------------------------- 2. weight
def page_files(html_dir: Path) -> dict[str, int]:
    sizes = {}
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir).as_posix()
        if rel.startswith(NOT_PAGES):
            continue
        sizes[rel] = path.stat().st_size
    return sizes


def first_visit(browser_mod, pw_browser, base: str, rel: str) -> dict:
    """Open ``rel`` in a fresh context; sum the response bodies of the first visit."""
    context = pw_browser.new_context()
    page = context.new_page()
    audit = browser_mod.PageAudit(origin=base)
    audit.attach(page)
    responses = []
    page.on("response", lambda r: responses.append(r))
    t0 = time.monotonic()
    page.goto(base + rel, wait_until="load")
    charts = browser_mod.wait_for_charts(page)
    try:
        page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # noqa: BLE001  (a page that never goes idle is still measured)
        pass
    page.wait_for_timeout(500)  # late lazy loads (fonts, widget front ends)
    elapsed = time.monotonic() - t0
    resources = []
    for r in responses:
        size, how = None, "body"
        try:
            size = len(r.body())
        except Exception:  # noqa: BLE001  (redirects and aborted requests have no body)
            header = r.headers.get("content-length")
            size, how = (int(header), "content-length") if header else (0, "none")
        resources.append({"url": r.url[len(base):] if r.url.startswith(base) else r.url,
                          "status": r.status, "bytes": size, "measured_by": how,
                          "type": r.request.resource_type})
    errors = page.evaluate(
        "() => [...document.querySelectorAll('.osai-chart')]"
        ".filter(el => el.dataset.osaiError).length")
    context.close()
    resources.sort(key=lambda x: -x["bytes"])
    by_type: dict[str, int] = {}
    for x in resources:
        by_type[x["type"]] = by_type.get(x["type"], 0) + x["bytes"]
    return {"page": rel, "requests": len(resources),
            "total_bytes": sum(x["bytes"] for x in resources),
            "bytes_by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
            "biggest": resources[:5], "charts": charts, "charts_failed": errors,
            "outside_requests_aborted": len(audit.outside_requests),
            "problems": audit.problems(), "seconds_until_idle": elapsed,
            "resources": resources}


# --------------------------------------------------------------------------- 3. chart time
def first_chart_time(pw_browser, base: str, rel: str) -> dict:
    context = pw_browser.new_context()
    context.add_init_script(FIRST_DRAWN_INIT)
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
               else r.abort())
    page.goto(base + rel, wait_until="commit")
    page.wait_for_function("() => window.__osaiFirstDrawn !== null", timeout=60_000)
    first = page.evaluate("() => window.__osaiFirstDrawn")
    nav = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,"
        " response_end: n.responseEnd}; }")
    if not nav["load"]:
        page.wait_for_load_state("load")
        nav = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,"
            " response_end: n.responseEnd}; }")
    context.close()
    return {"first_drawn_ms": first["t"], "chart_id": first["id"],
            "attribute_set": first["drawn"], "dom_content_loaded_ms": nav["dcl"],
            "load_event_ms": nav["load"]}


def browser_measurements(html_dir: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from osai import browser as browser_mod

    out: dict = {"weight": [], "first_chart": []}
    with browser_mod.serve(html_dir) as base, sync_playwright() as p:
        b = browser_mod.launch(p)
        out["chromium_version"] = b.version
        out["chromium_path"] = browser_mod.chromium_path() or "playwright's own"
        for rel in CHART_PAGES:
            out["weight"].append(first_visit(browser_mod, b, base, rel))
        out["load_after_weight"] = loadavg()
        for rel in CHART_PAGES:
            samples = [first_chart_time(b, base, rel) for _ in range(runs)]
            times = [s["first_drawn_ms"] for s in samples]
            out["first_chart"].append({
                "page": rel, "runs": len(times), "median_ms": statistics.median(times),
                "min_ms": min(times), "max_ms": max(times), "samples_ms": times,
                "median_dcl_ms": statistics.median(s["dom_content_loaded_ms"]
                                                   for s in samples),
                "median_load_ms": statistics.median(s["load_event_ms"] for s in samples),
                "first_chart_ids": sorted({s["chart_id"] for s in samples}),
                "attribute_set_at_event": all(s["attribute_set"] for s in samples)})
        out["load_after_chart_time"] = loadavg()
        b.close()
    return out


# --------------------------------------------------------------------------- 4. sub-benches
def run_script(args: list[str], env_extra: dict, log: Path) -> dict:
    env = dict(os.environ, **env_extra)
    env.pop("OSAI_CONTEXT", None)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable] + args
    load = loadavg()
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - t0
    log.write_text(f"$ {' '.join(cmd)}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}",
                   encoding="utf-8")
    return {"command": " ".join(["python"] + args), "returncode": proc.returncode,
            "seconds": seconds, "load_before": load, "load_after": loadavg(),
            "stdout": proc.stdout.rstrip("\n"),
            "stderr_tail": [ln for ln in proc.stderr.splitlines() if ln.strip()][-8:],
            "log": str(log)}


# --------------------------------------------------------------------------- report
def table(rows: list[tuple[str, str, str]]) -> str:
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines = [f"{'measurement'.ljust(w0)}  {'value'.rjust(w1)}  unit",
             f"{'-' * w0}  {'-' * w1}  {'-' * 4}"]
    for label, value, unit in rows:
        if not value and not unit:
            lines.append(label)
        else:
            lines.append(f"{label.ljust(w0)}  {value.rjust(w1)}  {unit}")
    return "\n".join(lines)


def report(res: dict) -> str:
    m = res["machine"]
    rows: list[tuple[str, str, str]] = []
    sec = lambda title: rows.append((f"[{title}]", "", ""))  # noqa: E731
    sec("machine")
    rows += [("CPUs (os.cpu_count)", str(m["cpu_count"]), ""),
             ("Python", m["python"], ""),
             ("Chromium", m.get("chromium_version", "?"), m.get("chromium_path", "")),
             ("load average (1/5/15 min) at start", "/".join(map(str, m["load_start"])), ""),
             ("load average (1/5/15 min) at end", "/".join(map(str, m.get("load_end", []))),
              "")]
    b = res.get("build", {})
    if b:
        sec("build (jupyter-book, -W -n --keep-going --all, fresh --path-output)")
        for key, label in (("cold", "cold build (empty execution cache)"),
                           ("warm", "warm rebuild (no change, same folder)")):
            x = b[key]
            rows.append((label, f"{x['seconds']:.1f}",
                         f"s  (exit {x['returncode']}; notebooks executed "
                         f"{x['notebooks_executed']}, from cache {x['notebooks_from_cache']};"
                         f" load {x['load_before'][0]}->{x['load_after'][0]})"))
    br = res.get("browser", {})
    for w in br.get("weight", []):
        sec(f"first visit, empty cache: {w['page']}")
        rows.append(("bytes transferred (response bodies)", kib(w["total_bytes"]),
                     f"KiB  ({w['total_bytes']:,} B in {w['requests']} requests; "
                     f"{w['charts']} charts, {w['charts_failed']} failed; "
                     f"{w['outside_requests_aborted']} outside requests aborted)"))
        for t, n in list(w["bytes_by_type"].items())[:4]:
            rows.append((f"  by type: {t}", kib(n), "KiB"))
        for i, x in enumerate(w["biggest"], 1):
            rows.append((f"  biggest {i}: {x['url']}", kib(x["bytes"]), "KiB"))
    pf = res.get("page_files", {})
    if pf:
        sizes = list(pf["per_page"].values())
        sec(f"page's own .html file ({len(sizes)} pages in the build)")
        rows += [("min", kib(min(sizes)), "KiB"),
                 ("median", kib(statistics.median(sizes)), "KiB"),
                 ("max", kib(max(sizes)), "KiB")]
        for rel, n in pf["per_page"].items():
            rows.append((f"  {rel}", kib(n), "KiB"))
    for c in br.get("first_chart", []):
        sec(f"navigation -> first chart drawn: {c['page']}")
        rows.append((f"median of {c['runs']} (fresh context each)", f"{c['median_ms']:.0f}",
                     "ms  (runs: " + ", ".join(f"{t:.0f}" for t in c["samples_ms"]) + ")"))
        rows.append(("  median DOMContentLoaded / load event",
                     f"{c['median_dcl_ms']:.0f}",
                     f"ms / {c['median_load_ms']:.0f} ms"))
    subs = res.get("subbenches", {})
    for name, s in subs.items():
        if s.get("skipped"):
            rows.append((f"[{name}]", "skipped", s["skipped"]))
        else:
            rows.append((f"[{name}] wall time", f"{s['seconds']:.1f}",
                         f"s  (exit {s['returncode']}; output below)"))
    out = [table(rows)]
    for name, s in subs.items():
        if s.get("skipped"):
            continue
        out.append(f"\n--- {name}: {s['command']} (exit {s['returncode']}, "
                   f"load {s['load_before'][0]}->{s['load_after'][0]})")
        out.append(s["stdout"] or "(no output)")
        if s["returncode"] != 0 and s["stderr_tail"]:
            out.append("stderr (last lines):\n" + "\n".join(s["stderr_tail"]))
    if res.get("problems"):
        out.append("\nproblems:\n" + "\n".join(f"- {p}" for p in res["problems"]))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the grading benchmark")
    ap.add_argument("--runs", type=int, default=5, help="runs of the first-chart timing")
    ap.add_argument("--submissions", type=int, default=100,
                    help="submissions for scripts/bench_grading.py")
    ap.add_argument("--jobs", type=int, default=2, help="--jobs for scripts/bench_grading.py")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary build folder (its path is printed)")
    args = ap.parse_args(argv)

    OUT_DIR.mkdir(exist_ok=True)
    res: dict = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 "machine": {"cpu_count": os.cpu_count(), "python": platform.python_version(),
                             "platform": platform.platform(), "load_start": loadavg()},
                 "problems": []}
    tmp = Path(tempfile.mkdtemp(prefix="osai-bench-build-"))
    res["build_folder"] = str(tmp)
    html_dir = tmp / "_build" / "html"
    try:
        print(f"building into {tmp} (cold, then warm)...", flush=True)
        cold = build_once(tmp, OUT_DIR / "build-cold.log")
        warm = build_once(tmp, OUT_DIR / "build-warm.log")
        res["build"] = {"cold": cold, "warm": warm}
        for key, x in (("cold", cold), ("warm", warm)):
            if x["returncode"] != 0:
                res["problems"].append(f"{key} build exited {x['returncode']} "
                                       f"(log {x['log']}): " + " | ".join(x["tail"][-3:]))
            if str(tmp) not in x["cache"]:
                res["problems"].append(f"{key} build: jupyter-cache not in the temporary "
                                       f"folder: {x['cache'] or 'not reported'}")

        if (html_dir / "index.html").is_file():
            res["page_files"] = {"per_page": page_files(html_dir)}
            print("measuring page weight and chart time in Chromium...", flush=True)
            try:
                br = browser_measurements(html_dir, args.runs)
                res["browser"] = br
                res["machine"]["chromium_version"] = br["chromium_version"]
                res["machine"]["chromium_path"] = br["chromium_path"]
                for w in br["weight"]:
                    res["problems"] += [f"{w['page']}: {p}" for p in w["problems"]]
            except Exception as exc:  # noqa: BLE001  (report, then go on with the rest)
                res["problems"].append(f"browser measurements failed: {exc!r}")
        else:
            res["problems"].append(f"no {html_dir}/index.html: page weight and chart time "
                                   "skipped")

        subs: dict = {}
        print("running scripts/bench_widgets.py...", flush=True)
        widget_env = {"OSAI_BUILD_DIR": str(html_dir)} if html_dir.is_dir() else {}
        subs["bench_widgets"] = run_script(["scripts/bench_widgets.py"], widget_env,
                                           OUT_DIR / "bench_widgets.log")
        bundle_zip = html_dir / "osai-course.zip"
        if bundle_zip.is_file():
            print("running scripts/bench_bundle.py (clean venv install + run)...", flush=True)
            subs["bench_bundle"] = run_script(["scripts/bench_bundle.py", "--zip",
                                               str(bundle_zip)], {}, OUT_DIR / "bench_bundle.log")
        if args.quick:
            subs["bench_grading"] = {"skipped": "--quick"}
        else:
            print(f"running scripts/bench_grading.py --submissions {args.submissions} "
                  f"--jobs {args.jobs}...", flush=True)
            subs["bench_grading"] = run_script(
                ["scripts/bench_grading.py", "--submissions", str(args.submissions),
                 "--jobs", str(args.jobs)], {}, OUT_DIR / "bench_grading.log")
        res["subbenches"] = subs
        for name, s in subs.items():
            if not s.get("skipped") and s["returncode"] != 0:
                res["problems"].append(f"{name} exited {s['returncode']} (log {s['log']})")
    finally:
        if args.keep:
            print(f"kept the build folder {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    res["machine"]["load_end"] = loadavg()
    res["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")

    text = report(res)
    print()
    print(text)
    (OUT_DIR / "results.json").write_text(json.dumps(res, indent=2), encoding="utf-8")
    (OUT_DIR / "results.txt").write_text(text + "\n", encoding="utf-8")
    print(f"\nfigures written to {OUT_DIR / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
