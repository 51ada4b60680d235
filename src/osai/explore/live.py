"""The live-notebook extra of exercise 3: ipywidgets with Python callbacks, where the
learner may also enter their own scores and save them to a JSON file.  Never shown on a
built page: in the book context it returns a note that says how to run it."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from osai import render
from osai.charts import ORG_COLOURS
from osai.data import Dataset, load_dataset
from osai.explore.common import ORG_IDS, org_names
from osai.explore.weighing import (ASSESSMENT_DIMENSIONS, MAX_WEIGHT, assessment_scores,
                                   rank_organisations, scores_by_org)

# ------------------------------------------------------------ live-notebook extra

LIVE_NOTE = (
    "**Live exercise: run it in JupyterLab.** This version of the trade-off exercise uses "
    "Python callbacks, so it only works with a running kernel; a built page cannot run it. "
    "Open this chapter's notebook in JupyterLab (from the course bundle: see *Run it* on "
    "the welcome page) and run:\n\n"
    "```python\nfrom osai.explore import live_tradeoff\nlive_tradeoff()\n```\n\n"
    "There you can move the weights, enter your own scores for each organisation and save "
    "them to a JSON file in your own folder (`my-tradeoff.json` by default)."
)


def live_tradeoff(path: str | Path = "my-tradeoff.json", ds: Dataset | None = None):
    """The live trade-off exercise (ipywidgets with Python callbacks).

    In the book build (``render.context() == "book"``) nothing interactive is returned:
    a Markdown note says how to run it in JupyterLab, because a Python callback never runs
    on a static page.  In a live kernel it returns a :class:`LiveTradeoff` widget.
    """
    if render.context() == render.BOOK:
        from IPython.display import Markdown
        return Markdown(LIVE_NOTE)
    return live_class()(path=path, ds=ds)


def _ranking_html(rows: list[dict], using_own: bool, all_zero: bool) -> str:
    whose = "your own scores" if using_own else "the course's scores"
    if all_zero:
        return (f"<p><em>Every weight is 0: move a slider up to rank the organisations "
                f"({whose}).</em></p>")
    items = []
    for r in rows:
        pct = max(0.0, min(100.0, r["weighted_score"] / 5 * 100))
        colour = ORG_COLOURS.get(r["name"], "#555555")
        items.append(
            f'<li data-org="{r["org_id"]}"><span style="display:inline-block;width:11em">'
            f'{html.escape(r["name"])}</span>'
            f'<span style="display:inline-block;width:{pct * 2:.0f}px;height:0.8em;'
            f'background:{colour};margin-right:0.4em" aria-hidden="true"></span>'
            f'{r["weighted_score"]:.2f}</li>')
    return (f"<p>Ranking with {whose} (weighted mean, 1 to 5):</p>"
            f"<ol class='osai-live-ranking'>{''.join(items)}</ol>")


def _make_live_class():
    import ipywidgets as w

    class LiveTradeoff(w.VBox):
        """Sliders for the weights, inputs for your own scores, a ranking, save and load.

        Attributes for code and tests: ``weights`` (dimension -> IntSlider), ``scores``
        ((org, dimension) -> BoundedIntText), ``use_own`` (Checkbox), ``output`` (HTML),
        ``ranking`` (the latest ranking as dicts), ``path`` (Text).
        """

        def __init__(self, path: str | Path = "my-tradeoff.json", ds: Dataset | None = None):
            ds = ds or load_dataset()
            a = assessment_scores(ds)
            self._names = org_names(ds)
            self.course_scores = scores_by_org(a)
            style = {"description_width": "15em"}
            layout = w.Layout(width="32em")
            self.weights = {
                d: w.IntSlider(value=1, min=0, max=MAX_WEIGHT, step=1, description=label,
                               style=style, layout=layout, continuous_update=True)
                for d, label in ASSESSMENT_DIMENSIONS.items()}
            self.use_own = w.Checkbox(value=False, description="Rank with my own scores",
                                      indent=False)
            self.scores = {
                (o, d): w.BoundedIntText(value=self.course_scores[o][d], min=1, max=5,
                                         layout=w.Layout(width="4.5em"),
                                         description_allow_html=False)
                for o in ORG_IDS for d in ASSESSMENT_DIMENSIONS}
            header = [w.Label("")] + [w.Label(lbl) for lbl in ASSESSMENT_DIMENSIONS.values()]
            cells = list(header)
            for o in ORG_IDS:
                cells.append(w.Label(self._names[o]))
                cells += [self.scores[(o, d)] for d in ASSESSMENT_DIMENSIONS]
            grid = w.GridBox(cells, layout=w.Layout(
                grid_template_columns="9em " + " ".join(["minmax(5em, 1fr)"] * 6),
                grid_gap="2px 6px"))
            self.output = w.HTML()
            self.path = w.Text(value=str(path), description="Save to file:",
                               style={"description_width": "initial"},
                               layout=w.Layout(width="30em"))
            self.save_button = w.Button(description="Save", icon="save",
                                        tooltip="Save your weights and scores as JSON")
            self.load_button = w.Button(description="Load", icon="folder-open",
                                        tooltip="Load weights and scores from the file")
            self.reset_button = w.Button(description="Course scores",
                                         tooltip="Put the course's scores back in the inputs")
            self.status = w.HTML()
            self.save_button.on_click(lambda _b: self._guarded(self.save))
            self.load_button.on_click(lambda _b: self._guarded(self.load))
            self.reset_button.on_click(lambda _b: self.reset_scores())
            self.ranking: list[dict] = []
            own = w.Accordion(children=[w.VBox([
                w.HTML("<p>Enter your own score (1 = weak, 5 = strong) for any cell you "
                       "disagree with; tick the box above to rank with them.</p>"),
                grid, self.reset_button])], titles=("Your own scores",))
            super().__init__([
                w.HTML("<strong>Weights</strong> (0 ignores a dimension)"),
                *self.weights.values(), self.use_own, own, self.output,
                w.HBox([self.path, self.save_button, self.load_button]), self.status])
            for control in [*self.weights.values(), self.use_own, *self.scores.values()]:
                control.observe(self._changed, names="value")
            self.recompute()

        # state
        def current_weights(self) -> dict[str, int]:
            return {d: int(s.value) for d, s in self.weights.items()}

        def own_scores(self) -> dict[str, dict[str, int]]:
            return {o: {d: int(self.scores[(o, d)].value) for d in ASSESSMENT_DIMENSIONS}
                    for o in ORG_IDS}

        def recompute(self) -> list[dict]:
            weights = {d: float(v) for d, v in self.current_weights().items()}
            scores = self.own_scores() if self.use_own.value else self.course_scores
            self.ranking = rank_organisations(weights, scores, self._names)
            self.output.value = _ranking_html(self.ranking, bool(self.use_own.value),
                                              sum(weights.values()) == 0)
            return self.ranking

        def _changed(self, _change=None) -> None:
            self.recompute()

        def _guarded(self, action) -> None:
            try:
                action()
            except (OSError, ValueError, KeyError) as exc:
                self.status.value = f"<span style='color:#a40000'>{html.escape(str(exc))}</span>"

        def reset_scores(self) -> None:
            for (o, d), box in self.scores.items():
                box.value = self.course_scores[o][d]

        def save(self, path: str | Path | None = None) -> Path:
            target = Path(path or self.path.value).expanduser()
            state = {
                "saved": dt.datetime.now().isoformat(timespec="seconds"),
                "weights": self.current_weights(),
                "use_own_scores": bool(self.use_own.value),
                "scores": self.own_scores(),
                "ranking": [{k: r[k] for k in ("rank", "org_id", "weighted_score")}
                            for r in self.ranking],
            }
            target.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
            self.status.value = f"Saved to <code>{html.escape(str(target.resolve()))}</code>"
            return target

        def load(self, path: str | Path | None = None) -> dict:
            target = Path(path or self.path.value).expanduser()
            state = json.loads(target.read_text(encoding="utf-8"))
            for d, v in state.get("weights", {}).items():
                if d in self.weights:
                    self.weights[d].value = int(v)
            for o, row in state.get("scores", {}).items():
                for d, v in row.items():
                    if (o, d) in self.scores:
                        self.scores[(o, d)].value = int(v)
            self.use_own.value = bool(state.get("use_own_scores", False))
            self.recompute()
            self.status.value = f"Loaded <code>{html.escape(str(target.resolve()))}</code>"
            return state

    return LiveTradeoff


def live_class():
    """The :class:`LiveTradeoff` widget class, built on first use (it subclasses an
    ipywidgets class, so importing this module does not import ipywidgets)."""
    cls = globals().get("_LIVE_CLASS")
    if cls is None:
        cls = globals()["_LIVE_CLASS"] = _make_live_class()
    return cls


def __getattr__(name: str):
    # LiveTradeoff subclasses an ipywidgets class: it is built on first use only, so
    # importing osai.explore in the book build does not import ipywidgets.
    if name == "LiveTradeoff":
        return live_class()
    raise AttributeError(name)
