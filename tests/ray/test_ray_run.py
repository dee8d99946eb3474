"""A whole run through the Ray executor: a small real table, the offline planner, a valid and graded result."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.execution.ray_executor import PLACEMENT_FILE, RayExecutor


@pytest.fixture
def iris_folder(tmp_path: Path) -> Path:
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    frame.insert(0, "flower_id", range(1, len(frame) + 1))
    test = frame.sample(frac=0.2, random_state=0)
    folder = tmp_path / "iris"
    folder.mkdir()
    frame.drop(test.index).to_csv(folder / "train.csv", index=False)
    test.drop(columns="species").to_csv(folder / "test.csv", index=False)
    return folder


@pytest.mark.fit
@pytest.mark.timeout(420)
def test_a_whole_run_on_the_cluster_is_valid_and_graded(cluster, iris_folder: Path, tmp_path: Path) -> None:
    import ray

    options = RunOptions(executor="ray", ray_address=cluster.address, output_dir=str(tmp_path / "runs"),
                         time_limit=90, max_iterations=2)
    lines: list[str] = []
    agent = Agent(iris_folder, "predict the species of each flower", options,
                  observers=[lambda event: lines.append(event.data.get("line", ""))])
    assert isinstance(agent.executor, RayExecutor)
    result = agent.run()
    assert result.status == "success", result.message
    assert result.validation_score is not None and result.validation_score > 0.8
    assert Path(result.predictions_path).is_file() and Path(result.model_path or result.solution_path).exists()
    attempt_dir = agent.folder.attempt_dir(result.best_attempt, create=False)
    placement = json.loads((attempt_dir / PLACEMENT_FILE).read_text())
    assert placement["node_id"] in {node["NodeID"] for node in ray.nodes()}
    assert (attempt_dir / "stdout.txt").read_text().strip() and any(lines)  # output came back live too
