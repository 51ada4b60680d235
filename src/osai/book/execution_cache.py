"""Keep the book's execution cache honest (``make book`` runs this first).

myst-nb's cache (jupyter-cache) re-executes a chapter only when the chapter's own code
changes.  A chapter's outputs also depend on ``data/``, the quiz banks, the objectives and
the package code the chapters import, so a change there must re-execute them too: this
stores a hash of those inputs beside the cache and clears the cache when the hash changes.

The package code counted is what the chapters' code cells import, followed through the
package's own imports (:func:`chapter_modules`), plus the files beside those modules
(``quiz.js``, ``quiz.css``).  A change to the build (:mod:`osai.book`) or to the
instructors' tools (:mod:`osai.instructor`) does not re-execute the chapters, unless a
chapter imports them.
"""

from __future__ import annotations

import ast
import hashlib
import re
import shutil
import sys
from pathlib import Path

from osai import paths

#: inputs besides the package code: data, quiz banks, the chapter list and its objectives
DATA_INPUTS = ("data", "exercises/quizzes", "exercises/objectives.yml")
SUFFIXES = {".py", ".csv", ".json", ".yml", ".yaml", ".js", ".css"}
_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)
#: a code cell's options: a YAML block between --- lines, or :key: value lines
_OPTIONS = re.compile(r"\A(?:---\n.*?^---\n|(?::[\w-]+:[^\n]*\n)+)", re.M | re.S)


def _imports(source: str, module: str, is_package: bool) -> set[str]:
    """Absolute names of the ``osai`` modules one module's code imports."""
    found: set[str] = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    parts = module.split(".") if module else []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts if is_package else parts[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{a.name}" for a in node.names)
    return {n for n in found if n == "osai" or n.startswith("osai.")}


def _module_file(src: Path, name: str) -> Path | None:
    base = src.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def chapter_modules(root: Path) -> dict[str, Path]:
    """Every ``osai`` module the chapters' code cells import, directly or through the
    package's own imports (parents included, as Python runs them): name -> file."""
    src = root / "src"
    todo: set[str] = set()
    for chapter in sorted((root / "chapters").glob("*.md")):
        for cell in _CODE_CELL.findall(chapter.read_text(encoding="utf-8")):
            todo |= _imports(_OPTIONS.sub("", cell), "", False)
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(src, name)
        if path is None:  # a name inside a module, not a module
            continue
        seen[name] = path
        parts = name.split(".")
        todo |= {".".join(parts[:i]) for i in range(1, len(parts))}
        todo |= _imports(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
    return seen


def input_files(root: Path) -> list[Path]:
    """The files whose content the executed chapters depend on, sorted."""
    files: set[Path] = set()
    for path in chapter_modules(root).values():
        files |= {p for p in path.parent.iterdir() if p.is_file() and p.suffix in SUFFIXES
                  and (p.suffix != ".py" or p == path)}
    for entry in DATA_INPUTS:
        base = root / entry
        files |= {base} if base.is_file() else {
            p for p in base.rglob("*") if p.is_file() and p.suffix in SUFFIXES}
    return sorted(p for p in files if "__pycache__" not in p.parts)


def inputs_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh(root: Path | None = None, build: Path | None = None) -> bool:
    """Clear the execution cache if the inputs changed; returns True when cleared."""
    root = root or paths.project_root()
    build = build or paths.build_dir()
    stamp = build / ".osai-inputs"
    current = inputs_hash(root)
    previous = stamp.read_text().strip() if stamp.is_file() else None
    cleared = False
    if previous != current:
        cache = build / ".jupyter_cache"
        if cache.exists():
            shutil.rmtree(cache)
            cleared = True
        build.mkdir(parents=True, exist_ok=True)
        stamp.write_text(current + "\n")
    return cleared


if __name__ == "__main__":
    if refresh():
        print("data, quiz banks or the package code the chapters import changed: "
              "chapters will be re-executed", file=sys.stderr)
