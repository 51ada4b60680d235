"""Execute one notebook with nbclient: the program that runs INSIDE the grading sandbox.

The parent (:mod:`osai.instructor.grading.sandbox`) starts this script under bubblewrap (or, with
``--no-sandbox``, as a plain child process) and talks to it like this:

* stdin: one JSON request ``{"notebook": <nbformat v4 dict>, "limits": {...}, "cwd": path}``;
* stdout: JSON lines, one ``{"event": "cell", ...}`` per executed code cell, then one
  ``{"event": "done", "status": ..., "message": ...}``.

The notebook (which holds the hidden tests) never touches the disk, so the student's
code, which runs in a kernel started from here, finds no notebook to read.  Before it
starts the kernel this process

* sets resource limits that the kernel inherits (address space, CPU seconds, file size,
  no core dumps);
* makes itself non-dumpable, so the kernel (same user) can neither read its memory nor
  open its file descriptors through ``/proc``;
* keeps its result channel on a private descriptor and points fd 1 at stderr, so
  nothing the kernel writes can be mistaken for a result.

Only the standard library, nbformat, nbclient and jupyter_client are used here.
"""

from __future__ import annotations

import sys

# jsonschema imports rfc3987_syntax when it is installed, which builds a grammar and
# takes seconds on a slow machine; nothing here validates IRIs, so skip it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import asyncio  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from queue import Empty  # noqa: E402
from typing import Any, TextIO  # noqa: E402

PR_SET_DUMPABLE = 4
TIMEOUT_ENAME = "CellTimeoutError"


def _harden(limits: dict[str, Any]) -> None:
    mib = 1024 * 1024
    caps = {
        resource.RLIMIT_AS: int(limits["memory_mb"]) * mib,
        resource.RLIMIT_CPU: int(limits["cpu_seconds"]),
        resource.RLIMIT_FSIZE: int(limits["file_size_mb"]) * mib,
        resource.RLIMIT_CORE: 0,
    }
    if int(limits.get("processes", 0)) > 0:
        # per user namespace since Linux 5.14 (so only the sandbox counts); not enforced
        # when the grader runs as root, which owns the namespace
        caps[resource.RLIMIT_NPROC] = int(limits["processes"])
    for which, value in caps.items():
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value if which != resource.RLIMIT_CPU else value + 5))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")
    except OSError as exc:  # pragma: no cover - Linux always has prctl
        print(f"warning: could not make the runner non-dumpable: {exc}", file=sys.stderr)


class _Emitter:
    def __init__(self, stream: TextIO):
        self.stream = stream

    def __call__(self, **event: Any) -> None:
        self.stream.write(json.dumps(event, separators=(",", ":")) + "\n")
        self.stream.flush()


def _make_client_class():  # imported lazily: the imports are the slow part
    from nbclient import NotebookClient
    from nbclient.util import ensure_async

    class GradingClient(NotebookClient):
        """nbclient with a per-cell and per-notebook output budget and timeout flags."""

        def __init__(self, nb, cell_output_bytes: int, total_output_bytes: int, **kw):
            super().__init__(nb, **kw)
            self.cell_budget = cell_output_bytes
            self.total_budget = total_output_bytes
            self.used_total = 0
            self.used_cell: dict[int, int] = {}
            self.truncated_cells: set[int] = set()
            self.timed_out_cells: set[int] = set()
            self.current_index = -1

        def _note_truncated(self, outs, cell_index: int) -> None:
            if cell_index in self.truncated_cells:
                return
            self.truncated_cells.add(cell_index)
            from nbformat.v4 import new_output

            outs.append(new_output("stream", name="stdout", text=(
                f"\n[grader: output truncated; a cell may print at most "
                f"{self.cell_budget // 1024} KiB and a notebook "
                f"{self.total_budget // 1024} KiB]\n")))

        def _fits(self, size: int, cell_index: int) -> bool:
            used = self.used_cell.get(cell_index, 0)
            return used + size <= self.cell_budget and self.used_total + size <= self.total_budget

        def output(self, outs, msg, display_id, cell_index):
            from nbformat.v4 import output_from_msg

            if cell_index in self.truncated_cells:
                return None
            try:
                size = len(json.dumps(output_from_msg(msg)))
            except ValueError:
                return None
            if not self._fits(size, cell_index):
                self._note_truncated(outs, cell_index)
                return None
            self.used_cell[cell_index] = self.used_cell.get(cell_index, 0) + size
            self.used_total += size
            return super().output(outs, msg, display_id, cell_index)

        def _update_display_id(self, display_id, msg):
            size = len(json.dumps(msg.get("content", {})))
            index = self.current_index
            if not self._fits(size, index):
                return
            self.used_cell[index] = self.used_cell.get(index, 0) + size
            self.used_total += size
            super()._update_display_id(display_id, msg)

        def handle_comm_msg(self, outs, msg, cell_index):
            return None  # no widgets when grading; their state is not kept

        async def _async_handle_timeout(self, timeout, cell=None):
            self.timed_out_cells.add(self.current_index)
            return await super()._async_handle_timeout(timeout, cell)

        async def responsive(self, wait: float) -> bool:
            """Whether the kernel answers a kernel_info request within ``wait`` seconds."""
            assert self.kc is not None
            msg_id = await ensure_async(self.kc.kernel_info())
            deadline = time.monotonic() + wait
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=remaining))
                except Empty:
                    return False
                if msg.get("parent_header", {}).get("msg_id") == msg_id:
                    return True
            return False

    return GradingClient


