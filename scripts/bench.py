#!/usr/bin/env python3
"""Measure the course book's build, page weight and chart time (not a test; prints figures).

``make bench`` runs this after ``make book``.  Every figure is measured on this machine,
once, and printed; nothing is asserted and nothing is extrapolated.

1. **Build**: ``OSAI_CONTEXT=book jupyter-book build . -W -n --keep-going
   --path-output <fresh temporary folder>`` with an empty execution cache (cold), then the
   same command again into the same folder (warm, nothing changed: Sphinx's incremental
   build reads nothing again); ``make book`` on the working tree, already built by ``make
   bench``, with nothing changed (make finds every output newer than its inputs and runs
   nothing); each as a share of the cold build; then ``make book``'s execution-cache step and the same build after a
   one-line change to instructor code (the cache must stay: nothing re-executes), and after
   one to a module the chapters import (the cache is cleared: every chapter re-executes).
   The changed file is restored at once.  ``_build/`` of the working tree is never touched.
2. **Bytes on the wire, per chapter**: the build is served on 127.0.0.1 twice, by a plain
   static server and by one that serves the build's ``.gz`` copies to browsers that accept
   gzip (as nginx ``gzip_static on`` does; :func:`harness.browser.serve`).  Every page of
   ``chapters/`` and the front page is opened in a fresh headless Chromium context (empty
   cache) and the bytes received for every request of the first visit (until the charts are
   drawn and the network is idle) are summed from the DevTools protocol
   (``Network.loadingFinished.encodedDataLength``: headers and bodies as they crossed the
   wire).  Requests outside the origin are counted (there should be none).  Also the size of
   each page's own ``.html`` file for every page of the build.
3. **Time to first chart**: ``performance.now()`` (relative to the navigation start) in the
   first animation frame in which a chart's picture (drawn at build) has a box on the page,
   recorded by an init script (``scripts/bench_pages.py``); median of
   N runs, a fresh browser context per run, from the gzip server; on loopback, and throttled
   by Chromium's network emulation (``Network.emulateNetworkConditions``: 1.6 Mbit/s down,
   750 kbit/s up, 150 ms round trip).
4. **SCORM packages**: ``osai.instructor.scorm.package.build`` on the measured build (as ``make scorm``),
   SCORM 1.2 and SCORM 2004 4th Edition: each zip's size in bytes, its number of files and
   the bytes unzipped (the schema files come from ``_build/scorm/schemas*`` of the working
   tree, fetched once).
5. ``scripts/bench_widgets.py``, ``scripts/bench_bundle.py`` (the course bundle's size, a
   learner's install + run of every chapter in a clean venv), ``scripts/bench_hub.py`` (a
   class on the local JupyterHub, as root: launch link to running kernel, memory and CPU
   per learner after chapter 3, autograde of the exchange's submissions) and (unless
   ``--quick``)
   ``scripts/bench_grading.py --submissions 100`` run as subprocesses; their printed tables
   are included verbatim.

The figures also go to ``.bench/results.json`` (git-ignored), with the build logs.

Usage: ``.venv/bin/python scripts/bench.py [--quick] [--runs 5] [--keep]``; with
``--pages-only [--html DIR]`` only steps 2 and 3 run, on an existing build (``_build/html``).
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
sys.path.insert(0, str(ROOT / "tests"))  # the harness (tests/harness), never shipped

from osai import paths  # noqa: E402
from osai.book import bundle, execution_cache  # noqa: E402
from bench_pages import browser_measurements, loadavg, page_files  # noqa: E402

OUT_DIR = ROOT / ".bench"
def kib(n: float) -> str:
    return f"{n / 1024:,.1f}"


# --------------------------------------------------------------------------- 1. build
def build_once(out: Path, log: Path) -> dict:
    bindir = Path(sys.executable).parent
    exe = bindir / "jupyter-book"
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", ".", "-W", "-n",
           "--keep-going", "--path-output", str(out)]
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


def make_book_unchanged() -> dict:
    """``make book`` on the working tree as it stands (``make bench`` has just built it)."""
    t0 = time.monotonic()
    proc = subprocess.run(["make", "-s", "book"], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    return {"seconds": time.monotonic() - t0, "returncode": proc.returncode,
            "tail": proc.stdout.splitlines()[-3:]}


#: files changed (a comment appended, then restored) for the warm rebuilds after a change
INSTRUCTOR_FILE = "src/osai/instructor/handouts.py"
RUNTIME_FILE = "src/osai/formats.py"


def build_after_change(out: Path, path: Path, log: Path) -> dict:
    """``make book``'s stages 2 and 3 after a one-line change to ``path`` (restored after):
    whether the execution cache was cleared, and the rebuild's time."""
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\n# make bench: a change that does nothing\n")
        cleared = execution_cache.refresh(ROOT, out / "_build")
        result = build_once(out, log)
    finally:
        path.write_bytes(original)
        execution_cache.refresh(ROOT, out / "_build")  # the stamp of the restored sources
    result["changed"] = str(path.relative_to(ROOT))
    result["cache_cleared"] = cleared
    return result


