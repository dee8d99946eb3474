"""keep_busy in a real ipykernel: while a cell that called it runs, every idle another thread publishes (a request
on the control channel, as JupyterLab sends to create the subshell of a comm) is followed by the cell's busy again;
the cell's own idle ends it, so later requests leave the kernel idle."""

from __future__ import annotations

import os
import time

import pytest

CELL = ("from mlzero_jupyter.notebook.frontend import keep_busy\n"
        "keep_busy(get_ipython().kernel)\n"
        "import time\n"
        "time.sleep(3)\n")


@pytest.fixture
def client():
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env={**os.environ, "HF_HUB_OFFLINE": "1"})
    kernel = manager.client()
    kernel.start_channels()
    kernel.wait_for_ready(timeout=60)
    yield kernel
    kernel.stop_channels()
    manager.shutdown_kernel(now=True)


def control_request(client, kind: str) -> str:
    request = client.session.msg(kind, {})
    client.control_channel.send(request)
    client.control_channel.get_msg(timeout=10)
    return request["header"]["msg_id"]


def statuses_until_idle(client, msg_id: str, timeout: float = 30) -> list[tuple[str, str]]:
    """(state, parent msg id) of every status message until ``msg_id``'s idle."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = client.get_iopub_msg(timeout=timeout)
        if message["msg_type"] == "status":
            seen.append((message["content"]["execution_state"], message["parent_header"].get("msg_id")))
            if seen[-1] == ("idle", msg_id):
                return seen
    raise TimeoutError(seen)


def test_a_cell_that_keeps_busy_reads_busy_after_other_requests_and_idle_at_its_end(client):
    cell = client.execute(CELL)
    time.sleep(1)  # the cell is running
    during = control_request(client, "create_subshell_request")
    seen = statuses_until_idle(client, cell)
    after_request = seen[seen.index(("idle", during)) + 1:]
    assert after_request[0] == ("busy", cell)  # the running cell is said busy again at once
    assert after_request[-1] == ("idle", cell) and ("idle", cell) not in after_request[:-1]

    later = control_request(client, "list_subshell_request")  # the cell has ended: nothing is said for it
    assert statuses_until_idle(client, later)[-2:] == [("busy", later), ("idle", later)]
    time.sleep(0.5)
    assert client.iopub_channel.msg_ready() is False
