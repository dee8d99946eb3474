"""Fixtures for the MCP server tests: a small real dataset, and an MCP client of the official SDK on a server
started as a subprocess (``python -m mlzero_jupyter.cli mcp``), exactly as an agentic tool would start it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

mcp = pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters  # noqa: E402

TOOLS = {"inspect_data", "start_run", "run_status", "send_guidance", "stop_run", "list_runs", "get_result",
         "export_notebook", "pending_approval", "answer_approval"}
IRIS_DESCRIPTION = "Predict the species of the unlabelled flowers."


def server_env() -> dict[str, str]:
    return {"HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", "MLZERO_PROVIDER": "offline",
            "PATH": os.environ.get("PATH", "")}


def stdio_server(output_dir: Path, cwd: Path) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable,
                                 args=["-m", "mlzero_jupyter.cli", "mcp", "--output", str(output_dir)],
                                 env=server_env(), cwd=str(cwd))


class Session:
    """Calls of one connected client; ``call`` returns the tool's JSON answer, ``error`` its one-line error."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def call(self, name: str, **arguments: Any) -> dict[str, Any]:
        result = await self.client.call_tool(name, arguments)
        text = result.content[0].text if result.content else ""
        assert not result.is_error, f"{name} failed: {text}"
        return result.structured_content if result.structured_content is not None else json.loads(text)

    async def error(self, name: str, **arguments: Any) -> str:
        result = await self.client.call_tool(name, arguments)
        assert result.is_error, f"{name} should have failed"
        return result.content[0].text

    async def poll(self, run_id: str, timeout: float = 300.0, every: float = 2.0) -> tuple[dict, list[dict]]:
        """Poll run_status until the run is not running; the last status and every status seen."""
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = await self.call("run_status", run_id=run_id)
            seen.append(status)
            if not status["running"]:
                return status, seen
            await asyncio.sleep(every)
        raise AssertionError(f"run {run_id} still running after {timeout} s: {seen[-1]}")


def with_stdio(output_dir: Path, cwd: Path, scenario: Any) -> Any:
    """Start a server over stdio, run ``scenario(session)`` against it, and stop the server."""

    async def main() -> Any:
        async with Client(stdio_server(output_dir, cwd), read_timeout_seconds=600) as client:
            return await scenario(Session(client))

    return asyncio.run(main())


@pytest.fixture(scope="module")
def iris_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scikit-learn's iris in one Excel workbook (a labelled and an unlabelled sheet): small, real, multiclass."""
    from mlzero_jupyter.bench.tasks import iris_excel

    return iris_excel(tmp_path_factory.mktemp("bench")) / "input"
