"""Author-year citations of one author's works in one year get letters (osai.book.citations)."""

from __future__ import annotations

from pybtex.database import BibliographyData, Entry, Person

from osai.book.citations import add_year_suffixes


def _entry(title: str, year: str, note: str = "") -> Entry:
    e = Entry("misc", fields={"title": title, "year": year, "note": note})
    e.persons["author"] = [Person("{OpenAI}")]
    return e


def test_works_of_one_author_and_year_get_letters_by_title_and_keys_of_one_source_share_one():
    data = BibliographyData()
    data.add_entry("a_readme", _entry("openai/gpt-oss: {README}", "2025", "source S28"))
    data.add_entry("b_readme", _entry("openai/gpt-oss: README", "2025", "Source S28"))
    data.add_entry("structure", _entry("Evolving our structure", "2025", "source S24"))
    data.add_entry("lp", _entry("{OpenAI} {LP}", "2019", "source S17"))
    data.add_entry("undated1", _entry("The {MIT License}", "n.d."))
    data.add_entry("undated2", _entry("{Apache License}, Version 2.0", "n.d."))
    changed = add_year_suffixes(data.entries)
    years = {k: e.fields["year"] for k, e in data.entries.items()}
    assert years == {"a_readme": "2025b", "b_readme": "2025b", "structure": "2025a",
                     "lp": "2019", "undated1": "n.d.-b", "undated2": "n.d.-a"}
    assert set(changed) == {"a_readme", "b_readme", "structure", "undated1", "undated2"}
    # the parsed data are cached between builds: a second run adds no second letter
    add_year_suffixes(data.entries)
    assert {k: e.fields["year"] for k, e in data.entries.items()} == years


def test_the_book_has_one_bibliography_key_per_source():
    """Two keys for one source would list it twice in the bibliography."""
    import yaml
    from pybtex.database import parse_file

    from osai.book.citations import work_of
    from osai.paths import course_root

    root = course_root()
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for name in config["bibtex_bibfiles"]:
        for key, entry in parse_file(str(root / name)).entries.items():
            work = work_of(key, entry)
            assert work not in seen, f"{name}: {key} repeats source {work} (cite {seen[work]})"
            seen[work] = key
