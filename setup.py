"""Build step that ships the course's files inside the package (everything else is in
pyproject.toml).

``python -m build`` (or ``pip wheel .``) copies into ``osai/_course/``:
``data/`` (the data package), ``exercises/quizzes/*.yml`` + ``schema.json`` and
``exercises/objectives.yml``, so an installed ``osai`` finds them with no checkout
(:mod:`osai.paths`).  The sdist carries the same files (``MANIFEST.in``), so a wheel built
from the sdist is the same.
"""

from pathlib import Path
import shutil

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
        print(f"setup.py: {copied} course files copied to {target}")


setup(cmdclass={"build_py": BuildWithCourse})
