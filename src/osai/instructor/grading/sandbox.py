"""Run one submitted notebook in its own sandboxed process, with limits.

Stock nbgrader executes every submission in a kernel that can read and write anything
the instructor can: the source notebooks with the hidden tests, the other submissions,
the gradebook.  Here each notebook runs in a fresh process tree under bubblewrap
(``bwrap``):

* all namespaces unshared (no network, own PID space, own user namespace without
  capabilities, nested user namespaces disabled); the tree dies with its parent;
* an empty read-only root with read-only binds of the system (``/usr``, ``/lib*``,
  ``/bin``, a few files of ``/etc``), the Python installation and the virtual
  environment, at their own paths;
* a private, size-limited tmpfs on ``/tmp`` (mounted before anything under it; ``HOME``
  and Jupyter's runtime files live there) and a second one as the working folder
  ``/home/student/submission``, which holds only read-only binds of the assignment's
  data files; everything else is read-only;
* nbclient and the kernel both run INSIDE the sandbox (a kernel in its own network
  namespace cannot reach a client outside), started by :mod:`osai.instructor.grading._runner`,
  which receives the notebook on stdin so it is never on a disk the kernel can read;
* limits: address space, CPU seconds and file size per process (``setrlimit`` in the
  runner, inherited by the kernel); memory and processes of the whole run in a cgroup
  made for it (:mod:`osai.instructor.grading.cgroups`); a sized tmpfs on ``/dev/shm``; a
  per-cell timeout with interrupt, an output budget per cell and per notebook, and a
  wall-clock timeout for the whole run after which the sandbox is killed.

Nothing the student's code writes reaches the host: the writable places (``/tmp``, the
working folder, ``/dev/shm``) are sized tmpfs mounts that vanish with the sandbox.  What comes back is only the cell outputs, read by
the parent with a size cap and merged into the parent's own trusted copy of the
notebook (:func:`merge_results`), so a submission can at worst change its own outputs,
which it controls anyway.

Where bubblewrap is missing or cannot create namespaces, :func:`check_sandbox` raises
:class:`SandboxUnavailable` with the reason; the only way past it is an explicit
``--no-sandbox`` (``SandboxSettings(isolate=False)``), which still uses a separate
process with the same limits but does NOT isolate the file system, and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode

from osai.instructor.grading.cgroups import run_group
from osai.instructor.grading.supervisor import ABORT, CellResult, RunResult, supervise

__all__ = [
    "ABORT",
    "CellResult",
    "Limits",
    "RunResult",
    "SandboxSettings",
    "SandboxUnavailable",
    "UnsandboxedWarning",
    "bwrap_command",
    "check_sandbox",
    "merge_results",
    "run_notebook",
]

RUNNER = Path(__file__).with_name("_runner.py")
SANDBOX_HOME = "/tmp/home"
SANDBOX_CWD = "/home/student/submission"
SANDBOX_RUNNER = "/opt/osai/runner.py"
SANDBOX_SITE = "/opt/osai/site"
#: files of /etc the interpreter and the kernel need (bound read-only when present)
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
             "/etc/nsswitch.conf", "/etc/mime.types")
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
_STUB = '"""Disabled in the grading sandbox (slow to import, not needed)."""\n' \
        'raise ImportError("rfc3987_syntax is disabled while grading")\n'


class SandboxUnavailable(RuntimeError):
    """Bubblewrap is missing or cannot isolate on this machine."""


class UnsandboxedWarning(UserWarning):
    """Submissions are executed without file-system isolation (``--no-sandbox``)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for executing one notebook."""

    cell_timeout: float = 30.0
    """seconds a cell may run before the kernel is interrupted"""
    notebook_timeout: float = 300.0
    """wall-clock seconds for the whole run (kernel start included); then it is killed"""
    memory_mb: int = 2048
    """address space per process (runner and kernel), in MiB"""
    submission_memory_mb: int = 2048
    """memory of all the run's processes together, tmpfs pages included (cgroup), MiB"""
    shm_mb: int = 64
    """size of the tmpfs on /dev/shm, in MiB"""
    file_size_mb: int = 64
    """largest file a process may write, in MiB"""
    tmpfs_mb: int = 64
    """size of each private tmpfs (/tmp and the working folder), in MiB"""
    cell_output_kb: int = 1024
    """output kept per cell, in KiB; the rest is dropped with a note"""
    total_output_kb: int = 8192
    """output kept per notebook, in KiB"""
    processes: int = 256
    """processes and threads of the run together (the cgroup's pids.max; also RLIMIT_NPROC
    with isolation, which Linux does not apply to root)"""


