"""Chapters as notebooks that read as the book reads, in any notebook front end.

A chapter's source is MyST Markdown: its Markdown cells hold myst-nb ``glue`` roles,
sphinxcontrib-bibtex citations, glossary terms, cross-references, admonitions and glued
figures.  JupyterLab (even with jupyterlab-myst) shows most of them as raw text.  This Sphinx
extension writes, at book build time, each chapter as an ``.ipynb`` whose Markdown cells are
plain CommonMark with every MyST construct resolved by the same build that made the HTML:

* ``{glue:text}`key``` and ``{glue}`key``` -> the glued value (read from myst-nb's glue
  store for the document, so the numbers come from ``data/`` at build time, never retyped);
* ``{cite}`a,b``` -> "(Author, Year; Author, Year)" and a References cell at the end;
* ``{term}`` -> a link to the glossary notebook; ``{ref}``/``{numref}`` -> the section
  title or "Figure 4.2", linked when the target is another notebook of the bundle;
* ``{glue:figure}`` -> "**Figure 4.2.** caption" (the code cell before it draws the chart);
* admonitions -> a block quote with a bold title; ``(label)=`` targets are dropped.

Code cells are kept as they are, so a learner runs them; cells the book hides
(``remove-cell``/``remove-input``) start with their code collapsed.  Any MyST markup left
after resolution is a build warning (the book builds with ``-W``), naming document and cell.

The resolved notebooks go to ``_build/notebooks/`` (what ``make lab`` opens and what the
course bundle holds, see :mod:`osai.book.bundle`) and serve as each page's ``.ipynb`` download.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from sphinx.application import Sphinx
from sphinx.util import logging

from osai.book.citations import author_year
from osai.text import markdown as mdtext
from osai.text import myst

logger = logging.getLogger(__name__)

__all__ = ["RAW_MARKUP", "Resolver", "convert_markdown", "export_notebook", "raw_markup",
           "reference_markdown"]

#: markup that must never reach a learner's notebook (the JupyterLab test counts the same)
RAW_MARKUP = ("{glue", "{cite", "{term}", "{numref}", "{ref}", ":::{", "```{", "{doc}")
ADMONITIONS = ("admonition", "note", "tip", "hint", "important", "warning", "caution",
               "attention", "danger", "error", "seealso")
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
# raw HTML links in a page; the ones that lead outside the bundle keep only their text
_HTML_LINK = re.compile(r"<a\s[^>]*?href=\"(?P<href>[^\"]*)\"[^>]*>(?P<text>.*?)</a>",
                        re.IGNORECASE | re.DOTALL)


def html_links(line: str) -> str:
    """Raw ``<a href>`` links as an exported notebook can keep them: web, mail and
    in-page links stay; a relative link to a file of the built site (such as the bundle's
    own ``../osai-course.zip``) would be broken beside the notebook, so only its text
    stays."""
    def keep(m: re.Match) -> str:
        href = m["href"].strip()
        if re.match(r"(https?:|mailto:|#)", href, re.IGNORECASE) or href.endswith(".ipynb"):
            return m[0]
        return m["text"]
    return _HTML_LINK.sub(keep, line)


def raw_markup(text: str) -> list[str]:
    """The raw MyST markers found in ``text`` (empty when it reads as plain Markdown);
    backslash-escaped characters (text from data, see :mod:`osai.text.markdown`) are not markup."""
    text = re.sub(r"\\[\\`*_\[\]<>&!$~|{}#+\-=>:.)]", "", text)
    return [m for m in RAW_MARKUP if m in text]


@dataclass
class Resolver:
    """What the build knows, handed to :func:`convert_markdown` (testable without Sphinx)."""

    docname: str = ""
    glue: dict[str, str] = field(default_factory=dict)  # key -> text/plain (a repr)
    cite_label: dict[str, str] = field(default_factory=dict)  # bib key -> "Author, Year"
    sections: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (doc, title)
    # label -> (doc, "Figure 4.2")
    numbers: dict[str, tuple[str, str]] = field(default_factory=dict)
    exported: dict[str, str] = field(default_factory=dict)  # docname -> notebook file name
    glossary_doc: str | None = None
    titles: dict[str, str] = field(default_factory=dict)  # docname -> page title
    cited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    # -- roles --------------------------------------------------------------------------
    def link(self, text: str, docname: str | None, anchor: str = "") -> str:
        if docname and docname != self.docname and docname in self.exported:
            return f"[{text}]({self.exported[docname]}{'#' + anchor if anchor else ''})"
        return text

    def glue_text(self, spec: str) -> str:
        from myst_nb.core.variables import format_plain_text

        key, _, fmt = spec.partition(":")
        key = key.strip()
        if "::" in spec:  # path::key glues from another document: not used by the course
            self.problems.append(f"glue from another document is not exported: {spec}")
            return spec
        if key not in self.glue:
            self.problems.append(f"no glued value '{key}'")
            return key
        # a glued value is data: it shows as text, never as Markdown, HTML or a link
        return mdtext.escape(format_plain_text(self.glue[key], fmt.strip()))

    def cite(self, text: str) -> str:
        labels = []
        for key in (k.strip() for k in text.split(",")):
            if not key:
                continue
            if key not in self.cited:
                self.cited.append(key)
            if key not in self.cite_label:
                self.problems.append(f"no bibliography entry '{key}'")
            labels.append(mdtext.escape(self.cite_label.get(key, key)))
        return "(" + "; ".join(labels) + ")"

    def term(self, text: str) -> str:
        match = _EXPLICIT.match(text)
        shown, target = (match["text"], match["target"]) if match else (text, text)
        anchor = re.sub(r"\s+", "-", target.strip())
        return self.link(shown.strip(), self.glossary_doc, anchor)

    def ref(self, text: str, numbered: bool) -> str:
        match = _EXPLICIT.match(text)
        shown, label = (match["text"].strip(), match["target"]) if match else (None, text)
        label = label.strip().lower()
        if numbered:
            if label not in self.numbers:
                self.problems.append(f"no number for '{label}'")
                return shown or label
            doc, number = self.numbers[label]
            if shown:
                digits = number.split(" ", 1)[-1]
                shown = shown.replace("%s", digits).replace("{number}", digits)
            return self.link(shown or number, doc)
        if label in self.sections:
            doc, title = self.sections[label]
            return self.link(shown or title, doc)
        if label in self.numbers:
            doc, number = self.numbers[label]
            return self.link(shown or number, doc)
        self.problems.append(f"unknown reference '{label}'")
        return shown or label

    def role(self, match: re.Match) -> str:
        name, text = match["name"], match["text"]
        if name in ("glue", "glue:text", "glue:any"):
            return self.glue_text(text)
        if name.startswith("cite"):
            return self.cite(text)
        if name == "term":
            return self.term(text)
        if name in ("ref", "doc"):
            return self.ref(text, numbered=False)
        if name == "numref":
            return self.ref(text, numbered=True)
        if name == "math":
            return f"${text}$"
        if name in ("file", "code", "samp", "kbd", "command", "program"):
            return f"`{text}`"  # literal text, shown as code as in the book
        self.problems.append(f"role {{{name}}} is not exported")
        return text


def _roles(text: str, res: Resolver) -> str:
    return myst.ROLE.sub(res.role, text)


def _blockquote(title: str, body: str) -> list[str]:
    lines = [f"> **{title}**", ">"]
    lines += [f"> {line}".rstrip() for line in body.splitlines()]
    return lines


def _directive(name: str, args: str, options: dict, body: str, res: Resolver) -> list[str]:
    if name in ADMONITIONS:
        title = _roles(args.strip(), res) if args.strip() else name.capitalize()
        if name == "seealso" and not args.strip():
            title = "See also"
        return _blockquote(title, convert_markdown(body, res))
    if name.startswith("glue") or name == "figure":
        label = (options.get("name") or "").strip().lower()
        number = res.numbers.get(label, ("", "Figure"))[1] if label else "Figure"
        caption = convert_markdown(body, res).strip()
        return [f"**{number}.** {caption}".rstrip()]
    if name == "math":
        return ["$$", body.strip(), "$$"]
    if name == "glossary":
        out: list[str] = []
        for entry in re.split(r"\n(?=\S)", body.strip("\n")):
            term, _, definition = entry.partition("\n")
            out += [f"### {term.strip()}", "", _roles(" ".join(definition.split()), res), ""]
        return out
    if name == "tableofcontents":
        return [f"- {res.link(res.titles.get(doc, doc), doc)}"
                for doc in res.exported if doc != res.docname]
    if name == "bibliography":
        return []
    res.problems.append(f"directive {{{name}}} is not exported")
    return convert_markdown(body, res).splitlines()


def convert_markdown(text: str, res: Resolver) -> str:
    """One Markdown cell's MyST source as plain CommonMark (roles and directives resolved).

    The cell is cut into blocks by the course's one MyST reader (:func:`osai.text.myst.blocks`):
    code stays as written, targets and comments go, directives are resolved (their bodies
    recursively) and roles in the remaining lines are replaced by what they show."""
    lines = text.splitlines()
    out: list[str] = []
    for block in myst.blocks(text):
        if block.kind == "code":
            out += lines[block.start:block.end]
        elif block.kind == "directive":
            d = block.directive
            out += _directive(d.name, d.args, d.options, d.body, res)
        elif block.kind == "text":
            for line in lines[block.start:block.end]:
                line = html_links(line) if "<a" in line.lower() else line
                out.append(_roles(line, res) if "{" in line else line)
    return "\n".join(out).strip("\n")


# -- Sphinx side ----------------------------------------------------------------------------

def _is_notebook_source(path: Path) -> bool:
    if path.suffix != ".md" or not path.is_file():
        return False
    head = path.read_text(encoding="utf-8")[:600]
    return head.startswith("---") and "jupytext:" in head and "kernelspec:" in head


def _bib_entries(app: Sphinx) -> dict:
    """pybtex entries of the book's bibliography (none when sphinxcontrib-bibtex is off)."""
    try:
        return dict(app.env.get_domain("cite").bibdata.data.entries)
    except Exception:  # noqa: BLE001  (no cite domain: a book without citations)
        return {}


