"""Numbers come from the data: no date, amount, percentage or count is typed into the prose.

The course promises (chapter 1, README) that every number and date in the text is read from
``data/`` at build time.  This test holds the teaching chapters (02-08) and the glossary to
it.  It reads their MyST source, drops what is not prose (code cells, front matter, glue and
citation roles, role targets, labels, directive options, inline code, URLs and list
markers) and fails on any digit left, unless an entry of ``tests/provenance-allowlist.yml``
says why that string is not data (a model's name such as "Llama 2", a chapter number, a
licence's name ...).  A number that is data belongs in ``data/`` with its source and reaches
the prose through ``{glue:text}``.  Figure captions and admonitions are prose and are
scanned too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = Path(__file__).with_name("provenance-allowlist.yml")
SCANNED = ["02-why-open-source-ai", "03-four-organisations", "04-community-led",
           "05-investor-led", "06-big-tech", "07-trade-offs", "08-choosing-a-model",
           "glossary"]

_FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})\s*(\{[^}]*\}|[\w-]*)?")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_LABEL = re.compile(r"^\s*\([^()\s]+\)=\s*$")
#: roles whose content never renders as prose of its own: drop them whole
_DROP_ROLE = re.compile(r"\{(?:glue|glue:text|glue:md|glue:any|cite|cite:p|cite:t|numref|"
                        r"eq|download|doc)\}`[^`]*`")
#: other roles ({term}, {ref}, ...): keep the display text, drop an explicit <target>
_ROLE = re.compile(r"\{[\w:.-]+\}`([^`<]*?)\s*(?:<[^`>]*>)?`")
_INLINE_CODE = re.compile(r"``[^`]+``|`[^`]+`")
_URL = re.compile(r"<?https?://[^\s>)]+>?")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LIST_MARKER = re.compile(r"^(\s*)\d+[.)]\s")
_COMMENT = re.compile(r"<!--.*?-->")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, prose) for every line of a MyST source that renders as prose."""
    lines = text.splitlines()
    out: list[tuple[int, str]] = []
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0) + 1
    stack: list[tuple[str, bool]] = []  # open fences: (marker, is the body prose?)
    for n, line in enumerate(lines[start:], start + 1):
        stripped = line.strip()
        m = _FENCE.match(stripped)
        if m:
            marker, info = m.group(1), m.group(2) or ""
            if stack and stripped == stack[-1][0] or (
                    stack and stripped.startswith(stack[-1][0][0]) and
                    set(stripped) == {stack[-1][0][0]} and len(stripped) >= len(stack[-1][0])):
                stack.pop()
                continue
            # a directive ({glue:figure}, {admonition}, {glossary} ...) has a prose body;
            # a code cell or a plain code block has none
            prose_body = info.startswith("{") and info not in ("{code-cell}",) and \
                not info.startswith("{code")
            if stack and not stack[-1][1]:
                prose_body = False
            stack.append((marker, prose_body))
            continue
        if stack and not stack[-1][1]:
            continue
        if stack and _OPTION.match(line):
            continue
        if _LABEL.match(line):
            continue
        out.append((n, clean(line)))
    return out


def clean(line: str) -> str:
    """One line of prose with glue, citations, role targets, code, URLs and markers removed."""
    line = _COMMENT.sub(" ", line)
    line = _DROP_ROLE.sub(" ", line)
    line = _ROLE.sub(lambda m: m.group(1), line)
    line = _INLINE_CODE.sub(" ", line)
    line = _LINK.sub(lambda m: m.group(1), line)
    line = _URL.sub(" ", line)
    line = _LIST_MARKER.sub(r"\1", line)
    return line


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
        for m in re.finditer(r"[^\s(]*\d[^\s)]*", line):
            context = line[max(0, m.start() - 40):m.end() + 40].strip()
            found.append((n, m.group(0), context))
    return found


@pytest.fixture(scope="module")
def allow():
    return load_allowlist()


@pytest.mark.parametrize("chapter", SCANNED)
def test_no_number_is_typed_into_the_prose(chapter, allow):
    path = ROOT / "chapters" / f"{chapter}.md"
    found = typed_numbers(path.read_text(encoding="utf-8"), allow, chapter)
    assert not found, (
        f"chapters/{chapter}.md types numbers that are not read from data/ (glue them from "
        "the data, or add the string to tests/provenance-allowlist.yml with the reason it is "
        "not data):\n" + "\n".join(f"  line {n}: {tok!r} in '{ctx}'" for n, tok, ctx in found))


def test_every_allowlist_entry_is_used(allow):
    """A stale entry could hide a future typed number: each one must still match."""
    texts = {ch: (ROOT / "chapters" / f"{ch}.md").read_text(encoding="utf-8") for ch in SCANNED}
    prose = {ch: "\n".join(line for _, line in prose_lines(t)) for ch, t in texts.items()}
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
"""


def test_a_typed_number_fails_and_glued_or_allowed_ones_pass():
    allow = [{"text": "GPT-2", "why": "a model's name"}]
    found = typed_numbers(FIXTURE, allow)
    tokens = [tok for _, tok, _ in found]
    # the typed date, percentage, amount and the caption's month are caught ...
    assert tokens == ["1", "2024", "60%", "$15M;", "2022"]
    # ... on the lines where they are written
    assert [n for n, _, _ in found] == [12, 12, 13, 13, 18]
    # glue roles, citations, role targets, labels, code cells, directive options, inline
    # code, list markers and allowlisted names are not prose numbers
    assert not any("gpt2" in ctx or "c26" in ctx or "Release 2" in ctx for *_, ctx in found)


def test_without_the_allowlist_a_name_with_a_digit_is_reported():
    assert "GPT-2" in [tok for _, tok, _ in typed_numbers(FIXTURE, [])]


def test_allowlist_entries_need_a_reason(tmp_path):
    bad = tmp_path / "allow.yml"
    bad.write_text("- text: Llama 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="entry #1 .*needs `why:`"):
        load_allowlist(bad)