@dataclass(frozen=True)
class SandboxSettings:
    """How submissions are executed."""

    isolate: bool = True
    """False only with an explicit ``--no-sandbox``: limits but no isolation"""
    bwrap: str = ""
    """path of bubblewrap; empty means ``/usr/bin/bwrap`` or ``bwrap`` on PATH"""
    cgroup: bool = True
    """False only with an explicit ``--no-cgroup``: no cap on the run as a whole"""
    limits: Limits = field(default_factory=Limits)

    def with_limits(self, **changes: Any) -> "SandboxSettings":
        return replace(self, limits=replace(self.limits, **changes))

    @property
    def bwrap_path(self) -> str | None:
        if self.bwrap:
            return self.bwrap if os.access(self.bwrap, os.X_OK) else None
        if os.access("/usr/bin/bwrap", os.X_OK):
            return "/usr/bin/bwrap"
        return shutil.which("bwrap")


def _python_roots() -> list[str]:
    """Folders holding the interpreter, its standard library and the environment."""
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                           sys.base_exec_prefix)}
    roots.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    # keep the outermost folders only and skip those the system binds already cover
    out: list[str] = []
    for root in sorted(roots, key=len):
        if any(root == d or root.startswith(d + "/") for d in SYSTEM_DIRS):
            continue
        if any(root.startswith(o + "/") for o in out):
            continue
        out.append(root)
    # the venv itself at its own (unresolved) path, as its scripts name it
    if sys.prefix not in out and not any(sys.prefix.startswith(o + "/") for o in out):
        out.append(sys.prefix)
    return out


def _environment(site: str, home: str, cwd: str) -> dict[str, str]:
    bindir = os.path.dirname(sys.executable)
    return {
        "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": site,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter-runtime",
        "JUPYTER_DATA_DIR": f"{home}/.jupyter-data",
        "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "MPLBACKEND": "Agg",
        "MALLOC_ARENA_MAX": "2",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OSAI_GRADING": "1",
        "OSAI_GRADING_CWD": cwd,
    }


def bwrap_command(bwrap: str, files: Sequence[Path], site: Path,
                  limits: Limits) -> list[str]:
    """The bubblewrap command line that runs the runner on ``files``."""
    size = str(limits.tmpfs_mb * 1024 * 1024)
    cmd = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns",
           "--uid", "1000", "--gid", "1000", "--hostname", "grader",
           "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    for d in SYSTEM_DIRS:
        cmd += ["--ro-bind-try", d, d]
    for f in ETC_FILES:
        cmd += ["--ro-bind-try", f, f]
    # /dev read-only (its tmpfs has no size), then a sized tmpfs on /dev/shm
    cmd += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
            "--size", str(limits.shm_mb * 1024 * 1024), "--tmpfs", "/dev/shm",
            # /tmp before any bind that could land under it (a venv in /tmp, say): a
            # tmpfs mounted later would hide such a bind
            "--size", size, "--tmpfs", "/tmp"]
    for root in _python_roots():
        cmd += ["--ro-bind", root, root]
    cmd += ["--size", size, "--tmpfs", SANDBOX_CWD]
    for f in files:
        cmd += ["--ro-bind", str(f), f"{SANDBOX_CWD}/{f.name}"]
    cmd += ["--ro-bind", str(RUNNER), SANDBOX_RUNNER,
            "--ro-bind", str(site), SANDBOX_SITE,
            "--remount-ro", "/",
            "--chdir", SANDBOX_CWD, "--clearenv"]
    for key, value in _environment(SANDBOX_SITE, SANDBOX_HOME, SANDBOX_CWD).items():
        cmd += ["--setenv", key, value]
    cmd += ["--", sys.executable, SANDBOX_RUNNER]
    return cmd


def site_dir(scratch: Path) -> Path:
    """A folder put on the sandbox's PYTHONPATH (holds a stub of a slow import)."""
    site = scratch / "site"
    stub = site / "rfc3987_syntax.py"
    if not stub.is_file() or stub.read_text() != _STUB:
        site.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=site, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            handle.write(_STUB)
        os.replace(tmp, stub)
    return site