# a link as pybtex writes it; the URL may hold balanced parentheses, as CommonMark allows
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))*)\)")


def reference_markdown(rendered: str) -> str:
    """A reference as pybtex's Markdown backend writes it, made safe to show: pybtex
    escapes most Markdown but not ``$`` (maths), ``~`` or ``|``, and writes any URL of the
    bibliography as a link, ``javascript:`` included.  Those characters are escaped (the
    backend never uses them as markup) and a link that is not http(s) or mailto keeps
    only its text."""
    text = re.sub(r"([$~|])", r"\\\1", rendered)
    return _LINK.sub(lambda m: m[0] if re.match(r"(https?|mailto):", m["url"], re.I)
                     else m["text"], text)


def _references(app: Sphinx, keys: list[str]) -> str:
    formatted = {}
    try:
        for citation in app.env.get_domain("cite").citations:
            formatted.setdefault(citation.key, citation.formatted_entry)
    except Exception:  # noqa: BLE001
        pass
    lines = ["## References", ""]
    entries = _bib_entries(app)
    for key in sorted(keys, key=lambda k: author_year(entries[k]) if k in entries else k):
        if key in formatted:
            text = reference_markdown(formatted[key].text.render_as("markdown"))
        else:
            text = mdtext.escape(author_year(entries[key]) if key in entries else key)
        lines.append(f"- {' '.join(text.split())}")
    return "\n".join(lines)