# --------------------------------------------------------------------------- 4. SCORM
def scorm_package(html_dir: Path, out_dir: Path, scorm: str = "1.2") -> dict:
    """The SCORM ``scorm`` package of ``html_dir`` (written into ``out_dir``): sizes, no
    timing."""
    import zipfile

    from osai.instructor.scorm import package

    name = "osai-course-scorm12.zip" if scorm == "1.2" else "osai-course-scorm2004.zip"
    res = package.build(html_dir, out_dir / name, scorm=scorm)
    with zipfile.ZipFile(res["path"]) as zf:
        unzipped = sum(i.file_size for i in zf.infolist())
    return {"bytes": res["bytes"], "files": res["files"], "scos": res["scos"],
            "unzipped_bytes": unzipped}


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
    w0 = max(len(r[0]) for r in rows if r[1] or r[2])  # section titles may run over
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
        sec("build (jupyter-book, -W -n --keep-going, incremental, fresh --path-output)")
        for key, label in (("cold", "cold build (empty execution cache)"),
                           ("warm", "warm rebuild (no change, same folder)"),
                           ("make_noop", "make book, nothing changed (working tree)"),
                           ("instructor", "warm rebuild after a change to instructor code"),
                           ("runtime", "rebuild after a change to code chapters import")):
            if key not in b:
                continue
            x = b[key]
            if key in ("warm", "make_noop") and b.get("cold", {}).get("seconds"):
                label += f" = {100 * x['seconds'] / b['cold']['seconds']:.1f}% of cold"
            if key == "make_noop":
                rows.append((label, f"{x['seconds']:.2f}", f"s  (exit {x['returncode']})"))
                continue
            rows.append((label, f"{x['seconds']:.1f}",
                         f"s  (exit {x['returncode']}; notebooks executed "
                         f"{x['notebooks_executed']}, from cache {x['notebooks_from_cache']};"
                         f" load {x['load_before'][0]}->{x['load_after'][0]})"))
        if "bundle_s" in b:
            rows.append(("course bundle (wheel + zip, python -m osai.book.bundle)",
                         f"{b['bundle_s']:.1f}", "s"))
    br = res.get("browser", {})
    if br.get("chapters"):
        t = br["throttle"]
        sec("first visit, empty cache: bytes on the wire (DevTools encodedDataLength), "
            "plain static server / gzip copies served; reading (nothing touched) -> every "
            "chart brought live")
        for rel, row in br["chapters"].items():
            pl, gz = row["plain"], row["gzip"]
            rows.append((f"  {rel}", f"{kib(pl.get('reading_bytes', 0))} / "
                         f"{kib(gz.get('reading_bytes', 0))} -> {kib(pl['total_bytes'])} / "
                         f"{kib(gz['total_bytes'])}",
                         f"KiB  ({gz['requests']} requests; {gz['charts']} charts, "
                         f"{gz['charts_failed']} failed; "
                         f"{len(gz['outside_requests'])} outside the origin)"))
        sec(f"navigation -> first chart picture painted, median (fresh context each; gzip "
            f"server); "
            f"loopback / throttled {t['downloadThroughput'] * 8 / 1e6:g} Mbit/s down, "
            f"{t['uploadThroughput'] * 8 / 1e3:g} kbit/s up, {t['latency']} ms RTT")
        for rel, row in br["chapters"].items():
            if "first_chart_loopback" not in row:
                continue
            lo, th = row["first_chart_loopback"], row["first_chart_throttled"]
            rows.append((f"  {rel}", f"{lo['median_ms']:.0f} / {th['median_ms']:.0f}",
                         f"ms  ({lo['runs']} / {th['runs']} runs; throttled: "
                         + ", ".join(f"{x:.0f}" for x in th["samples_ms"]) + ")"))
        biggest = {}
        for row in br["chapters"].values():
            for x in row["gzip"]["biggest"]:
                biggest[x["url"]] = max(biggest.get(x["url"], 0), x["bytes"])
        sec("biggest single resources on the wire (gzip server)")
        for url, n in sorted(biggest.items(), key=lambda kv: -kv[1])[:6]:
            rows.append((f"  {url.split('?')[0]}", kib(n), "KiB"))
    pf = res.get("page_files", {})
    if pf:
        sizes = list(pf["per_page"].values())
        sec(f"page's own .html file ({len(sizes)} pages in the build)")
        rows += [("min", kib(min(sizes)), "KiB"),
                 ("median", kib(statistics.median(sizes)), "KiB"),
                 ("max", kib(max(sizes)), "KiB")]
        for rel, n in pf["per_page"].items():
            rows.append((f"  {rel}", kib(n), "KiB"))
    for key, label in (("scorm", "SCORM 1.2"), ("scorm2004", "SCORM 2004 4th Edition")):
        sc = res.get(key, {})
        if sc:
            sec(f"{label} package (make scorm; the build without .gz copies, + manifest, XSDs)")
            rows += [("zip", f"{sc['bytes']:,}", f"bytes ({kib(sc['bytes'])} KiB)"),
                     ("files in the zip", str(sc["files"]), f"({sc['scos']} SCOs)"),
                     ("unzipped", kib(sc["unzipped_bytes"]), "KiB")]
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


