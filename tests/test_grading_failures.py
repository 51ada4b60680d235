"""Every failure is one line: a command that meets an ``OSError`` (a read-only folder, a full
disk) ends with one line on stderr naming the path and what to do, exit status 1, and loses
nothing already written.  Real nbgrader, on a working folder made read-only (a read-only
bind mount: ``chmod`` does not stop root) or put on a small tmpfs that is then filled; the
tests mount them as root and skip, saying why, where mounting is not possible.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.grading import A1, gradebook_snapshot, plain_submissions, run_pipeline, unsandboxed
from osai.cli import main as osai_main
from osai.instructor.grading.outcomes import outcome_paths
from osai.instructor.grading.workdir import Course

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:.*not in session.*")]
STUDENTS = ("correct", "wrong", "erroring")


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Course:
    """Assignment 1 released, collected and autograded (three students and ``nofile``)."""
    def build(course, name, release_nb, answers):
        subs = plain_submissions(name, release_nb, answers)
        return {s: subs[s] for s in STUDENTS}

    run = run_pipeline(tmp_path_factory.mktemp("grading-failures"), unsandboxed(),
                       assignments=(A1,), submissions=build, after_autograde=False)
    return run.course


def _run(*args: str) -> list[str]:
    proc = subprocess.run(list(args), capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount here ({' '.join(args)}: {proc.stderr.strip()})")
    return list(args)


@contextmanager
def mounted(*mount_args: str, at: Path):
    at.mkdir(parents=True, exist_ok=True)
    _run("mount", *mount_args, str(at))
    try:
        yield at
    finally:
        subprocess.run(["umount", str(at)], capture_output=True)
        if at.is_mount():
            subprocess.run(["umount", "-l", str(at)], capture_output=True)


def _copy(course: Course, to: Path) -> Course:
    shutil.copytree(course.workdir, to, symlinks=True, dirs_exist_ok=True)
    return Course.create(workdir=to, assignments_dir=course.assignments_dir,
                         data_dir=course.data_dir)


def _feedback(course: Course, capfd) -> tuple[int, str, str]:
    code = osai_main(["grade", "feedback", A1, "--workdir", str(course.workdir),
                      "--assignments", str(course.assignments_dir),
                      "--data", str(course.data_dir)])
    out, err = capfd.readouterr()
    return code, out, err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_only_workdir_during_feedback_is_one_line(work, tmp_path, capfd):
    course = _copy(work, tmp_path / "ro")
    before = (_digest(course.db_path), gradebook_snapshot(course))
    _run("mount", "--bind", str(course.workdir), str(course.workdir))
    try:
        _run("mount", "-o", "remount,bind,ro", str(course.workdir))
        code, out, err = _feedback(course, capfd)
    finally:
        subprocess.run(["umount", str(course.workdir)], capture_output=True)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith("error: osai grade feedback stopped: Read-only file system: "
                               f"{course.workdir / '.lock'} (")
    assert "make it writable, or give the command another folder" in lines[0]
    assert "Traceback" not in out + err
    assert (_digest(course.db_path), gradebook_snapshot(course)) == before


def test_full_disk_during_feedback_is_one_line_and_names_each_student(work, tmp_path, capfd):
    with mounted("-t", "tmpfs", "-o", "size=32m", "tmpfs", at=tmp_path / "full") as disk:
        course = _copy(work, disk / "course-work")
        report, _ = outcome_paths(course, A1)
        before = (_digest(course.db_path), gradebook_snapshot(course), _digest(report))
        with open(disk / "filler", "wb") as filler:  # fill the disk to the last block
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        code, out, err = _feedback(course, capfd)
        after = (_digest(course.db_path), gradebook_snapshot(course), _digest(report))
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, err
    feedback_csv = course.reports_dir / f"{A1}-feedback.csv"
    assert lines[0].startswith("error: osai grade feedback stopped: No space left on device: "
                               f"{feedback_csv} (the disk is full: free some space"), lines[0]
    assert "Logging error" not in err and "Traceback" not in out + err
    assert "nbgrader's log" in lines[0]  # its failures are folded into the line
    for student in STUDENTS:  # each student's failure is reported, with the reason
        assert f"  {student}: failed (nbgrader: OSError: [Errno 28] No space left on " \
               "device" in out, out
    assert f"ACTION NEEDED for {len(STUDENTS)} student(s)" in out
    assert after == before  # the gradebook and the autograde report are intact


def test_any_osai_command_meeting_a_read_only_folder_is_one_line(tmp_path, capfd):
    folder = tmp_path / "ro"
    folder.mkdir()
    with mounted("--bind", str(folder), at=folder):
        _run("mount", "-o", "remount,bind,ro", str(folder))
        code = osai_main(["quiz", "handouts", "--out", str(folder / "handouts")])
    out, err = capfd.readouterr()
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, err
    assert lines[0] == (f"error: osai quiz stopped: Read-only file system: {folder / 'handouts'} "
                        "(the folder is on a read-only file system: make it writable, or give "
                        "the command another folder)")
