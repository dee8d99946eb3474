"""RunManager: start, watch, guide, stop and resume runs in background threads of one long-lived process.

Used by the MCP server (and meant for the JupyterLab server extension). Runs live in run folders, so a run this
process does not hold in memory is read from disk: finished, or ``interrupted`` (the process that ran it ended)
and then resumable with guidance.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlzero_jupyter import events as ev
from mlzero_jupyter.agent import Agent
from mlzero_jupyter.approval import AskingController, recorder
from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.result import RunResult
from mlzero_jupyter.run_views import disk_status, read_result, result_view, run_summary, task_view
from mlzero_jupyter.runs import DEFAULT_OUTPUT_DIR, RunFolder, find_runs, locate_run

log = logging.getLogger("mlzero_jupyter")


@dataclass
class LiveRun:
    """A run executing in a thread of this process, with what its events said so far."""

    agent: Agent
    started: float = field(default_factory=time.monotonic)
    phase: str = "starting"
    attempt: int | None = None
    last_output: str = ""
    error: UserInputError | None = None  # why the run could not start or went wrong outside any attempt
    result: RunResult | None = None
    thread: threading.Thread | None = None
    perceived: threading.Event = field(default_factory=threading.Event)  # set once the task is known (or it ended)
    controller: AskingController | None = None  # holds the open approval request, if any
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def stop(self) -> None:
        self.stopping.set()
        self.agent.stop()

    def observe(self, event: ev.AgentEvent) -> None:
        """Observer of the agent's events: keeps the phase and the current attempt up to date."""
        phases = {ev.RUN_STARTED: "perceiving the data", ev.TASK_PERCEIVED: "selecting a tool",
                  ev.TOOL_SELECTED: "writing code", ev.RUN_FINISHED: "finished"}
        if event.kind == ev.ATTEMPT_STARTED:
            self.attempt, self.phase = event.attempt, f"attempt {event.attempt} running"
        elif event.kind == ev.ATTEMPT_FINISHED:
            self.phase = "writing code"
        elif event.kind == ev.ATTEMPT_OUTPUT:
            self.last_output = event.data.get("line", "").strip()[-200:] or self.last_output
        elif event.kind in phases:
            self.phase = phases[event.kind]
        if event.kind in (ev.TOOL_SELECTED, ev.RUN_FINISHED):
            self.perceived.set()


