"""Cap one submission as a whole: a cgroup made for each sandbox run.

The limits the runner sets with ``setrlimit`` (:mod:`osai.instructor.grading._runner`)
hold per process: a submission that forks five children, each under the address-space
limit, can still take the host's memory, and Linux does not apply ``RLIMIT_NPROC`` to
root, so a fork bomb run by a root grader runs until the time limit.  A control group
caps what all the processes of one run take together:

* memory, page cache and tmpfs pages included (``/tmp``, the working folder and
  ``/dev/shm`` inside the sandbox are tmpfs, so what a submission writes there counts):
  ``memory.max`` with ``memory.swap.max = 0`` (cgroup v2), or ``memory.limit_in_bytes``
  with ``memory.memsw.limit_in_bytes`` when swap is accounted, else ``memory.swappiness =
  0`` (cgroup v1);
* processes and threads: ``pids.max``.

How a run enters its group: the parent starts ``/bin/sh`` with a fixed script that writes
its own pid into the group's ``cgroup.procs`` and then ``exec``\\ s bubblewrap (or, with
``--no-sandbox``, the runner), so the sandbox and everything in it is in the group before
any of the submission's code runs.  Python's ``preexec_fn`` could do the same but is not
safe in a program with threads (autograde runs ``--jobs`` sandboxes from a thread pool);
``systemd-run --scope`` would need systemd and its D-Bus, which containers and CI machines
often lack, and hides the counters behind it.  Writing the files directly works the same on
a systemd host, in a container and in CI, as root.

Where the groups go: cgroup v2 first (a ``cgroup2`` mount whose ``cgroup.controllers`` has
``memory`` and ``pids``): a folder ``osai-grading`` beside this process's own group (in the
root group itself when this process is in the root), with both controllers enabled for
its children; when this process may not write the group above its own but owns its own (a
group delegated to a user, as systemd's ``Delegate=yes`` gives), it moves itself into a
leaf ``grader`` of its own group and puts ``osai-grading`` beside that leaf (not run here:
the development machine has cgroup v1 controllers); else cgroup v1 (the ``memory`` and ``pids`` hierarchies): ``osai-grading``
under this process's own group in each, so any limit on the grader itself still applies.
Each run gets ``osai-grading/run-<pid>-<n>``, removed after the run (what is left in it is
killed first); an empty one left by a killed grader is removed by the next run.

What ended a run is read from the group's counters, not guessed from exit codes:
``oom_kill`` in ``memory.events`` (v2) or ``memory.oom_control`` (v1) is the memory cap;
``max`` in ``pids.events`` is the process cap.  A run that reaches the process cap is
stopped at once (a fork bomb only spins once it is there); one that reaches the memory cap
goes on as the kernel's OOM killer leaves it, and is recorded as such.

Where no such group can be made (not root, no writable cgroup file system, controllers
missing or not delegated), :func:`check_caps` raises :class:`CapsUnavailable` with the
reason; the only way past it is an explicit ``--no-cgroup``, which warns loudly.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CapsUnavailable",
    "Place",
    "RunGroup",
    "UncappedWarning",
    "check_caps",
    "find_place",
    "run_group",
]

MOUNTINFO = "/proc/self/mountinfo"
OWN_CGROUP = "/proc/self/cgroup"
PARENT = "osai-grading"
#: joins the cgroups named before "--", then becomes the command after it
JOIN_SCRIPT = ('for f do shift; [ "$f" = -- ] && break; '
               'echo $$ > "$f" || exit 125; done; exec "$@"')
JOIN_FAILED = 125
_COUNTER = itertools.count(1)


class CapsUnavailable(RuntimeError):
    """No cgroup with the memory and pids controllers can be made on this machine."""


class UncappedWarning(UserWarning):
    """Submissions run without a whole-submission memory and process cap (``--no-cgroup``)."""


@dataclass(frozen=True)
class Place:
    """Where this machine's per-run cgroups go."""

    version: int
    memory: Path
    """folder (``osai-grading``) of the runs' memory groups (v2: the runs' only groups);
    made by the first run that needs it and removed by the last"""
    pids: Path
    """folder of the runs' pids groups (v2: the same as ``memory``)"""

    @property
    def parents(self) -> list[Path]:
        return [self.memory] if self.version == 2 else [self.memory, self.pids]

    def folders(self, name: str) -> list[Path]:
        return [parent / name for parent in self.parents]


def _mounts(mountinfo: str) -> list[tuple[str, str, str, set[str]]]:
    """(fstype, mount point, root within the hierarchy, super options) of cgroup mounts."""
    found = []
    for line in Path(mountinfo).read_text().splitlines():
        head, _, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if len(fields) < 5 or len(rest) < 3 or rest[0] not in ("cgroup", "cgroup2"):
            continue
        point = fields[4].replace("\\040", " ")
        found.append((rest[0], point, fields[3], set(rest[2].split(","))))
    return found


def _own_groups(path: str) -> dict[str, str]:
    """Controller (``""`` for v2) -> this process's group, from ``/proc/self/cgroup``."""
    groups: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                groups[controller] = parts[2]
    return groups


