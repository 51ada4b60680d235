#!/usr/bin/env python3
"""Measure the course bundle: its size, and a learner's install and run (prints figures).

Sizes: the bundle zip, the wheel inside it, and the wheel and sdist of ``make dist`` when
present (``dist/``).  Then :func:`harness.learner.try_bundle` does what a learner does, in an
empty temporary folder outside the checkout: unzip, make a venv, ``python -m pip install
-r requirements.txt`` (from PyPI, with pip's cache as it is on this machine: say which when
quoting the figure), run every chapter notebook with nbclient.  Nothing is asserted.

Usage: ``.venv/bin/python scripts/bench_bundle.py [--zip _build/html/osai-course.zip]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the harness (tests/harness), never shipped

from harness.learner import try_bundle  # noqa: E402
from osai import paths  # noqa: E402
from osai.book import bundle  # noqa: E402


def mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zip", type=Path,
                    default=paths.html_dir() / f"{bundle.BUNDLE_NAME}.zip")
    args = ap.parse_args(argv)
    if not args.zip.is_file():
        print(f"no bundle at {args.zip}: run make book first")
        return 1
    rows = [("course bundle (zip)", mib(args.zip.stat().st_size))]
    with zipfile.ZipFile(args.zip) as zf:
        for info in zf.infolist():
            if info.filename.endswith(".whl"):
                rows.append(("wheel inside the bundle", f"{info.file_size / 1024:.0f} KiB"))
        notebooks = [i for i in zf.infolist() if i.filename.endswith(".ipynb")]
        rows.append(("notebooks in the bundle", f"{len(notebooks)}, "
                     f"{sum(i.file_size for i in notebooks) / 1024:.0f} KiB"))
    for built in sorted((ROOT / "dist").glob("*")) if (ROOT / "dist").is_dir() else []:
        rows.append((f"make dist: {built.name}", f"{built.stat().st_size / 1024:.0f} KiB"))
    where = Path(tempfile.mkdtemp(prefix="osai-bench-bundle-"))
    try:
        result = try_bundle(args.zip, where, ROOT)
    finally:
        shutil.rmtree(where, ignore_errors=True)
    ok = sum(1 for r in result["results"].values() if r == "ok")
    rows += [
        ("unzip + venv + pip install -r requirements.txt", f"{result['install_s']:.1f} s"),
        (f"run every notebook with nbclient ({ok}/{len(result['results'])} ok)",
         f"{result['run_s']:.1f} s"),
        ("learner's venv on disk", mib(result["venv_bytes"])),
    ]
    width = max(len(r[0]) for r in rows)
    print("\n".join(f"{name:<{width}}  {value}" for name, value in rows))
    if result["problems"]:
        print("problems: " + "; ".join(result["problems"]))
    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    (out / "bundle.json").write_text(json.dumps({"rows": rows, **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
