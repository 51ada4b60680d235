"""Quiz banks in an LMS's own question formats: Moodle XML, IMS QTI 1.2 (Canvas), GIFT.

    osai quiz export --format moodle|qti|gift [chapters...] --out DIR

Every export starts from the loaded bank (:func:`osai.quiz.load_bank`): placeholders
filled, option ids assigned, numeric answers and orders computed from data/; never from the
YAML.  One module per format (:mod:`.moodle_xml`, :mod:`.qti`, :mod:`.gift`); :mod:`.markup`
holds the HTML escaping and the type mapping they share.

Why no library.  Judged on their current PyPI releases, read from source:

* text2qti 0.8.0 (BSD-3): Canvas QTI from a Markdown quiz text.  No matching or ordering
  types, and bank text would go through Markdown (``*``, ``_``, ``<b>`` become markup).
* qti-package-maker 26.7.14 (LGPL-3): its Canvas QTI 1.2 writer has no feedback at all
  and no ordering ("does not implement ORDER items"); its Moodle writer is Aiken (no
  feedback, no matching).
* gift-wrapper 1.8.1: YAML to GIFT for numerical and multiple-choice questions only (no
  matching), and pulls in paramiko (SSH) for image upload.
* txttoqti 0.5.0 (alpha): multiple choice, true/false, short answer, essay; no matching,
  numeric or ordering.

None covers matching, ordering, per-option and general feedback together, so each format
is written here with the standard library (ElementTree, zipfile), following the importer's
own source (Moodle's qformat_xml and qformat_gift, Canvas' QTI exporter).
"""

from __future__ import annotations

import sys
from pathlib import Path

from osai.instructor.quiz_export.markup import FORMATS
from osai.quiz.bank import load_bank
from osai.quiz.quiz_error import QuizError
from osai.syllabus import chapters as all_chapters

__all__ = ["FORMATS", "export_banks", "export_chapters", "render"]


def render(banks: dict[str, dict], fmt: str) -> bytes:
    """The bytes of one format's file for these banks."""
    if fmt == "moodle":
        from osai.instructor.quiz_export.moodle_xml import moodle_xml

        return moodle_xml(banks)
    if fmt == "qti":
        from osai.instructor.quiz_export.qti import qti_zip

        return qti_zip(banks)
    if fmt == "gift":
        from osai.instructor.quiz_export.gift import gift_text

        return gift_text(banks).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def export_banks(banks: dict[str, dict], formats, out: Path) -> list[Path]:
    """Write each format's file for these (loaded) banks into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out / FORMATS[fmt]
        path.write_bytes(render(banks, fmt))
        written.append(path)
    return written


def export_chapters(chapters, formats, out: Path, err=sys.stderr) -> tuple[list[Path], int]:
    """Load each chapter's bank and export the good ones.

    A bank that does not load (an unknown chapter, a broken bank) is reported on one line
    naming its file and question, and left out; the other chapters are still exported.
    Returns (files written, number of banks that failed).
    """
    banks, failed = {}, 0
    for chapter in chapters or all_chapters():
        try:
            bank = load_bank(chapter)
        except QuizError as exc:
            one_line = " ".join(str(exc).split())  # a YAML error spans several lines
            print(f"error: {one_line} (chapter left out of the export)", file=err)
            failed += 1
            continue
        banks[bank["chapter"]] = bank
    if not banks:
        return [], failed
    return export_banks(banks, formats, out), failed
