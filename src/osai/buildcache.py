"""Keep the book's execution cache honest (``make book`` runs this first).

myst-nb's cache (jupyter-cache) re-executes a chapter only when the chapter's own code
changes.  Chapters read ``data/``, the quiz banks and this package, so a change there must
re-execute them too: this stores a hash of those inputs beside the cache and clears the
cache when the hash changes.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ("src/osai", "data", "exercises/quizzes", "exercises/objectives.yml", "_static")
SUFFIXES = {".py", ".csv", ".json", ".yml", ".yaml", ".js", ".css"}


def inputs_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for entry in INPUTS:
        base = root / entry
        files = [base] if base.is_file() else sorted(
            p for p in base.rglob("*") if p.is_file() and p.suffix in SUFFIXES
            and "__pycache__" not in p.parts)
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh(build: Path = ROOT / "_build") -> bool:
    """Clear the execution cache if the inputs changed; returns True when cleared."""
    stamp = build / ".osai-inputs"
    current = inputs_hash()
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
        print("data, quiz banks or package code changed: chapters will be re-executed",
              file=sys.stderr)
