"""Numbers come from the data: no date, amount, percentage or count is typed into the prose
or into a quiz bank.

The course promises (chapter 1, README) that every number and date in the text is read from
``data/`` at build time.  This test holds the teaching chapters (02-08) and the glossary to
it.  It reads their MyST source, drops what is not prose (code cells, front matter, glue and
citation roles, role targets, labels, directive options, inline code, URLs and list
markers) and fails on any digit left, unless an entry of ``tests/provenance-allowlist.yml``
says why that string is not data (a model's name such as "Llama 2", a chapter number, a
licence's name ...).  A number that is data belongs in ``data/`` with its source and reaches
the prose through ``{glue:text}``.  Figure captions and admonitions are prose and are
scanned too.  The chapters are read with the book's own MyST parser
(:mod:`osai.text.myst`), so code, roles and directives are what Sphinx takes them to be.

The quiz banks (``exercises/quizzes/*.yml``) are held to the same rule: every text a learner
reads (prompts, cases, options, pairs, distractors, feedback, variants) may carry figures
only through placeholders filled from ``data/`` when the bank loads
(:mod:`osai.quiz.facts`: ``{year:EVENT}``, ``{amount:EVENT}``, ``{days_between:A,B}`` ...,
and ``{answer}``), or through the same allowlist (an entry's ``chapters:`` names the bank's
chapter).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from osai import paths, syllabus
from osai.quiz.facts import PLACEHOLDER
from osai.text import myst

ALLOWLIST = Path(__file__).with_name("provenance-allowlist.yml")
#: the welcome page (which makes the promise), the teaching chapters
#: (exercises/objectives.yml) and the glossary
SCANNED = ["01-welcome", *syllabus.chapters(), "glossary"]

#: roles whose content never renders as prose of its own: dropped whole
DROP_ROLES = {"glue", "glue:text", "glue:md", "glue:any", "cite", "cite:p", "cite:t", "numref",
              "eq", "download", "doc"}
#: fences whose body is not prose (a code cell, a code block, a formula)
NOT_PROSE = {"code-cell", "code", "code-block", "sourcecode", "math", "raw", "eval-rst"}
_ROLE_TARGET = re.compile(r"^(?P<text>.*?)\s*<[^<>]*>$", re.S)
_URL = re.compile(r"<?https?://[^\s>)]+>?")
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_OPTION = re.compile(r"^\s*:[\w-]+:")
#: a count, a span of time or a share written in words ("five years", "about half", "twice"):
#: data as much as a digit is ("one" is left out: it is far more often a pronoun)
NUMBER_WORDS = (r"\b(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|"
                r"forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|"
                r"billions?|dozens?|half|halves|twice|thrice|decades?)\b")


def _source(chapter: str) -> str:
    return (paths.project_root() / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")


def _role_text(child) -> str:
    """What a role shows: nothing for glue, citations and references to numbers; the text
    of the others ({term}`text <target>` shows ``text``)."""
    if child.meta.get("name", "") in DROP_ROLES:
        return " "
    match = _ROLE_TARGET.match(child.content)
    return match["text"] if match and match["text"] else child.content


def _inline_lines(token, first: int) -> list[tuple[int, str]]:
    """(1-based line, text) of one inline token, line by line as written in the source."""
    out, line, buf, autolink = [], first, [], False
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            out.append((line, "".join(buf)))
            line, buf = line + 1, []
        elif child.type == "link_open":
            autolink = child.markup in ("autolink", "linkify")
        elif child.type == "link_close":
            autolink = False
        elif child.type == "myst_role":
            buf.append(_role_text(child))
        elif child.type == "text" and not autolink:
            buf.append(child.content)
        elif child.type == "math_inline":
            buf.append(child.content)
        else:  # inline code, HTML tags and comments, an autolink's address: not prose
            buf.append(" ")
    out.append((line, "".join(buf)))
    return out


def _without_options(body: str) -> str:
    """A directive's body with its option lines (``:name: value`` or a ``---`` YAML block)
    blanked, so its lines keep their numbers."""
    lines = body.split("\n")
    n = 0
    while n < len(lines) and _OPTION.match(lines[n]):
        n += 1
    if n == 0 and lines and lines[0].strip() == "---":
        n = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0) + 1
    return "\n" * n + "\n".join(lines[n:])


def _prose(text: str, offset: int = 0) -> list[tuple[int, str]]:
    """(1-based line, text) of every piece of prose of a MyST text, read with the book's
    own MyST parser (:func:`osai.text.myst.tokens`)."""
    out: list[tuple[int, str]] = []
    for tok in myst.tokens(text):
        if tok.type == "inline" and tok.map:
            out += _inline_lines(tok, offset + tok.map[0] + 1)
        elif tok.type == "html_block" and tok.map:
            out += [(offset + tok.map[0] + 1 + i, _TAG.sub(" ", line))
                    for i, line in enumerate(tok.content.split("\n"))]
        elif tok.type in ("fence", "colon_fence") and tok.map:
            name = re.match(r"^\{([^}]*)\}\s*(.*)$", tok.info.strip())
            if name and name.group(1) not in NOT_PROSE:
                # a directive ({admonition}, {glue:figure}, {glossary} ...): its body is
                # prose, and so is an admonition's title
                if name.group(1) == "admonition":
                    out.append((offset + tok.map[0] + 1, name.group(2)))
                out += _prose(_without_options(tok.content), offset + tok.map[0] + 1)
    return out


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, prose) for every line of a MyST source that renders as prose: no front
    matter, code, label, comment, directive option, glue or citation role, role target,
    inline code, URL or list marker."""
    lines: dict[int, list[str]] = defaultdict(list)
    for n, piece in _prose(text):
        lines[n].append(piece)
    return [(n, _URL.sub(" ", " ".join(lines[n]))) for n in sorted(lines)]


