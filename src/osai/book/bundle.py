"""The course bundle: one zip, offered by the book, to run every chapter on your own machine.

``osai-course.zip`` (at the root of the built book) unpacks to ``osai-course/`` holding

* every chapter as a resolved ``.ipynb`` (:mod:`osai.book.notebooks`) and the glossary;
* the wheel of the course package (data, objectives and the quiz banks in the learner's
  form, without answer keys: :mod:`osai.quiz.sealed`; a wheel holding a bank's YAML is
  refused);
* ``requirements.txt``: the exact versions a learner needs to run the chapters, derived
  from ``requirements.lock`` (the runtime dependencies of the package and everything they
  need, never the book, grading or test tools), plus the wheel itself;
* ``README.md`` with the commands to install and start JupyterLab.

:data:`COMMANDS` holds those commands once; the welcome page shows the same lines (a test
checks they agree).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from osai import paths

__all__ = ["BUNDLE_NAME", "COMMANDS", "build_wheel", "inputs_hash", "learner_requirements",
           "main", "readme", "write_bundle"]

BUNDLE_NAME = "osai-course"

#: the commands a learner types, by system (also on the welcome page, "Run it")
COMMANDS = {
    "Linux or macOS (Terminal)": [
        "cd ~/Downloads",
        f"unzip {BUNDLE_NAME}.zip",
        f"cd {BUNDLE_NAME}",
        "python3 -m venv .venv",
        ".venv/bin/python -m pip install -r requirements.txt",
        ".venv/bin/jupyter lab",
    ],
    "Windows (PowerShell)": [
        "cd $HOME\\Downloads",
        f"Expand-Archive {BUNDLE_NAME}.zip -DestinationPath .",
        f"cd {BUNDLE_NAME}",
        "py -m venv .venv",
        ".venv\\Scripts\\python -m pip install -r requirements.txt",
        ".venv\\Scripts\\jupyter lab",
    ],
}


class BundleError(RuntimeError):
    """The bundle cannot be made as promised (names the file or package at fault)."""


def _lock(path: Path) -> dict[str, str]:
    pins = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep:
            raise BundleError(f"{path.name}, line {number}: not an exact pin: {line!r}")
        pins[canonicalize_name(name)] = version.strip()
    return pins


def _applies(marker: Marker | None, extras: set[str]) -> bool | None:
    """True/False for this machine; None when the marker names another platform or Python
    (the requirement is kept, unpinned, with its marker, for the learner's system)."""
    if marker is None:
        return True
    environments = [{"extra": e} for e in (extras or {""})]
    if any(marker.evaluate(env) for env in environments):
        return True
    if "extra" in str(marker):
        return False
    if not any(marker.evaluate(env) for env in _LEARNER_SYSTEMS):
        return False  # e.g. python_version < "3.11": no supported system needs it
    return None


#: the systems a learner may run (requires-python >= 3.11), for markers of other platforms
_LEARNER_SYSTEMS = [
    {"sys_platform": plat, "platform_system": system, "os_name": os_name,
     "python_version": version, "python_full_version": f"{version}.0", "extra": ""}
    for plat, system, os_name in (("linux", "Linux", "posix"), ("darwin", "Darwin", "posix"),
                                  ("win32", "Windows", "nt"))
    for version in ("3.11", "3.12", "3.13", "3.14")
]


def learner_requirements(project: Path, extra: str | None = None) -> list[str]:
    """Exact pins for the runtime dependencies of the course package (``project.dependencies``
    in pyproject.toml, and those of its optional ``extra`` when named) and everything they
    need, versions from ``requirements.lock``.

    The closure is walked through the installed distributions' metadata (the course's
    environment is installed from the lock, and each version is checked against it).
    Requirements whose marker names another system (``pywinpty; os_name == "nt"``) are kept
    with their marker so the same file installs on Windows and macOS."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    lock = _lock(project / "requirements.lock")
    roots = list(pyproject["project"]["dependencies"])
    if extra is not None:
        roots += pyproject["project"]["optional-dependencies"][extra]
    todo = [(Requirement(r), set()) for r in roots]
    pinned: dict[str, str] = {}
    seen: set[tuple[str, frozenset]] = set()
    foreign: dict[str, str] = {}
    while todo:
        req, parent_extras = todo.pop()
        applies = _applies(req.marker, parent_extras)
        if applies is False:
            continue
        name = canonicalize_name(req.name)
        if applies is None:
            foreign.setdefault(name, str(req))
            continue
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise BundleError(f"{req.name} (needed by the course package) is not installed; "
                              "run make setup") from None
        if name not in lock:
            raise BundleError(f"requirements.lock has no pin for {req.name}, a runtime "
                              "dependency of the course package; run make lock")
        if lock[name] != dist.version:
            raise BundleError(f"{req.name} {dist.version} is installed but requirements.lock "
                              f"pins {lock[name]}; run make setup")
        pinned[name] = lock[name]
        for sub in dist.requires or []:
            todo.append((Requirement(sub), set(req.extras)))
    for name in pinned:
        foreign.pop(name, None)
    lines = [f"{name}=={version}" for name, version in sorted(pinned.items())]
    return lines + [foreign[name] for name in sorted(foreign)]


def _newest(paths: list[Path]) -> float:
    return max((p.stat().st_mtime for root in paths if root.exists()
                for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file()),
               default=0.0)


def build_wheel(project: Path, out: Path) -> Path:
    """The course package's wheel, built offline from the checkout (sdist first, then the
    wheel from it, so nothing is written into the source tree), reused while no source,
    data or quiz file is newer."""
    out.mkdir(parents=True, exist_ok=True)
    wheels = sorted(out.glob("*.whl"))
    sources = [project / p for p in ("src", "data", "exercises/quizzes",
                                     "exercises/objectives.yml", "pyproject.toml", "setup.py",
                                     "MANIFEST.in", "README.md")]
    if len(wheels) == 1 and wheels[0].stat().st_mtime > _newest(sources):
        return wheels[0]
    for old in wheels + sorted(out.glob("*.tar.gz")):
        old.unlink()
    result = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                             str(out), str(project)], capture_output=True, text=True)
    wheels = sorted(out.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise BundleError(f"building the wheel failed:\n{result.stdout[-3000:]}"
                          f"\n{result.stderr[-3000:]}")
    return wheels[0]


def readme(wheel_name: str) -> str:
    blocks = []
    for system, lines in COMMANDS.items():
        blocks += [f"**{system}**", "", "```", *lines, "```", ""]
    return "\n".join([
        "# Sustaining open-source AI: run the course on your own machine",
        "",
        "This folder holds every chapter of the course as a Jupyter notebook (`.ipynb`), the",
        f"course package (`{wheel_name}`, with the course's data and quizzes inside) and",
        "`requirements.txt`, the exact versions of everything the chapters need.",
        "",
        "You need Python 3.11 or newer (python.org, or your system's package manager).",
        "Unzip the download, make a virtual environment, install, start JupyterLab. If the",
        "zip is not in your Downloads folder, change the first line:",
        "",
        *blocks,
        "The install needs the internet once (about 450 MB once installed); after that",
        "everything runs offline. JupyterLab opens in your browser: open any chapter, such as",
        "`03-four-organisations.ipynb`, and choose Run > Run All Cells. If a notebook stops",
        "with \"osai is not installed\", the install step above was not run in this folder's",
        "`.venv`, or the notebook runs in another kernel: run the install again and restart",
        "the kernel.",
        "",
        "Text, data, quiz banks and figures: CC BY 4.0. Code: MIT.",
        "",
    ])


def write_bundle(notebooks: Path, outdir: Path, project: Path, dist: Path) -> Path:
    """Write ``<outdir>/osai-course.zip`` from the exported notebooks and the wheel built
    into ``dist``; returns its path."""
    wheel = build_wheel(project, dist)
    with zipfile.ZipFile(wheel) as zf:
        keyed = [n for n in zf.namelist() if "/exercises/quizzes/" in n and n.endswith(".yml")]
    if keyed:
        raise BundleError(f"{wheel.name} holds quiz banks with their answer keys ({keyed[0]}); "
                          "the learner's wheel ships them sealed (see setup.py)")
    requirements = learner_requirements(project)
    requirements.append(f"./{wheel.name}")
    header = ("# Exact versions the course's notebooks need (from the course's\n"
              "# requirements.lock), then the course package itself.\n"
              "# Install from this folder: python -m pip install -r requirements.txt\n")
    target = outdir / f"{BUNDLE_NAME}.zip"
    with tempfile.NamedTemporaryFile(dir=outdir, suffix=".part", delete=False) as tmp:
        part = Path(tmp.name)
    try:
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            prefix = f"{BUNDLE_NAME}/"
            zf.writestr(prefix + "README.md", readme(wheel.name))
            zf.writestr(prefix + "requirements.txt", header + "\n".join(requirements) + "\n")
            zf.write(wheel, prefix + wheel.name)
            for notebook in sorted(notebooks.glob("*.ipynb")):
                zf.write(notebook, prefix + notebook.name)
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    return target


def main() -> int:
    """``python -m osai.book.bundle`` (``make book``, after the Sphinx build): the wheel into
    ``_build/dist`` and ``_build/html/osai-course.zip`` from ``_build/notebooks``."""
    notebooks = paths.notebooks_dir()
    if not any(notebooks.glob("*.ipynb")):
        print(f"error: {notebooks} holds no notebooks: build the book first (make book)",
              file=sys.stderr)
        return 1
    project, dist = paths.project_root(), paths.build_dir() / "dist"
    stamp, current = dist / ".osai-bundle-inputs", inputs_hash(project, notebooks)
    zip_path = paths.html_dir() / f"{BUNDLE_NAME}.zip"
    if zip_path.is_file() and stamp.is_file() and stamp.read_text().strip() == current:
        print(f"course bundle: {zip_path} is up to date")
        return 0
    try:
        zip_path = write_bundle(notebooks, paths.html_dir(), project=project, dist=dist)
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stamp.write_text(current + "\n")
    print(f"course bundle: {zip_path} ({zip_path.stat().st_size / 1e6:.1f} MB)")
    return 0


#: what the wheel is built from, besides the notebooks (relative to the project)
WHEEL_INPUTS = ("src", "data", "exercises", "setup.py", "pyproject.toml", "MANIFEST.in",
                "requirements.lock", "README.md", "LICENSE", "LICENSE-CONTENT.md")


def inputs_hash(project: Path, notebooks: Path) -> str:
    """A hash of everything the bundle is made from: the wheel's sources and the
    notebooks; :func:`main` rebuilds only when it changes."""
    digest = hashlib.sha256()
    for base, entries in ((project, WHEEL_INPUTS), (notebooks, (".",))):
        for entry in entries:
            top = base / entry
            files = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
            for path in files:
                if path.is_file() and not any(part == "__pycache__" or part.endswith(
                        ".egg-info") for part in path.parts):
                    digest.update(f"{base.name}/{path.relative_to(base).as_posix()}".encode())
                    digest.update(path.read_bytes())
    return digest.hexdigest()


if __name__ == "__main__":
    sys.exit(main())
