"""``osai grade collect`` on hostile and messy LMS downloads, made in the test.

Every entry of every archive gets one line (terminal and ``reports/<a>-collect.csv``):
collected as a student, or skipped with its reason.  Each test also checks that nothing
was written outside the working folder: ``HOME`` points at an empty folder that must stay
empty, and the folder around the working folder holds only what the test put there.
No nbgrader run and no sandbox are needed: the release folder is written by hand.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import uuid
import zipfile
from pathlib import Path

import pytest

from osai.instructor.grading import main as grade_main
from osai.instructor.grading.collect import CollectLimits, collect, report_path
from osai.instructor.grading.workdir import Course, GradingError

A = "01-data-analysis"
NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def env(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, "")  # recorded, so the test's changes are undone after
        monkeypatch.delenv(var)
    work = tmp_path / "work"
    release = work / "release" / A
    release.mkdir(parents=True)
    (release / f"{A}.ipynb").write_text(NB, encoding="utf-8")
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    course = Course.create(workdir=work, assignments_dir=tmp_path / "no-assignments",
                           data_dir=tmp_path / "no-data")
    escape = Path("/tmp") / f"osai-collect-escape-{uuid.uuid4().hex[:8]}"
    yield course, inputs, escape
    # nothing outside the working folder
    assert list(home.iterdir()) == [], list(home.rglob("*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "inputs", "work"]
    assert not escape.exists() and not (tmp_path / "evil.ipynb").exists()
    assert not (work.parent / f"mallory_{A}.ipynb").exists()


def _zip(path: Path, entries: list) -> Path:
    """entries: (name, bytes | str) or a ZipInfo with its data."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in entries:
            info, data = item
            zf.writestr(info, data)
    return path


def _report(course: Course) -> list[dict]:
    with report_path(course, A).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _row(course: Course, entry: str) -> dict:
    rows = [r for r in _report(course) if r["entry"] == entry]
    assert len(rows) == 1, (entry, _report(course))
    return rows[0]


def _run(course, archives, **kwargs):
    lines: list[str] = []
    students = collect(course, A, archives, echo=lines.append, **kwargs)
    assert len(lines) == len(_report(course))  # one line per entry, on screen and in CSV
    return students, lines


def test_well_named_files_are_collected_and_others_say_why(env):
    course, inputs, _ = env
    archive = _zip(inputs / "download.zip", [
        (f"download/alice_{A}.ipynb", NB),
        ("download/", b""),
        ("download/homework.ipynb", NB),           # no student in the name
        ("download/bob_notes.txt", "notes"),       # not a notebook
        ("download/carol_other.ipynb", NB),        # a notebook of another assignment
    ])
    students, lines = _run(course, [archive])
    assert students == ["alice"]
    assert (course.folder("submitted", A, "alice") / f"{A}.ipynb").read_text() == NB
    assert _row(course, f"download/alice_{A}.ipynb")["outcome"] == "collected"
    assert _row(course, f"download/alice_{A}.ipynb")["student"] == "alice"
    assert _row(course, "download/homework.ipynb")["reason"] == "name pattern"
    assert _row(course, "download/bob_notes.txt")["reason"] == "not a notebook"
    assert _row(course, "download/carol_other.ipynb")["reason"] == "not a notebook"
    assert _row(course, "download/")["reason"] == "folder"
    assert f"download.zip: download/alice_{A}.ipynb: collected as student alice " \
           f"({A}.ipynb)" in lines
    assert any(line.startswith("download.zip: download/homework.ipynb: skipped: name pattern")
               for line in lines)


def test_traversal_and_absolute_paths_are_refused_by_name(env):
    course, inputs, escape = env
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr(f"../../mallory_{A}.ipynb", NB)
        zf.writestr(f"ok/dave_{A}.ipynb", NB)
    archive = _zip(inputs / "download.zip", [
        (f"../mallory_{A}.ipynb", NB),
        (f"download/../../../evil_{A}.ipynb", NB),
        (f"..\\..\\win_{A}.ipynb", NB),
        (f"{escape}/eve_{A}.ipynb", NB),
        (f"C:/Users/x/frank_{A}.ipynb", NB),
        ("nested/inner.zip", inner.getvalue()),
    ])
    students, lines = _run(course, [archive])
    assert students == ["dave"]  # from the nested zip
    for name in (f"../mallory_{A}.ipynb", f"download/../../../evil_{A}.ipynb",
                 f"..\\..\\win_{A}.ipynb"):
        assert _row(course, name)["reason"] == "traversal", name
    for name in (f"{escape}/eve_{A}.ipynb", f"C:/Users/x/frank_{A}.ipynb"):
        assert _row(course, name)["reason"] == "absolute path", name
    nested = [r for r in _report(course) if r["archive"] == "download.zip!nested/inner.zip"]
    assert {r["entry"]: r["reason"] for r in nested} == {f"../../mallory_{A}.ipynb":
                                                        "traversal", f"ok/dave_{A}.ipynb": ""}
    assert _row(course, "nested/inner.zip")["outcome"] == "opened"
    assert any("download.zip!nested/inner.zip: ../../mallory_" in line and "traversal" in line
               for line in lines)


