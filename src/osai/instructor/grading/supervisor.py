"""Watch one run of the grading runner: start it, feed it, stop it at its limits, read it.

:mod:`osai.instructor.grading.sandbox` builds the command (bubblewrap, or the bare runner
with ``--no-sandbox``) and the run's cgroup (:mod:`osai.instructor.grading.cgroups`);
:func:`supervise` starts it with the request on stdin, drains its pipes with a size cap,
kills the whole process group at the notebook's time limit, at the run's process cap or
when :data:`ABORT` is set, and turns what came back into a :class:`RunResult`.  What ended
a run is read from the cgroup's counters before anything else.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

from osai.instructor.grading.cgroups import JOIN_FAILED

__all__ = ["ABORT", "CellResult", "RunResult", "supervise"]

#: set to stop every run in progress at once (e.g. on Ctrl-C); runs then report "failed"
ABORT = threading.Event()


@dataclass
class CellResult:
    """What happened to one code cell."""

    index: int
    status: str
    """ok, error, timeout, died"""
    execution_count: int | None
    outputs: list[dict[str, Any]]


@dataclass
class RunResult:
    """What happened to one notebook."""

    status: str
    """ok, timeout, killed, failed"""
    message: str
    cells: dict[int, CellResult]
    seconds: float
    isolated: bool
    truncated: bool = False
    stderr: str = ""
    peak_mb: float | None = None
    """the most memory the run's processes held at once (from its cgroup)"""


class _BoundedReader(threading.Thread):
    """Drain a pipe, keeping at most ``limit`` bytes (the head, or the tail)."""

    def __init__(self, stream, limit: int, keep_tail: bool = False):
        super().__init__(daemon=True)
        self.stream, self.limit, self.keep_tail = stream, limit, keep_tail
        self.chunks: list[bytes] = []
        self.size = 0
        self.overflow = False

    def run(self) -> None:
        while True:
            chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") \
                else self.stream.read(65536)
            if not chunk:
                break
            if self.keep_tail:
                self.chunks.append(chunk)
                self.size += len(chunk)
                while self.size > self.limit and len(self.chunks) > 1:
                    self.size -= len(self.chunks.pop(0))
            elif self.size + len(chunk) <= self.limit:
                self.chunks.append(chunk)
                self.size += len(chunk)
            else:
                self.overflow = True  # keep draining so the writer never blocks

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def _parse_events(data: bytes) -> tuple[dict[int, CellResult], dict[str, Any] | None, bool]:
    cells: dict[int, CellResult] = {}
    done = None
    ready = False
    for line in data.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        if event.get("event") == "cell" and isinstance(event.get("index"), int):
            outputs = event.get("outputs")
            count = event.get("execution_count")
            cells[event["index"]] = CellResult(
                index=event["index"], status=str(event.get("status", "ok")),
                execution_count=count if isinstance(count, int) else None,
                outputs=outputs if isinstance(outputs, list) else [])
        elif event.get("event") == "ready":
            ready = True
        elif event.get("event") == "done":
            done = event
    return cells, done, ready


def supervise(cmd: list[str], env: dict[str, str], cwd: str, request: bytes,
              isolated: bool, limits, group) -> RunResult:
    """Start ``cmd`` (already wrapped to join ``group``, a
    :class:`~osai.instructor.grading.cgroups.RunGroup`), feed it ``request``, stop it at
    the time limit, at the process cap or on :data:`ABORT`, and read what it sent."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=cwd,
                                start_new_session=True)
    except OSError as exc:
        return RunResult("failed", f"could not start the runner: {exc}", {}, 0.0,
                         isolated)
    # generous: events are JSON and each output is capped by the runner
    out_reader = _BoundedReader(proc.stdout, limits.total_output_kb * 1024 * 4 + (1 << 20))
    err_reader = _BoundedReader(proc.stderr, 16 * 1024, keep_tail=True)
    out_reader.start()
    err_reader.start()
    try:
        assert proc.stdin is not None
        proc.stdin.write(request)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    deadline = start + limits.notebook_timeout
    aborted = killed_for_time = False
    while proc.poll() is None:
        if ABORT.is_set():
            aborted = True
            _kill(proc)
        elif time.monotonic() > deadline:
            killed_for_time = True
            _kill(proc)
        elif group.process_cap_hit():  # a fork bomb only spins once it is there
            _kill(proc)
        try:
            proc.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            pass
    out_reader.join(10)
    err_reader.join(10)
    seconds = time.monotonic() - start
    stderr = err_reader.data.decode("utf-8", "replace")
    cells, done, ready = _parse_events(out_reader.data)
    verdict = group.verdict()  # from the cgroup's counters, not the exit status
    result = RunResult("failed", "", cells, seconds, isolated, False, stderr,
                       group.peak_mb())
    if aborted:
        result.message = "stopped: grading was interrupted"
    elif verdict:
        result.status, result.message = verdict
    elif out_reader.overflow:
        result.message, result.truncated = "the runner sent more data than allowed", True
    elif killed_for_time:
        result.status = "timeout"
        result.message = (f"the notebook ran past the {limits.notebook_timeout:g} s limit "
                          "for a whole notebook and was stopped")
    elif proc.returncode == JOIN_FAILED and not ready:
        result.message = f"could not enter the run's cgroup: {stderr.strip()[-300:]}"
    elif done is None:
        last = stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        # once the kernel is up, an unfinished run is the student's code's doing
        result.status = "killed" if ready else "failed"
        result.message = ("the run stopped before it finished "
                          f"(exit status {proc.returncode}: {last[0][:300]})")
    else:
        result.status, result.message = str(done.get("status", "failed")), \
            str(done.get("message", ""))
        result.truncated = bool(done.get("truncated"))
    return result
