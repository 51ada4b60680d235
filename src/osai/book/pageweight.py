"""What a built page carries: only what it uses (hooks called from ``osai.book.pipeline``).

* **No MathJax**: maths are written as MathML at build time (:mod:`osai.book.mathml`).
* **Icons**: pydata-sphinx-theme loads Font Awesome's JavaScript engine (``fontawesome.js``,
  1.5 MB) on every page.  The script tag is removed from every page and the file from the
  build; instead ``_static/osai-icons.css`` draws each icon the built pages use (about 20)
  as a CSS mask of its SVG path, read from that same script at build time, so neither the
  engine nor Font Awesome's 156 KB web font is downloaded.
* **Favicon**: a 16x16 ``favicon.ico`` at the root of the build, linked from every page,
  so a browser on a plain static host logs no 404.
* **Pre-compressed copies**: ``file.gz`` next to each text file of 1 KiB or more whose gzip
  copy is smaller, for hosts that serve them as they are (nginx ``gzip_static on``, Caddy
  ``file_server { precompressed gzip }``; see README).  Made with the standard library,
  deterministic (no timestamp), level 9.
"""

from __future__ import annotations

import gzip
import re
import struct
import zlib
from pathlib import Path
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

FAVICON = "favicon.ico"
#: suffixes of the text files that get a ``.gz`` copy
COMPRESS = {".html", ".js", ".css", ".svg", ".json", ".txt", ".xml", ".ipynb", ".ttf",
            ".eot", ".otf", ".md", ".bib", ".csv"}
MIN_BYTES = 1024
_FONTAWESOME_TAG = re.compile(
    r'[ \t]*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>\n?')


def link_favicon(app: Sphinx, pagename: str, templatename: str, context: dict,
                 doctree) -> None:
    if app.builder.format != "html" or "pathto" not in context:
        return
    href = context["pathto"](FAVICON, 1)
    context["metatags"] = (context.get("metatags", "")
                           + f'\n<link rel="icon" href="{href}" sizes="16x16">')


def favicon_bytes() -> bytes:
    """A 16x16 ICO holding one PNG: a dark blue square with a light ring (the course's
    colours); written here so no binary file is committed."""
    size = 16
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter: none
        for x in range(size):
            d2 = (x - 7.5) ** 2 + (y - 7.5) ** 2
            ring = 12 <= d2 <= 30
            row += bytes((0xE8, 0xF0, 0xFB, 255) if ring else (0x1F, 0x4E, 0x8C, 255))
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


ICONS_CSS = "osai-icons.css"
_ICON_TOKEN = re.compile(r"\bfa-([a-z0-9-]+)")
#: classes of Font Awesome that are not icons
_NOT_ICONS = {"solid", "regular", "brands", "lg", "xs", "sm", "xl", "2xl", "fw", "spin",
              "pulse", "border", "inverse", "stack", "flip", "rotate-90", "layers", "1x",
              "2x", "3x", "beat", "fade", "shake", "bounce"}


def _solid_icons(engine: str, pack: str = "fas") -> dict[str, tuple[int, int, str]]:
    """Font Awesome's icons of one pack (``fas`` solid, ``fab`` brands) from its engine
    script: name (and ``U+code``) -> (width, height, path)."""
    call = re.search(rf'\bd\("{pack}",(\w+)\)', engine)
    start = engine.rfind(f"var {call.group(1)}={{", 0, call.start()) if call else -1
    if start < 0:
        return {}
    section = engine[start:call.start()]
    icons = {}
    for m in re.finditer(r'(?:"([a-z0-9-]+)"|\b([a-z][a-z0-9]*)):\[(\d+),(\d+),\[[^\]]*\],'
                         r'"([0-9a-f]+)","(M[^"]+)"\]', section):
        entry = (int(m.group(3)), int(m.group(4)), m.group(6))
        icons[m.group(1) or m.group(2)] = entry
        icons.setdefault(f"U+{m.group(5)}", entry)  # by code point, as the theme's CSS names it
    return icons


def _mask_url(entry: tuple[int, int, str]) -> str:
    w, h, d = entry
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}'><path d='{d}'/></svg>"
    data = quote(svg, safe=" =:/',.-")
    return f'url("data:image/svg+xml,{data}")'


def _admonition_rules(theme_css: str, icons: dict, classes: set[str]) -> list[str]:
    """The theme draws each admonition's icon with Font Awesome's web font; these rules
    draw the icons of the admonitions the pages use as masks instead."""
    glyphs = {name: f"U+{ord(ch):x}" for name, ch in
              re.findall(r'--pst-icon-([a-z-]+):"(.)"', theme_css)}
    kinds = dict(re.findall(r"--pst-icon-admonition-([a-z]+):var\(--pst-icon-([a-z-]+)\)",
                            theme_css))
    rules = []
    for kind in ["default", *sorted(classes & set(kinds))]:
        entry = icons.get(glyphs.get(kinds.get(kind, ""), ""))
        if entry is None:
            continue
        sel = "" if kind == "default" else f".{kind}"
        selector = (f".admonition{sel}>.admonition-title::after, "
                    f"div.admonition{sel}>.admonition-title::after")
        extra = ("" if kind != "default" else
                 ' content: "" !important; font: inherit; background-color: currentColor;'
                 " -webkit-mask: var(--osai-icon) center / contain no-repeat;"
                 " mask: var(--osai-icon) center / contain no-repeat;")
        rules.append(f"{selector} {{ --osai-icon: {_mask_url(entry)};{extra} }}")
    return rules