@lru_cache(maxsize=4)
def _probe(bwrap: str) -> str | None:
    """None when bubblewrap can build the sandbox here, else the reason it cannot."""
    with tempfile.TemporaryDirectory(prefix="osai-probe-") as tmp:
        site = site_dir(Path(tmp))
        cmd = bwrap_command(bwrap, [], site, Limits())
        cmd = cmd[:cmd.index("--") + 1] + [sys.executable, "-c",
                                            "import os; open('/tmp/x', 'w').write('ok'); "
                                            "print(os.getuid())"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{bwrap} could not be started: {exc}"
        if proc.returncode != 0 or proc.stdout.strip() != "1000":
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            return (f"{bwrap} cannot create the sandbox here (exit {proc.returncode}: "
                    f"{detail[-1] if detail else 'no message'}); unprivileged user "
                    "namespaces may be disabled (e.g. kernel.apparmor_restrict_"
                    "unprivileged_userns=1 or user.max_user_namespaces=0)")
    return None


def check_sandbox(settings: SandboxSettings) -> None:
    """Make sure submissions can be isolated; raise :class:`SandboxUnavailable` if not.

    With ``settings.isolate`` False this only warns, loudly, that nothing is isolated.
    """
    if not settings.isolate:
        warnings.warn(
            "--no-sandbox: submissions run in separate processes with time, memory and "
            "output limits but WITHOUT isolation: student code can read and write "
            "everything this user can (other submissions, hidden tests, the gradebook).",
            UnsandboxedWarning, stacklevel=2)
        return
    bwrap = settings.bwrap_path
    if bwrap is None:
        where = f" at {settings.bwrap}" if settings.bwrap else ""
        raise SandboxUnavailable(
            f"bubblewrap (bwrap) is not installed{where}, so student code cannot be isolated. "
            "Install it (Debian/Ubuntu: apt-get install bubblewrap) or, only for "
            "trusted submissions, pass --no-sandbox.")
    reason = _probe(bwrap)
    if reason:
        raise SandboxUnavailable(reason + ". Fix that, or, only for trusted submissions, "
                                 "pass --no-sandbox.")


def run_notebook(nb: NotebookNode, files: Sequence[Path], settings: SandboxSettings,
                 scratch: Path) -> RunResult:
    """Execute ``nb`` with ``files`` in its working folder; never raises for student code.

    ``scratch`` is a folder of the instructor's (e.g. ``course-work/sandbox``) used for
    the sandbox's helper files and, without isolation, the working copy.  Raises
    :class:`~osai.instructor.grading.cgroups.CapsUnavailable` when the run cannot be capped
    as a whole and ``settings.cgroup`` asks for it.
    """
    limits = settings.limits
    scratch.mkdir(parents=True, exist_ok=True)
    site = site_dir(scratch)
    workdir: Path | None = None
    if settings.isolate:
        bwrap = settings.bwrap_path
        if bwrap is None:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
        cmd = bwrap_command(bwrap, list(files), site, limits)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        cwd = SANDBOX_CWD
        popen_cwd = str(scratch)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=scratch))
        (workdir / "home").mkdir()
        sub = workdir / "submission"
        sub.mkdir()
        for f in files:
            shutil.copyfile(f, sub / f.name)
        cwd = str(sub)
        env = _environment(str(site), str(workdir / "home"), cwd)
        cmd = [sys.executable, str(RUNNER)]
        popen_cwd = cwd
    request = json.dumps({
        "notebook": nb,
        "cwd": cwd,
        "limits": {
            "cell_timeout": limits.cell_timeout,
            "memory_mb": limits.memory_mb,
            "cpu_seconds": int(limits.notebook_timeout) + 10,
            "file_size_mb": limits.file_size_mb,
            "cell_output_kb": limits.cell_output_kb,
            "total_output_kb": limits.total_output_kb,
            "startup_timeout": int(min(60, limits.notebook_timeout)),
            "processes": limits.processes if settings.isolate else 0,
        },
    }).encode()
    try:
        group = run_group(settings.cgroup, limits.submission_memory_mb, limits.processes)
    except BaseException:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    try:
        return supervise(group.wrap(cmd), env, popen_cwd, request, settings.isolate,
                         limits, group)
    finally:
        group.close()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)


_ALLOWED_OUTPUTS = {"stream", "display_data", "execute_result", "error"}


def _not_run_output(reason: str) -> NotebookNode:
    from nbformat.v4 import new_output

    return new_output("error", ename="CellNotRun", evalue=reason,
                      traceback=[f"CellNotRun: {reason}"])


def merge_results(nb: NotebookNode, result: RunResult) -> NotebookNode:
    """Put the outputs of ``result`` into ``nb`` (the parent's trusted copy), in place.

    Only outputs and execution counts are taken from the run; sources and metadata stay
    the parent's.  A code cell that did not run gets an error output saying why, so a
    test cell that never ran scores 0 instead of nbgrader's "no error means passed".
    """
    from nbformat import ValidationError
    from nbformat.v4 import new_output
    from nbformat.v4.nbbase import validate

    reason = result.message or f"the run ended with status '{result.status}'"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        ran = result.cells.get(index)
        if ran is None:
            cell.outputs = [] if not cell.source.strip() else [_not_run_output(
                f"this cell did not run: {reason}")]
            cell.execution_count = None
            continue
        outputs = []
        for raw in ran.outputs:
            if not isinstance(raw, dict) or raw.get("output_type") not in _ALLOWED_OUTPUTS:
                continue
            try:
                out = new_output(**raw)
                validate(out, "output")
            except (TypeError, ValueError, ValidationError):
                out = new_output("stream", name="stdout",
                                 text="[grader: an output was dropped because it is not a "
                                      "valid notebook output]\n")
            outputs.append(out)
        if ran.status == "died" and not any(o.output_type == "error" for o in outputs):
            outputs.append(_not_run_output("the kernel died while this cell was running"))
        cell.outputs = outputs
        cell.execution_count = ran.execution_count
    return nb
