"""The live display of a run: ipywidgets in a notebook, plain lines in terminal IPython and headless runs.

Both renderers read one :class:`RunProgress`, fed by the agent's events. At the end either one shows a
:class:`FinalSummary`, a static mimebundle (text/plain, text/html with the leaderboard and the feature-importance
plot) that survives saving the notebook, unlike widgets.
"""

from __future__ import annotations

import base64
import html
import io
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlzero_jupyter.coding.contract import FEATURE_IMPORTANCE_FILE, LEADERBOARD_FILE
from mlzero_jupyter.events import AgentEvent
from mlzero_jupyter.notebook.cells import TAIL_LINES
from mlzero_jupyter.runs import RunFolder

#: Attempt states, in the order an attempt goes through them.
WRITING, RUNNING, VALIDATING, DONE, FAILED = "writing code", "running", "validating", "done", "failed"
#: Seconds between two refreshes of a running attempt's row.
REFRESH_S = 0.5
TABLE_ROWS = 10
LEADERBOARD_COLUMNS = ("model", "score_test", "score_val", "eval_metric", "fit_time", "pred_time_val")


@dataclass
class AttemptProgress:
    number: int
    state: str = WRITING
    summary: str = ""
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    budget_s: float | None = None
    tail: deque = field(default_factory=lambda: deque(maxlen=TAIL_LINES))
    status: str = ""
    score: float | None = None
    metric: str | None = None
    error: str = ""
    tokens: int = 0
    cost_usd: float = 0.0

    @property
    def elapsed_s(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def line(self) -> str:
        """The row as one line of text."""
        timing = f"{self.elapsed_s:.0f} s" + (f" of {self.budget_s:.0f} s" if self.budget_s else "")
        parts = [f"attempt {self.number}: {self.state}", timing]
        if self.score is not None:
            parts.append(f"{self.metric} = {self.score:.5g}")
        elif self.state == FAILED and self.error:
            parts.append(self.error.strip().splitlines()[-1][:160])
        if self.tokens:
            parts.append(f"{self.tokens} tokens, ${self.cost_usd:.4f}")
        if self.summary:
            parts.append(self.summary)
        return " | ".join(parts)


class RunProgress:
    """What is known about a run so far, from its events."""

    def __init__(self) -> None:
        self.run_id = ""
        self.run_dir = ""
        self.task: dict[str, Any] | None = None
        self.tool: str | None = None
        self.attempts: dict[int, AttemptProgress] = {}
        self.result: dict[str, Any] | None = None
        self.first_attempt = 1  # the number of the run's first new attempt (later ones on resume)

    def apply(self, event: AgentEvent) -> AttemptProgress | None:
        """Update from an event; the attempt it touched, if any."""
        data = event.data
        if event.kind == "run_started":
            self.run_id, self.run_dir = event.run_id, data["run_dir"]
            self.first_attempt = data.get("first_attempt", 1)
        elif event.kind == "task_perceived":
            self.task = data["task"]
        elif event.kind == "tool_selected":
            self.tool = data["tool"]
        elif event.kind == "attempt_started":
            row = self.attempt(event.attempt)
            row.state, row.summary, row.budget_s = RUNNING, data["summary"], data["time_limit"]
            return row
        elif event.kind == "attempt_output":
            row = self.attempt(event.attempt)
            row.tail.append((data["stream"], data["line"].rstrip("\n")))
            return row
        elif event.kind == "attempt_validating":
            return self.validating(event.attempt)
        elif event.kind == "attempt_finished":
            return self._finished(self.attempt(event.attempt), data["attempt"])
        elif event.kind == "run_finished":
            self.result = data["result"]
        return None

    def attempt(self, number: int) -> AttemptProgress:
        if number not in self.attempts:
            self.attempts[number] = AttemptProgress(number)
        return self.attempts[number]

    def validating(self, number: int) -> AttemptProgress:
        row = self.attempt(number)
        row.state = VALIDATING
        return row

    @staticmethod
    def _finished(row: AttemptProgress, record: dict[str, Any]) -> AttemptProgress:
        row.ended = time.monotonic()
        row.status = record["status"]
        row.state = DONE if record["status"] == "success" else FAILED
        row.score, row.metric, row.error = record.get("score"), record.get("metric"), record.get("error", "")
        row.summary = record.get("summary") or row.summary
        row.tokens = record.get("input_tokens", 0) + record.get("output_tokens", 0)
        row.cost_usd = record.get("cost_usd", 0.0)
        return row

    def task_lines(self) -> list[str]:
        """The perceived task in a few lines, warnings last."""
        if self.task is None:
            return []
        task = self.task

        def value(name: str) -> str:
            inferred = task.get(name) or {}
            return f"{inferred.get('value')} ({inferred.get('confidence', 0):.0%})"

        files = ", ".join(f"{f['path']} ({f['role']})" for f in task.get("files", []) if f["role"] != "ignored")
        lines = [f"files: {files or '-'}",
                 f"target: {value('target')}; problem: {value('problem_type')}; metric: {value('metric')}"]
        layout = task.get("retrieval")
        if layout:
            lines.append(f"ranking: the items of {layout['corpus_file']} for the queries of {layout['queries_file']} "
                         f"that {layout['judgements_file']} does not judge")
        labels = task.get("label_sets")
        if labels:
            how = (f"separated by {labels['delimiter']!r} in {labels['columns'][0]}" if labels.get("delimiter")
                   else "one 0/1 column each")
            names = ", ".join(labels["labels"][:12]) + (", ..." if len(labels["labels"]) > 12 else "")
            lines.append(f"labels: {names} ({how}); a row may have several")
        if self.tool:
            lines.append(f"tool: {self.tool}")
        lines.extend(f"warning: {w}" for w in task.get("warnings", []))
        return lines


# -- the final summary -------------------------------------------------------------------------------------------
class FinalSummary:
    """The end of a run as a static display: result, leaderboard, feature importance, exported notebook."""

    def __init__(self, result: Any, export_path: Path | None = None) -> None:
        self.result = result
        self.export_path = export_path
        best = result.best_attempt
        best_dir = RunFolder(Path(result.run_dir)).attempt_dir(best, create=False) if best else None
        self.leaderboard = _leaderboard_view(_read_csv(best_dir / LEADERBOARD_FILE)) if best_dir else None
        self.importance = _read_csv(best_dir / FEATURE_IMPORTANCE_FILE) if best_dir else None

    def text(self) -> str:
        parts = [str(self.result)]
        if self.leaderboard is not None:
            parts.append("Leaderboard:\n" + self.leaderboard.head(TABLE_ROWS).to_string(index=False))
        if self.importance is not None:
            top = _importance_series(self.importance).head(TABLE_ROWS)
            parts.append("Feature importance:\n" + top.to_string())
        if self.export_path is not None:
            parts.append(f"Exported notebook: {self.export_path}")
        return "\n\n".join(parts)

    def html(self) -> str:
        parts = [self.result._repr_mimebundle_()["text/html"]]
        if self.leaderboard is not None:
            parts.append("<b>Leaderboard</b>" + self.leaderboard.head(TABLE_ROWS).to_html(index=False, border=0))
        for title, png in (("Score over time", self.progress_png()), ("Feature importance", self.importance_png())):
            if png is not None:
                encoded = base64.b64encode(png).decode()
                parts.append(f'<b>{title}</b><br><img src="data:image/png;base64,{encoded}">')
        if self.export_path is not None:
            link = html.escape(_relative_link(self.export_path))
            shown = html.escape(str(self.export_path))
            parts.append(f'Exported notebook: <a href="{link}" target="_blank">{shown}</a>')
        return "<br>".join(parts)

    def importance_png(self) -> bytes | None:
        """A horizontal bar plot of the most important features, as PNG bytes."""
        if self.importance is None:
            return None
        top = _importance_series(self.importance).head(TABLE_ROWS).iloc[::-1]
        figure, axes = _figure(6, 0.35 * len(top) + 1)
        axes.barh([str(name) for name in top.index], top.values)
        axes.set_xlabel("importance")
        return _png(figure)

    def progress_png(self) -> bytes | None:
        """The referee's score of each valid attempt against the run's elapsed seconds, and the best so far, as PNG
        bytes; None with fewer than two valid attempts (nothing to compare)."""
        points = scores_over_time(self.result)
        if len(points) < 2:
            return None
        figure, axes = _figure(6, 2.6)
        seconds, scores, best = zip(*points)
        axes.plot(seconds, scores, "o", label="attempt")
        axes.step(seconds, best, where="post", label="best so far")
        for (second, score, _), attempt in zip(points, [a for a in self.result.attempts if _scored(a)]):
            axes.annotate(str(attempt.number), (second, score), textcoords="offset points", xytext=(4, 4))
        axes.set_xlabel("seconds since the run started")
        axes.set_ylabel(self.result.metric or "score")
        axes.legend(loc="best", fontsize="small")
        return _png(figure)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.html()}


