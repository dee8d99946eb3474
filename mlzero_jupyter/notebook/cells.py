"""Attempts as notebook cells: the ``mlzero`` comm to the JupyterLab extension, and ``attempts.ipynb``.

The messages are documented in ``protocol.md`` beside this file. When no frontend answers the comm (VS Code,
Colab, nbclient, papermill), the final solution is offered with ``set_next_input`` instead, and every run writes
``attempts.ipynb`` into its folder either way.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mlzero_jupyter.atomic import write_text_atomic
from mlzero_jupyter.coding.contract import CODE_FILE, STDERR_FILE, STDOUT_FILE
from mlzero_jupyter.events import AgentEvent
from mlzero_jupyter.notebook.frontend import INTERACTIVE, Frontend, ShellPump, wait_until
from mlzero_jupyter.runs import ATTEMPT_PREFIX, ATTEMPTS_NOTEBOOK, RESULT_FILE, RunFolder

log = logging.getLogger("mlzero_jupyter")

PROTOCOL_VERSION = 1
COMM_TARGET = "mlzero"
#: Lines of an attempt's output kept for its cell.
TAIL_LINES = 40
#: Seconds the kernel waits for the frontend's ``ready`` after opening the comm.
READY_TIMEOUT = 1.0


# -- one attempt as a cell ---------------------------------------------------------------------------------------
def header_comment(run_id: str, number: int, status: str, score: float | None = None, metric: str | None = None,
                   final: bool = False) -> str:
    """The one-line comment that opens an attempt's cell."""
    parts = [f"# mlzero run {run_id}", f"attempt {number}", status]
    if score is not None:
        parts.append(f"{metric or 'score'} = {score:.5g}")
    if final:
        parts.append("final")
    return " | ".join(parts)


def stream_outputs(lines: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """nbformat stream outputs from (stream, line) pairs, consecutive lines of one stream merged."""
    outputs: list[dict[str, Any]] = []
    for stream, line in lines:
        name = "stderr" if stream == "stderr" else "stdout"
        text = line if line.endswith("\n") else line + "\n"
        if outputs and outputs[-1]["name"] == name:
            outputs[-1]["text"] += text
        else:
            outputs.append({"output_type": "stream", "name": name, "text": text})
    return outputs


def attempt_cell(run_id: str, attempt: dict[str, Any], code: str, tail: Iterable[tuple[str, str]],
                 final: bool = False) -> dict[str, Any]:
    """Source, metadata and outputs of an attempt's cell (``attempt`` is an AttemptRecord as a dict)."""
    status, score = attempt.get("status", "running"), attempt.get("score")
    header = header_comment(run_id, attempt["number"], status, score, attempt.get("metric"), final)
    return {
        "source": f"{header}\n{code.rstrip()}\n",
        "metadata": {"mlzero": {"run_id": run_id, "attempt": attempt["number"], "status": status,
                                "score": score, "final": final}},
        "outputs": stream_outputs(tail),
    }


# -- attempts.ipynb ----------------------------------------------------------------------------------------------
def _tail_from_files(attempt_dir: Path, lines: int = TAIL_LINES) -> list[tuple[str, str]]:
    tail = []
    for stream, name in (("stdout", STDOUT_FILE), ("stderr", STDERR_FILE)):
        path = attempt_dir / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            tail.extend((stream, line) for line in text)
    return tail


def attempt_code(attempt_dir: Path) -> str:
    """The code an attempt ran, or the code it proposed when it never ran (blocked, skipped)."""
    for name in (CODE_FILE, f"proposed_{CODE_FILE}"):
        if (attempt_dir / name).is_file():
            return (attempt_dir / name).read_text(encoding="utf-8")
    return "# (no code was written)"


def attempts_notebook(run_dir: Path | str) -> Any:
    """The run's attempts as an nbformat notebook, in order, the best one marked final."""
    import nbformat

    folder = RunFolder(Path(run_dir))
    result = folder.read_json(RESULT_FILE)
    run_id = result["run_id"]
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell(
        f"# Attempts of mlzero run `{run_id}`\n\nTask: {result.get('task') or '(no description)'}\n\n"
        f"Status: **{result['status']}**; best attempt: {result.get('best_attempt') or 'none'}. "
        f"Each cell is one attempt's code, as it ran in its own folder `{ATTEMPT_PREFIX}<n>/`."))
    for attempt in result.get("attempts", []):
        attempt_dir = folder.attempt_dir(attempt["number"], create=False)
        final = attempt["number"] == result.get("best_attempt") and result["status"] != "running"
        cell = attempt_cell(run_id, attempt, attempt_code(attempt_dir), _tail_from_files(attempt_dir), final)
        node = nbformat.v4.new_code_cell(cell["source"], metadata=cell["metadata"])
        node.outputs = [nbformat.v4.new_output(**output) for output in cell["outputs"]]
        notebook.cells.append(node)
    return notebook


def write_attempts_notebook(run_dir: Path | str) -> Path:
    """Write ``attempts.ipynb`` into the run folder (atomically) and return its path."""
    import nbformat

    path = RunFolder(Path(run_dir)).attempts_notebook_path
    write_text_atomic(path, nbformat.writes(attempts_notebook(run_dir)))
    return path