def browser_problems(br: dict) -> list[str]:
    out = []
    for rel, row in br.get("chapters", {}).items():
        for how in ("plain", "gzip"):
            w = row[how]
            out += [f"{rel} ({how}): request outside the origin: {u}"
                    for u in w["outside_requests"]]
            out += [f"{rel} ({how}): failed request: {u}" for u in w["failed_requests"]]
            if w["charts_failed"]:
                out.append(f"{rel} ({how}): {w['charts_failed']} chart(s) failed")
    return out


def write_results(res: dict) -> None:
    text = report(res)
    print()
    print(text)
    (OUT_DIR / "results.json").write_text(json.dumps(res, indent=2), encoding="utf-8")
    (OUT_DIR / "results.txt").write_text(text + "\n", encoding="utf-8")
    print(f"\nfigures written to {OUT_DIR / 'results.json'}")


def _measure_scorm(res: dict, html_dir: Path) -> None:
    print("writing the SCORM packages...", flush=True)
    with tempfile.TemporaryDirectory(prefix="osai-bench-scorm-") as tmp:
        for key, scorm in (("scorm", "1.2"), ("scorm2004", "2004")):
            try:
                res[key] = scorm_package(html_dir, Path(tmp), scorm)
            except Exception as exc:  # noqa: BLE001  (report, then go on with the rest)
                res["problems"].append(f"SCORM {scorm} package failed: {exc!r}")


