"""One run inside a notebook: the agent built with the live display, the cell channel and the controller.

A foreground run executes in the kernel's main thread, so Kernel > Interrupt raises KeyboardInterrupt inside it and
the agent returns a stopped result. A background run (``--background``) executes in a daemon thread of the kernel:
other cells run meanwhile, Kernel > Interrupt does not reach it, and a kernel shutdown stops it (see
:func:`stop_at_exit`), so it stays resumable. The frontend's Stop and ``%mlzero stop`` reach either kind through
the registry, from any thread.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlzero_jupyter.approval import recorder
from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.notebook.cells import CellChannel
from mlzero_jupyter.notebook.controller import Inbox, NotebookController
from mlzero_jupyter.notebook.display import FinalSummary, make_display
from mlzero_jupyter.notebook.frontend import HEADLESS, INTERACTIVE, NONE, Frontend, ShellPump, keep_busy
from mlzero_jupyter.notebook.session import REGISTRY, RESULT_NAME

log = logging.getLogger("mlzero_jupyter")


#: Builds the run's agent: ``build(chosen, controller=..., observers=[...])``, where ``chosen`` holds the task fields
#: the user clicked in the display (target, metric, problem_type; empty at first).
AgentBuilder = Callable[..., Any]


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


class NotebookRun:
    """A run of this kernel: what ``%mlzero stop`` and ``%mlzero wait`` reach, and, for a background run, the
    ``mlzero_result`` handle (``.status``, ``.wait(timeout)``, ``.result``, ``.stop()``)."""

    def __init__(self, background: bool = False) -> None:
        self.agent: Any = None  # set once built, with this run's controller and observers (see run_in_notebook)
        self.background = background
        self.thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._done = threading.Event()
        self._result: Any = None
        self.error: str | None = None  # why the run ended without a result
        self.chosen: dict[str, str] = {}  # task fields the user chose in the display: the run starts again with them

    @property
    def run_id(self) -> str:
        return self.agent.run_id if self.agent is not None else ""

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def stop(self) -> None:
        """Stop the run: its running attempt is killed, no new one starts; it stays resumable."""
        self._stopping.set()
        if self.agent is not None:
            self.agent.stop()

    def record_approval(self, **data: Any) -> None:
        """An approval decision, into the agent's episodic memory."""
        recorder(self.agent)(**data)

    def choose(self, field: str, value: str) -> None:
        """Stop the run to start it again with ``field`` (target, metric, problem_type) set to ``value``."""
        self.chosen[field] = value
        self.stop()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def status(self) -> str:
        """``running`` until it ends, then the result's status (``failed`` when it ended without one)."""
        if not self.done:
            return "running"
        return self._result.status if self._result is not None else "failed"

    @property
    def result(self) -> Any:
        """The RunResult once the run has ended; None before."""
        return self._result

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the run ends (or ``timeout`` seconds pass); the RunResult, or None if it still runs."""
        self._done.wait(timeout)
        return self._result

    def __repr__(self) -> str:
        ending = f", {self.error}" if self.error else ""
        return f"<mlzero run {self.run_id or '(starting)'}: {self.status}{ending}>"


def run_in_notebook(build: AgentBuilder, frontend: Frontend, *, guide: bool = False, confirm: bool = False,
                    wait_s: float = 60.0, approval_timeout: float | None = None, verbose: bool = False,
                    background: bool = False, choices: bool = False, chosen: dict[str, str] | None = None) -> Any:
    """Build the agent (``build``) with the notebook's display, cells and controller, and run it.

    In the foreground: the RunResult (None if interrupted before the run folder existed), also stored as
    ``mlzero_result``. With ``background``: at once a :class:`NotebookRun` handle, stored as ``mlzero_result``,
    while the run goes on in a thread of the kernel's process. ``--confirm`` where nobody can answer (nbclient,
    papermill, no IPython) is refused before anything starts. With ``choices``, the display offers the alternatives
    of uncertain fields; a click stops this run and starts one built with the user's choice (``chosen``).
    """
    if confirm and frontend.kind in (HEADLESS, NONE):
        raise UserInputError("--confirm needs someone to answer and this kernel has no one (it runs headless); "
                             "leave out --confirm, or run the cell in JupyterLab or Notebook")
    run = NotebookRun(background)
    display = make_display(frontend.kind == INTERACTIVE, verbose, on_stop=run.stop, in_place=background,
                           on_choose=run.choose if choices else None)
    inbox = Inbox()
    # A background run leaves the main thread free: the kernel reads comm messages itself, no pump is needed.
    pump = ShellPump.for_kernel(frontend.kernel) if frontend.in_kernel and not background else None

    def received(message: dict[str, Any]) -> None:
        if message.get("type") == "stop" or (message.get("type") != "guidance" and message.get("action") == "stop"):
            run.stop()
        inbox.put(message)

    channel = CellChannel(frontend, received, pump)  # opens a comm only in a kernel; writes attempts.ipynb always
    controller = NotebookController(frontend, display, inbox, channel=channel, pump=pump, guide=guide,
                                    confirm=confirm, wait_s=wait_s, approval_timeout=approval_timeout,
                                    stopped=lambda: run.stopping, record=run.record_approval, background=background)
    observers = [display, channel] + ([ReadWhileRunning(pump)] if pump else [])
    try:
        agent = run.agent = build(dict(chosen or {}), controller=controller, observers=observers)
    except BaseException:  # refused before it started (a bad description, a run that is running): no display left
        display.discard()
        raise
    REGISTRY.add(run)

    def work() -> None:
        try:
            run._result = agent.run()
        except KeyboardInterrupt:
            run.error = "interrupted before the first attempt; nothing to resume"
        except Exception as error:  # a background run has no cell to raise into: say it and keep the kernel
            if not background:
                raise
            log.exception("background run %s failed", run.run_id)
            run.error = f"{type(error).__name__}: {error}"
        finally:
            REGISTRY.remove(run)
            channel.close()
            if run.result is not None:
                display.finish(FinalSummary(run.result, _export(run.result)))
            elif run.error:
                display.say(f"mlzero: {run.error}")
            run._done.set()

    def again() -> Any:
        """The same task with the choices the user clicked (after they stopped this run)."""
        return run_in_notebook(build, frontend, guide=guide, confirm=confirm, wait_s=wait_s,
                               approval_timeout=approval_timeout, verbose=verbose, background=background,
                               choices=choices, chosen=run.chosen)

    def work_then_again() -> None:
        work()
        if run.chosen:
            again()

    if background:
        # The thread runs in a copy of this cell's context: ipykernel then sends its outputs and comm messages as
        # replies to this cell, not to whichever cell runs meanwhile.
        context = contextvars.copy_context()
        run.thread = threading.Thread(target=context.run, args=(work_then_again,), name=f"mlzero-run-{id(run):x}",
                                      daemon=True)
        run.thread.start()
        if frontend.shell is not None:
            frontend.shell.user_ns[RESULT_NAME] = run
        return run
    if frontend.in_kernel:
        keep_busy(frontend.kernel)  # Busy in the frontend until this cell ends
    work()
    if run.chosen:
        return again()
    if frontend.shell is not None and run.result is not None:
        frontend.shell.user_ns[RESULT_NAME] = run.result
    return run.result


_EXIT_HOOK: list[bool] = []


def stop_at_exit(wait_s: float = 4.0) -> None:
    """Once per kernel: when the kernel shuts down, stop its background runs and give them ``wait_s`` seconds
    (Jupyter kills a kernel after 5 s) to kill their attempt and record themselves as stopped, hence resumable.
    A run that does not make it in time is found ``interrupted`` later, which is resumable too."""
    if _EXIT_HOOK:
        return
    import atexit

    def stop_all() -> None:
        running = [run for run in REGISTRY.running() if getattr(run, "background", False)]
        for run in running:
            run.stop()
        deadline = time.monotonic() + wait_s
        for run in running:
            run.wait(max(0.0, deadline - time.monotonic()))

    atexit.register(stop_all)
    _EXIT_HOOK.append(True)


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
