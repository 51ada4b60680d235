"""Every chart of a page drawn at build time, so a reader sees it at once, with no script,
and the same with any fonts.

:mod:`osai.render` writes each chart as an empty ``.osai-chart`` element followed by the
script that queues its Vega-Lite spec.  :func:`add_pictures` (``html-page-context``) fills
each such element with pictures drawn by vl-convert, at the widths readers meet:

* a narrow drawing (``NARROW_WIDTH`` px, phones) and a wide one (``WIDE_WIDTH`` px), shown
  one at a time by a container query in ``osai-book.css``, never scaled up;
* every text as glyph outlines of the font it was laid out with (:mod:`osai.book.glyphs`),
  the words kept in ``data-text`` and in the chart's text alternative;
* a copy of the chart's controls with the markup Vega gives them, so the live chart
  (``osai-book.js``, which loads Vega when a reader reaches for a control, or when the
  browser is idle with the chart in view) takes the picture's place in a box of the same
  size.

Each picture is laid out as ``osai-book.js`` lays out the live chart (:func:`fit`): a
single or layered view fills the width, concatenated views narrow, and on a phone legends
go under the chart.  Drawings are cached by spec and width in ``_build/.chart-pictures``.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re
from pathlib import Path

import vl_convert as vlc

from osai import charts, paths
from osai.book import glyphs

NARROW_WIDTH = 272
WIDE_WIDTH = 672
#: below this width (px) the live chart takes its phone layout (osai-book.js: NARROW)
PHONE = 560
MIN_VIEW = 140
#: average width of a character of a 10 px label, in px (DejaVu Sans, the widest common set)
CHAR = 6.5
LEGEND_CHANNELS = ("color", "fill", "stroke", "shape", "size", "opacity", "strokeDash")
#: a chart as osai.render writes it: its element, then the script that queues its spec
CHART = re.compile(
    r'(<div class="osai-chart" id="(osai-chart-[0-9a-f]+)"[^>]*>)</div>'
    r'(<script type="text/javascript">\(window\.osaiCharts=window\.osaiCharts\|\|\[\]\)'
    r"\.push\((.*?)\);</script>)", re.S)


# ------------------------------------------------------------------ layout of a drawing

def wrap(text, size: float, avail: float, weight: str = "bold"):
    """``text`` as lines no wider than ``avail`` px in the pictures' font (a list when it
    takes more than one)."""
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    if not isinstance(text, str) or glyphs.text_width(text, size, weight) <= avail:
        return text
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and glyphs.text_width(trial, size, weight) > avail:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines


def views(spec: dict):
    """Every view of a spec: the top level, concatenated and layered children."""
    yield spec
    for key in ("vconcat", "hconcat", "concat", "layer"):
        for child in spec.get(key) or []:
            if isinstance(child, dict):
                yield from views(child)
    if isinstance(spec.get("spec"), dict):
        yield from views(spec["spec"])


def _fit_title(title, avail: float, narrow: bool):
    if title is None:
        return None
    t = dict(title) if isinstance(title, dict) else {"text": title}
    if "text" in t:
        t["text"] = wrap(t["text"], t.get("fontSize", 13), avail)
    if "subtitle" in t:
        # (12 px: the size the charts' subtitles are drawn at when they do not say)
        t["subtitle"] = wrap(t["subtitle"], t.get("subtitleFontSize", 12), avail, "normal")
    if narrow:
        t.update(anchor="start", frame="bounds")
    return t


def _chars(limit: float, size: float = 10, weight=None) -> int:
    """How many characters of a label fit in ``limit`` px (wide font, bold a tenth wider)."""
    return max(6, int(limit / (CHAR * size / 10 * (1.1 if weight == "bold" else 1))))


def _wrap_labels(view: dict, avail: float, narrow: bool) -> None:
    """Category names on a y axis and in legends wrap onto lines within their label limit
    rather than end in an ellipsis; on a phone the limit is a share of the width."""
    enc = view.get("encoding") or {}
    for ch in LEGEND_CHANNELS:
        e = enc.get(ch)
        if isinstance(e, dict) and e.get("legend", {}) is not None and (
                e.get("field") or e.get("aggregate")) and e.get("type") in ("nominal",
                                                                            "ordinal"):
            legend = e.get("legend") or {}
            limit = 130 if narrow else legend.get("labelLimit", 160)
            chars = _chars(limit, legend.get("labelFontSize", 10))
            e["legend"] = {"labelExpr": charts.wrap_label(chars), **legend,
                           "labelLimit": limit}
    e = enc.get("y")
    if isinstance(e, dict) and e.get("axis", {}) is not None and e.get("type") in (
            "nominal", "ordinal"):
        axis = e.get("axis") or {}
        limit = axis.get("labelLimit", 180)
        if narrow:
            limit = min(limit, int(avail * 0.4))
        chars = _chars(limit, axis.get("labelFontSize", 10), axis.get("labelFontWeight"))
        e["axis"] = {"labelExpr": charts.wrap_label(chars), **axis, "labelLimit": limit}


def _narrow_view(view: dict, avail: float) -> None:
    enc = view.get("encoding") or {}
    for ch in LEGEND_CHANNELS:
        e = enc.get(ch)
        if isinstance(e, dict) and e.get("legend", {}) is not None and (
                e.get("field") or e.get("aggregate")):
            e["legend"] = {**(e.get("legend") or {}), "orient": "bottom",
                           "direction": "horizontal",
                           "columns": max(1, int((avail - 90) // 150)),
                           "titleLimit": avail - 40}
    for ch in ("x", "y"):
        e = enc.get(ch)
        if not isinstance(e, dict):
            continue
        if isinstance(e.get("title"), str):
            e["title"] = wrap(e["title"], 11, avail * 0.5 if ch == "x" else 240)
        if ch == "x" and e.get("axis", {}) is not None and e.get("type") in ("nominal",
                                                                               "ordinal"):
            axis = e.get("axis") or {}
            if not axis.get("labelAngle"):
                e["axis"] = {**axis, "labelAngle": -90, "labelLimit": 120}


def fit(spec: dict, avail: int, shrink: int = 0) -> dict:
    """The spec drawn at ``avail`` px, ``shrink`` px taken off every view's width: the
    layout ``osai-book.js`` gives the live chart at that width."""
    s = copy.deepcopy(spec)
    narrow = avail < PHONE
    if any(k in s for k in ("vconcat", "hconcat", "concat")):
        if narrow and "hconcat" in s:
            s["vconcat"] = s.pop("hconcat")
        for v in views(s):
            if v is not s and isinstance(v.get("width"), (int, float)):
                v["width"] = max(MIN_VIEW, min(v["width"], avail - 40) - shrink)
    else:
        for v in views(s):
            if v is not s and isinstance(v.get("width"), (int, float)):
                del v["width"]
        s["width"] = max(MIN_VIEW, avail - shrink)
        s["autosize"] = {"type": "fit-x", "contains": "padding"}
    for v in views(s):
        if "title" in v:
            v["title"] = _fit_title(v["title"], avail - 20 - shrink, narrow)
        if narrow:
            _narrow_view(v, avail)
        _wrap_labels(v, avail, narrow)
    config = s.setdefault("config", {})
    config["font"] = glyphs.FONT_FAMILY
    if narrow:
        config["legend"] = {**config.get("legend", {}), "orient": "bottom"}
    return s


def variant_for(item: list, avail: int) -> dict:
    """The spec a chart draws at ``avail`` px: its narrow layout below the width it gives."""
    spec = item[1]
    alt = item[3] if len(item) > 3 else None
    if alt and avail < alt["below"]:
        return {**alt["spec"], "datasets": {**spec.get("datasets", {}),
                                            **alt["spec"].get("datasets", {})}}
    return spec


_registered = False


def draw(spec: dict, avail: int) -> str:
    """An SVG of ``spec`` no wider than ``avail`` px (views narrowed until it fits)."""
    global _registered
    if not _registered:
        vlc.register_font_directory(str(glyphs.FONT_DIR))
        _registered = True
    shrink, svg = 0, ""
    for _ in range(5):
        svg = vlc.vegalite_to_svg(fit(spec, avail, shrink))
        width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
        if width <= avail:
            break
        shrink += int(width - avail) + 2
    return svg


def cached_draw(spec: dict, avail: int) -> str:
    code = hashlib.sha256(Path(__file__).read_bytes() + Path(glyphs.__file__).read_bytes()
                          + Path(charts.__file__).read_bytes()).hexdigest()
    key = hashlib.sha256(json.dumps([code, vlc.__version__, avail, spec], sort_keys=True)
                         .encode()).hexdigest()[:32]
    folder = paths.build_dir() / ".chart-pictures"
    file = folder / f"{key}.svg"
    if file.is_file():
        return file.read_text("utf-8")
    svg = draw(spec, avail)
    folder.mkdir(parents=True, exist_ok=True)
    file.write_text(svg, "utf-8")
    return svg


# ------------------------------------------------------------------ the picture in the page

def picture(svg: str, sheet: glyphs.GlyphSheet, which: str) -> str:
    """The drawing as it goes in the page: text as outlines, no fixed white ground, hidden
    from assistive technology (the chart's element carries its text alternative)."""
    svg = glyphs.outline_texts(svg, sheet)
    svg = re.sub(r'<rect width="[\d.]+" height="[\d.]+" fill="white"/>', "", svg, count=1)
    # the picture is hidden from assistive technology: Vega's ARIA roles and labels go
    svg = re.sub(r' (?:role|aria-roledescription|aria-label)="[^"]*"', "", svg)
    return svg.replace(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'version="1.1" class="marks"',
        f'<svg xmlns="http://www.w3.org/2000/svg" class="osai-picture osai-picture-{which}" '
        'aria-hidden="true" focusable="false"', 1)


def bound_params(spec: dict) -> list[dict]:
    """The params of a spec bound to an HTML input, in the order Vega shows them."""
    out = []
    for v in views(spec):
        out += [p for p in v.get("params") or []
                if isinstance(p.get("bind"), dict) and "input" in p["bind"]]
    return out


def _control(param: dict) -> str:
    bind, name = param["bind"], html.escape(param["name"], quote=True)
    value = param.get("value")
    label = html.escape(str(bind.get("name", param["name"])))
    kind = bind["input"]
    if kind == "select":
        options = bind.get("options") or []
        labels = bind.get("labels") or [str(o) for o in options]
        opts = "".join(
            f'<option value="{i}"{" selected" if o == value else ""}>{html.escape(str(t))}'
            "</option>" for i, (o, t) in enumerate(zip(options, labels)))
        field = f'<select name="{name}">{opts}</select>'
    elif kind == "checkbox":
        field = f'<input type="checkbox" name="{name}"{" checked" if value else ""}>'
    elif kind == "range":
        attrs = "".join(f' {k}="{html.escape(str(bind[k]))}"' for k in ("min", "max", "step")
                        if k in bind)
        field = (f'<input type="range" name="{name}"{attrs} value="{html.escape(str(value))}">'
                 f"<output>{html.escape(str(value))}</output>")
    else:
        field = f'<input type="{html.escape(kind)}" name="{name}" value="' \
                f'{html.escape(str(value if value is not None else ""))}">'
    return (f'<div class="vega-bind"><label><span class="vega-bind-name">{label}</span>'
            f"{field}</label></div>")


def controls(spec: dict) -> str:
    """The chart's controls, with the markup Vega gives them: shown while the picture is,
    only when the page runs scripts (touching one brings the live chart)."""
    params = bound_params(spec)
    if not params:
        return ""
    return ('<div class="vega-bindings osai-preview-controls">'
            + "".join(_control(p) for p in params) + "</div>")


def chart_with_pictures(match: re.Match, sheet: glyphs.GlyphSheet) -> str:
    opening, chart_id, script, payload = match.groups()
    try:
        item = json.loads(payload)
    except json.JSONDecodeError as err:
        raise ValueError(f"chart {chart_id}: its queued spec is not JSON ({err})") from err
    drawings = "".join(picture(cached_draw(variant_for(item, w), w), sheet, which)
                       for which, w in (("narrow", NARROW_WIDTH), ("wide", WIDE_WIDTH)))
    return f"{opening}{drawings}{controls(item[1])}</div>{script}"


def pictures_in(body: str, prefix: str = "osai-g") -> str:
    """``body`` with every chart's element holding its pictures, and the glyphs they use."""
    sheet = glyphs.GlyphSheet(prefix)
    out = CHART.sub(lambda m: chart_with_pictures(m, sheet), body)
    return out + sheet.defs() if sheet.used else out


def add_pictures(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``html-page-context``: draw the page's charts into it (see the module's text)."""
    body = context.get("body") or ""
    if "osai-chart" in body:
        context["body"] = pictures_in(body)
