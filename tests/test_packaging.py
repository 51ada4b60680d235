"""The course package as a wheel: publishable metadata, the course's files inside, and an
installed copy that finds them with no checkout (``osai.paths``)."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import osai
from osai import paths

#: the checkout, found from this file (what osai.paths must agree with)
ROOT = Path(__file__).resolve().parents[1]


def test_a_checkout_reads_its_own_files():
    assert paths.checkout_root() == ROOT
    assert paths.course_root() == ROOT
    from osai.data import data_dir

    assert data_dir() == ROOT / "data"


def test_wheel_metadata_is_ready_to_publish(course_wheel):
    with zipfile.ZipFile(course_wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(meta_name))
    assert meta["Name"] == "osai-course"
    assert meta["Version"] == osai.__version__
    assert meta["License-Expression"] == "MIT AND CC-BY-4.0"
    assert meta["Requires-Python"] == ">=3.11"
    assert meta.get_payload().startswith("# Sustaining open-source AI")  # the README
    runtime = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    names = {r.split(">")[0].split("=")[0].split("[")[0].split(";")[0].strip().lower()
             for r in runtime}
    assert {"pandas", "altair", "myst-nb", "jupyterlab", "anywidget"} <= names
    assert not names & {"jupyter-book", "nbgrader", "pytest", "playwright", "twine"}, names


def test_wheel_carries_the_data_quiz_banks_and_objectives_unchanged(course_wheel):
    wanted = [*sorted((ROOT / "data").glob("*.csv")), ROOT / "data" / "datapackage.json",
              ROOT / "exercises" / "objectives.yml", ROOT / "exercises/quizzes/schema.json",
              *sorted((ROOT / "exercises" / "quizzes").glob("*.yml"))]
    with zipfile.ZipFile(course_wheel) as zf:
        for path in wanted:
            name = f"osai/{paths.PACKAGED}/{path.relative_to(ROOT).as_posix()}"
            assert zf.read(name) == path.read_bytes(), name


def test_installed_copy_finds_its_files_with_no_checkout(course_wheel, tmp_path):
    with zipfile.ZipFile(course_wheel) as zf:
        zf.extractall(tmp_path / "site")
    code = ("import osai, osai.paths, osai.quiz.bank as b, osai.syllabus as c\n"
            "from osai.data import data_dir\n"
            "assert osai.paths.checkout_root() is None, osai.paths.checkout_root()\n"
            "ds = osai.load_dataset()\n"
            "print(osai.__file__); print(data_dir()); print(len(ds.events))\n"
            "print(len(b.load_all())); print(c.chapter_meta('04-community-led')['title'])\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSAI_")}
    env["PYTHONPATH"] = str(tmp_path / "site")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    where, data, events, banks, title = done.stdout.strip().splitlines()[-5:]
    assert where.startswith(str(tmp_path / "site"))
    assert data == str(tmp_path / "site" / "osai" / paths.PACKAGED / "data")
    assert int(events) > 0 and int(banks) >= 7 and title
    # OSAI_DATA_DIR still wins over the packaged copy
    env["OSAI_DATA_DIR"] = str(ROOT / "data")
    done = subprocess.run([sys.executable, "-c", "from osai.data import data_dir; "
                           "print(data_dir())"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == str(ROOT / "data"), done.stderr
