"""Where attempts run: the executor interface, the local executor, the choice between executors, parallel runs.

An executor runs one attempt's script and returns an :class:`ExecutionResult`; the agent calls it as
``executor(script, cwd=attempt_dir, timeout=..., on_output=..., stop=..., memory_limit_mb=..., readable=...)``.
Two implementations keep the same contract (time limit, memory limit, stop, interrupt, scrubbed environment,
output streamed live and saved in the attempt folder):

- :class:`LocalExecutor`: a subprocess of this machine (``executor.execute``);
- ``ray_executor.RayExecutor``: a Ray task on a node of an existing cluster, imported only when chosen.

``slots()`` says how many attempts may run at once; the agent's search runs that many side by side
(``Agent._loop_in_parallel``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.execution.executor import ExecutionResult, execute

EXECUTORS = ("local", "ray")
OutputCallback = Callable[[str, str], None]


@runtime_checkable
class Executor(Protocol):
    """Runs one attempt's script until it ends, is stopped, times out or uses too much memory."""

    def __call__(self, script: Path, *, cwd: Path, timeout: float, on_output: OutputCallback | None = None,
                 stop: threading.Event | None = None, memory_limit_mb: int | None = None,
                 readable: Sequence[Path] | None = None) -> ExecutionResult: ...

    def slots(self) -> int:
        """How many attempts can run at once now without slowing each other down."""
        ...


@runtime_checkable
class RemoteReaper(Protocol):
    """An executor whose attempts may run on other machines, and that can find and kill the orphans of a run there
    (its kernel died while they ran)."""

    def kill_orphans(self, run_dir: Path) -> int: ...


class LocalExecutor:
    """Attempts as subprocesses of this machine, one at a time.

    One slot: an attempt's AutoGluon already uses every core (boosting threads, parallel folds), so attempts side
    by side only share the cores; on 2 cores, two at once gave the same best score in the same wall time
    (``benchmarks/parallel.py``, ``benchmarks/RESULTS.md``). ``network`` lets attempts open connections (the
    sandbox closes the network otherwise).
    """

    def __init__(self, network: bool = False) -> None:
        self.network = network

    def __call__(self, script: Path, *, cwd: Path, timeout: float, on_output: OutputCallback | None = None,
                 stop: threading.Event | None = None, memory_limit_mb: int | None = None,
                 readable: Sequence[Path] | None = None) -> ExecutionResult:
        return execute(script, cwd=cwd, timeout=timeout, on_output=on_output, stop=stop,
                       memory_limit_mb=memory_limit_mb, readable=readable, network=self.network)

    def slots(self) -> int:
        return 1


def make_executor(options: Any, data: Path) -> Executor:
    """The executor a run's options name (``executor``, ``ray_address``); a Ray one is connected first and checked
    to see ``data`` and the output folder from every node, so a wrong setup fails before the first attempt."""
    name = (options.executor or "local").strip().lower()
    if name not in EXECUTORS:
        raise ConfigError(f"unknown executor {options.executor!r}; choose one of {', '.join(EXECUTORS)}")
    network = network_allowed(options.policy)
    if name == "local":
        return LocalExecutor(network)
    if not options.ray_address:
        raise ConfigError("the ray executor needs the cluster's address: --ray-address HOST:PORT "
                          "(or MLZERO_RAY_ADDRESS); see docs/ray.md")
    from mlzero_jupyter.execution.ray_executor import RayExecutor
    from mlzero_jupyter.runs import DEFAULT_OUTPUT_DIR

    ray_executor = RayExecutor(options.ray_address, network=network)
    ray_executor.check_visible(data, Path(options.output_dir or DEFAULT_OUTPUT_DIR))
    return ray_executor


def slots_of(executor: Callable[..., Any]) -> int:
    """How many attempts ``executor`` runs at once: its ``slots()``, or one for a plain function."""
    slots = getattr(executor, "slots", None)
    return max(1, slots()) if callable(slots) else 1


def network_allowed(policy: dict[str, str] | None) -> bool:
    """Whether the run's code policy lets attempts use the network (its ``network`` category set to ``allow``)."""
    return (policy or {}).get("network") == "allow"
