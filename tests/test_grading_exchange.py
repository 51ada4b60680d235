"""``osai grade collect --exchange`` on a hand-made, messy and hostile inbound folder.

The inbound folder of nbgrader's exchange is writable by every student, so what is in it
is not to be trusted: a folder can name another student, hold links, pipes, huge files or a
forged secret.  Each folder and each file gets one line in the collect report; only each
student's newest folder that they own is taken, and only its notebooks and nbgrader's two
small files.  Students are existing system users (``nobody``, ``daemon``), so the owner
check is real; making files owned by them needs root (CI runs as root).  The whole loop on
a real hub is ``tests/test_hub_class.py``.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import time
from datetime import datetime, timedelta, timezone

import pytest

from osai.instructor.grading import main as grade_main
from osai.instructor.grading.collect import CollectLimits
from osai.instructor.grading.exchange import collect_exchange
from osai.instructor.grading.workdir import Course, GradingError

A = "01-data-analysis"
NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
SECRET = "ab" * 64

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="files owned by other users: root")


def _uid(name: str) -> int:
    return pwd.getpwnam(name).pw_uid


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    work = tmp_path / "work"
    release = work / "release" / A
    release.mkdir(parents=True)
    (release / f"{A}.ipynb").write_text(NB, encoding="utf-8")
    exchange = tmp_path / "exchange"
    (exchange / "osai" / "inbound").mkdir(parents=True)
    return Course.create(workdir=work, assignments_dir=tmp_path / "none",
                         data_dir=tmp_path / "none", exchange=exchange)


def _submission(course: Course, owner: str, name: str, files: dict[str, bytes | str]) -> str:
    folder = course.exchange / "osai" / "inbound" / name
    folder.mkdir()
    for file, data in files.items():
        path = folder / file
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        os.chown(path, _uid(owner), -1)
    os.chown(folder, _uid(owner), -1)
    return name


#: submissions made "now": nbgrader's stamp a little before the files are written (within
#: the two minutes collect allows between the two); set afresh for each test, since a whole
#: run takes longer than that
NOW = datetime.now(timezone.utc)


@pytest.fixture(autouse=True)
def _now():
    global NOW
    NOW = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=30)


def _stamp(second: int, base: datetime | None = None) -> str:
    return ((base or NOW) + timedelta(seconds=second)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def _report(course: Course) -> dict[str, dict]:
    path = course.reports_dir / f"{A}-collect.csv"
    return {r["entry"]: r for r in csv.DictReader(open(path, encoding="utf-8"))}


def test_only_each_students_newest_own_submission_is_taken(course):
    older = _submission(course, "nobody", f"nobody+{A}+{_stamp(1)}+aaaa",
                        {f"{A}.ipynb": NB.replace("[]", '[{"cell_type": "raw", "source": '
                                                  '"old", "metadata": {}}]', 1)})
    newer = _submission(course, "nobody", f"nobody+{A}+{_stamp(5)}+bbbb",
                        {f"{A}.ipynb": NB, "timestamp.txt": _stamp(5),
                         "submission_secret.txt": SECRET, "notes.txt": "my notes"})
    forged = _submission(course, "daemon", f"nobody+{A}+{_stamp(9)}+cccc", {f"{A}.ipynb": NB})
    ghost = _submission(course, "daemon", f"no-such-user-x+{A}+{_stamp(2)}+dddd",
                        {f"{A}.ipynb": NB})
    badtime = _submission(course, "daemon", f"daemon+{A}+yesterday+eeee", {f"{A}.ipynb": NB})
    other = _submission(course, "daemon", f"daemon+02-comparison-chart+{_stamp(3)}+ffff",
                        {"02-comparison-chart.ipynb": NB})
    lines: list[str] = []
    assert collect_exchange(course, A, echo=lines.append) == ["nobody"]
    report = _report(course)
    assert report[older]["reason"] == "duplicate" and newer in report[older]["detail"]
    assert report[forged]["reason"] == "owner"
    assert "belongs to daemon" in report[forged]["detail"]
    assert report[ghost]["reason"] == "owner" and "no Unix user" in report[ghost]["detail"]
    assert report[badtime]["reason"] == "name pattern"
    assert other not in report  # another assignment's submissions are not this one's
    assert report[f"{newer}/notes.txt"]["reason"] == "not a notebook"
    assert report[f"{newer}/{A}.ipynb"]["outcome"] == "collected"
    assert len(lines) == len(report)
    folder = course.folder("submitted", A, "nobody")
    assert sorted(p.name for p in folder.iterdir()) == [f"{A}.ipynb", "submission_secret.txt",
                                                       "timestamp.txt"]
    assert (folder / f"{A}.ipynb").read_text() == NB  # the newest, not the older one
    assert (folder / "timestamp.txt").read_text().strip() == _stamp(5)
    assert (folder / "submission_secret.txt").read_text() == SECRET


def test_a_file_another_user_dropped_in_a_submission_is_refused(course):
    """nbgrader leaves submission folders writable by everyone: a file must belong to the
    student whose folder it is in."""
    name = _submission(course, "nobody", f"nobody+{A}+{_stamp(1)}+aaaa", {})
    folder = course.exchange / "osai" / "inbound" / name
    (folder / f"{A}.ipynb").write_text(NB)
    os.chown(folder / f"{A}.ipynb", _uid("daemon"), -1)
    assert collect_exchange(course, A) == []
    entry = _report(course)[f"{name}/{A}.ipynb"]
    assert entry["reason"] == "owner" and "belongs to daemon" in entry["detail"]


def test_links_pipes_huge_files_and_forged_secrets_are_refused(course, tmp_path):
    private = tmp_path / "gradebook.db"
    private.write_text("the instructor's own file")
    name = _submission(course, "nobody", f"nobody+{A}+{_stamp(1)}+aaaa",
                       {"submission_secret.txt": "not a secret; rm -rf /"})
    folder = course.exchange / "osai" / "inbound" / name
    (folder / f"{A}.ipynb").symlink_to(private)
    os.mkfifo(folder / "pipe.ipynb")
    link_folder = course.exchange / "osai" / "inbound" / f"daemon+{A}+{_stamp(2)}+link"
    link_folder.symlink_to(folder)
    big = _submission(course, "daemon", f"daemon+{A}+{_stamp(3)}+big",
                      {f"{A}.ipynb": b"x" * (2 * 2 ** 20)})
    students = collect_exchange(course, A, limits=CollectLimits(entry_mb=1))
    assert students == []
    report = _report(course)
    assert report[f"{name}/{A}.ipynb"]["reason"] == "link"
    assert report[f"{name}/pipe.ipynb"]["reason"] == "link"
    assert report[f"{name}/submission_secret.txt"]["reason"] == "corrupt"
    assert report[link_folder.name]["reason"] == "link"
    assert report[f"{big}/{A}.ipynb"]["reason"] == "too large"
    assert not course.folder("submitted", A, "nobody").exists()
    assert "instructor" not in "".join(p.read_text(errors="replace")
                                       for p in course.workdir.rglob("*") if p.is_file())


def test_the_command_takes_downloads_or_the_exchange_not_both(course, tmp_path, capsys):
    common = ["--workdir", str(course.workdir), "--assignments", str(tmp_path / "none"),
              "--data", str(tmp_path / "none")]
    download = tmp_path / "download.zip"
    download.write_bytes(b"")
    code = grade_main(common + ["--exchange", str(course.exchange), "collect", A,
                                str(download)])
    assert code == 1 and "one of the two" in capsys.readouterr().err
    code = grade_main(common + ["collect", A])
    assert code == 1 and "one of the two" in capsys.readouterr().err
    code = grade_main(common + ["collect", A, str(download), "--trust-folder-names"])
    assert code == 1 and "for --exchange only" in capsys.readouterr().err
    code = grade_main(common + ["--exchange", str(course.exchange), "collect", A,
                                "--preset", "canvas"])
    assert code == 1 and "--preset and --regexp" in capsys.readouterr().err
    code = grade_main(common + ["--exchange", str(course.exchange), "collect", A])
    assert code == 0, capsys.readouterr().err
    assert "collected 0 submission(s)" in capsys.readouterr().out


def test_a_course_id_is_a_folder_name():
    with pytest.raises(GradingError, match="course-id"):
        Course.create(workdir="/tmp/x", assignments_dir="/tmp/x", data_dir="/tmp/x",
                      course_id="../other-course")


def test_trusting_folder_names_takes_a_folder_whatever_its_owner(course):
    """Zero to JupyterHub runs every learner as one Unix user: the owner cannot tell them
    apart, and --trust-folder-names takes the name alone (the rest of the checks stay)."""
    name = _submission(course, "daemon", f"jovyan-ada+{A}+{_stamp(1)}+aaaa",
                       {f"{A}.ipynb": NB})
    assert collect_exchange(course, A) == []
    assert _report(course)[name]["reason"] == "owner"
    assert collect_exchange(course, A, trust_names=True) == ["jovyan-ada"]


def test_releasing_to_a_missing_exchange_says_how_to_make_it(course, tmp_path):
    from osai.instructor.grading.exchange import release_to_exchange

    gone = Course.create(workdir=course.workdir, assignments_dir=tmp_path / "none",
                         data_dir=tmp_path / "none", exchange=tmp_path / "no-exchange")
    with pytest.raises(GradingError, match="chmod 1777"):
        release_to_exchange(gone, A)


def test_a_backdated_submission_gets_the_time_its_files_changed(course):
    """The folder's name and timestamp.txt are the student's to write; the kernel's change
    time of the files is not: a submission claiming yesterday is taken as of now."""
    yesterday = _stamp(0, NOW - timedelta(days=1))
    name = _submission(course, "nobody", f"nobody+{A}+{yesterday}+aaaa",
                       {f"{A}.ipynb": NB, "timestamp.txt": yesterday})
    honest = _submission(course, "daemon", f"daemon+{A}+{_stamp(1)}+bbbb",
                         {f"{A}.ipynb": NB, "timestamp.txt": "not a time at all"})
    assert collect_exchange(course, A) == ["daemon", "nobody"]
    assert "claimed, but the files last changed" in _report(course)[name]["detail"]
    # the student's own timestamp.txt is never taken: the folder name's time is
    assert _report(course)[f"{honest}/timestamp.txt"]["reason"] == "timestamp"
    assert (course.folder("submitted", A, "daemon") / "timestamp.txt").read_text().strip() \
        == _stamp(1)
    taken = (course.folder("submitted", A, "nobody") / "timestamp.txt").read_text().strip()
    when = datetime.strptime(taken, "%Y-%m-%d %H:%M:%S.%f UTC").replace(tzinfo=timezone.utc)
    assert abs((when - datetime.now(timezone.utc)).total_seconds()) < 120, taken


def test_a_forged_time_or_a_hostile_name_never_wins_nor_stops_collect(course, monkeypatch):
    """Folder names are the students' to write: a time in year 999 (which would sort
    after every real one as text), a time zone dateutil chokes on, a time in the future, or
    bytes that are not UTF-8 are each one refused line; the student's honest folder is
    taken, and the machine's time zone changes nothing."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        honest = _submission(course, "nobody", f"nobody+{A}+{_stamp(1)}+aaaa",
                             {f"{A}.ipynb": NB})
        forged = [_submission(course, "nobody", f"nobody+{A}+{stamp}+{tag}", {f"{A}.ipynb": NB})
                  for stamp, tag in (("0999-01-01 00:00:00.000000 UTC", "old"),
                                     ("2024-01-01 00:00:00 ..", "tz"),
                                     (_stamp(3600), "future"))]
        raw = os.fsencode(course.exchange / "osai" / "inbound") + \
            f"/\xff+{A}+{_stamp(2)}+x".encode("latin-1")
        os.mkdir(raw)
        assert collect_exchange(course, A) == ["nobody"]
        report = _report(course)
        # year 999 is a time, only an old one: never the newest (compared as times, not
        # text); alone, it would get the files' change time (the backdating test)
        assert report[forged[0]]["reason"] == "duplicate", report[forged[0]]
        for name in forged[1:]:
            assert report[name]["reason"] == "name pattern", report[name]
        assert any(r["reason"] == "name pattern" and "\\udcff" in e for e, r in report.items())
        stamp = (course.folder("submitted", A, "nobody") / "timestamp.txt").read_text()
        assert stamp.strip() == _stamp(1), (honest, stamp)  # not shifted by the time zone
    finally:
        monkeypatch.undo()
        time.tzset()