class _BookIndex:
    """Everything the build knows about labels, numbers, citations and exported notebooks."""

    def __init__(self, app: Sphinx):
        env = app.env
        self.app = app
        self.exported = {doc: Path(doc).name + ".ipynb" for doc in exported_docs(app)}
        std = env.get_domain("std")
        self.sections = {label: (doc, title) for label, (doc, _id, title)
                         in std.labels.items() if title}
        fmt = app.config.numfig_format
        self.numbers: dict[str, tuple[str, str]] = {}
        for label, (doc, node_id) in std.anonlabels.items():
            for figtype, ids in env.toc_fignumbers.get(doc, {}).items():
                if node_id in ids and figtype in fmt:
                    digits = ".".join(map(str, ids[node_id]))
                    self.numbers[label] = (doc, fmt[figtype] % digits)
        self.glossary = next((value[0] for (kind, _name), value in std.objects.items()
                              if kind == "term"), None)
        self.titles = {doc: title.astext() for doc, title in env.titles.items()}
        self.cite_label = {key: author_year(entry) for key, entry in _bib_entries(app).items()}
        self.glue_root = Path(app.outdir).parent / "jupyter_execute"

    def resolver(self, docname: str) -> Resolver:
        glue_file = self.glue_root / f"{docname}.glue.json"
        glue = {}
        if glue_file.is_file():
            stored = json.loads(glue_file.read_text(encoding="utf-8"))
            glue = {k: v.get("data", {}).get("text/plain", "") for k, v in stored.items()}
        return Resolver(docname=docname, glue=glue, cite_label=self.cite_label,
                        sections=self.sections, numbers=self.numbers, exported=self.exported,
                        glossary_doc=self.glossary, titles=self.titles)


