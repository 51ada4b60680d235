#!/usr/bin/env python3
"""Memory one learner needs on a hub (not a test; prints figures for docs-hub.md's sizing).

A JupyterLab server is started on 127.0.0.1 (as the hub's spawner starts one per learner)
and its proportional set size (PSS: shared pages split between the processes sharing them)
read once the Lab page has been served; then chapter 3's notebook from the build
(``_build/notebooks``) is run cell by cell in a fresh kernel (nbclient) and the kernel's PSS
read after the last cell.  Their sum is one active learner with one chapter open.

Usage: ``.venv/bin/python scripts/bench_learner_memory.py [--notebook PATH]``.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbclient
import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from osai import paths  # noqa: E402

MIB = 2 ** 20


def _pss(process: psutil.Process) -> float:
    total = 0.0
    for proc in [process, *process.children(recursive=True)]:
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total / MIB


def lab_server_pss() -> float:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as home:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.token=bench", "--allow-root",
             f"--ServerApp.root_dir={home}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/lab?token=bench"
            for _ in range(120):
                try:
                    urllib.request.urlopen(url, timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.5)
            time.sleep(2)
            return _pss(psutil.Process(proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def kernel_pss(notebook: Path) -> tuple[float, float]:
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(notebook.parent)}})
    started = time.monotonic()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        seconds = time.monotonic() - started
        return _pss(psutil.Process(client.km.provisioner.process.pid)), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path,
                        default=paths.notebooks_dir() / "03-four-organisations.ipynb")
    args = parser.parse_args()
    kernel, seconds = kernel_pss(args.notebook)
    server = lab_server_pss()
    print("| per learner | MiB (PSS) |")
    print("|---|---|")
    print(f"| kernel after running {args.notebook.name} ({seconds:.1f} s) | {kernel:.0f} |")
    print(f"| JupyterLab server, Lab page served | {server:.0f} |")
    print(f"| one active learner, one chapter open | {kernel + server:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
