"""Write the SCORM 1.2 or SCORM 2004 4th Edition package of the built book (``make scorm``).

The zip holds the offline book exactly as ``make book`` built it (``_build/html``) minus
what an LMS cannot use: the ``.gz`` copies (an LMS serves files as they are, and most
compress on the fly), ``test-artifacts/`` and Sphinx's ``.buildinfo``.  At its root:
``imsmanifest.xml`` (:mod:`osai.instructor.scorm.manifest`) and that SCORM version's schema files
(:mod:`osai.instructor.scorm.schemas`).  The two packages differ only in those root files: the 2004
manifest is in the 2004 namespaces and launches each SCO as
``chapters/<chapter>.html?sco=<chapter>&scorm=2004``, which tells ``_static/osai-scorm.js``
to look for the SCORM 2004 runtime first.  The web book loads no SCORM code: each SCO page
gets the adapter's script tag here (:func:`with_adapter`), just before the widget script, so
it listens before the quiz asks for its saved answers.  Every entry has the same fixed date,
in sorted order, so two runs on one build give the same bytes.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from osai import __version__, paths
from osai.syllabus import chapters
from osai.instructor.scorm import manifest, schemas

BUILD = paths.html_dir()
DEFAULT_OUT = paths.build_dir() / "osai-course-scorm12.zip"
DEFAULT_OUT_2004 = paths.build_dir() / "osai-course-scorm2004.zip"
#: SCORM version -> what the SCOs' launch URLs add after sco=<chapter>
LAUNCH_QUERY = {"1.2": "", "2004": "&scorm=2004"}
TITLE = "Sustaining open-source AI"
#: left out of the package (relative paths; a folder ends with "/")
EXCLUDE_DIRS = ("test-artifacts/",)
EXCLUDE_NAMES = (".buildinfo",)
EXCLUDE_SUFFIXES = (".gz",)
#: outline entries besides the teaching chapters (assets): (page, title; None: its <h1>)
FRONT = (("chapters/01-welcome.html", "Welcome: how the course works"),)
BACK = (("chapters/glossary.html", None), ("chapters/bibliography.html", None))
_DATE = (2026, 1, 1, 0, 0, 0)


class PackageError(RuntimeError):
    pass


#: the widget script's tag on a chapter page (osai.book.page_assets)
_WIDGET_TAG = re.compile(r'<script (?P<defer>defer="defer" )?src="(?P<up>(?:\.\./)*)_static/'
                         r'osai-widgets\.js[^"]*"></script>')


def with_adapter(page: str, rel: str) -> str:
    """The SCO page ``rel`` with the SCORM adapter (``_static/osai-scorm.js``) loaded just
    before the widget script that draws its quiz, deferred when that script is."""
    found = _WIDGET_TAG.search(page)
    if not found:
        raise PackageError(f"{rel}: no osai-widgets.js script tag, so no quiz to report "
                           "(is it a teaching chapter of the build?)")
    # deferred like the widget script (osai.book.page_fixes), so it still runs first
    tag = f'<script {found["defer"] or ""}src="{found["up"]}_static/osai-scorm.js"></script>\n    '
    return page[:found.start()] + tag + page[found.start():]


def book_files(html_dir: Path) -> list[str]:
    """Every file of the build the package carries, as sorted POSIX paths."""
    out = []
    for path in html_dir.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(html_dir).as_posix()
        if (rel.startswith(EXCLUDE_DIRS) or path.name in EXCLUDE_NAMES
                or rel.endswith(EXCLUDE_SUFFIXES)):
            continue
        out.append(rel)
    return sorted(out)


def page_title(page: Path, fallback: str) -> str:
    """The page's first ``<h1>`` as text (Sphinx's "#" permalink removed)."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
    if not match:
        return fallback
    body = re.sub(r'<a class="headerlink".*?</a>', "", match.group(1), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    return " ".join(text.split()) or fallback


def items(html_dir: Path, scorm: str = "1.2") -> list[manifest.Item]:
    """The outline: welcome, one SCO per teaching chapter, glossary, bibliography."""
    out = []
    extra = LAUNCH_QUERY[scorm]

    def add(page: str, title: str | None, sco: bool, ident: str) -> None:
        path = html_dir / page
        if not path.is_file():
            raise PackageError(f"{path}: missing from the build (run `make book` first)")
        out.append(manifest.Item(ident=ident, title=title or page_title(path, ident), href=page,
                                 sco=sco, query=f"sco={ident}{extra}" if sco else ""))

    for page, title in FRONT:
        add(page, title, False, Path(page).stem)
    for chapter in chapters():
        add(f"chapters/{chapter}.html", None, True, chapter)
    for page, title in BACK:
        add(page, title, False, Path(page).stem)
    return out


def build(html_dir: Path = BUILD, out: Path | None = None, scorm: str = "1.2") -> dict:
    """Write the zip of SCORM ``scorm`` ("1.2" or "2004"; ``out`` defaults to
    ``_build/osai-course-scorm12.zip`` or ``-scorm2004.zip``); returns
    ``{"path", "files", "bytes", "scos", "scorm"}``."""
    if scorm not in LAUNCH_QUERY:
        raise PackageError(f"unknown SCORM version {scorm!r} (1.2 or 2004)")
    if out is None:
        out = DEFAULT_OUT if scorm == "1.2" else DEFAULT_OUT_2004
    html_dir = Path(html_dir)
    if not (html_dir / "index.html").is_file():
        raise PackageError(f"{html_dir}: no built book (run `make book` first)")
    files = book_files(html_dir)
    outline = items(html_dir, scorm)
    own = {it.href for it in outline}
    xml = manifest.build(TITLE, outline, [f for f in files if f not in own],
                         version=__version__, scorm=scorm)
    xsd_dir = schemas.fetch(version=scorm)
    xsd_files = schemas.files(scorm)
    reserved = {"imsmanifest.xml", *xsd_files}
    clash = reserved.intersection(files)
    if clash:
        raise PackageError(f"{html_dir}: the build already has {sorted(clash)} at its root")

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.part")

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, _DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    with zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr(entry("imsmanifest.xml"), xml)
        for name in xsd_files:
            zf.writestr(entry(name), (xsd_dir / name).read_bytes())
        sco_pages = {it.href for it in outline if it.sco}
        for rel in files:
            data = (html_dir / rel).read_bytes()
            if rel in sco_pages:
                data = with_adapter(data.decode("utf-8"), rel).encode("utf-8")
            zf.writestr(entry(rel), data)
    tmp.replace(out)
    return {"path": out, "files": len(files) + 1 + len(xsd_files), "scorm": scorm,
            "bytes": out.stat().st_size, "scos": sum(it.sco for it in outline)}
