"""Do what a learner does with the course bundle, outside the checkout (tests and bench).

:func:`try_bundle` unzips ``osai-course.zip`` into an empty folder, makes a venv, runs the
README's install line and every notebook with nbclient, and reports timings and problems.
:func:`chapter_pages` lists the chapters a learner gets as notebooks.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import textwrap
import venv
import zipfile
from pathlib import Path

from osai import paths
from osai.book.bundle import BUNDLE_NAME, BundleError
from osai.syllabus import chapter_number


def chapter_pages() -> list[str]:
    """The book's numbered chapters (``chapters/NN-*.md``: the welcome page, the teaching
    chapters of :func:`osai.syllabus.chapters`, the instructor guide), in order: each is a
    notebook a learner gets."""
    sources = sorted((paths.project_root() / "chapters").glob("*.md"))
    return [p.stem for p in sources if chapter_number(p.stem) is not None]


#: run in the learner's environment: check where osai comes from, run every notebook
_RUN_ALL = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import nbclient, nbformat, osai
    from osai.data import data_dir

    checkout = Path(sys.argv[1])
    problems = []
    if any(p and Path(p).resolve().is_relative_to(checkout) for p in sys.path):
        problems.append(f"the checkout is on sys.path: {sys.path}")
    if not Path(osai.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()):
        problems.append(f"osai is not the installed wheel: {osai.__file__}")
    if "_course" not in data_dir().parts:
        problems.append(f"data is not the packaged copy: {data_dir()}")
    import altair
    from osai import render
    render.setup()
    if altair.renderers.active != "jupyter":  # JupyterLab would need the network for charts
        problems.append(f"charts would not draw offline: renderer {altair.renderers.active}")
    results = {}
    for path in sorted(Path.cwd().glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                         resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
            results[path.name] = "ok"
        except Exception as exc:  # report every notebook, not only the first failure
            results[path.name] = f"{type(exc).__name__}: {str(exc)[-1500:]}"
    print(json.dumps({"problems": problems, "results": results}))
""")


def _learner_env(folder: Path, checkout: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OSAI_") and k not in ("PYTHONPATH", "VIRTUAL_ENV",
                                                        "JUPYTER_PATH", "JUPYTER_CONFIG_DIR")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not Path(p).resolve().is_relative_to(checkout))
    env["JUPYTER_RUNTIME_DIR"] = str(folder / ".runtime")
    env["PYTHONNOUSERSITE"] = "1"
    env["JUPYTER_PREFER_ENV_PATH"] = "1"  # the venv's own kernel, never a user-wide one
    return env


def try_bundle(zip_path: Path, where: Path, checkout: Path) -> dict:
    """Do what a learner does with the bundle, in the empty folder ``where`` (outside the
    checkout): unzip, make a venv, run the README's install line, run every notebook with
    nbclient.  Returns timings, the notebooks' results and any problem found."""
    checkout = checkout.resolve()
    if where.resolve().is_relative_to(checkout):
        raise BundleError(f"{where} is inside the checkout {checkout}")
    out: dict = {"zip_bytes": zip_path.stat().st_size}
    started = time.perf_counter()
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(where)
    folder = where / BUNDLE_NAME
    readme_text = (folder / "README.md").read_text(encoding="utf-8")
    install = "python -m pip install -r requirements.txt"
    if install not in readme_text:
        raise BundleError(f"README.md of the bundle does not say: {install}")
    venv.EnvBuilder(with_pip=True, clear=True).create(folder / ".venv")
    python = folder / ".venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    env = _learner_env(folder, checkout)
    done = subprocess.run([str(python), *install.split()[1:]], cwd=folder, env=env,
                          capture_output=True, text=True)
    out["install_s"] = time.perf_counter() - started
    if done.returncode != 0:
        raise BundleError("the install failed:\n" + done.stdout[-3000:] + done.stderr[-3000:])
    started = time.perf_counter()
    run = subprocess.run([str(python), "-c", _RUN_ALL, str(checkout)], cwd=folder, env=env,
                         capture_output=True, text=True)
    out["run_s"] = time.perf_counter() - started
    if run.returncode != 0:
        raise BundleError("running the notebooks failed:\n" + run.stdout[-3000:]
                          + run.stderr[-5000:])
    out.update(json.loads(run.stdout.strip().splitlines()[-1]))
    out["venv_bytes"] = sum(f.stat().st_size for f in (folder / ".venv").rglob("*")
                            if f.is_file())
    return out