class RunManager:
    """Runs of one output folder: at most ``max_running`` at a time, each in a daemon thread."""

    def __init__(self, output_dir: Path | str | None = None, max_running: int = 1,
                 start_timeout: float = 600.0) -> None:
        self.output_dir = Path(output_dir or DEFAULT_OUTPUT_DIR).expanduser().resolve()
        self.max_running = max_running
        self.start_timeout = start_timeout
        self._runs: list[LiveRun] = []  # every run started by this process, oldest first
        self._lock = threading.Lock()

    # -- starting -----------------------------------------------------------------------------------------------
    def start(self, data: str, description: str | None = None, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """Start a run; returns once the task is perceived (its status), or raises the one-line reason it cannot."""
        from mlzero_jupyter.api import make_options

        if not Path(data).expanduser().exists():
            raise UserInputError(f"no data at {data}; give an existing folder, file or archive (absolute paths are safest)")
        options, asking = self._asking(options)
        run_options = make_options(**self._checked(options))
        return self._launch(lambda live: Agent(data, description, run_options, observers=[live.observe],
                                               controller=live.controller), asking)

    def resume(self, run_id: str, guidance: str | None = None, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """Continue a stopped, failed or interrupted run (or try more on a finished one) with optional guidance."""
        from mlzero_jupyter.api import make_options

        folder = self._folder(run_id)
        if self._running(folder.run_id):
            raise UserInputError(f"run {folder.run_id} is already running; send guidance to it instead")
        options, asking = self._asking(options)
        given = self._checked(options)
        checked = make_options(**given)
        overrides = {name: getattr(checked, name) for name in given}
        return self._launch(lambda live: Agent.resume(folder.path, guidance, overrides, observers=[live.observe],
                                                      controller=live.controller), asking)

    @staticmethod
    def _asking(options: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The run options apart from ``confirm`` and ``approval_timeout`` (the controller's), and those two."""
        from mlzero_jupyter.config import parse_duration

        options = dict(options or {})
        confirm = options.pop("confirm", False)
        timeout = options.pop("approval_timeout", None)
        if not isinstance(confirm, bool):
            raise UserInputError(f"confirm must be true or false, got {confirm!r}")
        return options, {"confirm": confirm, "timeout": None if timeout is None else parse_duration(timeout)}

    def _checked(self, options: dict[str, Any] | None) -> dict[str, Any]:
        options = {k: v for k, v in (options or {}).items() if v is not None}
        if "output_dir" in options:
            raise UserInputError(f"output_dir is fixed by the server ({self.output_dir}); leave it out of the options")
        return {**options, "output_dir": str(self.output_dir)}

    def _launch(self, make_agent: Any, asking: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            busy = [live.agent.run_id or "a starting run" for live in self._runs if live.running]
            if len(busy) >= self.max_running:
                raise UserInputError(f"{', '.join(busy)} is still running (at most {self.max_running} at a time); "
                                     "wait for it or stop it first")
            live = LiveRun(agent=None)  # type: ignore[arg-type]  # the agent is built with the live run's parts
            live.controller = AskingController(stopped=live.stopping.is_set,
                                               record=lambda **data: recorder(live.agent)(**data),
                                               run_id=lambda: live.agent.run_id, **asking)
            live.agent = make_agent(live)
            live.thread = threading.Thread(target=self._work, args=(live,), name="mlzero-run", daemon=True)
            self._runs.append(live)
            live.thread.start()
        if not live.perceived.wait(self.start_timeout):
            log.warning("perception is still running after %.0f s", self.start_timeout)
        if live.error is not None and live.agent.task is None:
            where = f" (run folder {live.agent.folder.path})" if live.agent.folder else ""
            raise UserInputError(f"{live.error}{where}")
        return self.status(live.agent.run_id)

    @staticmethod
    def _work(live: LiveRun) -> None:
        try:
            live.result = live.agent.run()
        except UserInputError as error:
            live.error = error
        except Exception as error:  # the server keeps serving; the status says what happened
            log.exception("run %s failed outside its attempts", live.agent.run_id)
            live.error = UserInputError(f"the run failed: {type(error).__name__}: {error}")
        finally:
            live.phase = "finished"
            live.perceived.set()

    # -- watching and steering ----------------------------------------------------------------------------------
    def status(self, run_id: str) -> dict[str, Any]:
        """Progress, attempts and scores of a run, live or read from its folder."""
        folder = self._folder(run_id)
        view = disk_status(folder)
        live = self._live_run(folder.run_id)
        if live is not None and live.running:
            pending = live.controller.pending if live.controller else None
            view.update(status="running", running=True, resumable=False,
                        phase="waiting for approval" if pending else live.phase,
                        pending_approval=pending.view() if pending else None,
                        current_attempt=live.attempt, last_output=live.last_output,
                        elapsed_s=round(time.monotonic() - live.started, 1),
                        time_limit_s=live.agent.options.time_limit)
        elif live is not None and live.error is not None:
            view.update(status="failed", resumable=True, message=str(live.error))
        return view

    def add_guidance(self, run_id: str, text: str) -> dict[str, Any]:
        """Guidance for a running run's next attempt; a run that is not running is resumed with it."""
        if not text or not text.strip():
            raise UserInputError("the guidance is empty; say what the next attempt should do differently")
        folder = self._folder(run_id)
        live = self._running(folder.run_id)
        if live is None:
            return {**self.resume(folder.run_id, text), "resumed": True}
        live.agent.add_guidance(text)
        return {**self.status(folder.run_id), "resumed": False}

    def pending_approvals(self, run_id: str | None = None) -> list[dict[str, Any]]:
        """The open approval requests: of one run, or of every running run."""
        with self._lock:
            runs = [live for live in self._runs if live.running and live.controller is not None]
        if run_id:
            wanted = self._folder(run_id).run_id
            runs = [live for live in runs if live.agent.run_id == wanted]
        return [live.controller.pending.view() for live in runs if live.controller.pending is not None]

    def answer_approval(self, run_id: str, action: str, code: str | None = None, by: str = "mcp") -> dict[str, Any]:
        """Answer the run's open approval request (approve, edit with ``code``, skip, stop); the first answer wins."""
        folder = self._folder(run_id)
        live = self._running(folder.run_id)
        request = live.controller.pending if live is not None and live.controller is not None else None
        if request is None:
            raise UserInputError(f"run {folder.run_id} is not waiting for an approval; pending_approval shows "
                                 "the open requests")
        if not request.answer(action, code, by):
            raise UserInputError(f"attempt {request.attempt} of run {folder.run_id} was answered already "
                                 f"({request.review.action}, by {request.answered_by})")
        return {"run_id": folder.run_id, "attempt": request.attempt, "action": request.review.action,
                "answered_by": by}

    def stop(self, run_id: str, wait_s: float = 60.0) -> dict[str, Any]:
        """Stop a running run: its attempt is killed and no new one starts; it stays resumable."""
        folder = self._folder(run_id)
        live = self._running(folder.run_id)
        if live is None:
            status = self.status(folder.run_id)["status"]
            if status == "running":
                raise UserInputError(f"run {folder.run_id} is running in another process; stop it there")
            raise UserInputError(f"run {folder.run_id} is not running ({status}); nothing to stop")
        live.stop()
        live.thread.join(wait_s)
        return self.status(folder.run_id)

    def wait(self, run_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Block until a run of this process ends (or ``timeout`` passes); its status."""
        live = self._live_run(self._folder(run_id).run_id)
        if live is not None and live.thread is not None:
            live.thread.join(timeout)
        return self.status(run_id)

    def shutdown(self, wait_s: float = 60.0) -> None:
        """Stop every running run and wait for them, so each ends as ``stopped`` (resumable)."""
        running = [live for live in self._runs if live.running]
        for live in running:
            live.stop()
        deadline = time.monotonic() + wait_s
        for live in running:
            live.thread.join(max(0.0, deadline - time.monotonic()))

    # -- listing and results ------------------------------------------------------------------------------------
    def list_runs(self) -> list[dict[str, Any]]:
        """Every run of the output folder, newest first, with status, metric, score and attempt count."""
        return [{"run_id": folder.run_id, "run_dir": str(folder.path), **run_summary(folder)}
                for folder in find_runs(self.output_dir)]

    def result(self, run_id: str) -> dict[str, Any]:
        """Metric, score and the paths of predictions, code and model (the best so far while running)."""
        folder = self._folder(run_id)
        result = read_result(folder)
        if result is None:
            raise UserInputError(f"run {folder.run_id} has no finished attempt yet; poll run_status")
        view = result_view(result)
        view["status"] = self.status(folder.run_id)["status"]
        return view

    def export(self, run_id: str, path: str | None = None, all_attempts: bool = False) -> dict[str, Any]:
        """Write the run's solution notebook; returns its path."""
        from mlzero_jupyter.notebook.export import export_notebook

        folder = self._folder(run_id)
        if self._running(folder.run_id):
            raise UserInputError(f"run {folder.run_id} is still running; export it when it has finished")
        notebook = export_notebook(folder.path, path, all_attempts=all_attempts)
        return {"run_id": folder.run_id, "notebook": str(notebook)}

    # -- lookup -------------------------------------------------------------------------------------------------
    def _folder(self, run_id: str) -> RunFolder:
        if not run_id or not str(run_id).strip():
            raise UserInputError("give a run id; list_runs shows them")
        return locate_run(str(run_id).strip(), self.output_dir)

    def _live_run(self, run_id: str) -> LiveRun | None:
        with self._lock:
            return next((live for live in reversed(self._runs) if live.agent.run_id == run_id), None)

    def _running(self, run_id: str) -> LiveRun | None:
        live = self._live_run(run_id)
        return live if live is not None and live.running else None


def inspect_data(path: str, description: str | None = None) -> dict[str, Any]:
    """What perception understands of a data folder, file or archive, without starting a run."""
    import tempfile

    from mlzero_jupyter.perception import perceive
    from mlzero_jupyter.perception.summary import summary_text

    if not Path(path).expanduser().exists():
        raise UserInputError(f"no data at {path}; give an existing folder, file or archive (absolute paths are safest)")
    with tempfile.TemporaryDirectory(prefix="mlzero-input-") as work_dir:  # archives are unpacked here
        spec = perceive(path, description, work_dir=work_dir)
    return {**task_view(spec), "ambiguous": spec.ambiguous_fields, "summary": summary_text(spec)}
