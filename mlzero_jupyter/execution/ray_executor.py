"""Run attempts on an existing Ray cluster: each attempt is one Ray task that runs the local executor on a node.

What runs where (see docs/ray.md): the agent, the LLM calls, the code policy and the validation stay in this
process (the driver); the attempt's script runs on a worker node as a subprocess of a Ray task, supervised there by
``executor.execute`` (time limit, memory limit, scrubbed environment: the credentials of neither the driver nor the
node reach it). Every node must see the run folder and the data at the same path (a shared file system): the
attempt writes its files there, and this process follows ``stdout.txt``/``stderr.txt`` as they grow.

Stop and Kernel > Interrupt cancel the task (a ``KeyboardInterrupt`` on the worker, which kills the script's
process tree); a lost worker or node ends the attempt as failed and its processes are looked for on every live
node and killed (they carry ``MLZERO_ATTEMPT_DIR``), as ``kill_orphans`` does when a run is resumed.

Ray is imported by this module only, and this module only when the Ray executor is chosen.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from mlzero_jupyter.atomic import write_json_atomic
from mlzero_jupyter.coding.contract import STDERR_FILE, STDOUT_FILE
from mlzero_jupyter.errors import ConfigError, UserInputError
from mlzero_jupyter.execution.executor import KILL_GRACE_SECONDS, ExecutionResult, execute
from mlzero_jupyter.execution.follow import FileFollower

MB = 1024 * 1024
#: The attempt folder's record of where the attempt ran (node id and address, worker pid, resources, times).
PLACEMENT_FILE = "ray.json"
#: Seconds between two looks at the task and the output files.
POLL_SECONDS = 0.2
#: Seconds a cancelled task gets to kill its script and end before its worker is killed.
CANCEL_GRACE_SECONDS = KILL_GRACE_SECONDS + 10.0
#: Seconds the driver waits past the time limit for the worker to enforce it itself.
DEADLINE_SLACK_SECONDS = 30.0
#: Seconds to wait for every node to answer a check or a clean-up.
NODE_ANSWER_SECONDS = 60.0
MISSING = "missing"
_HOST_PORT = re.compile(r"^(?:ray://)?(?P<host>[^:/\s]+):(?P<port>\d+)$")


class RayExecutor:
    """Runs each attempt as a Ray task on the cluster at ``address`` (``HOST:PORT`` of the head, or ``auto``).

    ``cpus``, ``gpus`` and the attempt's memory limit are the task's resource request, so Ray places one attempt
    per free slot and runs the others when a slot frees up. ``cpus`` defaults to the CPUs of the smallest node, one
    attempt per node; the attempt's AutoGluon uses that many (``AG_CPU_COUNT``), so attempts side by side do not
    slow each other down. ``network`` lets attempts open connections, which AutoGluon's distributed mode needs to
    reach the cluster (``MLZERO_RAY_ADDRESS``); closed by default, as locally.
    """

    def __init__(self, address: str, *, cpus: float | None = None, gpus: float = 0.0, network: bool = False) -> None:
        self.address = address.strip()
        connect(self.address)
        self.cpus, self.gpus, self.network = cpus or smallest_node_cpus(), gpus, network
        self.gcs_address = ray.get_runtime_context().gcs_address
        self._task = ray.remote(_run_attempt)
        self._probe = ray.remote(_look_at_paths)
        self._cleaner = ray.remote(_kill_attempt_processes)

    # -- the executor contract --------------------------------------------------------------------------------
    def __call__(self, script: Path, *, cwd: Path, timeout: float,
                 on_output: Callable[[str, str], None] | None = None, stop: threading.Event | None = None,
                 memory_limit_mb: int | None = None, readable: Sequence[Path] | None = None) -> ExecutionResult:
        script, cwd = Path(script).resolve(), Path(cwd).resolve()
        started = time.monotonic()
        request: dict[str, Any] = {"num_cpus": self.cpus, "num_gpus": self.gpus, "max_retries": 0,
                                   "name": f"mlzero {cwd.parent.name}/{cwd.name}"}
        if memory_limit_mb:
            request["memory"] = memory_limit_mb * MB
        ref = self._task.options(**request).remote(
            str(script), str(cwd), time.time() + timeout, memory_limit_mb,
            None if readable is None else [str(p) for p in readable],
            {"MLZERO_RAY_ADDRESS": self.gcs_address, "AG_CPU_COUNT": str(max(1, int(self.cpus)))}, self.network)
        followers = [FileFollower(cwd / STDOUT_FILE, "stdout", on_output),
                     FileFollower(cwd / STDERR_FILE, "stderr", on_output)]
        try:
            verdict = self._watch(ref, followers, started + timeout, stop)
        except BaseException:  # Kernel > Interrupt: nothing outlives the attempt
            self._cancel(ref, cwd)
            raise
        for follower in followers:
            follower.finish()
        return self._result(ref, verdict, cwd, followers, time.monotonic() - started, request)

    def slots(self) -> int:
        """Attempts that fit in the cluster's free resources now (at least one: the next waits for a slot)."""
        free = ray.available_resources()
        fits = [free.get("CPU", 0.0) / self.cpus] if self.cpus else []
        if self.gpus:
            fits.append(free.get("GPU", 0.0) / self.gpus)
        return max(1, int(min(fits))) if fits else 1

    # -- checks and clean-up on every node ---------------------------------------------------------------------
    def check_visible(self, data: Path | None = None, output_dir: Path | None = None) -> None:
        """Refuse, in one line, a data path or output folder that some node does not see as this machine does."""
        expected: dict[str, str] = {}
        probe = None
        if data is not None:
            data = Path(data).expanduser().resolve()
            expected[str(data)] = _describe(data)
        if output_dir is not None:
            output_dir = Path(output_dir).expanduser().resolve()
            output_dir.mkdir(parents=True, exist_ok=True)
            probe = output_dir / f".mlzero-probe-{uuid.uuid4().hex}"
            probe.write_text(probe.name)
            expected[str(probe)] = _describe(probe)
        try:
            answers = self._on_every_node(self._probe, expected)
        finally:
            if probe is not None:
                probe.unlink(missing_ok=True)
        for node, seen in answers:
            for path, description in expected.items():
                if seen.get(path) != description:
                    what = "the run folder's parent" if probe is not None and path == str(probe) else "the data"
                    shown = output_dir if what != "the data" else path
                    how = "is missing there" if seen.get(path) == MISSING else "differs there"
                    raise UserInputError(
                        f"{what} {shown} is not visible from the Ray node {node['NodeManagerAddress']} "
                        f"as it is here (it {how}); every node must see the data and "
                        "--output at the same path on a shared file system (NFS, for example): mount it there or "
                        "move them onto it (docs/ray.md)")

    def kill_orphans(self, run_dir: Path) -> int:
        """Kill the attempt processes of ``run_dir`` left on any live node (a dead driver or worker); how many."""
        return sum(count for _, count in self._on_every_node(self._cleaner, str(Path(run_dir).resolve())))

    def _on_every_node(self, function: Any, argument: Any) -> list[tuple[dict, Any]]:
        nodes = [node for node in ray.nodes() if node.get("Alive")]
        refs = [function.options(num_cpus=0, max_retries=0, scheduling_strategy=NodeAffinitySchedulingStrategy(
            node["NodeID"], soft=False)).remote(argument) for node in nodes]
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=NODE_ANSWER_SECONDS)
        answers = []
        for node, ref in zip(nodes, refs, strict=True):
            if ref not in ready:
                ray.cancel(ref, force=True)
                raise UserInputError(f"the Ray node {node['NodeManagerAddress']} did not answer within "
                                     f"{NODE_ANSWER_SECONDS:.0f} s; check the cluster with `ray status`")
            try:
                answers.append((node, ray.get(ref)))
            except ray.exceptions.RayError:  # the node died meanwhile: nothing of ours runs there any more
                continue
        return answers

    # -- one attempt ---------------------------------------------------------------------------------------------
    def _watch(self, ref: Any, followers: list[FileFollower], deadline: float,
               stop: threading.Event | None) -> str | None:
        """Follow the output until the task ends; the reason it was cancelled, or None."""
        while True:
            ready, _ = ray.wait([ref], timeout=POLL_SECONDS)
            for follower in followers:
                follower.poll()
            if ready:
                return None
            if stop is not None and stop.is_set():
                self._cancel(ref, None)
                return "stopped"
            if time.monotonic() > deadline + DEADLINE_SLACK_SECONDS:  # queued all along, or the worker hangs
                self._cancel(ref, None)
                return "timeout"

    def _cancel(self, ref: Any, cwd: Path | None) -> None:
        """Cancel the task (its script's processes are killed on the worker); force it when it does not end."""
        ray.cancel(ref)
        ready, _ = ray.wait([ref], timeout=CANCEL_GRACE_SECONDS)
        if not ready:
            ray.cancel(ref, force=True)
            ray.wait([ref], timeout=CANCEL_GRACE_SECONDS)
            if cwd is not None:
                self.kill_orphans(cwd)

    def _result(self, ref: Any, verdict: str | None, cwd: Path, followers: list[FileFollower], duration: float,
                request: dict[str, Any]) -> ExecutionResult:
        try:
            answer = ray.get(ref, timeout=CANCEL_GRACE_SECONDS)
        except ray.exceptions.TaskCancelledError:
            answer = {"killed_reason": "stopped by the user" if verdict == "stopped" else
                      f"it ran into the time limit ({duration:.0f} s)"}
        except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError) as error:
            self.kill_orphans(cwd)
            answer = {"killed_reason": f"the Ray worker running it was lost ({type(error).__name__}); "
                                       "its processes were stopped, the next attempt runs on a live node"}
        if "result" in answer:
            result = ExecutionResult.from_dict({**answer["result"], "node": answer["node_id"]})
            self._record(cwd, answer, request)
            return result
        return ExecutionResult(returncode=None, duration_s=duration, timed_out=verdict == "timeout",
                               stopped=verdict == "stopped", killed_reason=answer["killed_reason"],
                               stdout_tail=followers[0].tail(), stderr_tail=followers[1].tail(),
                               node=_placed_on(cwd))

    def _record(self, cwd: Path, answer: dict[str, Any], request: dict[str, Any]) -> None:
        placement = {key: answer[key] for key in ("node_id", "node_ip", "worker_pid", "started_at", "ended_at")}
        placement.update(address=self.gcs_address, cpus=request["num_cpus"], gpus=request["num_gpus"],
                         memory_mb=request.get("memory", 0) // MB or None)
        write_json_atomic(cwd / PLACEMENT_FILE, placement)


def connect(address: str) -> None:
    """Connect this process to the cluster at ``address``, or say in one line why it cannot."""
    match = _HOST_PORT.match(address)
    if ray.is_initialized():
        current = ray.get_runtime_context().gcs_address
        if match and not address.startswith("ray://") and current != address:
            raise ConfigError(f"this Python process is already connected to the Ray cluster at {current}; "
                              f"restart it (the kernel) to use {address}")
        return
    if match:
        try:
            socket.create_connection((match["host"], int(match["port"])), timeout=5).close()
        except OSError as error:
            raise UserInputError(f"the Ray cluster at {address} does not answer ({error.strerror or error}); "
                                 "start it with `ray start --head` or give the head's HOST:PORT with --ray-address "
                                 "(docs/ray.md)") from None
    elif address != "auto":
        raise ConfigError(f"the Ray address {address!r} is not HOST:PORT, ray://HOST:PORT or auto")
    try:
        ray.init(address=address, namespace="mlzero", log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise UserInputError(f"cannot connect to the Ray cluster at {address}: {str(error).splitlines()[0]}; "
                             "check the address with `ray status` (docs/ray.md)") from None


def smallest_node_cpus() -> float:
    """The CPUs of the smallest live node that has any (a head started with no CPUs runs no attempt)."""
    sizes = [node.get("Resources", {}).get("CPU", 0.0) for node in ray.nodes() if node.get("Alive")]
    return min((size for size in sizes if size >= 1), default=1.0)


def cluster_summary(address: str) -> dict[str, Any]:
    """The live nodes of the cluster at ``address``: id, address, CPUs, GPUs and memory, and their totals."""
    connect(address)
    nodes = []
    for node in ray.nodes():
        if not node.get("Alive"):
            continue
        resources = node.get("Resources", {})
        nodes.append({"node_id": node["NodeID"], "address": node["NodeManagerAddress"],
                      "cpus": resources.get("CPU", 0.0), "gpus": resources.get("GPU", 0.0),
                      "memory_mb": int(resources.get("memory", 0) // MB)})
    totals = {key: sum(node[key] for node in nodes) for key in ("cpus", "gpus", "memory_mb")}
    return {"address": ray.get_runtime_context().gcs_address, "nodes": nodes, **totals}


# -- what runs on the worker nodes ----------------------------------------------------------------------------------
def _run_attempt(script: str, cwd: str, deadline: float, memory_limit_mb: int | None, readable: list[str] | None,
                 extra_env: dict[str, str], network: bool) -> dict[str, Any]:
    """The Ray task of one attempt: ``execute`` on this node, within what is left of the time limit."""
    context = ray.get_runtime_context()
    placement = {"node_id": context.get_node_id(), "node_ip": ray.util.get_node_ip_address(),
                 "worker_pid": os.getpid(), "started_at": time.time()}
    if not Path(cwd).is_dir() or not Path(script).is_file():
        return {"killed_reason": f"the attempt folder {cwd} is not visible from the Ray node "
                                 f"{placement['node_ip']}; put --output on a file system shared by every node"}
    write_json_atomic(Path(cwd) / PLACEMENT_FILE, placement)  # where it runs, even if it never returns
    result = execute(Path(script), cwd=Path(cwd), timeout=max(1.0, deadline - time.time()),
                     memory_limit_mb=memory_limit_mb, extra_env=extra_env, network=network,
                     readable=None if readable is None else [Path(p) for p in readable])
    return {"result": result.to_dict(), **placement, "ended_at": time.time()}


def _placed_on(cwd: Path) -> str:
    """The node the attempt in ``cwd`` started on, as its task wrote it; empty when it never started."""
    try:
        return json.loads((cwd / PLACEMENT_FILE).read_text())["node_id"]
    except (OSError, ValueError, KeyError):
        return ""


def _look_at_paths(paths: dict[str, str]) -> dict[str, str]:
    """How this node sees each path (see ``_describe``)."""
    return {path: _describe(Path(path)) for path in paths}


def _describe(path: Path) -> str:
    """A cheap description to compare across nodes: a file's size, a folder's first entry names."""
    try:
        if path.is_dir():
            return "folder: " + "/".join(sorted(entry.name for entry in path.iterdir())[:200])
        return f"file of {path.stat().st_size} bytes"
    except OSError:
        return MISSING


def _kill_attempt_processes(run_dir: str) -> int:
    from mlzero_jupyter.agent import kill_orphans

    return kill_orphans(Path(run_dir))
