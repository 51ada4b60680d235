"""Year suffixes for author-year citations: "(OpenAI, 2025a)", "(OpenAI, 2025b)".

sphinxcontrib-bibtex's ``author_year`` style prints an entry's author and ``year`` field, so
two works by one author in one year cite alike ("[Meta, 2023, Meta, 2023]") and a reader
cannot tell which bibliography entry is meant.  Before any page is read, this module gives
each such work a letter after its year, in the citations and in the bibliography alike.

A work is identified by the course source id in its ``note`` ("source S25"), so the same
source cited under several keys (one per chapter's ``.bib`` file) gets the same letter;
an entry without a source id is a work of its own.  Works of one author and year are
lettered in the order of their titles.  Undated works get "n.d.-a", "n.d.-b" (APA style).
"""

from __future__ import annotations

import re
from collections import defaultdict
from string import ascii_lowercase

#: field keeping the year as written in the .bib file, so re-running never adds a second
#: letter (sphinxcontrib-bibtex keeps the parsed data in the cached environment)
ORIGINAL = "osai_year"

_SOURCE = re.compile(r"\bsources?\s+(S\d+)", re.IGNORECASE)


def work_of(key: str, entry) -> str:
    found = _SOURCE.search(entry.fields.get("note", ""))
    return found.group(1) if found else key


def _author(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    return " and ".join(str(p) for p in people)


def _title_key(entry) -> str:
    return re.sub(r"[{}\\]", "", entry.fields.get("title", "")).casefold()


def add_year_suffixes(entries) -> dict[str, str]:
    """Set ``year`` of every entry in ``entries`` (a pybtex ``OrderedCaseInsensitiveDict``
    of key -> Entry) to its lettered form where one author has several works in one year.

    Returns ``{key: new year}`` for the entries that got a letter."""
    works: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key, entry in entries.items():
        entry.fields.setdefault(ORIGINAL, entry.fields.get("year", ""))
        year = entry.fields[ORIGINAL]
        works[(_author(entry), year)][work_of(key, entry)].append(key)
    changed = {}
    for (_, year), by_work in works.items():
        if len(by_work) < 2:
            for keys in by_work.values():
                for key in keys:
                    entries[key].fields["year"] = year
            continue
        if len(by_work) > len(ascii_lowercase):
            raise ValueError(f"more than {len(ascii_lowercase)} works by one author in {year}")
        order = sorted(by_work, key=lambda w: (_title_key(entries[by_work[w][0]]), w))
        for letter, work in zip(ascii_lowercase, order):
            lettered = f"{year}-{letter}" if year == "n.d." else f"{year}{letter}"
            for key in by_work[work]:
                entries[key].fields["year"] = lettered
                changed[key] = lettered
    return changed


def letter_years(app) -> None:
    """``builder-inited``, after sphinxcontrib-bibtex has parsed the .bib files."""
    from sphinx.errors import ExtensionError

    try:
        domain = app.env.get_domain("cite")
    except ExtensionError:  # sphinxcontrib-bibtex not loaded: nothing to letter
        return
    add_year_suffixes(domain.bibdata.data.entries)


# ------------------------------------------------ labels of the bibliography page

def _latex_text(text: str) -> str:
    """A BibTeX field as plain text: LaTeX escapes decoded (``\\&`` -> ``&``), braces gone."""
    import codecs

    import latexcodec  # noqa: F401  (registers the "ulatex" codec; a pybtex dependency)

    try:
        text = codecs.decode(text, "ulatex")
    except Exception:  # noqa: BLE001  (text that is not valid LaTeX stays as written)
        pass
    return text.replace("{", "").replace("}", "")


def author_year(entry) -> str:
    """"OpenAI, 2019a": how a citation names a pybtex entry (the bibliography's labels and
    the exported notebooks' references alike); LaTeX such as ``\\&`` decoded."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_latex_text(" ".join(p.prelast_names + p.last_names)) for p in people]
    if not names:
        names = [_latex_text(entry.fields.get("organization") or entry.fields.get("institution")
                             or entry.fields.get("publisher") or entry.fields.get("title")
                             or entry.key)]
    who = names[0] if len(names) == 1 else (
        f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al.")
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


def shown_url(url: str) -> str:
    """The text a bibliography entry shows for its link: the whole address without its
    scheme ("github.com/opencv/opencv/wiki/Contributors").

    Shown whole, two pages of one repository or site read differently on a printed page;
    and because the text is not the address itself, the theme does not shorten a GitHub
    link to "owner/repo" (it only rewrites links whose text equals their address)."""
    return re.sub(r"^https?://", "", url.strip()).rstrip("/")


def register() -> None:
    """Register the pybtex styles ``osai_author_year`` (labels) and ``osai`` (the alpha
    formatting style with those labels), so the bibliography lists "[OpenAI, 2019a]"
    where a citation reads "(OpenAI, 2019a)"."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.alpha import Style as AlphaStyle
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabelStyle(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            for entry in sorted_entries:
                yield author_year(entry)

    class Style(AlphaStyle):
        default_label_style = "osai_author_year"

        def format_url(self, e):
            from pybtex.style.template import field, href, words

            url = field("url", raw=True)
            if "url" not in e.fields:  # no link: `optional[...]` drops the missing field
                return words["URL:", href(url)[url]]
            return words["URL:", href(url)[shown_url(e.fields["url"])]]

    register_plugin("pybtex.style.labels", "osai_author_year", AuthorYearLabelStyle, force=True)
    register_plugin("pybtex.style.formatting", "osai", Style, force=True)
