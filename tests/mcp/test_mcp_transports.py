"""No fit needed: mistakes come back as one line over stdio; the HTTP transport answers on loopback only."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from mcp_support import TOOLS, Session, server_env, with_stdio
from mcp import Client
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

TOKEN = "test-token-0123456789abcdef"


def test_mistakes_are_answered_in_one_line(iris_data: Path, tmp_path: Path) -> None:
    async def scenario(session: Session) -> list[str]:
        return [
            await session.error("run_status", run_id="no-such-run"),
            await session.error("start_run", data=str(tmp_path / "missing"), description="anything"),
            await session.error("start_run", data=str(iris_data), description="x", options={"colour": "red"}),
            await session.error("stop_run", run_id="no-such-run"),
            await session.error("inspect_data", path=str(tmp_path / "missing")),
            await session.error("send_guidance", run_id="no-such-run", text=" "),
            await session.error("start_run", data=str(iris_data), description="x",
                                options={"base_url": "http://attacker.example/v1", "policy": {"shell": "allow"}}),
        ]

    errors = with_stdio(tmp_path / "runs", tmp_path, scenario)
    assert all("\n" not in error and "Traceback" not in error for error in errors), errors
    assert "no run named 'no-such-run'" in errors[0] and "no run named" in errors[3]
    assert "no data at" in errors[1] and "no data at" in errors[4]
    assert "unknown option colour" in errors[2]
    assert "guidance is empty" in errors[5]
    assert "option base_url, policy is set by the server, not by an MCP client" in errors[6]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_listening(process: subprocess.Popen, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the HTTP server did not listen on port {port} within {timeout} s")


@pytest.fixture
def http_server(tmp_path: Path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mlzero_jupyter.cli", "mcp", "--transport", "http", "--port", str(port),
         "--output", str(tmp_path / "runs")],
        env={**os.environ, **server_env(), "MLZERO_MCP_TOKEN": TOKEN}, cwd=tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True)
    try:
        _wait_listening(process, port)
        yield process, port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_http_transport_answers_on_loopback_only(http_server, tmp_path: Path) -> None:
    process, port = http_server
    listening = [c.laddr for c in psutil.Process(process.pid).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and {address.ip for address in listening} == {"127.0.0.1"}

    async def scenario() -> tuple:
        transport = streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=create_mcp_http_client(
            headers={"Authorization": f"Bearer {TOKEN}"}))
        async with Client(transport) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            return tools, (await client.call_tool("list_runs", {})).structured_content

    tools, listed = asyncio.run(scenario())
    assert tools == TOOLS
    assert listed == {"output_dir": str((tmp_path / "runs").resolve()), "runs": []}


@pytest.mark.parametrize("header", [None, "Bearer wrong-token-0123456789", f"Basic {TOKEN}"])
def test_http_requests_without_the_token_are_refused(http_server, header: str | None) -> None:
    import urllib.error
    import urllib.request

    _, port = http_server
    request = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", method="POST", data=b"{}",
                                     headers={"Content-Type": "application/json", **({"Authorization": header}
                                                                                      if header else {})})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401


def test_http_server_refuses_to_listen_beyond_loopback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mlzero_jupyter.cli", "mcp", "--transport", "http", "--host",
                           "0.0.0.0", "--port", str(_free_port())], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, env={**os.environ, **server_env()})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "listens on this machine only" in done.stderr + done.stdout


def test_http_server_stops_on_interrupt(http_server) -> None:
    process, _ = http_server
    process.send_signal(signal.SIGINT)
    assert process.wait(30) in (0, 130)
