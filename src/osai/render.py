"""How charts are shown: decided here, in one place, for each context.

* **Book build** (``OSAI_CONTEXT=book``, set by ``make book``): a chart becomes a
  ``<figure>``-ready HTML block with the Vega-Lite spec queued for ``_static/osai-book.js``,
  which loads the vega bundle served by the book itself (``vendor/vega``), so the page needs
  no CDN and no kernel.  Every chart carries a text alternative: an ``aria-label`` summary
  and a data table in a ``<details>`` element.
* **Live kernel** (JupyterLab, the default): Altair's ``jupyter`` renderer with
  ``offline=True`` (JupyterChart, an anywidget that carries vega inside), which draws with no
  network; Altair's default renderer would fetch vega from a CDN and fail offline.
"""

from __future__ import annotations

import html
import os
import uuid
from typing import Any

import altair as alt
import pandas as pd

from osai.text import script_json as htmljson

BOOK = "book"
LIVE = "live"


def context() -> str:
    """``book`` during ``make book``, else ``live``."""
    return BOOK if os.environ.get("OSAI_CONTEXT", "").lower() == BOOK else LIVE


def setup() -> str:
    """Enable the renderer that works offline in the current context; returns the context."""
    ctx = context()
    if ctx == LIVE:
        try:
            alt.renderers.enable("jupyter", offline=True)
        except Exception:  # anywidget missing: fall back to Altair's default (needs network)
            alt.renderers.enable("default")
    return ctx


def _table_html(table: pd.DataFrame, caption: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    rows = []
    for _, row in table.iterrows():
        cells = "".join(
            f"<td>{html.escape('' if pd.isna(v) else str(v))}</td>" for v in row.tolist())
        rows.append(f"<tr>{cells}</tr>")
    return (f'<table class="osai-alt-table"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _narrow_variant(spec: dict, narrow: alt.TopLevelMixin | None, below: int) -> dict | None:
    """``{"below": px, "spec": ...}`` for ``_static/osai-book.js``: the spec it draws when
    the chart's element is narrower than ``below`` px.  Data sets the wide spec already
    carries are not repeated (the script merges ``datasets``)."""
    if narrow is None:
        return None
    if below <= 0:
        raise ValueError("narrow_below must be a positive width in pixels")
    nspec = narrow.to_dict()
    shared = spec.get("datasets", {})
    own = {k: v for k, v in nspec.pop("datasets", {}).items() if k not in shared}
    if own:
        nspec["datasets"] = own
    return {"below": int(below), "spec": nspec}


def chart_html(chart: alt.TopLevelMixin, alt_text: str, table: pd.DataFrame | None = None,
               table_caption: str = "The data behind the chart", *,
               narrow: alt.TopLevelMixin | None = None, narrow_below: int = 0) -> str:
    """Static-page HTML for a chart: a container, a queued spec, and a text alternative.

    The page script fits the chart to its element's width; ``narrow`` is a second layout
    drawn instead when the element is narrower than ``narrow_below`` px (for charts laid
    out by pixel positions, which cannot simply shrink)."""
    spec = chart.to_dict()
    spec.setdefault("description", alt_text)
    chart_id = f"osai-chart-{uuid.uuid4().hex[:12]}"
    options = {"renderer": "svg", "actions": False}
    variant = _narrow_variant(spec, narrow, narrow_below)
    if variant is not None:
        variant["spec"].setdefault("description", alt_text)
    item = [chart_id, spec, options] + ([variant] if variant else [])
    payload = htmljson.dumps(item, separators=(",", ":"))
    details = ""
    if table is not None:
        details = ('<details class="osai-alt"><summary>Text alternative: the data as a table'
                   f'</summary><div class="osai-table-scroll" tabindex="0" role="region" '
                   f'aria-label="{html.escape(table_caption, quote=True)}">'
                   f"{_table_html(table, table_caption)}</div></details>")
    return (
        f'<div class="osai-chart-block">'
        f'<div class="osai-chart" id="{chart_id}" role="group" '
        f'aria-label="{html.escape(alt_text, quote=True)}"></div>'
        f'<script type="text/javascript">(window.osaiCharts=window.osaiCharts||[])'
        f".push({payload});</script>"
        f'<p class="osai-alt-text">{html.escape(alt_text)}</p>{details}</div>'
    )


class Figure:
    """A chart with its text alternative; displays correctly in the book and in JupyterLab."""

    def __init__(self, chart: alt.TopLevelMixin, alt_text: str,
                 table: pd.DataFrame | None = None, table_caption: str | None = None, *,
                 narrow: alt.TopLevelMixin | None = None, narrow_below: int = 0):
        if not alt_text or not alt_text.strip():
            raise ValueError("every chart needs a text alternative (alt_text)")
        if narrow is not None and narrow_below <= 0:
            raise ValueError("a narrow layout needs narrow_below, the width (px) under "
                             "which it is drawn")
        self.chart = chart
        self.narrow = narrow
        self.narrow_below = narrow_below
        self.alt_text = alt_text
        self.table = table
        self.table_caption = table_caption or "The data behind the chart"

    def to_html(self) -> str:
        return chart_html(self.chart, self.alt_text, self.table, self.table_caption,
                          narrow=self.narrow, narrow_below=self.narrow_below)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None):
        if context() == BOOK:
            return {"text/html": self.to_html(), "text/plain": self.alt_text}
        setup()
        bundle = self.chart._repr_mimebundle_(include, exclude)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle or {})
        bundle["text/plain"] = self.alt_text
        return bundle