# -- the comm ----------------------------------------------------------------------------------------------------
class CellChannel:
    """An observer that mirrors a run's attempts into cells through the ``mlzero`` comm.

    ``on_message`` receives every message the frontend sends (guidance, review, stop), from whichever thread
    handled it. ``acknowledged`` tells whether a frontend answered ``ready``.
    """

    def __init__(self, frontend: Frontend, on_message: Callable[[dict[str, Any]], None],
                 pump: ShellPump | None = None, ready_timeout: float = READY_TIMEOUT) -> None:
        self.frontend = frontend
        self.on_message = on_message
        self.pump = pump
        self.ready_timeout = ready_timeout
        self.ready = threading.Event()
        self.comm: Any = None
        self.run_id = ""
        self.run_dir: Path | None = None
        self._codes: dict[int, str] = {}
        self._tails: dict[int, deque[tuple[str, str]]] = {}
        self._inserted: set[int] = set()

    @property
    def acknowledged(self) -> bool:
        return self.ready.is_set()

    def __call__(self, event: AgentEvent) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is not None:
            handler(event, **event.data)

    # -- sending -------------------------------------------------------------------------------------------------
    def send(self, kind: str, **data: Any) -> None:
        if self.comm is not None:
            self.comm.send({"type": kind, "run_id": self.run_id, "cell_id": self.frontend.cell_id, **data})

    def send_state(self, phase: str, **data: Any) -> None:
        # "phase", not "state": nbclient and papermill take any comm data with a "state" key for widget state.
        self.send("run_state", phase=phase, **data)

    def _open(self) -> None:
        if self.frontend.kind != INTERACTIVE:  # headless kernels (nbclient, papermill) have nobody to answer
            return
        from comm import create_comm

        self.comm = create_comm(target_name=COMM_TARGET, data={
            "protocol": PROTOCOL_VERSION, "run_id": self.run_id, "cell_id": self.frontend.cell_id,
            "run_dir": str(self.run_dir)})
        # ipykernel routes replies to the thread that last sent on a comm; let the frontend's choice of subshell
        # stand instead, so that its answers are handled while the main thread runs the cell.
        self.comm._reply_subshell_for = lambda data, default: default
        self.comm.on_msg(self._received)
        wait_until(self.ready.is_set, self.ready_timeout, self.pump)

    def _received(self, message: dict[str, Any]) -> None:
        data = message.get("content", {}).get("data") or {}
        if data.get("type") == "ready":
            self.ready.set()
            return
        self.on_message(data)

    def close(self) -> None:
        if self.comm is not None:
            self.comm.close()
            self.comm = None

    # -- events --------------------------------------------------------------------------------------------------
    def _on_run_started(self, event: AgentEvent, run_dir: str, **_: Any) -> None:
        self.run_id, self.run_dir = event.run_id, Path(run_dir)
        self._open()
        self.send_state("started", run_dir=run_dir)

    def _on_attempt_started(self, event: AgentEvent, code: str, summary: str, time_limit: float, **_: Any) -> None:
        self._codes[event.attempt] = code
        self._tails[event.attempt] = deque(maxlen=TAIL_LINES)
        self._send_cell(event.attempt, {"number": event.attempt, "status": "running"})
        self.send_state("attempt_running", attempt=event.attempt, summary=summary, time_limit=time_limit)

    def _on_attempt_output(self, event: AgentEvent, stream: str, line: str, **_: Any) -> None:
        self._tails.setdefault(event.attempt, deque(maxlen=TAIL_LINES)).append((stream, line))

    def _on_attempt_finished(self, event: AgentEvent, attempt: dict[str, Any], **_: Any) -> None:
        self._send_cell(event.attempt, attempt)
        self.send_state("attempt_finished", attempt=event.attempt, status=attempt["status"], score=attempt.get("score"))
        self._write_notebook()

    def _on_run_finished(self, event: AgentEvent, result: dict[str, Any], **_: Any) -> None:
        best = result.get("best_attempt")
        if best is not None:
            record = next(a for a in result["attempts"] if a["number"] == best)
            self._send_cell(best, record, final=True)
        path = self._write_notebook()
        self.send_state("finished", status=result["status"], best_attempt=best,
                        score=result.get("validation_score"), attempts_notebook=str(path) if path else None)
        if not self.acknowledged:
            self._fall_back(result, path)
        self.close()

    def _send_cell(self, number: int, attempt: dict[str, Any], final: bool = False) -> None:
        code = self._codes.get(number)
        if code is None and self.run_dir is not None:
            code = self._codes[number] = attempt_code(RunFolder(self.run_dir).attempt_dir(number, create=False))
        cell = attempt_cell(self.run_id, attempt, code or "", self._tails.get(number, ()), final)
        kind = "update_cell" if number in self._inserted else "insert_cell"
        self._inserted.add(number)
        self.send(kind, attempt=number, **cell)

    def _write_notebook(self) -> Path | None:
        if self.run_dir is None or not RunFolder(self.run_dir).result_path.is_file():
            return None
        try:
            return write_attempts_notebook(self.run_dir)
        except OSError as error:
            log.warning("could not write %s: %s", ATTEMPTS_NOTEBOOK, error)
            return None

    def _fall_back(self, result: dict[str, Any], notebook: Path | None) -> None:
        """No frontend inserts cells: offer the final solution as the next input and say where the rest is."""
        solution = result.get("solution_path")
        if solution and Path(solution).is_file() and self.frontend.in_kernel:
            best = next(a for a in result["attempts"] if a["number"] == result["best_attempt"])
            cell = attempt_cell(self.run_id, best, Path(solution).read_text(encoding="utf-8"), (), final=True)
            self.frontend.shell.set_next_input(cell["source"], replace=False)
        if notebook is not None:
            print(f"All attempts, one cell each: {notebook}")