def test_a_symlink_entry_is_refused_not_collected(env):
    course, inputs, _ = env
    link = zipfile.ZipInfo(f"download/mallory_{A}.ipynb")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = _zip(inputs / "download.zip", [(link, "/etc/passwd"),
                                             (f"download/alice_{A}.ipynb", NB)])
    students, lines = _run(course, [archive])
    assert students == ["alice"]
    assert _row(course, f"download/mallory_{A}.ipynb")["reason"] == "link"
    assert not course.folder("submitted", A, "mallory").exists()
    assert f"download.zip: download/mallory_{A}.ipynb: skipped: link (symbolic links are " \
           "never followed or made)" in lines


def _bomb(path: Path, name: str, mib: int) -> Path:
    """A zip whose one entry unpacks to ``mib`` MiB of zeros, streamed: never on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as handle:
            chunk = bytes(2 ** 20)
            for _ in range(mib):
                handle.write(chunk)
        zf.writestr(f"download/alice_{A}.ipynb", NB)
    return path


def test_a_zip_bomb_entry_is_too_large_and_never_unpacked(env):
    course, inputs, _ = env
    archive = _bomb(inputs / "bomb.zip", f"download/bomb_{A}.ipynb", 256)
    assert archive.stat().st_size < 2 * 2 ** 20
    students, lines = _run(course, [archive])
    assert students == ["alice"]
    row = _row(course, f"download/bomb_{A}.ipynb")
    assert row["reason"] == "too large" and "--max-entry-mb" in row["detail"]
    assert not course.folder("submitted", A, "bomb").exists()
    used = sum(p.stat().st_size for p in course.workdir.rglob("*") if p.is_file())
    assert used < 4 * 2 ** 20
    assert any("bomb_" in line and "skipped: too large (256.0 MiB unpacked" in line
               for line in lines)


def test_compression_ratio_total_size_and_file_count_limits(env):
    course, inputs, _ = env
    ratio = _bomb(inputs / "ratio.zip", f"download/zero_{A}.ipynb", 5)
    students, _ = _run(course, [ratio])
    row = _row(course, f"download/zero_{A}.ipynb")
    assert row["reason"] == "too large" and "compression ratio" in row["detail"] \
        and "--max-ratio" in row["detail"]
    many = _zip(inputs / "many.zip", [(f"d/s{i}_{A}.ipynb", NB) for i in range(6)])
    students, _ = _run(course, [many], limits=CollectLimits(files=4))
    assert students == ["s0", "s1", "s2", "s3"]
    assert [r["reason"] for r in _report(course)][4:] == ["file count"] * 2
    assert "--max-files" in _report(course)[-1]["detail"]
    students, _ = _run(course, [many], limits=CollectLimits(total_mb=2.5 * len(NB) / 2 ** 20))
    assert students == ["s0", "s1"]
    assert {r["reason"] for r in _report(course)[2:]} == {"too large"}
    assert "--max-total-mb" in _report(course)[-1]["detail"]


def test_duplicates_keep_the_newest_and_say_so(env):
    course, inputs, _ = env
    old = zipfile.ZipInfo(f"a/alice_{A}.ipynb", date_time=(2026, 1, 1, 10, 0, 0))
    new = zipfile.ZipInfo(f"b/alice_{A}.ipynb", date_time=(2026, 1, 2, 10, 0, 0))
    newer_text = NB.replace('"cells": []', '"cells": [] ')
    archive = _zip(inputs / "download.zip", [(new, newer_text), (old, NB)])
    students, lines = _run(course, [archive])
    assert students == ["alice"]
    assert _row(course, f"a/alice_{A}.ipynb")["reason"] == "duplicate"
    assert _row(course, f"b/alice_{A}.ipynb")["outcome"] == "collected"
    assert (course.folder("submitted", A, "alice") / f"{A}.ipynb").read_text() == newer_text
    assert any(f"a/alice_{A}.ipynb: skipped: duplicate" in line for line in lines)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad-crc"])
def test_a_corrupt_archive_is_one_line_and_exit_1(env, capsys, damage):
    course, inputs, _ = env
    good = _zip(inputs / "good.zip", [(f"download/alice_{A}.ipynb", NB * 50)])
    raw = good.read_bytes()
    if damage == "truncated":
        raw = raw[: len(raw) // 2]
    elif damage == "garbage":
        raw = b"this is not a zip file at all\n" * 10
    else:  # flip a byte of the compressed data: the CRC check fails on reading
        i = raw.index(b"alice") + 60
        raw = raw[:i] + bytes([raw[i] ^ 0xFF]) + raw[i + 1:]
    bad = inputs / "download.zip"
    bad.write_bytes(raw)
    with pytest.raises(GradingError) as info:
        collect(course, A, [bad])
    assert "download.zip" in str(info.value)
    code = grade_main(["collect", A, str(bad), "--workdir", str(course.workdir),
                       "--assignments", str(course.assignments_dir),
                       "--data", str(course.data_dir)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    assert "download.zip" in err
    assert not course.folder("submitted", A, "alice").exists()


def test_cli_prints_every_entry_and_the_report(env, capsys):
    course, inputs, _ = env
    archive = _zip(inputs / "download.zip", [(f"download/alice_{A}.ipynb", NB),
                                             ("download/zed_homework.ipynb", "{}"),
                                             ("../evil.ipynb", NB)])
    code = grade_main(["collect", A, str(archive), "--workdir", str(course.workdir),
                       "--assignments", str(course.assignments_dir),
                       "--data", str(course.data_dir)])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert f"download.zip: download/alice_{A}.ipynb: collected as student alice ({A}.ipynb)" \
        in lines
    assert any(line.startswith("download.zip: download/zed_homework.ipynb: skipped: not a "
                               "notebook") for line in lines)
    assert any(line.startswith("download.zip: ../evil.ipynb: skipped: traversal")
               for line in lines)
    assert f"collected 1 submission(s) of {A}: alice" in lines
    assert lines[-1] == f"report: {report_path(course, A)}"
    assert "JUPYTER_CONFIG_DIR" not in os.environ  # set for the command only
    assert (course.workdir / ".jupyter" / "config").is_dir()


# ------------------------------------------------ names: controls, NUL, Unicode, case, depth


def test_control_characters_in_names_are_escaped_one_line_per_entry(env):
    course, inputs, _ = env
    names = [f"dl/bob\n_{A}.ipynb", f"dl/eve\r\x1b[2J_{A}.ipynb", f"dl/\u202egnp.{A}.ipynb",
             "dl/x\u2028y.ipynb"]
    archive = _zip(inputs / "download.zip", [(n, NB) for n in names])
    _students, lines = _run(course, [archive])
    assert all("\n" not in line and "\r" not in line and "\x1b" not in line
               and "\u202e" not in line and "\u2028" not in line for line in lines)
    assert any("dl/bob\\u000a_" in line for line in lines)
    raw = report_path(course, A).read_text(encoding="utf-8")
    assert len(raw.splitlines()) == 1 + len(names)  # one line per entry in the file, too
    assert "\\u001b[2J" in raw and "\\u202e" in raw


def test_a_nul_byte_in_an_entry_name_is_refused(env):
    course, inputs, _ = env
    # zipfile cuts names at NUL when writing, so the byte is put in afterwards
    archive = _zip(inputs / "download.zip", [(f"mallory_{A}.ipynbX../../x", NB)])
    archive.write_bytes(archive.read_bytes().replace(b".ipynbX", b".ipynb\x00"))
    students, lines = _run(course, [archive])
    assert students == []
    row = _report(course)[0]
    assert row["outcome"] == "skipped" and "NUL" in row["detail"]


def test_names_in_any_unicode_normalisation_are_the_same_notebook(env):
    import unicodedata

    course, inputs, _ = env
    name = "caf\u00e9"  # a released notebook with a non-ASCII name
    release = course.workdir / "release" / A
    (release / f"{A}.ipynb").rename(release / f"{name}.ipynb")
    archive = _zip(inputs / "download.zip", [
        (f"dl/alice_{unicodedata.normalize('NFD', name)}.ipynb", NB),  # as macOS writes it
        (f"dl/bob_{name}.ipynb", NB)])
    students, _ = _run(course, [archive])
    assert students == ["alice", "bob"]
    assert (course.folder("submitted", A, "alice") / f"{name}.ipynb").is_file()


def test_student_ids_differing_only_in_case_are_not_collected(env):
    course, inputs, _ = env
    archive = _zip(inputs / "download.zip", [(f"dl/Alice_{A}.ipynb", NB),
                                             (f"dl/alice_{A}.ipynb", NB),
                                             (f"dl/bob_{A}.ipynb", NB)])
    students, lines = _run(course, [archive])
    assert students == ["bob"]
    for name in (f"dl/Alice_{A}.ipynb", f"dl/alice_{A}.ipynb"):
        row = _row(course, name)
        assert row["reason"] == "duplicate" and "letter case" in row["detail"], row
    # a later download that spells a collected id differently is refused too
    again = _zip(inputs / "again.zip", [(f"dl/BOB_{A}.ipynb", NB)])
    students, _ = _run(course, [again])
    assert students == [] and "letter case" in _report(course)[0]["detail"]


def test_a_very_long_student_id_is_refused_with_its_length(env):
    course, inputs, _ = env
    archive = _zip(inputs / "download.zip", [(f"dl/{'a' * 300}_{A}.ipynb", NB)])
    students, _ = _run(course, [archive])
    assert students == []
    row = _report(course)[0]
    assert row["reason"] == "name pattern" and "300 characters" in row["detail"]


def test_zips_nested_past_the_depth_limit_are_not_opened(env):
    course, inputs, _ = env
    data = b""
    for level in range(5, 0, -1):  # level5 inside level4 ... inside level1
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr(f"s{level}_{A}.ipynb", NB)
            if data:
                zf.writestr(f"level{level + 1}.zip", data)
        data = buffer.getvalue()
    archive = _zip(inputs / "download.zip", [("level1.zip", data)])
    students, _ = _run(course, [archive], limits=CollectLimits(depth=3))
    assert students == ["s1", "s2"]
    row = _row(course, "level3.zip")
    assert row["reason"] == "too large" and "nested more than 3 deep" in row["detail"]


def test_two_entries_with_the_same_name_in_one_zip_keep_one(env):
    import warnings

    course, inputs, _ = env
    later = NB.replace('"cells": []', '"cells": [] ')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        archive = _zip(inputs / "download.zip", [(f"dl/alice_{A}.ipynb", NB),
                                                 (f"dl/alice_{A}.ipynb", later)])
    students, lines = _run(course, [archive])
    assert students == ["alice"]
    rows = _report(course)
    assert sorted(r["outcome"] for r in rows) == ["collected", "skipped"]
    assert [r["reason"] for r in rows if r["outcome"] == "skipped"] == ["duplicate"]
    # the later entry wins, as unzip would leave it
    assert (course.folder("submitted", A, "alice") / f"{A}.ipynb").read_text() == later


def test_windows_separators_are_folders_and_drive_names_absolute(env):
    course, inputs, _ = env
    archive = _zip(inputs / "download.zip", [(f"dl\\sub\\alice_{A}.ipynb", NB),
                                             (f"C:bob_{A}.ipynb", NB),
                                             (f"\\\\server\\share\\carol_{A}.ipynb", NB)])
    students, _ = _run(course, [archive])
    assert students == ["alice"]
    assert _row(course, f"C:bob_{A}.ipynb")["reason"] == "absolute path"
    assert _row(course, f"\\\\server\\share\\carol_{A}.ipynb")["reason"] == "absolute path"


def test_a_corrupt_entry_with_a_line_break_in_its_name_is_still_one_line(env, capsys):
    course, inputs, _ = env
    name = f"download/alice\n\x1b[31m_{A}.ipynb"
    raw = _zip(inputs / "good.zip", [(name, NB * 50)]).read_bytes()
    i = raw.index(b"alice") + 60  # past the local header: the CRC check fails on reading
    bad = inputs / "download\nx.zip"
    bad.write_bytes(raw[:i] + bytes([raw[i] ^ 0xFF]) + raw[i + 1:])
    code = grade_main(["collect", A, str(bad), "--workdir", str(course.workdir),
                       "--assignments", str(course.assignments_dir),
                       "--data", str(course.data_dir)])
    _out, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1 and "\x1b" not in err, err
    assert "download\\u000ax.zip" in err and "alice\\u000a\\u001b[31m_" in err
