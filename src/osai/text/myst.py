"""MyST sources read as myst-parser reads them: one reader for every Python use.

The course's chapters are MyST Markdown notebooks.  Code that needs their structure (the
quiz banks' section links, the notebook export, the provenance test) reads it here, with
myst-parser's own markdown-it-py tokenizer configured as ``_config.yml`` configures the book
(:data:`EXTENSIONS`), never with its own regular expressions: a heading inside a code cell,
a role inside inline code or a directive inside a fence is then never mistaken for one.

* :func:`tokens`: the token stream (block tokens carry ``map``, their 0-based line range);
* :func:`headings`: each section heading with the anchor Sphinx gives it;
* :func:`roles`: each ``{name}`content``` role outside code;
* :func:`directives`: each ``{name}`` fence (backtick or colon) with its argument, options
  and body;
* :func:`plain_text`: a line of MyST as it reads once rendered (roles show their text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["EXTENSIONS", "Directive", "Heading", "Role", "directives", "headings",
           "plain_text", "roles", "tokens"]

#: myst-parser extensions the book enables (``_config.yml``, ``parse.myst_enable_extensions``)
EXTENSIONS = ("colon_fence", "dollarmath", "deflist", "substitution", "attrs_inline")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.-]+)\}\s*(?P<args>.*)$")


@lru_cache(maxsize=1)
def _parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions=set(EXTENSIONS)), RendererHTML)


def tokens(text: str) -> list:
    """markdown-it-py tokens of a MyST text (front matter included as ``front_matter``)."""
    return _parser().parse(text)


@dataclass(frozen=True)
class Heading:
    title: str   #: as it renders: roles show their text, emphasis and code marks dropped
    level: int
    line: int    #: 1-based line of the heading in the text
    anchor: str  #: the label written directly above it, else the id docutils gives the title


@dataclass(frozen=True)
class Role:
    name: str
    content: str
    line: int    #: 1-based line of the block that holds it


@dataclass(frozen=True)
class Directive:
    name: str
    args: str
    options: dict[str, str] = field(default_factory=dict)
    body: str = ""
    start: int = 0   #: 0-based line range of the whole fence, as markdown-it's ``map``
    end: int = 0


def _role_text(content: str) -> str:
    """The text a role shows: ``text <target>`` shows ``text``."""
    match = re.match(r"^(?P<text>.*?)\s*<[^<>]*>$", content, re.S)
    return (match["text"] if match and match["text"] else content).strip()


def _render_plain(children) -> str:
    out = []
    for child in children or []:
        if child.type == "myst_role":
            out.append(_role_text(child.content))
        elif child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.children:
            out.append(_render_plain(child.children))
    return "".join(out)


def plain_text(line: str) -> str:
    """One line of MyST inline markup as it reads once rendered."""
    inline = [t for t in tokens(line) if t.type == "inline"]
    text = " ".join(_render_plain(t.children) for t in inline)
    return re.sub(r"\s+", " ", text).strip()


def _make_id(text: str) -> str:
    from docutils.nodes import make_id

    return make_id(text)


def headings(text: str) -> list[Heading]:
    """The section headings of a MyST text, in order (never a ``#`` line inside code)."""
    out: list[Heading] = []
    stream = tokens(text)
    label: str | None = None
    for i, tok in enumerate(stream):
        if tok.type == "myst_target":
            label = tok.content
            continue
        if tok.type == "heading_open":
            title = re.sub(r"\s+", " ", _render_plain(stream[i + 1].children)).strip()
            out.append(Heading(title=title, level=int(tok.tag[1]), line=tok.map[0] + 1,
                               anchor=label or _make_id(title)))
        if tok.type.endswith("_open") or tok.type in ("fence", "colon_fence", "code_block",
                                                      "html_block", "math_block"):
            if tok.type != "heading_open":
                label = None
    return out


def roles(text: str) -> list[Role]:
    """Every role of the text outside code, in order."""
    out = []
    for tok in tokens(text):
        if tok.type == "inline":
            for child in _walk(tok.children):
                if child.type == "myst_role":
                    out.append(Role(child.meta.get("name", ""), child.content,
                                    (tok.map or [0])[0] + 1))
        elif tok.type == "colon_fence" or (tok.type == "fence" and _DIRECTIVE.match(tok.info)):
            offset = (tok.map or [0])[0] + 1
            out += [Role(r.name, r.content, r.line + offset) for r in roles(tok.content)
                    if not tok.info.startswith("{code-cell}")]
    return out


def _walk(children):
    for child in children or []:
        yield child
        yield from _walk(child.children)


def directives(text: str) -> list[Directive]:
    """Every ``{name}`` fence of the text (top level), in order."""
    out = []
    for tok in tokens(text):
        if tok.type not in ("fence", "colon_fence"):
            continue
        match = _DIRECTIVE.match(tok.info.strip())
        if not match:
            continue
        lines = tok.content.splitlines()
        options: dict[str, str] = {}
        while lines and _OPTION.match(lines[0]):
            opt = _OPTION.match(lines.pop(0))
            options[opt["key"]] = opt["value"].strip()
        if lines and lines[0].strip() == "---":  # a YAML block of options
            end = next((n for n, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0)
            lines = lines[end + 1:]
        start, end = tok.map or (0, 0)
        out.append(Directive(match["name"], match["args"].strip(), options,
                             "\n".join(lines).strip("\n"), start, end))
    return out


#: a role as it appears in a line: ``{name}`text```
ROLE = re.compile(r"\{(?P<name>[a-z][\w:.-]*)\}`(?P<text>[^`]+)`")


@dataclass(frozen=True)
class Block:
    """A run of lines of a MyST text, by what the tokenizer made of them."""

    kind: str    #: "text", "code" (a plain fence or indented code), "directive", "target",
    #: "comment" (a ``%`` line)
    start: int   #: 0-based first line
    end: int     #: 0-based line after the last
    directive: Directive | None = None


def blocks(text: str) -> list[Block]:
    """The lines of ``text`` cut into blocks, in order, covering every line once."""
    lines = text.splitlines()
    marks: list[Block] = []
    found = {(d.start, d.end): d for d in directives(text)}
    for tok in tokens(text):
        if tok.map is None or tok.level != 0:
            continue
        start, end = tok.map
        if (start, end) in found and tok.type in ("fence", "colon_fence"):
            marks.append(Block("directive", start, end, found[(start, end)]))
        elif tok.type in ("fence", "code_block"):
            marks.append(Block("code", start, end))
        elif tok.type == "myst_target":
            marks.append(Block("target", start, end))
        elif tok.type == "myst_line_comment":
            marks.append(Block("comment", start, end))
    out: list[Block] = []
    line = 0
    for mark in sorted(marks, key=lambda b: b.start):
        if mark.start > line:
            out.append(Block("text", line, mark.start))
        out.append(mark)
        line = max(line, mark.end)
    if line < len(lines):
        out.append(Block("text", line, len(lines)))
    return out