def icons_css(outdir: Path, engine: str) -> str:
    """CSS drawing every Font Awesome icon named in the build's pages and scripts."""
    used: set[str] = set()
    classes: set[str] = set()
    for path in list(outdir.rglob("*.html")) + list((outdir / "_static").rglob("*.js")):
        if path.name == "fontawesome.js" or "vendor" in path.relative_to(outdir).parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        used.update(_ICON_TOKEN.findall(text))
        for attr in re.findall(r'class="([^"]*\badmonition\b[^"]*)"', text):
            classes.update(attr.split())
    icons = _solid_icons(engine)
    names = sorted(n for n in used - _NOT_ICONS if n in icons and not n.startswith("U+"))
    rules = ["/* Icons from Font Awesome Free 6 (https://fontawesome.com), CC BY 4.0: the "
             "icons these pages use, drawn as CSS masks (written by osai.book.pageweight). */"]
    if names:
        rules.append(", ".join(f".fa-{n}::before" for n in names)
                     + ' { content: "" !important; display: inline-block; height: 1em;'
                     " vertical-align: -0.125em; background-color: currentColor;"
                     " -webkit-mask: var(--osai-icon) center / contain no-repeat;"
                     " mask: var(--osai-icon) center / contain no-repeat; }")
    for name in names:
        w, h, _ = icons[name]
        rules.append(f".fa-{name}::before {{ width: {w / h:.4f}em; "
                     f"--osai-icon: {_mask_url(icons[name])}; }}")
    theme_css = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    if theme_css.is_file():
        rules += _admonition_rules(theme_css.read_text(encoding="utf-8"), icons, classes)
    # other icons the theme's CSS draws with the web font: links to GitHub and GitLab,
    # external links in the navigation
    brands = _solid_icons(engine, "fab")
    drawn = ' content: "" !important; font: inherit; display: inline-block; width: 1em;' \
            " height: 1em; vertical-align: -0.125em; background-color: currentColor;" \
            " -webkit-mask: var(--osai-icon) center / contain no-repeat;" \
            " mask: var(--osai-icon) center / contain no-repeat;"
    for selector, entry in (
            ("a.github::before", brands.get("github")),
            ("a.gitlab::before", brands.get("gitlab")),
            (".nav-link.nav-external::after, nav.bd-links li>a.reference.external::after",
             icons.get("arrow-up-right-from-square"))):
        if entry is not None:
            rules.append(f"{selector} {{ --osai-icon: {_mask_url(entry)};{drawn} }}")
    # no element keeps Font Awesome's font family: its metrics alone would make the
    # browser download the web font
    rules.append(".fa, .fas, .far, .fab, .fa-solid, .fa-regular, .fa-brands, .fa-classic "
                 "{ font-family: inherit !important; }")
    return "\n".join(rules) + "\n"


def drop_fontawesome_engine(outdir: Path) -> int:
    """Remove the Font Awesome script tag from every page and the script from the build;
    returns the number of pages changed."""
    changed = 0
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _FONTAWESOME_TAG.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    scripts = outdir / "_static" / "scripts"
    for name in ("fontawesome.js", "fontawesome.js.map", "fontawesome.js.LICENSE.txt"):
        (scripts / name).unlink(missing_ok=True)
    return changed


def precompress(outdir: Path) -> tuple[int, int, int]:
    """Write ``.gz`` copies; returns (files, bytes before, bytes after).  A copy newer
    than its file is kept as it is (an incremental build rewrites only what changed)."""
    count = before = after = 0
    for path in sorted(outdir.rglob("*")):
        if not path.is_file() or path.suffix not in COMPRESS:
            continue
        target = path.with_name(path.name + ".gz")
        size = path.stat().st_size
        if size < MIN_BYTES:
            continue
        if target.is_file() and target.stat().st_mtime >= path.stat().st_mtime:
            count += 1  # made by an earlier build from this very file: keep it
            before += size
            after += target.stat().st_size
            continue
        data = path.read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) >= len(data) * 0.9:
            target.unlink(missing_ok=True)
            continue
        if not target.is_file() or target.read_bytes() != packed:
            target.write_bytes(packed)
        count += 1
        before += len(data)
        after += len(packed)
    return count, before, after


def finish_build(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    engine = outdir / "_static" / "scripts" / "fontawesome.js"
    if engine.is_file():
        (outdir / "_static" / ICONS_CSS).write_text(
            icons_css(outdir, engine.read_text(encoding="utf-8")), encoding="utf-8")
    drop_fontawesome_engine(outdir)
    (outdir / FAVICON).write_bytes(favicon_bytes())
    count, before, after = precompress(outdir)
    logger.info(f"osai: gzip copies of {count} files ({before / 1e6:.1f} MB -> "
                f"{after / 1e6:.1f} MB)")
