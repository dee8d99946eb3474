"""Approval through MCP: a run started with {"confirm": true} waits for each attempt's code until answer_approval
says what to do; the first answer wins, later ones are told in one line; every decision is in the run's record."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

from mcp_support import IRIS_DESCRIPTION, Session, with_stdio

from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.mcp.manager import RunManager


async def next_request(session: Session, run_id: str, attempt: int, timeout: float = 120.0) -> dict:
    """Poll pending_approval until the request for ``attempt`` is open."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        requests = (await session.call("pending_approval", run_id=run_id))["requests"]
        if requests and requests[0]["attempt"] == attempt:
            return requests[0]
        await asyncio.sleep(0.3)
    raise AssertionError(f"no approval request for attempt {attempt} within {timeout} s")


def approvals(run_dir: Path) -> list[tuple]:
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    return [(e["attempt"], e["action"], e["by"]) for e in events if e["kind"] == "approval"]


def test_an_approval_is_answered_through_the_tools(iris_data: Path, tmp_path: Path) -> None:
    async def scenario(session: Session) -> dict:
        started = await session.call("start_run", data=str(iris_data), description=IRIS_DESCRIPTION,
                                     options={"confirm": True, "time_limit": "3m", "quick": True})
        run_id = started["run_id"]
        first = await next_request(session, run_id, 1)
        status = await session.call("run_status", run_id=run_id)
        bad = await session.error("answer_approval", run_id=run_id, action="maybe")
        await session.call("answer_approval", run_id=run_id, action="skip")
        await next_request(session, run_id, 2)
        answered = await session.call("answer_approval", run_id=run_id, action="stop")
        final, _ = await session.poll(run_id, timeout=60, every=0.5)
        late = await session.error("answer_approval", run_id=run_id, action="approve")
        return {"run_id": run_id, "first": first, "status": status, "bad": bad, "answered": answered,
                "final": final, "late": late}

    seen = with_stdio(tmp_path / "runs", tmp_path, scenario)
    assert "autogluon" in seen["first"]["code"].lower() and seen["first"]["summary"]
    assert seen["status"]["phase"] == "waiting for approval"
    assert seen["status"]["pending_approval"]["attempt"] == 1
    assert "unknown answer 'maybe'" in seen["bad"] and "\n" not in seen["bad"]
    assert seen["answered"]["action"] == "stop" and seen["answered"]["answered_by"] == "mcp"
    assert seen["final"]["status"] == "stopped"
    assert "not waiting for an approval" in seen["late"] and "\n" not in seen["late"]
    run_dir = tmp_path / "runs" / seen["run_id"]
    assert approvals(run_dir) == [(1, "skip", "mcp"), (2, "stop", "mcp")]
    assert not (run_dir / "attempt_1" / "solution.py").exists()  # nothing ran without a yes


def test_the_first_answer_wins_and_the_second_is_told(iris_data: Path, tmp_path: Path) -> None:
    manager = RunManager(tmp_path / "runs")
    run_id = manager.start(str(iris_data), IRIS_DESCRIPTION, {"confirm": True, "time_limit": "3m"})["run_id"]
    deadline = time.monotonic() + 120
    while not manager.pending_approvals(run_id):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    outcomes: list[str] = []
    gate = threading.Barrier(2)

    def answer(action: str, by: str) -> None:
        gate.wait()
        try:
            manager.answer_approval(run_id, action, by=by)
            outcomes.append(f"{by} won")
        except UserInputError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=answer, args=args) for args in (("stop", "panel"), ("stop", "terminal"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    manager.wait(run_id, 60)
    assert sum(outcome.endswith(" won") for outcome in outcomes) == 1
    loser = next(outcome for outcome in outcomes if not outcome.endswith(" won"))
    assert "answered already (stop, by" in loser or "not waiting for an approval" in loser
    winner = outcomes[0 if outcomes[0].endswith(" won") else 1].split()[0]
    assert approvals(tmp_path / "runs" / run_id) == [(1, "stop", winner)]
    assert manager.status(run_id)["status"] == "stopped"
