"""What a built page carries (osai.book.pageweight, osai.book.mathml): maths as MathML, the favicon,
the gzip copies, the Font Awesome subset; and the same on the real build."""

from __future__ import annotations

import gzip
import re
import struct

import pytest

from osai.book import pageweight

ENGINE = ('var p={sun:[512,512,[9728],"f185","M361.5 1.2z"],"magnifying-glass":[512,512,'
          '[128269,"search"],"f002","M416 208z"],lightbulb:[384,512,[],"f0eb","M272 384z"]};'
          'd("fas",p);var q={github:[496,512,[],"f09b","M165.9 397.4z"]};d("fab",q)')


def test_maths_become_mathml_with_the_tex_as_alttext():
    from osai.book.mathml import to_mathml

    block = to_mathml(r"S_o = \frac{\sum_d w_d}{n} < 1 & x", display=True)
    assert block.startswith('<math alttext="S_o = \\frac{\\sum_d w_d}{n} &lt; 1 &amp; x" ')
    assert 'display="block"' in block and "<mfrac>" in block and "<msub>" in block
    assert 'display="inline"' in to_mathml("s_{o,d}")


def test_tex_that_cannot_be_converted_fails_the_build_naming_it():
    from sphinx.errors import ExtensionError

    from osai.book.mathml import to_mathml

    with pytest.raises(ExtensionError, match=r"\\frac\{"):
        to_mathml(r"\frac{")


def test_favicon_is_a_16px_ico_holding_a_png():
    data = pageweight.favicon_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    width, height, *_, size, offset = struct.unpack("<BBBBHHII", data[6:22])
    assert (width, height) == (16, 16)
    assert data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + size == len(data)


def test_precompress_writes_smaller_deterministic_copies(tmp_path):
    (tmp_path / "big.js").write_text("var x = 1;\n" * 500)
    (tmp_path / "tiny.css").write_text("a{}")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG" + b"0" * 5000)
    count, before, after = pageweight.precompress(tmp_path)
    assert count == 1 and after < before
    assert gzip.decompress((tmp_path / "big.js.gz").read_bytes()) == (
        tmp_path / "big.js").read_bytes()
    assert not (tmp_path / "tiny.css.gz").exists() and not (tmp_path / "photo.png.gz").exists()
    first = (tmp_path / "big.js.gz").read_bytes()
    pageweight.precompress(tmp_path)
    assert (tmp_path / "big.js.gz").read_bytes() == first  # no timestamp inside


def test_icons_css_draws_only_the_icons_pages_use(tmp_path):
    (tmp_path / "_static" / "styles").mkdir(parents=True)
    (tmp_path / "page.html").write_text(
        '<i class="fa-solid fa-magnifying-glass"></i><div class="tip admonition"></div>'
        '<i class="fa-solid fa-not-an-icon"></i>')
    (tmp_path / "_static" / "styles" / "pydata-sphinx-theme.css").write_text(
        'html{--pst-icon-lightbulb:"\uf0eb";--pst-icon-bell:"\uf0eb";'
        "--pst-icon-admonition-tip:var(--pst-icon-lightbulb);"
        "--pst-icon-admonition-default:var(--pst-icon-bell)}")
    css = pageweight.icons_css(tmp_path, ENGINE)
    assert ".fa-magnifying-glass::before" in css and "M416 208z" in css
    assert ".fa-sun" not in css and "fa-not-an-icon" not in css
    assert ".admonition.tip>.admonition-title::after" in css
    assert "a.github::before" in css  # from the brands pack
    assert "font-family: inherit !important" in css


def test_built_pages_carry_only_what_they_use(book_dir):
    build = book_dir
    assert not (build / "_static" / "scripts" / "fontawesome.js").exists()
    assert (build / "favicon.ico").is_file() and (build / "_static" / "osai-icons.css").is_file()
    assert (build / "vendor" / "vega" / "vega-bundle.js.gz").is_file()
    for page in sorted((build / "chapters").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert "fontawesome.js" not in html, page.name
        assert "html-manager" not in html and "require.js" not in html, page.name
        assert not re.search(r"<script[^>]*mathjax", html, re.IGNORECASE), page.name
        assert 'class="math' not in html, page.name  # every formula is MathML


_SEARCH_SCRIPTS = ("searchindex.js", "searchtools.js", "language_data.js")


def test_no_page_blocks_its_first_paint_or_loads_the_search_index(book_dir):
    """Only the search page loads the search index and tools; on every other page each
    script file is deferred but documentation_options.js (the inline scripts set its
    properties), and each page has a description of its own."""
    descriptions = {}
    for page in sorted(book_dir.rglob("*.html")):
        name = page.relative_to(book_dir).as_posix()
        if name.startswith(("_static/", "vendor/")):
            continue
        html = page.read_text(encoding="utf-8")
        if html.startswith('<meta http-equiv="Refresh"'):  # Jupyter Book's front redirect
            continue
        head = html.split("</head>")[0]
        found = re.findall(r'<meta name="description" content="([^"]+)"', head)
        assert len(found) == 1, name
        descriptions[name] = found[0]
        if name == "search.html":
            continue
        for tag in re.findall(r"<script[^>]*\bsrc=[^>]*>", html):
            assert not any(s in tag for s in _SEARCH_SCRIPTS), (name, tag)
            if "documentation_options.js" not in tag:
                assert re.search(r"\b(defer|async)\b", tag), (name, tag)
    chapters = {k: v for k, v in descriptions.items() if k.startswith("chapters/")}
    assert len(set(chapters.values())) == len(chapters)  # each chapter its own summary