def scores_over_time(result: Any) -> list[tuple[float, float, float]]:
    """(seconds since the start when the attempt ended, its score, the best score so far) for each valid attempt."""
    points, elapsed, best = [], 0.0, None
    for attempt in result.attempts:
        elapsed += attempt.duration_s or 0.0
        if not _scored(attempt):
            continue
        better = best is None or (attempt.score > best if result.higher_is_better else attempt.score < best)
        best = attempt.score if better else best
        points.append((elapsed, attempt.score, best))
    return points


def _scored(attempt: Any) -> bool:
    return attempt.status == "success" and attempt.score is not None


def _figure(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    return figure, figure.subplots()


def _png(figure: Any) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def _read_csv(path: Path) -> Any:
    if not path.is_file():
        return None
    import pandas as pd

    try:
        return pd.read_csv(path)
    except (ValueError, OSError):
        return None


def _leaderboard_view(frame: Any) -> Any:
    """The leaderboard columns worth a glance, when the file has them."""
    if frame is None:
        return None
    shown = [c for c in LEADERBOARD_COLUMNS if c in frame.columns]
    return frame[shown] if "model" in shown and len(shown) > 1 else frame


def _importance_series(frame: Any) -> Any:
    """Feature importance as a series sorted high to low: the first column names, 'importance' (or the 2nd) scores."""
    names = frame.columns[0]
    scores = "importance" if "importance" in frame.columns else frame.columns[1]
    return frame.set_index(names)[scores].sort_values(ascending=False)


def _relative_link(path: Path) -> str:
    """A link the notebook's file browser resolves: relative to the kernel's working folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# -- renderers ---------------------------------------------------------------------------------------------------
class TextDisplay:
    """Plain lines for terminal IPython and headless runs; the final summary as a rich mimebundle.

    With ``in_place`` (a background run) the lines go into one output of the cell that started the run, updated by
    its display id, so that they never land in whichever cell happens to run meanwhile.
    """

    def __init__(self, verbose: bool = False, in_place: bool = False) -> None:
        self.progress = RunProgress()
        self.verbose = verbose
        self.lines: list[str] = []
        self.handle: Any = None
        if in_place:
            from IPython.display import display

            self.handle = display({"text/plain": "MLZero: perceiving the data..."}, raw=True, display_id=True)

    def say(self, text: str) -> None:
        """Show a line (in place for a background run)."""
        if self.handle is None:
            print(text)
            return
        self.lines.append(text)
        self.handle.update({"text/plain": "\n".join(self.lines)}, raw=True)

    def __call__(self, event: AgentEvent) -> None:
        row = self.progress.apply(event)
        kind = event.kind
        if kind == "run_started":
            self.say(f"MLZero run {event.run_id} -> {event.data['run_dir']}")
        elif kind == "tool_selected":
            self.say("\n".join("  " + line for line in self.progress.task_lines()))
        elif kind == "attempt_output" and self.verbose:
            self.say(f"    {event.data['line'].rstrip()}")
        elif kind in ("attempt_started", "attempt_validating", "attempt_finished") and row is not None:
            self.say("  " + row.line())

    def writing(self, number: int) -> None:
        """Not shown in text mode: the next line says the attempt runs."""

    def discard(self) -> None:
        """The run never started: empty the output shown so far."""
        if self.handle is not None:
            self.handle.update({"text/plain": ""}, raw=True)

    interactive = False

    def ask(self, make_prompt: Any) -> None:
        """Nothing to show: text mode has no buttons (the comm or input() carries the question)."""

    def close_prompt(self) -> None:
        """Nothing to close in text mode."""

    def finish(self, summary: FinalSummary) -> None:
        if self.handle is not None:
            self.handle.update(summary)
            return
        from IPython.display import display

        display(summary)


class WidgetDisplay:
    """ipywidgets: the task, one row per attempt with a collapsible output tail, a question area, the summary."""

    def __init__(self, verbose: bool = False, on_stop: Callable[[], None] | None = None,
                 on_choose: Callable[[str, str], None] | None = None) -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self.widgets = widgets
        self.progress = RunProgress()
        self.verbose = verbose
        self.header = widgets.HTML("<b>MLZero</b>: perceiving the data...")
        self.rows = widgets.VBox()
        self.question = widgets.VBox()
        stop = widgets.Button(description="Stop", button_style="danger", tooltip="kill the running attempt and stop")
        if on_stop is not None:
            stop.on_click(lambda _button: on_stop())
        self.box = widgets.VBox([widgets.HBox([self.header, stop]), self.rows, self.question])
        self.on_choose = on_choose  # a click on an uncertain field's alternative: run again with it
        self._row_widgets: dict[int, tuple[Any, Any]] = {}
        self._refreshed = 0.0
        self.handle = display(self.box, display_id=True)

    def say(self, text: str) -> None:
        """A line above the attempts (where the header is)."""
        self.header.value += f"<br>{html.escape(text)}"

    def __call__(self, event: AgentEvent) -> None:
        row = self.progress.apply(event)
        if event.kind in ("run_started", "task_perceived", "tool_selected"):
            self._show_header()
        if event.kind == "task_perceived" and self.on_choose is not None:
            self._show_choices()
        if event.kind == "tool_selected":
            self.writing(self.progress.first_attempt)
        if row is not None:
            throttle = event.kind == "attempt_output"
            if not throttle or time.monotonic() - self._refreshed > REFRESH_S:
                self._show_row(row)

    def writing(self, number: int) -> None:
        """Attempt ``number`` is being written (after tool selection, or once the previous pause ended)."""
        self._show_row(self.progress.attempt(number))

    def discard(self) -> None:
        """The run never started: remove the widgets."""
        self.box.close()

    interactive = True

    def ask(self, make_prompt: Any) -> None:
        self.question.children = [make_prompt()]

    def close_prompt(self) -> None:
        self.question.children = []

    def finish(self, summary: FinalSummary) -> None:
        """Replace the live widgets by the static summary, which stays readable in a saved notebook."""
        self.handle.update(summary)

    def _show_header(self) -> None:
        progress = self.progress
        lines = [f"<b>MLZero</b> run <code>{html.escape(progress.run_id)}</code> &rarr; "
                 f"<code>{html.escape(progress.run_dir)}</code>"]
        for line in progress.task_lines():
            style = ' style="color:#b35c00"' if line.startswith("warning:") else ""
            lines.append(f"<span{style}>{html.escape(line)}</span>")
        self.header.value = "<br>".join(lines)

    def _show_choices(self) -> None:
        """Under the header, a button per alternative of each uncertain target, problem type or metric."""
        from mlzero_jupyter.notebook.choices import choice_widget

        choices = choice_widget(self.progress.task or {}, self.on_choose)
        if choices is not None:
            header, *rest = self.box.children
            self.box.children = [header, choices, *rest]

    def _show_row(self, row: AttemptProgress) -> None:
        widgets = self.widgets
        if row.number not in self._row_widgets:
            label = widgets.HTML()
            tail = widgets.HTML()
            accordion = widgets.Accordion(children=[tail], selected_index=None)
            accordion.set_title(0, "output")
            self._row_widgets[row.number] = (label, tail)
            self.rows.children = [*self.rows.children, widgets.VBox([label, accordion])]
        label, tail = self._row_widgets[row.number]
        colour = {DONE: "green", FAILED: "#c00"}.get(row.state, "#555")
        label.value = f'<span style="color:{colour}">{html.escape(row.line())}</span>'
        text = "\n".join(line for _, line in row.tail)
        tail.value = f"<pre style='max-height:20em;overflow:auto'>{html.escape(text)}</pre>"
        self._refreshed = time.monotonic()


def make_display(widgets_available: bool, verbose: bool = False,
                 on_stop: Callable[[], None] | None = None, in_place: bool = False,
                 on_choose: Callable[[str, str], None] | None = None) -> TextDisplay | WidgetDisplay:
    """Widgets where a widget frontend is present, else plain text. ``on_stop``: what the Stop button does;
    ``in_place``: text lines update one output (background runs); ``on_choose(field, value)``: what a click on an
    uncertain field's alternative does (no buttons without it)."""
    if widgets_available:
        try:
            return WidgetDisplay(verbose, on_stop, on_choose)
        except ImportError:
            pass
    return TextDisplay(verbose, in_place)
