"""Every source can be checked: the bibliography links to the document read, with its date,
and no two sources look alike on the page.

The bibliography (``chapters/references.bib`` and ``chapters/refs/*.bib``) and the data's
``data/sources.csv`` describe the same works; an entry's ``note`` names its source id
("source S25").  A link to a site's home page (``https://www.reuters.com/``) does not let a
reader find the article, so it fails here, as does an entry whose shown link text repeats
another's (the theme used to shorten every GitHub link to "owner/repo").
"""

from __future__ import annotations

import csv
from urllib.parse import urlparse

import pytest
from pybtex.database import parse_file

from osai.book.citations import shown_url, work_of
from osai.paths import course_root

ROOT = course_root()
BIB_FILES = [ROOT / "chapters" / "references.bib", *sorted((ROOT / "chapters" / "refs").glob("*.bib"))]
#: entries that are not documents on the web: the course's own seed text
NO_ADDRESS = {"casestudy"}


def _entries():
    out = {}
    for path in BIB_FILES:
        for key, entry in parse_file(str(path)).entries.items():
            out[key] = (path.name, entry)
    return out


def _sources() -> dict[str, dict]:
    with open(ROOT / "data" / "sources.csv", newline="", encoding="utf-8") as fh:
        return {row["source_id"]: row for row in csv.DictReader(fh)}


def is_home_page(url: str) -> bool:
    """A site's front page: no path beyond "/" and no query."""
    parts = urlparse(url)
    return parts.path.strip("/") == "" and not parts.query


def test_home_pages_are_recognised():
    assert is_home_page("https://www.reuters.com/") and is_home_page("https://frenchmorning.com")
    assert not is_home_page("https://www.fastcompany.com/3054593/")
    assert not is_home_page("https://aws.amazon.com/marketplace/seller-profile?id=x")


@pytest.mark.parametrize("key", sorted(_entries()))
def test_an_entry_links_to_the_document_read_or_says_why_not(key):
    name, entry = _entries()[key]
    url = entry.fields.get("url", "")
    note = entry.fields.get("note", "")
    if url:
        assert not is_home_page(url), f"{name}: {key} links to a home page ({url})"
    elif key not in NO_ADDRESS:
        assert "not recorded" in note, (
            f"{name}: {key} has no url; its note must say what was read and that the "
            "address was not recorded")
    assert entry.fields.get("year"), f"{name}: {key} has no year"


def test_the_data_sources_link_to_the_document_read_or_say_why_not():
    for sid, row in _sources().items():
        if row["url"]:
            assert not is_home_page(row["url"]), f"data/sources.csv, {sid}: home page {row['url']}"
        else:
            assert "not recorded" in row["confidence_note"], (
                f"data/sources.csv, {sid}: no url, and confidence_note does not say why")


def test_an_entry_and_its_source_give_the_same_address():
    sources = _sources()
    for key, (name, entry) in _entries().items():
        sid = work_of(key, entry)
        if sid in sources and entry.fields.get("url") and sources[sid]["url"]:
            a, b = entry.fields["url"].rstrip("/"), sources[sid]["url"].rstrip("/")
            assert a == b or a.startswith(b) or b.startswith(a), (
                f"{name}: {key} links to {a}, data/sources.csv {sid} to {b}")


def test_no_two_entries_show_the_same_link_text():
    shown = {}
    for key, (name, entry) in _entries().items():
        url = entry.fields.get("url")
        if not url:
            continue
        text = shown_url(url)
        assert text != url, "the shown text must differ from the address (else it is shortened)"
        other = shown.setdefault(text, key)
        assert other == key, f"{key} and {other} both show {text!r}"
    # the four OpenCV pages on GitHub read differently
    opencv = [t for t in shown if t.startswith("github.com/opencv/opencv")]
    assert len(opencv) >= 4 and len(set(opencv)) == len(opencv)


def test_shown_url_keeps_the_whole_address():
    assert shown_url("https://github.com/opencv/opencv/wiki/Contributors") == \
        "github.com/opencv/opencv/wiki/Contributors"
    assert shown_url("https://github.com/opencv/opencv/pull/18073") != \
        shown_url("https://github.com/opencv/opencv/wiki/Contributors")