def _inside(point: str, root: str, group: str) -> Path:
    """The folder of ``group`` in a hierarchy mounted at ``point`` from ``root``."""
    rel = group
    if root != "/" and (group == root or group.startswith(root + "/")):
        rel = group[len(root):]
    return Path(point) / rel.lstrip("/")


def _write(path: Path, text: str) -> None:
    """Write a cgroup file (unbuffered: the kernel's refusal comes from this write, named)."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    finally:
        os.close(fd)


def _v2(point: str, root: str, own: str) -> Place:
    here = _inside(point, root, own)
    base = here if here == Path(point) else here.parent
    if base != here and not os.access(base, os.W_OK) and os.access(here, os.W_OK):
        base = _delegated(here)
    controllers = set((base / "cgroup.controllers").read_text().split())
    if not {"memory", "pids"} <= controllers:
        raise OSError(f"the cgroup v2 group {base} has no memory and pids controllers "
                      f"(it has: {' '.join(sorted(controllers)) or 'none'})")
    _enable(base)
    return Place(2, base / PARENT, base / PARENT)


def _delegated(here: Path) -> Path:
    """This process's own group was delegated to it (systemd's ``Delegate=yes``: the group is
    the user's, the one above it is not).  cgroup v2 lets a group hand controllers to its
    children only when no process sits in it, so the grader first moves itself into a leaf,
    ``grader``; the run groups then go beside that leaf.  Returns the delegated group."""
    leaf = here / "grader"
    leaf.mkdir(exist_ok=True)
    # every process of the group goes (a `make` or a shell that started the grader sits
    # there too); one that may not be moved leaves the group busy, and the error says so
    for pid in (here / "cgroup.procs").read_text().split() or [str(os.getpid())]:
        try:
            _write(leaf / "cgroup.procs", pid)
        except ProcessLookupError:
            pass  # ended meanwhile
    return here


def _enable(folder: Path) -> None:
    """Give the children of a v2 group the memory and pids controllers."""
    if not {"memory", "pids"} <= set((folder / "cgroup.subtree_control").read_text().split()):
        _write(folder / "cgroup.subtree_control", "+memory +pids")


def _v1(mounts, own: dict[str, str]) -> Place:
    folders = {}
    for controller in ("memory", "pids"):
        mount = next((m for m in mounts if m[0] == "cgroup" and controller in m[3]), None)
        if mount is None:
            raise OSError(f"no cgroup v1 hierarchy with the {controller} controller is mounted")
        folders[controller] = _inside(mount[1], mount[2], own.get(controller, "/")) / PARENT
    return Place(1, folders["memory"], folders["pids"])


@lru_cache(maxsize=4)
def find_place(mountinfo: str = MOUNTINFO, own_cgroup: str = OWN_CGROUP) -> Place | str:
    """Where per-run cgroups go on this machine (a trial run group is made and removed),
    or the reason there is no such place."""
    reasons = []
    try:
        mounts = _mounts(mountinfo)
        own = _own_groups(own_cgroup)
    except OSError as exc:
        return f"cannot read {exc.filename or mountinfo}: {exc.strerror or exc}"
    candidates = []
    for fstype, point, root, _ in mounts:
        if fstype == "cgroup2":
            candidates.append(lambda p=point, r=root: _v2(p, r, own.get("", "/")))
    if any(m[0] == "cgroup" for m in mounts):
        candidates.append(lambda: _v1(mounts, own))
    if not candidates:
        return "no cgroup file system is mounted"
    for make in candidates:
        try:
            place = make()
            trial = RunGroup(place, memory_mb=64, processes=16)
            trial.close()
            return place
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            reasons.append(f"{exc.strerror or exc}{where}")
    return "; ".join(dict.fromkeys(reasons))


def check_caps(wanted: bool) -> None:
    """Make sure each run can be capped as a whole; raise :class:`CapsUnavailable` if not.

    With ``wanted`` False (``--no-cgroup``) this only warns, loudly.
    """
    if not wanted:
        warnings.warn(
            "--no-cgroup: each process of a submission has its own memory limit, but "
            "NOTHING caps a submission as a whole: one that forks can take all of this "
            "machine's memory, and, run as root, a fork bomb runs until the time limit.",
            UncappedWarning, stacklevel=2)
        return
    place = find_place()
    if isinstance(place, str):
        raise CapsUnavailable(
            f"no cgroup with the memory and pids controllers can be made here ({place}), "
            "so a submission's memory and processes cannot be capped as a whole. Run as "
            "root on a machine with cgroup v2 (or v1 memory and pids hierarchies) mounted "
            "writable at /sys/fs/cgroup, or, only for trusted submissions, pass --no-cgroup.")


class RunGroup:
    """The cgroup of one run: made with its limits, joined by the run's first process,
    read for what stopped it, and removed."""

    def __init__(self, place: Place, memory_mb: int, processes: int):
        self.place = place
        self.name = f"run-{os.getpid()}-{next(_COUNTER)}"
        self.folders = place.folders(self.name)
        self.memory, self.pids = self.folders[0], self.folders[-1]
        self.memory_mb, self.processes = memory_mb, processes
        _sweep(place)
        try:
            self._make()
        except OSError:
            self.close()
            raise

    def _make(self) -> None:
        for folder in self.folders:
            for attempt in range(3):  # the last run may remove the parent meanwhile
                try:
                    folder.parent.mkdir(exist_ok=True)
                    if self.place.version == 2:
                        _enable(folder.parent)
                    folder.mkdir()
                    break
                except FileNotFoundError:
                    if attempt == 2:
                        raise
        cap = str(self.memory_mb * 1024 * 1024)
        if self.place.version == 2:
            _write(self.memory / "memory.max", cap)
            if (self.memory / "memory.swap.max").exists():
                _write(self.memory / "memory.swap.max", "0")
        else:
            _write(self.memory / "memory.limit_in_bytes", cap)
            if (self.memory / "memory.memsw.limit_in_bytes").exists():
                _write(self.memory / "memory.memsw.limit_in_bytes", cap)
            else:
                _write(self.memory / "memory.swappiness", "0")
        _write(self.pids / "pids.max", str(self.processes))

    def wrap(self, cmd: list[str]) -> list[str]:
        """``cmd`` started inside this group (it joins before it execs)."""
        return ["/bin/sh", "-c", JOIN_SCRIPT, "osai-cgroup",
                *[str(f / "cgroup.procs") for f in self.folders], "--", *cmd]

    def _counter(self, file: Path, key: str) -> int:
        try:
            for line in file.read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def oom_kills(self) -> int:
        name = "memory.events" if self.place.version == 2 else "memory.oom_control"
        return self._counter(self.memory / name, "oom_kill")

    def process_cap_hit(self) -> bool:
        return self._counter(self.pids / "pids.events", "max") > 0

    def peak_mb(self) -> float | None:
        """The most memory the run's processes held at once, MiB (None if not kept)."""
        name = "memory.peak" if self.place.version == 2 else "memory.max_usage_in_bytes"
        try:
            return round(int((self.memory / name).read_text()) / 2**20, 1)
        except (OSError, ValueError):
            return None

    def verdict(self) -> tuple[str, str] | None:
        """``(status, message)`` when a cap ended or cut the run, from the counters."""
        if self.process_cap_hit():
            return ("too-many-processes", f"too many processes: the submission tried to run "
                    f"more than {self.processes} processes and threads at once (the limit "
                    "for a whole submission) and was stopped")
        kills = self.oom_kills()
        if kills:
            return ("memory-limit", f"memory limit: the submission's processes together "
                    f"reached the {self.memory_mb} MiB limit for a whole submission, and "
                    f"{kills} process(es) were killed; cells that did not run score 0")
        return None

    def close(self) -> None:
        """Kill what is left in the group and remove it (quietly; a leftover empty group
        is removed by a later run)."""
        deadline = time.monotonic() + 10
        for folder in self.folders:
            while folder.is_dir():
                if not _kill_all(folder):
                    try:
                        folder.rmdir()
                        break
                    except OSError:
                        pass
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        for parent in self.place.parents:
            try:
                parent.rmdir()  # the last run leaves nothing behind
            except OSError:
                pass  # other runs are in it, or it is gone


