"""A terminal display of a run's events, with rich: one line per step and, while an attempt runs, its progress.

In a terminal the progress is a live line (the attempt's time against its budget, the run's against the run's
budget, the best score so far, the attempt's last output line); when the output is a pipe or a file it is a plain
line every PROGRESS_INTERVAL_S seconds (``MLZERO_PROGRESS_INTERVAL=10s`` changes it), without control characters.
The run's summary is printed by the command, so the display adds no closing line of its own.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from rich.console import Console, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Column, Table
from rich.text import Text

from mlzero_jupyter.config import parse_duration
from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.events import AgentEvent
from mlzero_jupyter.cli.tables import one_line, score_text

#: Cells of the live progress bar.
BAR_WIDTH = 24
#: Seconds between two plain progress lines when the output is not a terminal, and the variable that changes it.
PROGRESS_INTERVAL_S = 30.0
PROGRESS_INTERVAL_VARIABLE = "MLZERO_PROGRESS_INTERVAL"


def progress_interval() -> float:
    """PROGRESS_INTERVAL_S, or the duration in ``MLZERO_PROGRESS_INTERVAL`` (``5``, ``5s``, ``1m``)."""
    text = os.environ.get(PROGRESS_INTERVAL_VARIABLE, "").strip()
    if not text:
        return PROGRESS_INTERVAL_S
    try:
        return parse_duration(text)
    except ConfigError as error:
        raise ConfigError(f"{PROGRESS_INTERVAL_VARIABLE}={text!r} is invalid: {error}") from None


@dataclass
class RunningAttempt:
    number: int
    budget: float  # seconds
    started: float  # time.monotonic()
    last_line: str = ""


class ConsoleProgress:
    """An observer that prints the run's progress; ``verbose`` also echoes the generated code's output.

    ``run_budget`` is the run's time limit in seconds (None: unknown); ``interval`` the seconds between two plain
    progress lines when the console is not a terminal (default: :func:`progress_interval`). Call :meth:`close`
    when the run ends by an exception.
    """

    def __init__(self, console: Console | None = None, verbose: bool = False, run_budget: float | None = None,
                 interval: float | None = None) -> None:
        self.console = console or Console(stderr=True, highlight=False, soft_wrap=True)
        self.verbose = verbose
        self.run_budget = run_budget
        self.interval = progress_interval() if interval is None else interval
        self._run_started = time.monotonic()
        self._attempt: RunningAttempt | None = None
        self._best: tuple[str, float] | None = None  # metric, score
        self._higher_is_better = True
        self._live: Live | None = None
        self._ticker: tuple[threading.Thread, threading.Event] | None = None

    def __call__(self, event: AgentEvent) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is not None:
            handler(event, **event.data)

    def close(self) -> None:
        """Stop the live line or the periodic lines (the terminal gets its cursor back)."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        if self._ticker is not None:
            thread, stop = self._ticker
            stop.set()
            thread.join()
            self._ticker = None

    # -- what the run tells -------------------------------------------------------------------------------------
    def _on_run_started(self, event: AgentEvent, run_dir: str, **_: Any) -> None:
        self._run_started = time.monotonic()
        self._remember_earlier_best(run_dir)
        self.console.print(f"[bold]MLZero[/bold] run {event.run_id}  ->  {run_dir}")

    def _on_task_perceived(self, event: AgentEvent, task: dict[str, Any], **_: Any) -> None:
        def field(name: str) -> str:
            inferred = task[name]
            return f"{inferred['value']} ({inferred['confidence']:.0%})"

        self._higher_is_better = bool(task.get("higher_is_better", True))
        self.console.print(f"  task: {field('problem_type')}, target {field('target')}, metric {field('metric')}")
        for warning in task.get("warnings", []):
            self.console.print(f"  [yellow]warning:[/yellow] {warning}")

    def _on_tool_selected(self, event: AgentEvent, tool: str, reasons: list[str], **_: Any) -> None:
        self.console.print(f"  tool: {tool}" + (f" ({reasons[0]})" if reasons else ""))

    def _on_attempt_started(self, event: AgentEvent, summary: str, time_limit: float, **_: Any) -> None:
        self.console.print(f"  attempt {event.attempt}: {summary} [dim](budget {time_limit:.0f} s)[/dim]")
        self.close()
        self._attempt = RunningAttempt(event.attempt or 0, time_limit, time.monotonic())
        if self.console.is_terminal:
            self._live = Live(get_renderable=self._live_line, console=self.console, transient=True,
                              refresh_per_second=2)
            self._live.start()
        else:
            stop = threading.Event()
            thread = threading.Thread(target=self._print_periodically, args=(stop,), daemon=True,
                                      name="mlzero-progress")
            self._ticker = (thread, stop)
            thread.start()

    def _on_attempt_output(self, event: AgentEvent, stream: str, line: str, **_: Any) -> None:
        if self.verbose:
            self.console.print(f"    [dim]{line.rstrip()}[/dim]", markup=False, highlight=False)
        elif self._attempt is not None and line.strip():
            self._attempt.last_line = one_line(line)

    def _on_attempt_finished(self, event: AgentEvent, attempt: dict[str, Any], **_: Any) -> None:
        self.close()
        self._attempt = None
        if attempt["status"] == "success":
            self._keep_best(attempt.get("metric") or "score", attempt.get("score"))
            outcome = f"[green]valid[/green], {attempt['metric']} = {score_text(attempt['score'])}"
        else:
            last_line = (attempt.get("error") or "").strip().splitlines()[-1:] or [""]
            outcome = f"[red]{attempt['status']}[/red] {last_line[0][:160]}"
        self.console.print(f"  attempt {event.attempt}: {outcome} ({attempt['duration_s']:.0f} s)")

    def _on_run_finished(self, event: AgentEvent, **_: Any) -> None:
        self.close()

    # -- the best score so far ----------------------------------------------------------------------------------
    def _remember_earlier_best(self, run_dir: str) -> None:
        """A resumed run starts from the best score of its earlier attempts."""
        from mlzero_jupyter.errors import RunFolderError
        from mlzero_jupyter.run_views import read_result
        from mlzero_jupyter.runs import RunFolder

        try:
            earlier = read_result(RunFolder(run_dir))
        except (RunFolderError, TypeError, KeyError, ValueError):  # a damaged result.json: the run reports it
            return
        if earlier is not None:
            self._higher_is_better = earlier.higher_is_better
            self._keep_best(earlier.metric or "score", earlier.validation_score)

    def _keep_best(self, metric: str, score: float | None) -> None:
        if score is None:
            return
        best = self._best[1] if self._best else None
        if best is None or (score > best if self._higher_is_better else score < best):
            self._best = (metric, score)

    # -- progress -----------------------------------------------------------------------------------------------
    def _progress_text(self) -> str:
        """``12 s of 170 s, run 40 s of 180 s, best roc_auc 0.98765`` for the running attempt."""
        now = time.monotonic()
        attempt = self._attempt
        parts = [f"{now - attempt.started:.0f} s of {attempt.budget:.0f} s"] if attempt else []
        run_spent = f"run {now - self._run_started:.0f} s"
        parts.append(run_spent + (f" of {self.run_budget:.0f} s" if self.run_budget else ""))
        parts.append(f"best {self._best[0]} {score_text(self._best[1])}" if self._best else "no valid result yet")
        return ", ".join(parts)

    def _print_periodically(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            attempt = self._attempt
            if attempt is not None:
                self.console.print(f"  attempt {attempt.number}: {self._progress_text()}", markup=False)

    def _live_line(self) -> RenderableType:
        attempt = self._attempt
        if attempt is None:
            return Text("")
        spent = time.monotonic() - attempt.started
        line = Table.grid(Column(no_wrap=True), Column(no_wrap=True), Column(no_wrap=True),
                          Column(no_wrap=True, overflow="ellipsis", ratio=1, style="dim"), padding=(0, 1),
                          expand=True)
        line.add_row(f"  attempt {attempt.number}",
                     ProgressBar(total=max(attempt.budget, 1.0), completed=min(spent, attempt.budget),
                                 width=BAR_WIDTH),
                     self._progress_text(), Text(attempt.last_line))
        return line

