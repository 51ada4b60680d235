"""Compare two builds of the book page by page, as a reader would get them.

    python scripts/compare_sites.py OLD_HTML NEW_HTML [--diff N]

Normalises what differs between any two builds of the same sources, so what remains is a
real change: ``?v=``/``?digest=`` cache-busting suffixes, widget model ids (random uuids)
and chart element ids (random), and the key order of embedded widget JSON.  ``.gz`` copies
are left out (they mirror their files); zips are compared entry by entry (names and sizes
of what a learner unpacks, the wheel by its file list).  Prints one line per file that
differs, is new or is gone, with the first lines of each normalised diff; exits 0 when the
sites are the same.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import io
import json
import re
import sys
import zipfile
from pathlib import Path

_QUERY = re.compile(r"\?(?:v|digest)=[0-9a-f]+")
_UUID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
_CHART = re.compile(r"osai-chart-[0-9a-f]{12}")
_WIDGET_JSON = re.compile(
    r'(<script type="application/vnd\.jupyter\.widget-(?:state|view)\+json">)(.*?)(</script>)',
    re.S)


def _renumber(pattern: re.Pattern, text: str, label: str) -> str:
    seen: dict[str, str] = {}
    return pattern.sub(lambda m: seen.setdefault(m.group(), f"{label}-{len(seen) + 1}"), text)


def _model_names(text: str) -> dict[str, str]:
    """Widget model uuid -> a name made from the model's own state (the models it refers to
    named the same way), so the same widgets get the same names in any build."""
    found = re.search(r'widget-state\+json">(.*?)</script>', text, re.S)
    try:
        state = json.loads(found.group(1))["state"] if found else {}
    except (ValueError, KeyError):
        return {}
    names: dict[str, str] = {}

    def name(uuid: str, depth: int = 0) -> str:
        if uuid not in names:
            body = json.dumps(state.get(uuid, {}), sort_keys=True)
            if depth < 20:
                body = _UUID.sub(lambda m: name(m.group(), depth + 1)
                                 if m.group() in state else m.group(), body)
            names[uuid] = "model-" + hashlib.sha256(body.encode()).hexdigest()[:10]
        return names[uuid]

    for uuid in state:
        name(uuid)
    return names


def normalise(text: str) -> str:
    names = _model_names(text)
    text = _UUID.sub(lambda m: names.get(m.group(), m.group()), text)

    def canonical(m: re.Match) -> str:
        try:
            body = json.dumps(json.loads(m.group(2)), sort_keys=True)
        except ValueError:
            body = m.group(2)
        return m.group(1) + body + m.group(3)

    text = _WIDGET_JSON.sub(canonical, text)
    text = _QUERY.sub("", text)
    text = _renumber(_UUID, text, "model")
    return _renumber(_CHART, text, "chart")


def _zip_listing(data: bytes) -> str:
    lines = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.filename.endswith(".whl"):
                with zipfile.ZipFile(io.BytesIO(zf.read(info))) as wheel:
                    lines += [f"{info.filename}!{n}" for n in sorted(wheel.namelist())
                              if ".dist-info/" not in n]
            elif info.filename.endswith(".ipynb"):
                lines.append(f"{info.filename} {normalise(zf.read(info).decode())}")
            else:
                lines.append(f"{info.filename} {info.file_size}")
    return "\n".join(lines)


def readable(path: Path) -> str | None:
    data = path.read_bytes()
    if path.suffix == ".zip":
        return _zip_listing(data)
    try:
        return normalise(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and p.suffix != ".gz" and p.name != ".buildinfo"}


def compare(old: Path, new: Path, context: int = 6) -> list[str]:
    out = []
    a, b = files(old), files(new)
    out += [f"gone     {rel}" for rel in sorted(a - b)]
    out += [f"new      {rel}" for rel in sorted(b - a)]
    for rel in sorted(a & b):
        x, y = readable(old / rel), readable(new / rel)
        if x is None or y is None:
            if (old / rel).read_bytes() != (new / rel).read_bytes():
                out.append(f"differs  {rel} (binary)")
            continue
        if x == y:
            continue
        diff = [line for line in difflib.unified_diff(x.splitlines(), y.splitlines(),
                                                      lineterm="", n=0)
                if not line.startswith(("---", "+++", "@@"))]
        out.append(f"differs  {rel} ({len(diff)} changed lines)")
        out += [f"           {line[:220]}" for line in diff[:context]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--diff", type=int, default=6, help="diff lines shown per file")
    args = parser.parse_args(argv)
    report = compare(args.old, args.new, args.diff)
    print("\n".join(report) if report else "the two sites are the same, page by page")
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main())
