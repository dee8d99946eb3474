"""The code policy's ``network`` rule decides whether attempts may open connections, through the executor."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlzero_jupyter.execution.executors import make_executor
from mlzero_jupyter.execution.sandbox import isolation

pytestmark = pytest.mark.skipif(isolation().kind == "none", reason="without isolation the network is never closed")


@pytest.fixture
def listener():
    server = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=lambda: server.accept(), daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.mark.parametrize("rule, reached", [("ask", False), ("allow", True)])
def test_attempts_reach_the_network_only_when_the_policy_allows_it(tmp_path: Path, listener: int, rule, reached):
    script = tmp_path / "solution.py"
    script.write_text(f"import socket\nsocket.create_connection(('127.0.0.1', {listener}), timeout=5)\n"
                      "print('connected')\n")
    options = SimpleNamespace(executor="local", ray_address=None, policy={"network": rule}, output_dir=None)
    outcome = make_executor(options, tmp_path)(script, cwd=tmp_path, timeout=60)
    assert ("connected" in outcome.stdout_tail) is reached
