"""A run whose process died mid-attempt is found by the MCP server as interrupted, and guidance resumes it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from mcp_support import IRIS_DESCRIPTION, Session, server_env, with_stdio

pytestmark = pytest.mark.fit

GUIDANCE = "continue where the last run stopped"


def _kill_mid_attempt(data: Path, output_dir: Path, timeout: float = 180.0) -> str:
    """Start `mlzero run` and SIGKILL it (and its attempt) once the first attempt's code is running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mlzero_jupyter.cli", "run", str(data), IRIS_DESCRIPTION, "--time-limit", "60s",
         "--output", str(output_dir)], env={**os.environ, **server_env()}, cwd=output_dir.parent,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not list(output_dir.glob("*/attempt_1/solution.py")):
        assert process.poll() is None, "the run ended before its first attempt started"
        time.sleep(0.2)
    tree = [process.pid, *(child.pid for child in psutil.Process(process.pid).children(recursive=True))]
    for pid in tree:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    process.wait()
    [run_dir] = output_dir.iterdir()
    return run_dir.name


def test_interrupted_run_is_resumed_by_guidance(iris_data: Path, tmp_path: Path) -> None:
    output_dir = tmp_path / "runs"
    output_dir.mkdir()
    run_id = _kill_mid_attempt(iris_data, output_dir)

    async def scenario(session: Session) -> tuple:
        before = await session.call("run_status", run_id=run_id)
        listed = await session.call("list_runs")
        resumed = await session.call("send_guidance", run_id=run_id, text=GUIDANCE)
        final, _ = await session.poll(run_id)
        return before, listed, resumed, final

    before, listed, resumed, final = with_stdio(output_dir, tmp_path, scenario)
    assert before["status"] == "interrupted" and before["resumable"] and not before["running"]
    assert [(run["run_id"], run["status"]) for run in listed["runs"]] == [(run_id, "interrupted")]
    assert resumed["resumed"] is True and resumed["status"] == "running"
    assert final["status"] == "success" and final["guidance"] == [GUIDANCE]
