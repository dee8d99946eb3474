"""A terminal display of a run's events, with rich: one line per step and a live status while code runs."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.status import Status

from mlzero_jupyter import events as ev
from mlzero_jupyter.events import AgentEvent


class ConsoleProgress:
    """An observer that prints the run's progress; ``verbose`` also echoes the generated code's output."""

    def __init__(self, console: Console | None = None, verbose: bool = False) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.verbose = verbose
        self._status: Status | None = None

    def __call__(self, event: AgentEvent) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is not None:
            handler(event, **event.data)

    def _on_run_started(self, event: AgentEvent, run_dir: str, **_: Any) -> None:
        self.console.print(f"[bold]MLZero[/bold] run {event.run_id}  ->  {run_dir}")

    def _on_task_perceived(self, event: AgentEvent, task: dict[str, Any], **_: Any) -> None:
        def field(name: str) -> str:
            inferred = task[name]
            return f"{inferred['value']} ({inferred['confidence']:.0%})"

        self.console.print(f"  task: {field('problem_type')}, target {field('target')}, metric {field('metric')}")
        for warning in task.get("warnings", []):
            self.console.print(f"  [yellow]warning:[/yellow] {warning}")

    def _on_tool_selected(self, event: AgentEvent, tool: str, reasons: list[str], **_: Any) -> None:
        self.console.print(f"  tool: {tool}" + (f" ({reasons[0]})" if reasons else ""))

    def _on_attempt_started(self, event: AgentEvent, summary: str, time_limit: float, **_: Any) -> None:
        self.console.print(f"  attempt {event.attempt}: {summary} [dim](budget {time_limit:.0f} s)[/dim]")
        self._status = self.console.status(f"attempt {event.attempt} running")
        self._status.start()

    def _on_attempt_output(self, event: AgentEvent, stream: str, line: str, **_: Any) -> None:
        if self.verbose:
            self.console.print(f"    [dim]{line.rstrip()}[/dim]", markup=False, highlight=False)
        elif self._status is not None and line.strip():
            self._status.update(f"attempt {event.attempt}: {line.strip()[:100]}")

    def _on_attempt_finished(self, event: AgentEvent, attempt: dict[str, Any], **_: Any) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        if attempt["status"] == "success":
            outcome = f"[green]valid[/green], {attempt['metric']} = {attempt['score']:.5g}"
        else:
            last_line = (attempt.get("error") or "").strip().splitlines()[-1:] or [""]
            outcome = f"[red]{attempt['status']}[/red] {last_line[0][:160]}"
        self.console.print(f"  attempt {event.attempt}: {outcome} ({attempt['duration_s']:.0f} s)")

    def _on_run_finished(self, event: AgentEvent, result: dict[str, Any], **_: Any) -> None:
        colour = "green" if result["status"] == "success" else "red"
        self.console.print(f"[bold {colour}]{result['status']}[/bold {colour}]: {result.get('message', '')}")
