#!/usr/bin/env python3
"""Lighthouse on every page of the built book, as a phone reader meets it (not a test).

``make bench`` runs this (through ``scripts/bench.py``); it prints figures and asserts
nothing.  Lighthouse (npm, pinned in ``scripts/lighthouse/package.json``, fetched with
``npm ci`` on first use and never part of the book) runs its default mobile profile:
a Moto G Power screen, simulated slow 4G (150 ms round trip, 1.6 Mbit/s down) and a
CPU slowed 4 times.  The build is served on 127.0.0.1 with its ``.gz`` copies (as nginx
``gzip_static on`` serves them: :func:`harness.browser.serve`), one page at a time, in
Debian's Chromium.  For every page: the four category scores, largest contentful paint,
total blocking time, cumulative layout shift and the bytes transferred.  The goal is
performance at least 90 and SEO 100 on every chapter.

Usage: ``.venv/bin/python scripts/bench_lighthouse.py [--html DIR] [--pages chapters/03...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the harness (tests/harness), never shipped

from harness import browser  # noqa: E402
from osai import paths  # noqa: E402
from osai.book.assets import npm_command  # noqa: E402

TOOL = ROOT / "scripts" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
AUDITS = {"largest-contentful-paint": ("LCP s", 1000), "total-blocking-time": ("TBT s", 1000),
          "cumulative-layout-shift": ("CLS", 1), "total-byte-weight": ("KiB", 1024)}


def lighthouse() -> Path:
    """The Lighthouse command line, installed from the lock file when missing."""
    cli = TOOL / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.is_file():
        subprocess.run(npm_command() + ["ci", "--no-audit", "--no-fund", "--silent"],
                       cwd=TOOL, check=True)
    return cli


def audit(cli: Path, url: str, out: Path) -> dict:
    chrome = browser.chromium_path()
    env = dict(os.environ, **({"CHROME_PATH": chrome} if chrome else {}))
    flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
    proc = subprocess.run(["node", str(cli), url, "--quiet", "--output=json",
                           f"--output-path={out}", f"--chrome-flags={flags}",
                           "--only-categories=" + ",".join(CATEGORIES)],
                          env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not out.is_file():
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    report = json.loads(out.read_text(encoding="utf-8"))
    row = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    for key, (label, scale) in AUDITS.items():
        value = report["audits"].get(key, {}).get("numericValue")
        row[label] = None if value is None else round(value / scale, 2)
    row["render-blocking"] = [item.get("url", "").rsplit("/", 1)[-1] for item in
                              report["audits"].get("render-blocking-resources", {})
                              .get("details", {}).get("items", [])]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=paths.html_dir())
    parser.add_argument("--pages", nargs="*", help="pages relative to the build (default: "
                        "every laid-out page of chapters/)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    pages = args.pages or [p for p in browser.laid_out_pages(
        args.html, browser.book_pages(args.html)) if p.startswith("chapters/")]
    cli = lighthouse()
    rows = {}
    with browser.serve(args.html, precompressed=True) as base, \
            tempfile.TemporaryDirectory() as tmp:
        for page in pages:
            rows[page] = audit(cli, base + page, Path(tmp) / "report.json")
            print(f"  {page}: {rows[page]}", file=sys.stderr, flush=True)
    header = ["page", *CATEGORIES, *(label for label, _ in AUDITS.values()),
              "render-blocking"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for page, row in rows.items():
        if "error" in row:
            print(f"| {page} | error: {' '.join(row['error'])} |")
            continue
        cells = [row[c] for c in CATEGORIES] + [row[label] for label, _ in AUDITS.values()]
        print(f"| {page} | " + " | ".join(str(c) for c in cells)
              + f" | {', '.join(row['render-blocking']) or 'none'} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
