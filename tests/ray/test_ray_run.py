"""A whole run through the Ray executor: a small real table, the offline planner's search with two candidates at
once on two nodes, a valid and graded result."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from fixtures_data import make_iris

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.coding.scripted import ScriptedCoder
from mlzero_jupyter.execution.ray_executor import PLACEMENT_FILE, RayExecutor


@pytest.fixture
def iris_folder(tmp_path: Path) -> Path:
    """The shared iris folder (tests/conftest.py) without a sample submission."""
    return make_iris(tmp_path / "iris", sample_submission=False)


@pytest.mark.fit
@pytest.mark.timeout(420)
def test_a_search_on_the_cluster_runs_two_candidates_at_once_and_is_valid(cluster, iris_folder: Path,
                                                                          tmp_path: Path) -> None:
    import ray

    # 130 s: the first share of the budget (35%) leaves the bagged candidate the 40 s it needs beside the fast one
    options = RunOptions(executor="ray", ray_address=cluster.address, output_dir=str(tmp_path / "runs"),
                         time_limit=130, max_iterations=2)
    lines: list[str] = []
    agent = Agent(iris_folder, "predict the species of each flower", options,
                  observers=[lambda event: lines.append(event.data.get("line", ""))])
    assert isinstance(agent.executor, RayExecutor) and agent.executor.slots() >= 2
    result = agent.run()
    assert result.status == "success", result.message
    assert result.validation_score is not None and result.validation_score > 0.8
    assert Path(result.predictions_path).is_file() and Path(result.model_path or result.solution_path).exists()
    assert (agent.folder.attempt_dir(result.best_attempt, create=False) / "stdout.txt").read_text().strip()
    assert any(lines)  # output came back live too

    fast, bagged = sorted(result.attempts, key=lambda attempt: attempt.number)
    assert (fast.candidate, bagged.candidate) == ("fast", "bagged")
    assert fast.succeeded and bagged.succeeded  # each judged by the referee on its own
    assert fast.validation.startswith("accuracy on") and bagged.validation == fast.validation
    placements = [json.loads((agent.folder.attempt_dir(a.number, create=False) / PLACEMENT_FILE).read_text())
                  for a in (fast, bagged)]
    assert [p["node_id"] for p in placements] == [fast.node, bagged.node]
    assert fast.node != bagged.node and {fast.node, bagged.node} <= {node["NodeID"] for node in ray.nodes()}
    first, second = sorted(placements, key=lambda placement: placement["started_at"])
    assert second["started_at"] < first["ended_at"]  # they ran at the same time


@pytest.mark.timeout(180)
@pytest.mark.parametrize("how", ["stop", "interrupt"])
def test_stop_and_interrupt_end_every_running_attempt_of_a_parallel_search(cluster, iris_folder: Path,
                                                                          tmp_path: Path, how: str) -> None:
    import psutil

    def waits(context) -> str:  # a different script for each attempt: none is skipped as a repeat
        return (f"import time\nprint('attempt {context.attempt} started', flush=True)\n"
                "while True:\n    time.sleep(0.2)\n")

    options = RunOptions(executor="ray", ray_address=cluster.address, output_dir=str(tmp_path / "runs"),
                         time_limit=120, max_iterations=2)
    started: list[str] = []
    agent = Agent(iris_folder, "predict the species of each flower", options, coder=ScriptedCoder([waits]),
                  observers=[lambda event: started.append(event.data.get("line", "")) if "started" in
                             event.data.get("line", "") else None])
    stop = agent.stop if how == "stop" else lambda: os.kill(os.getpid(), signal.SIGINT)  # Kernel > Interrupt
    stopper = threading.Thread(target=lambda: (wait_for(lambda: len(started) == 2, 60), stop()))
    stopper.start()
    result = agent.run()
    stopper.join()
    assert sorted(started) == ["attempt 1 started", "attempt 2 started"]  # both ran at once
    assert result.status == "stopped" and [a.status for a in result.attempts] == ["stopped", "stopped"]
    assert len({a.node for a in result.attempts}) == 2
    run_dir = str(agent.folder.path)
    assert not [p for p in psutil.process_iter() if _attempt_of(p).startswith(run_dir)]  # nothing left running


def _attempt_of(process) -> str:
    import psutil

    try:
        return process.environ().get("MLZERO_ATTEMPT_DIR", "")
    except psutil.Error:
        return ""


def wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not condition():
        time.sleep(0.2)
    return condition()
