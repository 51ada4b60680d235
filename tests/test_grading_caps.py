"""A submission capped as a whole: each sandbox run in its own cgroup (memory of all its
processes, tmpfs included; processes and threads), ``/dev/shm`` a sized tmpfs.  Real
nbgrader, real bubblewrap, real cgroups, as root.

A module fixture releases assignment 1 and autogrades, with small caps (256 MiB for a whole
submission, 96 processes, 32 MiB of ``/dev/shm``) and ``--jobs 2``, a right answer beside
three submissions that attack the machine rather than the grader:

* ``forks``: five children, each touching 200 MiB (1,000 MiB together, each well under the
  per-process address-space limit);
* ``shm``: 64 MiB written to ``/dev/shm``;
* ``bomb``: 1,000 forks, each child a ``sleep`` (root ignores ``RLIMIT_NPROC``).

Each ends as that student's recorded outcome, the others are graded, and the most memory
each submission's processes held at once (its cgroup's peak) stays within the cap.  The
tests skip, saying why, only where this machine cannot make such a cgroup; there the other
grading tests pass ``--no-cgroup``.
"""

from __future__ import annotations

import threading
import time

import pytest

from harness.grading import A1, cgroup_place, run_pipeline, sandboxed
from osai.instructor.grading.authoring import fill_answers

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:.*not in session.*")]

CAP_MB, PROCESSES, SHM_MB = 256, 96, 32

FORKS = '''import os, time
_kids = []
for _i in range(5):
    _pid = os.fork()
    if _pid == 0:
        _hog = b"x" * (200 * 1024 ** 2)
        time.sleep(3)
        os._exit(0)
    _kids.append(_pid)
print("KIDS", [os.waitpid(_p, 0)[1] for _p in _kids])
'''
SHM = '''_chunk = b"s" * 2 ** 20
with open("/dev/shm/mine", "wb") as _f:
    for _i in range(64):
        _f.write(_chunk)
        _f.flush()
'''
# each child becomes a small sleep at once: forked copies of the kernel that stay Python
# would reach the memory cap before the process cap (also recorded, as memory-limit)
BOMB = '''import os
_n = 0
for _i in range(1000):
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "60"])
    _n += 1
print("FORKED", _n)
'''


@pytest.fixture(scope="module")
def caps_place():
    place = cgroup_place()
    if isinstance(place, str):
        pytest.skip(f"this machine cannot make a cgroup with memory and pids: {place}")
    return place


def _mem_available_mb() -> float:
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@pytest.fixture(scope="module")
def graded(bwrap, caps_place, tmp_path_factory):
    def build(course, name, release_nb, answers):
        return {"correct": fill_answers(release_nb, answers),
                "forks": fill_answers(release_nb, {
                    **answers, "total-funding": FORKS + answers["total-funding"]}),
                "shm": fill_answers(release_nb, {
                    **answers, "years-to-release": SHM + answers["years-to-release"]}),
                "bomb": fill_answers(release_nb, {
                    **answers, "events-per-category": BOMB + answers["events-per-category"]})}

    lowest = [_mem_available_mb()]
    done = threading.Event()

    def sample():  # the host's view, for the record (other work shares this machine)
        while not done.wait(0.05):
            lowest.append(_mem_available_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.monotonic()
    try:
        run = run_pipeline(tmp_path_factory.mktemp("grading-caps"),
                           sandboxed(submission_memory_mb=CAP_MB, processes=PROCESSES,
                                     shm_mb=SHM_MB),
                           assignments=(A1,), submissions=build, after_autograde=False)
    finally:
        done.set()
        sampler.join()
    run.host = {"mem_available_mb_before": lowest[0], "lowest_mb": min(lowest),
                "seconds": time.monotonic() - start}
    return run


def _outcomes(graded):
    return {o.student: o for o in graded.outcomes[A1]}


def test_the_others_are_graded(graded):
    got = _outcomes(graded)
    assert (got["correct"].status, got["correct"].score) == ("graded", 6)
    assert sorted(got) == ["bomb", "correct", "forks", "nofile", "shm"]


def test_forks_that_together_pass_the_cap_end_as_memory_limit(graded):
    o = _outcomes(graded)["forks"]
    assert o.status == "memory-limit", (o.status, o.message)
    assert f"reached the {CAP_MB} MiB limit for a whole submission" in o.message
    assert o.memory_mb is not None and o.memory_mb <= CAP_MB, o.memory_mb


def test_dev_shm_past_its_cap_fails_the_write(graded):
    o = _outcomes(graded)["shm"]
    assert (o.status, o.score) == ("error", 4), (o.status, o.message)
    assert "No space left on device" in o.message
    assert o.memory_mb is not None and o.memory_mb <= CAP_MB


def test_a_thousand_forks_as_root_end_as_too_many_processes(graded):
    o = _outcomes(graded)["bomb"]
    assert o.status == "too-many-processes", (o.status, o.message)
    assert f"more than {PROCESSES} processes" in o.message
    assert o.memory_mb is not None and o.memory_mb <= CAP_MB
    # stopped at the cap, not at the notebook's time limit (120 s in these tests)
    assert o.seconds < 60, o.seconds


def test_every_run_was_capped_and_its_cgroup_removed(graded, caps_place):
    for o in graded.outcomes[A1]:
        if o.student != "nofile":
            assert o.memory_mb is not None and 0 < o.memory_mb <= CAP_MB, o
    mine = [p for parent in caps_place.parents if parent.is_dir()
            for p in parent.iterdir() if p.name.startswith("run-")]
    assert mine == []
    print(f"\nhost: MemAvailable {graded.host['mem_available_mb_before']:.0f} MiB before, "
          f"lowest {graded.host['lowest_mb']:.0f} MiB during ({graded.host['seconds']:.0f} s); "
          "peaks: " + ", ".join(f"{o.student} {o.memory_mb} MiB" for o in graded.outcomes[A1]))
