"""Build step that ships the course's files inside the package (everything else is in
pyproject.toml).

``python -m build`` (or ``pip wheel .``) copies into ``osai/_course/``:
``data/`` (the data package), the quiz banks and ``exercises/objectives.yml``, so an
installed ``osai`` finds them with no checkout (:mod:`osai.paths`).  The banks go in the
learner's form only (``exercises/quizzes/<chapter>.learner.json``, sealed by
:func:`osai.quiz.bank.write_learner_banks`: salted hashes, no answer key); the YAML, which
holds the key, stays in the checkout and the sdist (``MANIFEST.in``), from which the wheel
is built.
"""

from pathlib import Path
import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: (source relative to the project, glob) copied to osai/_course/<source>
COURSE_FILES = (
    ("data", "*.json"),
    ("data", "*.csv"),
    ("data", "*.md"),
    ("exercises", "objectives.yml"),
    ("exercises/quizzes", "*.yml"),
    ("exercises/quizzes", "schema.json"),
)


class BuildWithCourse(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # a checkout reads its own folders
            return
        target = Path(self.build_lib) / "osai" / "_course"
        shutil.rmtree(target, ignore_errors=True)
        copied = 0
        for folder, pattern in COURSE_FILES:
            for source in sorted((HERE / folder).glob(pattern)):
                dest = target / folder / source.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest)
                copied += 1
        if not (target / "data" / "datapackage.json").is_file():
            raise SystemExit(f"setup.py: data/datapackage.json not found under {HERE}")
        _seal_banks(Path(self.build_lib), target / "exercises" / "quizzes")
        print(f"setup.py: {copied} course files copied to {target}, quiz banks sealed")


def _seal_banks(build_lib: Path, quizzes: Path) -> None:
    """Replace the copied YAML banks by their sealed form, with the package just built
    (reading the data and objectives copied beside them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSAI_")}
    env.update(PYTHONPATH=str(build_lib), OSAI_QUIZ_DIR=str(quizzes),
               OSAI_DATA_DIR=str(quizzes.parent.parent / "data"))
    code = ("import sys; from pathlib import Path; from osai.quiz.bank import "
            "write_learner_banks; print(len(write_learner_banks(Path(sys.argv[1]))))")
    done = subprocess.run([sys.executable, "-c", code, str(quizzes)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0 or list(quizzes.glob("*.yml")):
        raise SystemExit(f"setup.py: sealing the quiz banks failed:\n{done.stderr[-3000:]}")


setup(cmdclass={"build_py": BuildWithCourse})