def load_allowlist(path: Path = ALLOWLIST) -> list[dict]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for i, e in enumerate(entries):
        where = f"{path.name}, entry #{i + 1}"
        if not isinstance(e, dict) or not (e.get("text") or e.get("pattern")):
            raise ValueError(f"{where}: needs `text:` (an exact string) or `pattern:`")
        if not str(e.get("why", "")).strip():
            raise ValueError(f"{where} ({e.get('text') or e.get('pattern')}): needs `why:`, "
                             "the reason this string is not data")
        if e.get("chapters") is not None and not isinstance(e["chapters"], list):
            raise ValueError(f"{where}: `chapters:` must be a list of chapter ids")
    return entries


def typed_numbers(text: str, allow: list[dict], chapter: str = "") -> list[tuple[int, str, str]]:
    """Digits left in the prose of a MyST source: (line, token, context)."""
    found = []
    for n, line in prose_lines(text):
        for e in allow:
            if e.get("chapters") and chapter not in e["chapters"]:
                continue
            if e.get("text"):
                line = line.replace(e["text"], " ")
            else:
                line = re.sub(e["pattern"], " ", line)
        for m in re.finditer(r"[^\s(]*\d[^\s)]*|" + NUMBER_WORDS, line):
            context = line[max(0, m.start() - 40):m.end() + 40].strip()
            found.append((n, m.group(0), context))
    return found


#: keys of a bank whose values are identifiers or structure, not text a learner reads
BANK_SKIP = {"id", "type", "objective", "section", "events", "compute", "tolerance", "chapter"}
#: banks another branch rewrites to this rule; the lead removes this at merge


def bank_texts(raw: dict) -> list[tuple[str, str, str]]:
    """(question id, where in the question, text) of every text of a parsed bank, with its
    placeholders (``{year:EVENT}`` ..., ``{answer}``) blanked."""
    out: list[tuple[str, str, str]] = []

    def walk(node, qid: str, where: str) -> None:
        if isinstance(node, str):
            out.append((qid, where, PLACEHOLDER.sub(" ", node).replace("{answer}", " ")))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, qid, f"{where}[{i + 1}]")
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in BANK_SKIP:
                    walk(value, qid, f"{where}.{key}" if where else key)

    walk(raw.get("title", ""), "(bank)", "title")
    for i, q in enumerate(raw.get("questions") or []):
        walk(q, str(q.get("id") or f"#{i + 1}"), "")
    return out


def typed_in_bank(raw: dict, allow: list[dict], chapter: str) -> list[tuple[str, str, str]]:
    """Digits left in a bank's texts: (question id, where, token)."""
    found = []
    for qid, where, text in bank_texts(raw):
        for n, tok, _ in typed_numbers(text, allow, chapter):
            found.append((qid, where, tok))
    return found