def exported_docs(app: Sphinx) -> list[str]:
    """Chapters written as notebooks, in book order: every page of the table of contents
    with a MyST notebook source, plus the glossary (the target of term links)."""
    env = app.env
    order = [env.config.root_doc]
    order += [d for d in env.toctree_includes.get(env.config.root_doc, [])]
    seen = []
    for doc in order:
        if doc in seen or doc not in env.found_docs:
            continue
        path = Path(env.doc2path(doc))
        std = env.get_domain("std")
        is_glossary = any(key[0] == "term" and value[0] == doc
                          for key, value in std.objects.items())
        if _is_notebook_source(path) or is_glossary or doc == env.config.root_doc:
            seen.append(doc)
    return seen


def export_notebook(app: Sphinx, docname: str, index: _BookIndex | None = None):
    """The resolved notebook of one document (an nbformat v4 NotebookNode)."""
    import jupytext

    index = index or _index(app)
    source = Path(app.env.doc2path(docname))
    if _is_notebook_source(source):
        notebook = jupytext.read(source)
    else:
        notebook = jupytext.reads(source.read_text(encoding="utf-8"), fmt="md:myst")
    notebook.metadata.pop("jupytext", None)
    notebook.metadata.setdefault("kernelspec", {"display_name": "Python 3", "language":
                                                "python", "name": "python3"})
    res = index.resolver(docname)
    for number, cell in enumerate(notebook.cells, start=1):
        cell["id"] = f"cell-{number}"  # stable across builds
        if cell.cell_type == "markdown":
            res.problems.clear()
            cell.source = convert_markdown(cell.source, res)
            left = raw_markup(cell.source)
            for problem in res.problems + ([f"raw MyST left: {left}"] if left else []):
                logger.warning("notebook export: cell %d: %s", number, problem,
                               location=docname, type="osai", subtype="export")
        elif cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            if "remove-cell" in tags or "remove-input" in tags:
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    notebook.cells = [c for c in notebook.cells
                      if not (c.cell_type == "markdown" and not c.source.strip())]
    if res.cited:
        notebook.cells.append(nbformat.v4.new_markdown_cell(_references(app, res.cited),
                                                            id="references"))
    notebook.nbformat, notebook.nbformat_minor = 4, max(notebook.nbformat_minor, 5)
    nbformat.validate(notebook)
    return notebook


def _index(app: Sphinx) -> _BookIndex:
    cached = getattr(app, "_osai_book_index", None)
    if cached is None:
        cached = _BookIndex(app)
        app._osai_book_index = cached
    return cached


def notebooks_dir(app: Sphinx) -> Path:
    """``_build/notebooks``: the exported chapters (what ``make lab`` opens and what the
    course bundle holds)."""
    return Path(app.outdir).parent / "notebooks"


def offer_ipynb(app: Sphinx, pagename: str, templatename: str, context: dict,
                doctree) -> None:
    """``html-page-context``, before sphinx-book-theme builds its download menu: export the
    page once, to ``_build/notebooks/`` (every exported page) and, for a notebook chapter,
    as the page's ``.ipynb`` download (``_sources/<page>.ipynb``)."""
    if doctree is None or app.builder.format != "html":
        return
    index = _index(app)
    filename = index.exported.get(pagename)
    if filename is None:
        return
    notebook = export_notebook(app, pagename, index)
    out = notebooks_dir(app)
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out / filename)
    if _is_notebook_source(Path(app.env.doc2path(pagename))):
        target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        context["ipynb_source"] = f"{pagename}.ipynb"


def remove_stale_notebooks(app: Sphinx, exception) -> None:
    """``build-finished``: drop notebooks of pages no longer exported; forget the index."""
    if exception is not None or app.builder.format != "html":
        return
    index = _index(app)
    out = notebooks_dir(app)
    for path in out.glob("*.ipynb"):
        if path.name not in index.exported.values():
            path.unlink()
    app._osai_book_index = None
    logger.info("notebook export: %d notebooks in %s", len(index.exported), out)