def _kill_all(folder: Path) -> bool:
    """SIGKILL every process in the group; True if there were any."""
    if (folder / "cgroup.kill").exists():
        try:
            _write(folder / "cgroup.kill", "1")
        except OSError:
            pass
    try:
        pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return False
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return bool(pids)


def _sweep(place: Place) -> None:
    """Remove empty run groups left by graders that are gone."""
    for parent in dict.fromkeys([place.memory, place.pids]):
        try:
            leftovers = [p for p in parent.iterdir() if p.name.startswith("run-")]
        except OSError:
            continue
        for folder in leftovers:
            try:
                pid = int(folder.name.split("-")[1])
                os.kill(pid, 0)
                continue  # its grader still runs
            except (ValueError, IndexError):
                continue
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
            try:
                folder.rmdir()
            except OSError:
                pass


class _NoGroup:
    """``--no-cgroup``: the command as it is, no counters."""

    def wrap(self, cmd: list[str]) -> list[str]:
        return cmd

    def process_cap_hit(self) -> bool:
        return False

    def peak_mb(self) -> None:
        return None

    def verdict(self) -> None:
        return None

    def close(self) -> None:
        pass


def run_group(wanted: bool, memory_mb: int, processes: int) -> RunGroup | _NoGroup:
    """The group for one run (a stand-in without counters when ``wanted`` is False).

    Raises :class:`CapsUnavailable` when a group is wanted but cannot be made."""
    if not wanted:
        return _NoGroup()
    place = find_place()
    if isinstance(place, str):
        raise CapsUnavailable(place)
    try:
        return RunGroup(place, memory_mb, processes)
    except OSError as exc:
        raise CapsUnavailable(f"cannot make the run's cgroup: {exc}") from exc
