"""One real Ray cluster on loopback for the tests of this folder: a head and two workers, one CPU each.

``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` (read when ray is imported) and ``node_ip_address`` keep every node on
127.0.0.1; the object stores are small. The cluster is torn down when the session ends.
"""

from __future__ import annotations

import os

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # before ray is imported: nodes bind 127.0.0.1

import textwrap  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install '.[ray]')")

NODE = {"num_cpus": 1, "object_store_memory": 100 * 1024 * 1024, "node_ip_address": "127.0.0.1",
        "include_dashboard": False}


@pytest.fixture(scope="session")
def cluster():
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args=dict(NODE))
    for _ in range(2):
        cluster.add_node(**{k: v for k, v in NODE.items() if k != "include_dashboard"})
    cluster.wait_for_nodes()
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture(scope="session")
def executor(cluster):
    from mlzero_jupyter.execution.ray_executor import RayExecutor

    return RayExecutor(cluster.address)


@pytest.fixture
def attempt(tmp_path: Path):
    """Write dedented source as solution.py in a fresh attempt folder of a run folder; returns (script, folder)."""
    counter = iter(range(1, 1000))

    def write(source: str) -> tuple[Path, Path]:
        folder = tmp_path / "run" / f"attempt_{next(counter)}"
        folder.mkdir(parents=True)
        script = folder / "solution.py"
        script.write_text(textwrap.dedent(source), encoding="utf-8")
        return script, folder

    return write