async def _execute(request: dict[str, Any], emit: _Emitter) -> None:
    import nbformat
    from nbclient.exceptions import DeadKernelError

    limits = request["limits"]
    nb = nbformat.from_dict(request["notebook"])
    client = _make_client_class()(
        nb,
        cell_output_bytes=int(limits["cell_output_kb"]) * 1024,
        total_output_bytes=int(limits["total_output_kb"]) * 1024,
        timeout=float(limits["cell_timeout"]),
        startup_timeout=int(limits.get("startup_timeout", 60)),
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        raise_on_iopub_timeout=False,
        iopub_timeout=2,
        error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "",
                          "traceback": [f"{TIMEOUT_ENAME}: the cell did not finish within "
                                        f"{limits['cell_timeout']:g} seconds"]},
        extra_arguments=["--HistoryManager.hist_file=:memory:"],
        record_timing=False,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": request["cwd"]}},
    )
    replies: dict[int, dict[str, Any]] = {}

    def remember(cell, cell_index, execute_reply):
        replies[cell_index] = execute_reply or {}

    client.on_cell_executed = remember
    try:
        async with client.async_setup_kernel():
            assert client.kc is not None
            emit(event="ready")
            count = 0
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                client.current_index = index
                count += 1
                try:
                    await client.async_execute_cell(cell, index, execution_count=count)
                except DeadKernelError:
                    emit(event="cell", index=index, status="died", execution_count=count,
                         outputs=cell.get("outputs", []))
                    emit(event="done", status="killed", message=(
                        f"the kernel died while running code cell {count} (a memory, CPU or "
                        "file-size limit, a crash, or the code exited the kernel); later "
                        "cells did not run"))
                    return
                status = "ok"
                reply = replies.get(index, {}).get("content", {})
                if index in client.timed_out_cells:
                    status = "timeout"
                elif reply.get("status") == "error":
                    status = "error"
                if status != "ok":
                    # as nbgrader's Execute: record the reply's error unless an output has it
                    ename = TIMEOUT_ENAME if status == "timeout" else reply.get("ename", "Error")
                    if not any(o.get("output_type") == "error" and o.get("ename") == ename
                               for o in cell.outputs):
                        from nbformat.v4 import new_output

                        cell.outputs.append(new_output(
                            "error", ename=ename, evalue=reply.get("evalue", ""),
                            traceback=reply.get("traceback") or [
                                "an error occurred while the traceback was disabled"]))
                emit(event="cell", index=index, status=status, execution_count=count,
                     outputs=cell.outputs)
                if status == "timeout" and not await client.responsive(3):
                    emit(event="done", status="timeout", message=(
                        f"code cell {count} ran past the {limits['cell_timeout']:g} s limit "
                        "and the kernel did not stop when interrupted; later cells did "
                        "not run"))
                    return
    except DeadKernelError:
        emit(event="done", status="killed", message="the kernel died before any cell ran")
        return
    except Exception as exc:  # kernel start failures are infrastructure problems
        emit(event="done", status="failed",
             message=f"could not run the notebook: {type(exc).__name__}: {exc}")
        return
    timeouts = sorted(client.timed_out_cells)
    truncated = bool(client.truncated_cells)
    emit(event="done", status="timeout" if timeouts else "ok", truncated=truncated,
         message=(f"{len(timeouts)} cell(s) ran past the {limits['cell_timeout']:g} s limit "
                  "and were interrupted" if timeouts else ""))


def main() -> None:
    # private result channel; fd 1 now goes to stderr for everything else (the kernel)
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    raw = sys.stdin.buffer.read()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    request = json.loads(raw)
    del raw
    _harden(request["limits"])
    emit = _Emitter(result)
    emit(event="start", pid=os.getpid())
    asyncio.run(_execute(request, emit))
    result.close()
    os._exit(0)  # do not wait for stray threads


if __name__ == "__main__":
    main()
