"""Maths as MathML, written at build time (a Sphinx HTML math renderer named ``mathml``).

Every browser the course supports draws MathML Core natively (Chromium 109+, Firefox,
Safari), and screen readers read it, so a page with maths needs no script: the TeX of each
``$...$`` and ``$$...$$`` is converted by latex2mathml when the page is written.  MathJax
(1.1 MB of script plus its fonts) is then never loaded, which matters most on a phone on
slow classroom wifi.  ``_config.yml`` chooses this renderer (``html_math_renderer:
mathml``); sphinx.ext.mathjax adds nothing when another renderer is chosen.

The TeX stays in the page as the ``alttext`` of each ``<math>`` element.  A formula
latex2mathml cannot convert fails the build with the page and the TeX named, rather than
showing raw TeX to the reader.
"""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.errors import ExtensionError

__all__ = ["to_mathml"]


def to_mathml(latex: str, display: bool = False) -> str:
    """The ``<math>`` element for a TeX formula (``display`` for a block)."""
    from latex2mathml.converter import convert

    tex = latex.strip()
    try:
        out = convert(tex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises several kinds for bad TeX
        raise ExtensionError(f"maths that cannot be converted to MathML: {tex!r} ({exc})")
    alt = html.escape(tex, quote=True)
    return out.replace("<math ", f'<math alttext="{alt}" ', 1)


def _where(node: nodes.Node) -> str:
    return f"{node.source or '?'}:{node.line or '?'}"


def visit_inline(self, node: nodes.math) -> None:
    try:
        self.body.append(to_mathml(node.astext()))
    except ExtensionError as exc:
        raise ExtensionError(f"{_where(node)}: {exc}") from None
    raise nodes.SkipNode


def visit_block(self, node: nodes.math_block) -> None:
    try:
        formula = to_mathml(node.astext(), display=True)
    except ExtensionError as exc:
        raise ExtensionError(f"{_where(node)}: {exc}") from None
    ids = node.get("ids") or []
    anchor = f' id="{html.escape(ids[0], quote=True)}"' if ids else ""
    number = ""
    if node.get("number"):
        number = f'<span class="eqno">({html.escape(str(node["number"]))})</span>'
    self.body.append(f'<div class="osai-formula"{anchor}>{formula}{number}</div>\n')
    raise nodes.SkipNode


#: (inline, block) visitors for ``app.add_html_math_renderer("mathml", *RENDERER)``
RENDERER = ((visit_inline, None), (visit_block, None))
