"""The MCP server: the agent as tools for other agentic tools (``mlzero mcp``), on the official ``mcp`` SDK.

Runs execute in background threads of this process (:class:`~mlzero_jupyter.mcp.manager.RunManager`); their status
comes from the run folders, so it survives a restart of the server. A mistake is answered with one line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from mlzero_jupyter.errors import MLZeroError
from mlzero_jupyter.mcp.manager import RunManager
from mlzero_jupyter.mcp.manager import inspect_data as inspect_folder

INSTRUCTIONS = """\
MLZero turns a folder of raw data and a one-sentence goal into a trained AutoML model and predictions.
Typical flow: inspect_data (check what perception understood), start_run, poll run_status every 10-30 s,
send_guidance to steer the next attempt, get_result when the status is success, export_notebook for the code.
A run started with options {"confirm": true} waits for each attempt's approval: pending_approval, answer_approval.
Paths are on the server's machine; absolute paths are safest."""


def _one_line(tool: Callable[..., Any]) -> Callable[..., Any]:
    """Report the package's own errors to the client as one line (the SDK marks the result as an error)."""
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(tool)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return tool(*args, **kwargs)
        except MLZeroError as error:
            raise ToolError(" ".join(str(error).split())) from None

    return wrapper


def options_argument() -> Any:
    """The type of start_run's ``options``: any dict (the run manager checks it), described by the run options'
    schema plus the approval's two options."""
    from pydantic import WithJsonSchema

    from mlzero_jupyter.config import MLZero
    from mlzero_jupyter.options import json_schema

    approval = {
        "confirm": {"type": "boolean", "description": "every attempt's code waits for answer_approval"},
        "approval_timeout": {"type": ["number", "string"],
                             "description": MLZero.class_traits()["approval_timeout"].help},
    }
    schema = {**json_schema(approval), "type": ["object", "null"], "default": None}
    return Annotated[dict[str, Any] | None, WithJsonSchema(schema)]


def build_server(manager: RunManager) -> Any:
    """An ``MCPServer`` whose tools drive ``manager``."""
    from mcp.server.mcpserver import MCPServer

    from mlzero_jupyter._version import __version__

    server = MCPServer("mlzero", instructions=INSTRUCTIONS, version=__version__)

    def tool(function: Callable[..., Any]) -> None:
        server.tool(name=function.__name__, description=function.__doc__)(_one_line(function))

    @tool
    def inspect_data(path: str, description: str = "") -> dict[str, Any]:
        """What MLZero understands of a data folder, file or archive: files and roles, target, problem type,
        metric, id column (each with a confidence), warnings. Starts nothing."""
        return inspect_folder(path, description or None)

    def start_run(data: str, description: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """Start a run in the background on `data` (folder, file or archive) for the goal in `description`.
        Returns once the data is understood, with the run_id. `options` (their schema lists them): e.g.
        time_limit ("90s", "10m"), max_iterations, quick, provider ("offline" needs no LLM); confirm (true: every
        attempt's code waits for answer_approval), approval_timeout (decide alone after it)."""
        return manager.start(data, description, options)

    start_run.__annotations__["options"] = options_argument()
    tool(start_run)

    @tool
    def run_status(run_id: str) -> dict[str, Any]:
        """Progress of a run: status (running, success, failed, stopped, interrupted), phase, attempts with
        status and score, best score, guidance given. Works for runs of earlier server sessions too."""
        return manager.status(run_id)

    @tool
    def send_guidance(run_id: str, text: str) -> dict[str, Any]:
        """Guidance for the next attempt, e.g. "use only gradient boosting". A run that is not running
        (stopped, failed, interrupted or finished) is resumed with it."""
        return manager.add_guidance(run_id, text)

    @tool
    def pending_approval(run_id: str = "") -> dict[str, Any]:
        """Open approval requests (runs started with options {"confirm": true}): per request the run_id, attempt,
        the code, its summary and the code policy's concerns. The run waits until it is answered."""
        return {"requests": manager.pending_approvals(run_id or None)}

    @tool
    def answer_approval(run_id: str, action: str, code: str = "") -> dict[str, Any]:
        """Answer a run's open approval request: approve, edit (run `code` instead), skip (the agent writes
        another attempt) or stop. The first answer from any front end wins."""
        return manager.answer_approval(run_id, action, code or None)

    @tool
    def stop_run(run_id: str) -> dict[str, Any]:
        """Stop a running run: the running attempt is killed; the run stays resumable with send_guidance."""
        return manager.stop(run_id)

    @tool
    def list_runs() -> dict[str, Any]:
        """Every run in the server's output folder, newest first, with status, metric, score and attempts."""
        return {"output_dir": str(manager.output_dir), "runs": manager.list_runs()}

    @tool
    def get_result(run_id: str) -> dict[str, Any]:
        """A run's metric and validation score, and the paths of its predictions, solution code and model."""
        return manager.result(run_id)

    @tool
    def export_notebook(run_id: str) -> dict[str, Any]:
        """Write the finished run's solution as a clean notebook (solution.ipynb in the run folder)."""
        return manager.export(run_id)

    return server


def serve(transport: str = "stdio", host: str = "127.0.0.1", port: int = 8765, output_dir: str | None = None,
          max_running: int = 1, token: str | None = None, client_options: tuple[str, ...] = ()) -> None:
    """Serve until the client disconnects (stdio) or the process is interrupted (http); running runs are
    stopped on the way out and stay resumable. Over HTTP every request needs ``token`` (``auth.py``)."""
    from mlzero_jupyter.mcp.auth import GuardedManager, serve_http

    manager = RunManager(output_dir, max_running=max_running)
    server = build_server(GuardedManager(manager, client_options))
    try:
        if transport == "stdio":
            server.run("stdio")
        else:
            serve_http(server, host, port, token)
    finally:
        manager.shutdown()
