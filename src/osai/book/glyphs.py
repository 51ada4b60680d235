"""Text drawn as outlines: a chart's picture (:mod:`osai.book.chart_pictures`) must look the
same whatever fonts the reader's machine has, so each ``<text>`` of the SVG that vl-convert
drew is replaced by the outlines of the glyphs of the font it was laid out with.

A small TrueType reader (``cmap`` formats 4 and 12, ``hmtx``, ``loca``/``glyf`` with simple
and composite glyphs): enough for the sans-serif fonts the charts use (DejaVu Sans by
default).  Glyphs are written once per page as ``<path id=...>`` and used by reference.
"""

from __future__ import annotations

import html
import re
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: the font the pictures are laid out and drawn with, by weight
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


class FontError(ValueError):
    """A font file this reader cannot use."""


class Font:
    """Outlines and advance widths of one TrueType font."""

    def __init__(self, path: Path):
        self.path = path
        data = path.read_bytes()
        self.data = data
        try:
            count = struct.unpack_from(">H", data, 4)[0]
            self.tables = {data[12 + 16 * i:16 + 16 * i].decode("latin-1"):
                           struct.unpack_from(">II", data, 12 + 16 * i + 8)
                           for i in range(count)}
            head = self.tables["head"][0]
            self.units = struct.unpack_from(">H", data, head + 18)[0]
            long_loca = struct.unpack_from(">h", data, head + 50)[0] == 1
            glyph_count = struct.unpack_from(">H", data, self.tables["maxp"][0] + 4)[0]
            metrics = struct.unpack_from(">H", data, self.tables["hhea"][0] + 34)[0]
            hmtx = self.tables["hmtx"][0]
            self.advances = [struct.unpack_from(">H", data, hmtx + 4 * min(i, metrics - 1))[0]
                             for i in range(glyph_count)]
            loca = self.tables["loca"][0]
            fmt, size = (">I", 4) if long_loca else (">H", 2)
            scale = 1 if long_loca else 2
            self.loca = [struct.unpack_from(fmt, data, loca + size * i)[0] * scale
                         for i in range(glyph_count + 1)]
            self.cmap = self._read_cmap()
        except (KeyError, struct.error) as err:
            raise FontError(f"{path}: not a TrueType font with glyf outlines ({err})") from err
        self.outlines: dict[int, str] = {}

    def _read_cmap(self) -> dict[int, int]:
        data, base = self.data, self.tables["cmap"][0]
        count = struct.unpack_from(">H", data, base + 2)[0]
        subtables = {}
        for i in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * i)
            subtables[(platform, encoding)] = base + offset
        for key in ((3, 10), (0, 4), (3, 1), (0, 3)):
            if key not in subtables:
                continue
            at = subtables[key]
            fmt = struct.unpack_from(">H", data, at)[0]
            if fmt == 12:
                groups = struct.unpack_from(">I", data, at + 12)[0]
                out = {}
                for g in range(groups):
                    start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
                    for c in range(start, min(end, start + 0x3000) + 1):
                        out[c] = glyph + c - start
                return out
            if fmt == 4:
                segs = struct.unpack_from(">H", data, at + 6)[0] // 2
                ends = struct.unpack_from(f">{segs}H", data, at + 14)
                starts = struct.unpack_from(f">{segs}H", data, at + 16 + 2 * segs)
                deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 4 * segs)
                ranges_at = at + 16 + 6 * segs
                ranges = struct.unpack_from(f">{segs}H", data, ranges_at)
                out = {}
                for s in range(segs):
                    for c in range(starts[s], ends[s] + 1):
                        if c == 0xFFFF:
                            continue
                        if ranges[s] == 0:
                            glyph = (c + deltas[s]) & 0xFFFF
                        else:
                            where = ranges_at + 2 * s + ranges[s] + 2 * (c - starts[s])
                            glyph = struct.unpack_from(">H", data, where)[0]
                            glyph = (glyph + deltas[s]) & 0xFFFF if glyph else 0
                        out[c] = glyph
                return out
        raise FontError(f"{self.path}: no Unicode cmap (format 4 or 12)")

    def glyph(self, char: str) -> int:
        return self.cmap.get(ord(char), 0)

    def _points(self, gid: int) -> list[list[tuple[int, int, bool]]]:
        """The contours of glyph ``gid``: lists of (x, y, on-curve) in font units."""
        data = self.data
        start, end = self.loca[gid], self.loca[gid + 1]
        if end <= start:
            return []
        at = self.tables["glyf"][0] + start
        contours = struct.unpack_from(">h", data, at)[0]
        if contours < 0:
            return self._composite(at + 10)
        ends = struct.unpack_from(f">{contours}H", data, at + 10)
        count = ends[-1] + 1 if contours else 0
        at += 10 + 2 * contours
        at += 2 + struct.unpack_from(">H", data, at)[0]  # skip the instructions
        flags = []
        while len(flags) < count:
            flag = data[at]
            at += 1
            flags.append(flag)
            if flag & 8:
                flags.extend([flag] * data[at])
                at += 1
        coords = []
        for short, same in ((2, 16), (4, 32)):
            value, values = 0, []
            for flag in flags[:count]:
                if flag & short:
                    delta = data[at]
                    at += 1
                    value += delta if flag & same else -delta
                elif not flag & same:
                    value += struct.unpack_from(">h", data, at)[0]
                    at += 2
                values.append(value)
            coords.append(values)
        out, first = [], 0
        for last in ends:
            out.append([(coords[0][i], coords[1][i], bool(flags[i] & 1))
                        for i in range(first, last + 1)])
            first = last + 1
        return out

    def _composite(self, at: int) -> list[list[tuple[int, int, bool]]]:
        data, out = self.data, []
        while True:
            flags, gid = struct.unpack_from(">HH", data, at)
            at += 4
            if flags & 1:
                dx, dy = struct.unpack_from(">hh", data, at)
                at += 4
            else:
                dx, dy = struct.unpack_from(">bb", data, at)
                at += 2
            a, b, c, d = 1.0, 0.0, 0.0, 1.0
            if flags & 8:
                a = d = struct.unpack_from(">h", data, at)[0] / 16384
                at += 2
            elif flags & 0x40:
                a, d = (v / 16384 for v in struct.unpack_from(">hh", data, at))
                at += 4
            elif flags & 0x80:
                a, b, c, d = (v / 16384 for v in struct.unpack_from(">hhhh", data, at))
                at += 8
            if not flags & 2:  # points matched by index, not offsets: rare, drawn unmoved
                dx = dy = 0
            for contour in self._points(gid):
                out.append([(round(a * x + c * y + dx), round(b * x + d * y + dy), on)
                            for x, y, on in contour])
            if not flags & 0x20:
                return out

    def outline(self, gid: int) -> str:
        """SVG path data of glyph ``gid`` in font units, y up."""
        if gid not in self.outlines:
            self.outlines[gid] = "".join(_contour_path(c) for c in self._points(gid))
        return self.outlines[gid]


def _contour_path(points: list[tuple[int, int, bool]]) -> str:
    """One closed quadratic contour as path data (implied on-curve points between two
    off-curve ones, as TrueType defines them)."""
    if not points:
        return ""
    start = next((i for i, p in enumerate(points) if p[2]), None)
    if start is None:  # every point off the curve: start between the first two
        (x0, y0, _), (x1, y1, _) = points[0], points[1 % len(points)]
        points = [((x0 + x1) / 2, (y0 + y1) / 2, True), *points[1:], points[0]]
        start = 0
    pts = points[start:] + points[:start]
    fmt = _num
    parts = [f"M{fmt(pts[0][0])} {fmt(pts[0][1])}"]
    control = None
    for x, y, on in pts[1:] + pts[:1]:
        if on:
            parts.append(f"Q{fmt(control[0])} {fmt(control[1])} {fmt(x)} {fmt(y)}" if control
                         else f"L{fmt(x)} {fmt(y)}")
            control = None
        else:
            if control:
                mx, my = (control[0] + x) / 2, (control[1] + y) / 2
                parts.append(f"Q{fmt(control[0])} {fmt(control[1])} {fmt(mx)} {fmt(my)}")
            control = (x, y)
    return "".join(parts) + "Z"


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
