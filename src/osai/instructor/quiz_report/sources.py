"""Turn the command line's FILES (progress files, folders, LMS CSV exports) into answers.

* a ``.json`` file: a progress file (:mod:`.progress`), one learner, named by its path;
* a ``.zip`` file: an LMS's download of the submissions, every ``.json`` entry a progress
  file named by its path in the archive (:mod:`.archive`);
* a folder: every ``*.json`` and ``*.zip`` below it, recursively, in path order;
* any other file: a table (:mod:`.csvtable`), read as Moodle's interactions report
  (:mod:`.moodle_interactions`) or as the generic layout (:mod:`.generic`) by its header; a
  table with other headers is skipped as foreign.

When one learner answers the same question in several inputs, the answer read last (for
LMS exports: of the latest attempt) is the one reported.
"""

from __future__ import annotations

from pathlib import Path

from osai.instructor.quiz_report.archive import read_archive
from osai.instructor.quiz_report.csvtable import TableError, read_table
from osai.instructor.quiz_report.generic import generic_columns, read_generic
from osai.instructor.quiz_report.moodle_interactions import is_moodle, read_moodle
from osai.instructor.quiz_report.progress import read_progress
from osai.instructor.quiz_report.records import Answer, Reading, Skip, cap_skips

__all__ = ["read_inputs"]


def _expand(paths: list[Path]) -> list[tuple[Path, str] | Skip]:
    out: list[tuple[Path, str] | Skip] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in (".json", ".zip"))
            if not found:
                out.append(Skip(str(path), "folder holds no .json progress files or zips"))
            out.extend((p, str(p)) for p in found)
        elif path.is_file():
            out.append((path, str(path)))
        else:
            out.append(Skip(str(path), "no such file or folder"))
    return out


def _read_one(path: Path, label: str, banks: dict[str, dict]) -> Reading:
    if path.suffix.lower() == ".json":
        return read_progress(path, label, banks)
    if path.suffix.lower() == ".zip":
        return read_archive(path, label, banks)
    try:
        header, rows = read_table(path)
    except TableError as exc:
        return Reading(skips=[Skip(label, str(exc))])
    if is_moodle(header):
        return read_moodle(header, rows, label, banks)
    if generic_columns(header) is not None:
        return read_generic(header, rows, label, banks)
    shown = ", ".join(header[:6]) + (", ..." if len(header) > 6 else "")
    return Reading(skips=[Skip(label, f"foreign CSV headers ({shown}): neither Moodle's "
                                      "interactions report nor learner/interaction_id/"
                                      "student_response columns")])


def read_inputs(paths: list[Path], banks: dict[str, dict]) -> Reading:
    """Every answer of every input (one per learner and question) and every skip."""
    total = Reading()
    chosen: dict[tuple[str, str, str], Answer] = {}
    for item in _expand(paths):
        if isinstance(item, Skip):
            total.skips.append(item)
            continue
        try:
            reading = _read_one(*item, banks)
        except (RecursionError, TypeError, ValueError, OverflowError, MemoryError) as exc:
            # a reader's fault on hostile input: this input is one line, the rest goes on
            reading = Reading(skips=[Skip(item[1], f"could not be read "
                                                   f"({type(exc).__name__})")])
        total.skips.extend(cap_skips(reading.skips))
        for ans in reading.answers:
            key = (ans.learner, ans.chapter, ans.question)
            if key not in chosen or chosen[key].attempt <= ans.attempt:
                chosen[key] = ans
    total.answers = list(chosen.values())
    return total