def pages_only(args) -> int:
    OUT_DIR.mkdir(exist_ok=True)
    html_dir = args.html
    res: dict = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 "machine": {"cpu_count": os.cpu_count(), "python": platform.python_version(),
                             "platform": platform.platform(), "load_start": loadavg()},
                 "problems": [], "build_folder": str(html_dir)}
    res["page_files"] = {"per_page": page_files(html_dir)}
    _measure_scorm(res, html_dir)
    print(f"measuring {html_dir} in Chromium...", flush=True)
    br = browser_measurements(html_dir, args.runs, args.throttled_runs)
    res["browser"] = br
    res["machine"]["chromium_version"] = br["chromium_version"]
    res["machine"]["chromium_path"] = br["chromium_path"]
    res["problems"] += browser_problems(br)
    res["machine"]["load_end"] = loadavg()
    res["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    write_results(res)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the grading benchmark")
    ap.add_argument("--runs", type=int, default=5, help="runs of the first-chart timing")
    ap.add_argument("--submissions", type=int, default=100,
                    help="submissions for scripts/bench_grading.py")
    ap.add_argument("--jobs", type=int, default=2, help="--jobs for scripts/bench_grading.py")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary build folder (its path is printed)")
    ap.add_argument("--throttled-runs", type=int, default=3,
                    help="runs of the throttled first-chart timing")
    ap.add_argument("--pages-only", action="store_true",
                    help="only bytes on the wire and chart times, on an existing build")
    ap.add_argument("--html", type=Path, default=paths.html_dir(),
                    help="the build measured by --pages-only")
    args = ap.parse_args(argv)
    if args.pages_only:
        return pages_only(args)

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
        execution_cache.refresh(ROOT, tmp / "_build")
        cold = build_once(tmp, OUT_DIR / "build-cold.log")
        warm = build_once(tmp, OUT_DIR / "build-warm.log")
        res["build"] = {"cold": cold, "warm": warm, "make_noop": make_book_unchanged()}
        print("rebuilding after a change to instructor code, then to runtime code...",
              flush=True)
        for key, rel in (("instructor", INSTRUCTOR_FILE), ("runtime", RUNTIME_FILE)):
            res["build"][key] = build_after_change(tmp, ROOT / rel,
                                                   OUT_DIR / f"build-{key}.log")
        # stage 4 of make book: the course bundle (the wheel, then the zip)
        started = time.monotonic()
        try:
            bundle.write_bundle(tmp / "_build" / "notebooks", html_dir, project=ROOT,
                                dist=tmp / "_build" / "dist")
            res["build"]["bundle_s"] = time.monotonic() - started
        except bundle.BundleError as exc:
            res["problems"].append(f"the course bundle was not written: {exc}")
        for key, x in res["build"].items():
            if not isinstance(x, dict):
                continue
            if x["returncode"] != 0:
                res["problems"].append(f"{key} build exited {x['returncode']} "
                                       f"(log {x.get('log', '-')}): "
                                       + " | ".join(x["tail"][-3:]))
            read = x.get("notebooks_executed", 0) + x.get("notebooks_from_cache", 0)
            if read and str(tmp) not in x["cache"]:
                res["problems"].append(f"{key} build: jupyter-cache not in the temporary "
                                       f"folder: {x['cache'] or 'not reported'}")

        if (html_dir / "index.html").is_file():
            res["page_files"] = {"per_page": page_files(html_dir)}
            _measure_scorm(res, html_dir)
            print("measuring page weight and chart time in Chromium...", flush=True)
            try:
                br = browser_measurements(html_dir, args.runs, args.throttled_runs)
                res["browser"] = br
                res["machine"]["chromium_version"] = br["chromium_version"]
                res["machine"]["chromium_path"] = br["chromium_path"]
                res["problems"] += browser_problems(br)
            except Exception as exc:  # noqa: BLE001  (report, then go on with the rest)
                res["problems"].append(f"browser measurements failed: {exc!r}")
        else:
            res["problems"].append(f"no {html_dir}/index.html: page weight and chart time "
                                   "skipped")

        subs: dict = {}
        print("running scripts/bench_widgets.py...", flush=True)
        # OSAI_BUILD_DIR names the build folder, the book being its html/ (osai.paths)
        widget_env = {"OSAI_BUILD_DIR": str(html_dir.parent)} if html_dir.is_dir() else {}
        subs["bench_widgets"] = run_script(["scripts/bench_widgets.py"], widget_env,
                                           OUT_DIR / "bench_widgets.log")
        if html_dir.is_dir():
            print("running scripts/bench_lighthouse.py (every chapter, mobile)...", flush=True)
            subs["bench_lighthouse"] = run_script(
                ["scripts/bench_lighthouse.py", "--html", str(html_dir)], {},
                OUT_DIR / "bench_lighthouse.log")
        print("running scripts/bench_hub.py (a class on the local JupyterHub)...", flush=True)
        subs["bench_hub"] = run_script(["scripts/bench_hub.py", "--json",
                                        str(OUT_DIR / "bench_hub.json")], {},
                                       OUT_DIR / "bench_hub.log")
        bundle_zip = html_dir / f"{bundle.BUNDLE_NAME}.zip"
        if not bundle_zip.is_file():
            res["problems"].append(f"no {bundle_zip}: the learner's install is not measured")
        else:
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

    write_results(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
