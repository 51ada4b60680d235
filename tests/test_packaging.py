"""The course package as a wheel: publishable metadata, the course's files inside, and an
installed copy that finds them with no checkout (``osai.paths``)."""

from __future__ import annotations

import email
import io
import json
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


def test_wheel_carries_the_data_and_objectives_unchanged(course_wheel):
    wanted = [*sorted((ROOT / "data").glob("*.csv")), ROOT / "data" / "datapackage.json",
              ROOT / "exercises" / "objectives.yml", ROOT / "exercises/quizzes/schema.json"]
    with zipfile.ZipFile(course_wheel) as zf:
        for path in wanted:
            name = f"osai/{paths.PACKAGED}/{path.relative_to(ROOT).as_posix()}"
            assert zf.read(name) == path.read_bytes(), name


#: what a bank's answer key looks like in YAML or JSON
KEY_MARKS = ("correct: true", '"correct"', '"solution"', '"answer"', "compute:", '"compute"')


def _no_key_in(zf: zipfile.ZipFile, where: str) -> int:
    """Assert no file of the course's banks in a wheel holds a key; returns how many
    sealed banks it holds."""
    banks = [n for n in zf.namelist() if "/exercises/quizzes/" in n]
    assert not [n for n in banks if n.endswith((".yml", ".yaml"))], (where, banks)
    sealed = [n for n in banks if n.endswith(".learner.json")]
    for name in sealed:
        text = zf.read(name).decode("utf-8")
        assert json.loads(text)["form"] == "osai-quiz-sealed/1", name
        for mark in KEY_MARKS:
            assert mark not in text, (where, name, mark)
    return len(sealed)


def test_wheel_and_bundle_hold_the_banks_without_their_keys(course_wheel, bundle_zip):
    bank_files = sorted((ROOT / "exercises" / "quizzes").glob("*.yml"))
    with zipfile.ZipFile(course_wheel) as zf:
        assert _no_key_in(zf, course_wheel.name) == len(bank_files)
    with zipfile.ZipFile(bundle_zip) as bundle:
        wheels = [n for n in bundle.namelist() if n.endswith(".whl")]
        assert len(wheels) == 1
        with zipfile.ZipFile(io.BytesIO(bundle.read(wheels[0]))) as zf:
            assert _no_key_in(zf, wheels[0]) == len(bank_files)
        for name in bundle.namelist():
            if name.endswith((".ipynb", ".md", ".txt")):
                text = bundle.read(name).decode("utf-8")
                assert "correct: true" not in text and '"solution"' not in text, name


def test_installed_copy_finds_its_files_with_no_checkout(course_wheel, tmp_path):
    with zipfile.ZipFile(course_wheel) as zf:
        zf.extractall(tmp_path / "site")
    code = ("import osai, osai.paths, osai.quiz.bank as b, osai.syllabus as c\n"
            "from osai.data import data_dir\n"
            "assert osai.paths.checkout_root() is None, osai.paths.checkout_root()\n"
            "ds = osai.load_dataset()\n"
            "print(osai.__file__); print(data_dir()); print(len(ds.events))\n"
            "print(len([b.learner_bank(ch) for ch in c.chapters()]))\n"
            "print(c.chapter_meta('04-community-led')['title'])\n")
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


def test_installed_copy_checks_and_scores_from_the_sealed_banks(course_wheel, tmp_path):
    """quiz.score from the learner's form alone; the instructor's loader says in one line
    that the keys are in the checkout."""
    import osai.quiz
    from quiz_answers import mixed_answers

    with zipfile.ZipFile(course_wheel) as zf:
        zf.extractall(tmp_path / "site")
    ch = "03-four-organisations"
    answers = mixed_answers(osai.quiz.load_bank(ch))
    want = osai.quiz.score_answers(osai.quiz.load_bank(ch), answers)["score"]
    code = ("import json, sys, osai.quiz\n"
            f"quiz = osai.quiz.show({ch!r})\n"
            "quiz.answers = json.loads(sys.argv[1])\n"
            "print(quiz.score, quiz.total)\n"
            "try:\n"
            f"    osai.quiz.load_bank({ch!r})\n"
            "except osai.quiz.QuizError as exc:\n"
            "    print(exc)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSAI_")}
    env["PYTHONPATH"] = str(tmp_path / "site")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(answers)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    scored, error = done.stdout.strip().splitlines()[-2:]
    assert scored == f"{want} {len(answers)}" and 0 < want < len(answers)
    assert "without their answer keys" in error and "checkout" in error