def _bank(chapter: str) -> dict:
    from osai.quiz.bank import bank_path

    return yaml.safe_load(bank_path(chapter).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def allow():
    return load_allowlist()


@pytest.mark.parametrize("chapter", syllabus.chapters())
def test_no_number_is_typed_into_a_bank(chapter, allow):
    found = typed_in_bank(_bank(chapter), allow, chapter)
    assert not found, (
        f"exercises/quizzes/{chapter}.yml types numbers that are not read from data/ (write a "
        "placeholder such as {year:EVENT} or {amount:EVENT}, see src/osai/quiz/facts.py, or "
        "add the string to tests/provenance-allowlist.yml with the reason it is not data):\n"
        + "\n".join(f"  question {qid}, {where}: {tok!r}" for qid, where, tok in found))


def test_a_typed_figure_in_a_bank_is_found_and_placeholders_pass():
    raw = {"chapter": "03-four-organisations", "questions": [
        {"id": "q1", "type": "single", "prompt": "When did {year:opencv-start} happen?",
         "options": [{"text": "In 1999", "feedback": "Right: {answer} after GPT-2."},
                     {"text": "{amount:openai-microsoft-2019}", "feedback": "No, $1B."}]},
        {"id": "q2", "type": "numeric", "compute": {"days_between": ["a-1", "b-2"]},
         "prompt": "p", "variants": [{"prompt": "Months since 2019?"}]}]}
    found = typed_in_bank(raw, [{"text": "GPT-2", "why": "a name"}], "03-four-organisations")
    assert found == [("q1", "options[1].text", "1999"), ("q1", "options[2].feedback", "$1B."),
                     ("q2", "variants[1].prompt", "2019?")]


@pytest.mark.parametrize("chapter", SCANNED)
def test_no_number_is_typed_into_the_prose(chapter, allow):
    found = typed_numbers(_source(chapter), allow, chapter)
    assert not found, (
        f"chapters/{chapter}.md types numbers that are not read from data/ (glue them from "
        "the data, or add the string to tests/provenance-allowlist.yml with the reason it is "
        "not data):\n" + "\n".join(f"  line {n}: {tok!r} in '{ctx}'" for n, tok, ctx in found))


def test_every_allowlist_entry_is_used(allow):
    """A stale entry could hide a future typed number: each one must still match."""
    texts = {ch: _source(ch) for ch in SCANNED}
    prose = {ch: "\n".join(line for _, line in prose_lines(t)) for ch, t in texts.items()}
    for ch in syllabus.chapters():  # a bank's texts count as its chapter's
        prose[ch] += "\n" + "\n".join(text for *_, text in bank_texts(_bank(ch)))
    for e in allow:
        chapters = e.get("chapters") or SCANNED
        hit = any((e["text"] in prose[ch]) if e.get("text") else re.search(e["pattern"], prose[ch])
                  for ch in chapters)
        assert hit, f"allowlist entry {e.get('text') or e.get('pattern')!r} matches nothing"


# ---------------------------------------------------------------- the scanner itself

FIXTURE = """\
---
jupytext:
  format_version: 0.13
---
(some-label)=
# A chapter

```{code-cell} ipython3
glue("olmo_date", "1 February 2024")
```

OLMo came out on 1 February 2024 and GPT-2 in {glue:text}`gpt2_year` {cite}`c26_gpt2`.
About 60% of {term}`releases <Release 2>` cost $15M; see {numref}`fig-2`.

```{glue:figure} fig_x
:name: fig-x

Models on the Hub (July 2022), from `data/metrics.csv`.
```

1. A discussion question with a list marker.

Willow Garage paid for five years; about half of the code; one of them.
"""


def test_a_typed_number_fails_and_glued_or_allowed_ones_pass():
    allow = [{"text": "GPT-2", "why": "a model's name"}]
    found = typed_numbers(FIXTURE, allow)
    tokens = [tok for _, tok, _ in found]
    # the typed date, percentage, amount and the caption's month are caught ...
    assert tokens == ["1", "2024", "60%", "$15M;", "2022", "five", "half"]
    # ... on the lines where they are written
    assert [n for n, _, _ in found] == [12, 12, 13, 13, 18, 23, 23]
    # glue roles, citations, role targets, labels, code cells, directive options, inline
    # code, list markers and allowlisted names are not prose numbers
    assert not any("gpt2" in ctx or "c26" in ctx or "Release 2" in ctx for *_, ctx in found)


def test_admonitions_tables_and_nested_directives_are_prose_and_code_in_them_is_not():
    text = "\n".join([
        "::::{admonition} Founded in 1999",       # 1
        ":class: tip",                             # 2
        "",                                        # 3
        "| Year | Funding |",                      # 4
        "|---|---|",                               # 5
        "| 2019 | $1B |",                          # 6
        ":::{note}",                               # 7
        ":width: 80%",                             # 8
        "Raised 300 million {cite}`src_2020`.",    # 9
        ":::",                                     # 10
        "```python",                               # 11
        "x = 42",                                  # 12
        "```",                                     # 13
        "::::",                                    # 14
        "$$",                                      # 15
        "s = 1 - x",                               # 16
        "$$",                                      # 17
    ])
    found = [(n, tok) for n, tok, _ in typed_numbers(text, [])]
    assert found == [(1, "1999"), (6, "2019"), (6, "$1B"), (9, "300"), (9, "million")]


def test_without_the_allowlist_a_name_with_a_digit_is_reported():
    assert "GPT-2" in [tok for _, tok, _ in typed_numbers(FIXTURE, [])]


def test_allowlist_entries_need_a_reason(tmp_path):
    bad = tmp_path / "allow.yml"
    bad.write_text("- text: Llama 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="entry #1 .*needs `why:`"):
        load_allowlist(bad)
