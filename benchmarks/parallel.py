"""The same candidate attempts with one slot and with N slots on a local Ray cluster: wall time and best score.

A loopback cluster (a head and two workers, one CPU each, like tests/ray) runs four candidates, AutoGluon on
scikit-learn's breast cancer table with a different model family each, first one at a time, then as many at
once as the cluster has free slots (``run_parallel``). Each candidate prints its hold-out accuracy.

    python benchmarks/parallel.py [--nodes 3] [--fit-seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # before ray is imported: nodes bind 127.0.0.1

FAMILIES = ["GBM", "RF", "XT", "KNN"]
CANDIDATE = """
import json
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from autogluon.tabular import TabularPredictor

frame = load_breast_cancer(as_frame=True).frame
train, test = train_test_split(frame, test_size=0.3, random_state=0, stratify=frame["target"])
predictor = TabularPredictor("target", path="model", verbosity=0)
predictor.fit(train, time_limit={seconds}, hyperparameters={{{family!r}: {{}}}})
score = float((predictor.predict(test) == test["target"]).mean())
json.dump({{"family": {family!r}, "accuracy": score}}, open("metrics.json", "w"))
print("accuracy", score)
"""


class OneSlot:
    """The same executor, one attempt at a time."""

    def __init__(self, executor) -> None:
        self.executor = executor

    def __call__(self, *args, **kwargs):
        return self.executor(*args, **kwargs)

    def slots(self) -> int:
        return 1


def candidates(root: Path, fit_seconds: int) -> list:
    from mlzero_jupyter.execution.executors import Job

    jobs = []
    for family in FAMILIES:
        folder = root / f"attempt_{family}"
        folder.mkdir(parents=True)
        (folder / "solution.py").write_text(CANDIDATE.format(seconds=fit_seconds, family=family))
        jobs.append(Job(folder / "solution.py", folder))
    return jobs


def measure(executor, root: Path, fit_seconds: int) -> tuple[float, float, int]:
    """Wall seconds, best accuracy and the number of nodes used for the four candidates."""
    from mlzero_jupyter.execution.executors import run_parallel
    from mlzero_jupyter.execution.ray_executor import PLACEMENT_FILE

    jobs = candidates(root, fit_seconds)
    began = time.monotonic()
    results = run_parallel(executor, jobs, timeout=900, stop=threading.Event())
    wall = time.monotonic() - began
    failed = [job.cwd.name for job, result in zip(jobs, results, strict=True) if not result.ok]
    if failed:
        raise SystemExit(f"candidates failed: {failed}")
    scores = [json.loads((job.cwd / "metrics.json").read_text())["accuracy"] for job in jobs]
    nodes = {json.loads((job.cwd / PLACEMENT_FILE).read_text())["node_id"] for job in jobs}
    return wall, max(scores), len(nodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3, help="nodes of the loopback cluster, one CPU each")
    parser.add_argument("--fit-seconds", type=int, default=20, help="AutoGluon time limit of each candidate")
    args = parser.parse_args()

    import ray
    from ray.cluster_utils import Cluster

    from mlzero_jupyter.execution.ray_executor import RayExecutor

    node = {"num_cpus": 1, "object_store_memory": 100 * 1024 * 1024, "node_ip_address": "127.0.0.1"}
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    for _ in range(args.nodes - 1):
        cluster.add_node(**node)
    cluster.wait_for_nodes()
    try:
        executor = RayExecutor(cluster.address)
        print(f"machine: {os.cpu_count()} cores; cluster: {args.nodes} nodes x 1 CPU; "
              f"{len(FAMILIES)} candidates, {args.fit_seconds} s fit each")
        with tempfile.TemporaryDirectory() as scratch:
            for label, chosen in (("1 slot", OneSlot(executor)), (f"{executor.slots()} slots", executor)):
                wall, best, used = measure(chosen, Path(scratch) / label.replace(" ", "_"), args.fit_seconds)
                print(f"{label:>8}: wall {wall:6.1f} s, best accuracy {best:.4f}, nodes used {used}")
    finally:
        ray.shutdown()
        cluster.shutdown()


if __name__ == "__main__":
    main()
