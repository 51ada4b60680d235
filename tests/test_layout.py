"""The house keeps its layout (CONTRIBUTING.md, "Where code lives"): checked from the code's
own imports, so a new module that breaks a rule fails here, naming it.

* the learner's runtime (``osai`` outside ``osai.book`` and ``osai.instructor``) imports
  neither the build nor the instructor's tools, and the build never imports the
  instructor's tools (``osai.cli``, the ``osai`` command, is every audience's front door);
* no import cycle between modules, even through an import inside a function;
* no private name (``_name``) imported from another module, in the package, its tests or
  its scripts;
* at most 10 modules directly in ``src/osai``; no module over 500 lines;
* every hook the build adds to Sphinx comes from the one table in ``osai.book.pipeline``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "osai"
#: modules allowed over the limit: none (the sandbox's supervisor loop and its cgroups
#: have modules of their own now)
LONG_ALLOWED: set[str] = set()
MAX_LINES = 500
MAX_TOP_LEVEL = 10


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def imports_of(path: Path, module: str | None) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in ``path``, relative
    imports resolved against ``module`` (None: a file outside the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level and module is not None:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append((name, [a.name for a in node.names], node.lineno))
    return out


def internal_edges() -> dict[str, set[str]]:
    """module -> the package modules it imports (``from a import b`` counts b when b is a
    module), every import of the file, function-level ones included."""
    modules = package_modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        for name, names, _ in imports_of(path, mod):
            targets = [f"{name}.{n}" for n in names if f"{name}.{n}" in modules] or [name]
            edges[mod] |= {t for t in targets if t in modules and t != mod}
    return edges


#: the ``osai`` command: the front door of every audience, so it may reach each of them
FRONT_DOOR = "osai.cli"


def audience(module: str) -> str:
    if module == FRONT_DOOR:
        return "front door"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ("book", "instructor") else "runtime"


def test_arrows_point_from_the_build_and_the_instructor_down_to_the_runtime():
    allowed = {"runtime": {"runtime"}, "book": {"runtime", "book"},
               "instructor": {"runtime", "book", "instructor"},
               "front door": {"runtime", "book", "instructor"}}
    wrong = [f"{a} -> {b}" for a, targets in internal_edges().items() for b in targets
             if audience(b) not in allowed[audience(a)]]
    assert wrong == []


def test_no_import_cycles():
    edges = internal_edges()
    # a package's __init__ importing its own submodules is how it hands names on: not a cycle
    for mod in edges:
        edges[mod] = {t for t in edges[mod] if not (t.startswith(mod + ".")
                                                     and package_modules()[mod].name
                                                     == "__init__.py")}
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for mod in sorted(edges):
        if mod not in state:
            visit(mod, [])
    assert cycles == []


def _python_files():
    for base in (PACKAGE, ROOT / "tests", ROOT / "scripts"):
        yield from (p for p in base.rglob("*.py") if "__pycache__" not in p.parts
                    and "node_modules" not in p.parts)


def test_no_private_name_is_imported_from_another_module():
    modules = package_modules()
    found = []
    for path in _python_files():
        mod = module_name(path) if path.is_relative_to(PACKAGE) else None
        for name, names, line in imports_of(path, mod):
            if not (name == "osai" or name.startswith("osai.")):
                continue
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            private += [part for part in name.split(".") if part.startswith("_")
                        and part not in ("__init__", "__main__")]
            if private and name != mod:
                found.append(f"{path.relative_to(ROOT)}:{line}: {name} {private}")
    assert found == [], "\n".join(found)
    assert modules  # the walk found the package


def test_module_sizes_and_top_level():
    long = [f"{p.relative_to(SRC)}: {n} lines"
            for p in list(PACKAGE.rglob("*.py")) + list((ROOT / "scripts").rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
            and str(p.relative_to(SRC)) not in LONG_ALLOWED]
    assert long == []
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top


def test_no_two_modules_share_a_name():
    """A module's name says the one thing it holds, so two modules never share one."""
    names: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name not in ("__init__.py", "__main__.py"):
            names.setdefault(path.stem, []).append(str(path.relative_to(SRC)))
    assert {n: paths for n, paths in names.items() if len(paths) > 1} == {}


def test_only_the_pipeline_connects_to_sphinx():
    callers = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("app.connect(", ".setup_extension("):
            if needle in text and path.name != "pipeline.py":
                callers.append(f"{path.relative_to(SRC)}: {needle}")
    assert callers == []


@pytest.mark.parametrize("forbidden", ["harness", "tests", "playwright", "pytest"])
def test_the_learners_package_imports_no_test_harness(forbidden):
    hits = [f"{p.relative_to(SRC)}:{line}" for p in PACKAGE.rglob("*.py")
            for name, _, line in imports_of(p, module_name(p))
            if name.split(".")[0] == forbidden]
    assert hits == []
