"""The agent's same search with one slot and with N slots: wall time, best score and attempts at once.

A loopback Ray cluster (a head and two workers, one CPU each, like tests/ray) runs the offline planner's search on
scikit-learn's breast cancer table (its candidates: fast, bagged, bagged with another seed), first one attempt at a
time, then with as many at once as the cluster has free slots. The same search through the local executor, with
one slot (what it offers) and with two forced on, shows why it offers one on this machine.

    python benchmarks/parallel.py [--nodes 3] [--time-limit 180] [--skip-local]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # before ray is imported: nodes bind 127.0.0.1


class Slots:
    """The same executor, offering ``count`` slots."""

    def __init__(self, executor, count: int) -> None:
        self.executor, self.count = executor, count

    def __call__(self, *args, **kwargs):
        return self.executor(*args, **kwargs)

    def slots(self) -> int:
        return self.count


def table(root: Path) -> Path:
    """The breast cancer table as train.csv (labelled) and test.csv (a fifth, without labels)."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame.insert(0, "id", range(len(frame)))
    test = frame.sample(frac=0.2, random_state=0)
    folder = root / "breast_cancer"
    folder.mkdir(parents=True)
    frame.drop(test.index).to_csv(folder / "train.csv", index=False)
    test.drop(columns="target").to_csv(folder / "test.csv", index=False)
    return folder


def most_at_once(run_dir: Path) -> int:
    """The most attempts that ran at the same time (from the start and end times of the attempts' events)."""
    started, edges = {}, []
    for line in (run_dir / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event["kind"] == "attempt_started":
            started[event["number"]] = event["time"]
        elif event["kind"] == "attempt_finished" and event["attempt"]["execution_s"]:
            number = event["attempt"]["number"]
            edges += [(started[number], 1), (event["time"], -1)]
    running = most = 0
    for _, step in sorted(edges):
        running += step
        most = max(most, running)
    return most


def search(data: Path, output: Path, executor, time_limit: float) -> str:
    from mlzero_jupyter.agent import Agent, RunOptions

    options = RunOptions(time_limit=time_limit, output_dir=str(output), executor="local")
    began = time.monotonic()
    result = Agent(data, "predict the target column", options, executor=executor).run()
    wall = time.monotonic() - began
    tried = ", ".join(f"{a.candidate}:{a.status}" for a in result.attempts)
    return (f"wall {wall:6.1f} s, best accuracy {result.validation_score or float('nan'):.4f}, "
            f"{most_at_once(Path(result.run_dir))} at once, attempts {tried}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3, help="nodes of the loopback cluster, one CPU each")
    parser.add_argument("--time-limit", type=float, default=180, help="the search's time budget in seconds")
    parser.add_argument("--skip-local", action="store_true", help="only the Ray cluster")
    args = parser.parse_args()

    import ray
    from ray.cluster_utils import Cluster

    from mlzero_jupyter.execution.executors import LocalExecutor
    from mlzero_jupyter.execution.ray_executor import RayExecutor

    node = {"num_cpus": 1, "object_store_memory": 100 * 1024 * 1024, "node_ip_address": "127.0.0.1"}
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    for _ in range(args.nodes - 1):
        cluster.add_node(**node)
    cluster.wait_for_nodes()
    try:
        executor = RayExecutor(cluster.address)
        slots = executor.slots()
        print(f"machine: {os.cpu_count()} cores; cluster: {args.nodes} nodes x 1 CPU; search budget "
              f"{args.time_limit:.0f} s")
        with tempfile.TemporaryDirectory() as scratch:
            data = table(Path(scratch))
            runs = [("ray, 1 slot", Slots(executor, 1)), (f"ray, {slots} slots", executor)]
            if not args.skip_local:
                runs += [("local, 1 slot", LocalExecutor()), ("local, 2 slots", Slots(LocalExecutor(), 2))]
            for label, chosen in runs:
                print(f"{label:>15}: {search(data, Path(scratch) / 'runs', chosen, args.time_limit)}", flush=True)
    finally:
        ray.shutdown()
        cluster.shutdown()


if __name__ == "__main__":
    main()
