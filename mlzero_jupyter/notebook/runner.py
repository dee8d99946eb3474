"""One run inside a notebook: the agent wired to the live display, the cell channel and the controller.

The run executes in the kernel's main thread, so Kernel > Interrupt raises KeyboardInterrupt inside it and the agent
returns a stopped result; the frontend's Stop and ``%mlzero stop`` reach it through the registry from any thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlzero_jupyter.notebook.cells import CellChannel
from mlzero_jupyter.notebook.controller import Inbox, NotebookController
from mlzero_jupyter.notebook.display import FinalSummary, make_display
from mlzero_jupyter.notebook.frontend import INTERACTIVE, Frontend, ShellPump
from mlzero_jupyter.notebook.session import REGISTRY, RESULT_NAME

log = logging.getLogger("mlzero_jupyter")


def announcing_validation(executor: Callable[..., Any], on_validating: Callable[[int], None]) -> Callable[..., Any]:
    """Wrap the executor so that the display learns when an attempt's process ended and validation begins."""

    def execute(code_path: Path, **kwargs: Any) -> Any:
        outcome = executor(code_path, **kwargs)
        number = Path(kwargs.get("cwd") or Path(code_path).parent).name.rpartition("_")[2]
        if number.isdigit():
            on_validating(int(number))
        return outcome

    return execute


class ReadWhileRunning:
    """An observer that, while an attempt prints, lets pending comm messages through (a Stop click, a comm stop)
    at most every ``interval`` seconds, so that they need not wait for the next pause."""

    def __init__(self, pump: ShellPump, interval: float = 0.5) -> None:
        self.pump = pump
        self.interval = interval
        self._last = time.monotonic()

    def __call__(self, event: Any) -> None:
        if event.kind == "attempt_output" and time.monotonic() - self._last > self.interval:
            self._last = time.monotonic()
            self.pump.pump(0)
            self.pump.release()


def run_in_notebook(agent: Any, frontend: Frontend, *, guide: bool = False, confirm: bool = False,
                    wait_s: float = 60.0, verbose: bool = False) -> Any:
    """Run ``agent`` with the notebook's display, cells and controller; the RunResult, or None if interrupted
    before the run folder existed. The result is also stored as ``mlzero_result`` in the user's namespace."""
    first = len(agent.memory.attempts) + 1 if agent.memory is not None else 1
    display = make_display(frontend.kind == INTERACTIVE, verbose, first, on_stop=agent.stop)
    inbox = Inbox()
    pump = ShellPump.for_kernel(frontend.kernel) if frontend.in_kernel else None

    def received(message: dict[str, Any]) -> None:
        if message.get("type") == "stop" or message.get("action") == "stop":
            agent.stop()
        inbox.put(message)

    channel = CellChannel(frontend, received, pump)  # opens a comm only in a kernel; writes attempts.ipynb always
    agent.controller = NotebookController(frontend, display, inbox, channel=channel, pump=pump, guide=guide,
                                          confirm=confirm, wait_s=wait_s)
    agent.observers.extend([display, channel] + ([ReadWhileRunning(pump)] if pump else []))
    agent.executor = announcing_validation(agent.executor, display.validating)
    REGISTRY.add(agent)
    try:
        result = agent.run()
    except KeyboardInterrupt:
        print("mlzero: interrupted before the first attempt; nothing to resume")
        return None
    finally:
        REGISTRY.remove(agent)
        channel.close()
    display.finish(FinalSummary(result, _export(result)))
    if frontend.shell is not None:
        frontend.shell.user_ns[RESULT_NAME] = result
    return result


def _export(result: Any) -> Path | None:
    """Export the solution notebook next to the run's other records; a failure is reported, not raised."""
    if result.best_attempt is None:
        return None
    from mlzero_jupyter.notebook.export import export_notebook

    try:
        return export_notebook(result.run_dir)
    except Exception as error:  # the run succeeded; a failed export must not hide that
        log.warning("could not export the solution notebook: %s", error)
        return None
