"""Text drawn as outlines: a chart's picture (:mod:`osai.book.chart_pictures`) must look the
same whatever fonts the reader's machine has, so each ``<text>`` of the SVG that vl-convert
drew is replaced by the outlines of the glyphs of the font it was laid out with.

The font is read with fontTools (its cmap, advance widths and outlines, drawn with its SVG
path pen), DejaVu Sans by default.  Glyphs are written once per page as ``<path id=...>``
and used by reference.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont, TTLibError

#: the font the pictures are laid out and drawn with, by weight
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


class FontError(ValueError):
    """A font file this reader cannot use."""


class Font:
    """Outlines and advance widths of one TrueType font, read with fontTools."""

    def __init__(self, path: Path):
        self.path = path
        try:
            tt = TTFont(str(path), lazy=True)
            self.units = tt["head"].unitsPerEm
            self._names = tt.getGlyphOrder()
            ids = {name: gid for gid, name in enumerate(self._names)}
            hmtx = tt["hmtx"]
            self.advances = [hmtx[name][0] for name in self._names]
            cmap = tt.getBestCmap()
            if not cmap:
                raise FontError(f"{path}: no Unicode cmap")
            self.cmap = {code: ids[name] for code, name in cmap.items()}
            self._glyphs = tt.getGlyphSet()
        except (TTLibError, KeyError, OSError) as err:
            raise FontError(f"{path}: not a TrueType font fontTools can read ({err})") from err
        self.outlines: dict[int, str] = {}

    def glyph(self, char: str) -> int:
        return self.cmap.get(ord(char), 0)

    def outline(self, gid: int) -> str:
        """SVG path data of glyph ``gid`` in font units, y up."""
        if gid not in self.outlines:
            pen = SVGPathPen(self._glyphs, ntos=_num)
            self._glyphs[self._names[gid]].draw(pen)
            self.outlines[gid] = pen.getCommands()
        return self.outlines[gid]


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


@lru_cache(maxsize=None)
def font(weight: str = "normal") -> Font:
    name = FONT_FILES["bold" if weight in ("bold", "700", "800", "900") else "normal"]
    path = FONT_DIR / name
    if not path.is_file():
        raise FontError(f"{path}: the font charts are drawn with is missing "
                        "(on Debian: apt-get install fonts-dejavu-core)")
    return Font(path)


@dataclass
class GlyphSheet:
    """The glyphs used by the pictures of one page, written once as ``<defs>``."""

    prefix: str = "osai-g"
    used: dict[str, str] = field(default_factory=dict)

    def ref(self, weight: str, gid: int) -> str:
        f = font(weight)
        key = f"{self.prefix}-{'b' if f is font('bold') else 'r'}{gid}"
        if key not in self.used:
            self.used[key] = f.outline(gid)
        return key

    def defs(self) -> str:
        """A hidden SVG holding every glyph used, for ``<use href="#...">``."""
        if not self.used:
            return ""
        paths = "".join(f'<path id="{k}" d="{d}"/>' for k, d in self.used.items())
        return (f'<svg class="osai-glyphs" aria-hidden="true" focusable="false" width="0" '
                f'height="0" style="position:absolute;width:0;height:0;overflow:hidden">'
                f"<defs>{paths}</defs></svg>")


TEXT = re.compile(r"<text([^>]*)>(.*?)</text>", re.S)
ATTR = re.compile(r'([a-zA-Z:-]+)="([^"]*)"')
TSPAN = re.compile(r"<tspan([^>]*)>(.*?)</tspan>", re.S)
KEEP = ("transform", "fill", "opacity", "fill-opacity", "role", "aria-label",
        "aria-roledescription", "clip-path")


def text_width(value: str, size: float, weight: str = "normal") -> float:
    """The advance width, in px, of ``value`` set at ``size`` px in the pictures' font."""
    f = font(weight)
    return sum(f.advances[f.glyph(ch)] for ch in value) * size / f.units


def outline_texts(svg: str, sheet: GlyphSheet) -> str:
    """``svg`` with every ``<text>`` replaced by a group of glyph outlines that keeps the
    text's position, anchor, colour and ARIA attributes, and its words in ``data-text``."""

    def replace(match: re.Match) -> str:
        attrs = dict(ATTR.findall(match.group(1)))
        size = float(attrs.get("font-size", "10").rstrip("px") or 10)
        weight = attrs.get("font-weight", "normal")
        anchor = attrs.get("text-anchor", "start")
        body = match.group(2)
        lines = ([(float(dict(ATTR.findall(a)).get("dy", 0) or 0), t)
                  for a, t in TSPAN.findall(body)] if "<tspan" in body else [(0.0, body)])
        f = font(weight)
        k = size / f.units
        groups, y, words = [], 0.0, []
        for dy, raw in lines:
            y += dy
            value = html.unescape(re.sub(r"<[^>]+>", "", raw))
            words.append(value)
            gids = [f.glyph(ch) for ch in value]
            width = sum(f.advances[g] for g in gids)
            shift = {"middle": -width / 2, "end": -width}.get(anchor, 0)
            uses, x = [], shift
            for g in gids:
                if f.outline(g):
                    uses.append(f'<use href="#{sheet.ref(weight, g)}" x="{_num(round(x))}"/>')
                x += f.advances[g]
            groups.append(f'<g transform="translate(0,{_num(round(y, 1))}) scale({k:.5g},'
                          f'{-k:.5g})">{"".join(uses)}</g>')
        kept = "".join(f' {a}="{attrs[a]}"' for a in KEEP if a in attrs)
        text = html.escape(" ".join(words), quote=True)
        return (f'<g class="osai-text"{kept} data-text="{text}" data-size="{_num(size)}">'
                f'{"".join(groups)}</g>')

    return TEXT.sub(replace, svg)