def test_one_students_many_folders_do_not_crowd_out_the_class(course):
    for i in range(4):
        _submission(course, "daemon", f"daemon+{A}+{_stamp(i)}+{i:04d}", {})
    _submission(course, "nobody", f"nobody+{A}+{_stamp(1)}+zzzz", {f"{A}.ipynb": NB})
    assert collect_exchange(course, A, limits=CollectLimits(files=3)) == ["nobody"]
    reasons = [r["reason"] for e, r in _report(course).items() if e.startswith("daemon+")
               and "/" not in e]
    assert reasons.count("file count") == 1


def test_a_newer_folder_with_nothing_to_take_leaves_the_older_one(course):
    """A student's newest folder that yields no notebook (here a hard link to a file
    elsewhere, which is never taken: it could be another user's) does not hide their
    older, valid submission."""
    older = _submission(course, "nobody", f"nobody+{A}+{_stamp(1)}+aaaa", {f"{A}.ipynb": NB})
    newer = _submission(course, "nobody", f"nobody+{A}+{_stamp(5)}+bbbb", {})
    elsewhere = course.exchange / "elsewhere.ipynb"
    elsewhere.write_text(NB)
    os.chown(elsewhere, _uid("nobody"), -1)
    os.link(elsewhere, course.exchange / "osai" / "inbound" / newer / f"{A}.ipynb")
    assert collect_exchange(course, A) == ["nobody"]
    report = _report(course)
    assert "hard link" in report[f"{newer}/{A}.ipynb"]["detail"]
    assert "an older submission is tried" in report[newer]["detail"]
    assert report[f"{older}/{A}.ipynb"]["outcome"] == "collected"


def test_feedback_withheld_now_is_taken_back_from_the_exchange(course):
    """A page released by an earlier run stays fetchable unless taken back: when this run
    withholds a student's feedback (a hidden-test line in it), it is removed."""
    from nbgrader.utils import notebook_hash

    from osai.instructor.grading.exchange import withdraw_feedback

    submitted = course.folder("submitted", A, "nobody")
    submitted.mkdir(parents=True)
    (submitted / "submission_secret.txt").write_text(SECRET)
    outbound = course.exchange / "osai" / "feedback"
    outbound.mkdir()
    page = outbound / f"{notebook_hash(secret=SECRET, notebook_id=A)}.html"
    page.write_text("<p>the old page</p>")
    other = outbound / "someone-else.html"
    other.write_text("<p>another student's page</p>")
    lines: list[str] = []
    assert withdraw_feedback(course, A, ["nobody", "daemon"], echo=lines.append) == ["nobody"]
    assert not page.exists() and other.exists()
    assert lines == ["nobody: the feedback released before was taken back from the exchange"]
