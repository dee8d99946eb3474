"""Run one attempt's script as an untrusted subprocess of the kernel's own Python, and bring it down when needed.

- inside the strongest OS isolation the machine offers (``execution.sandbox``: bubblewrap, namespaces or none),
  with no network unless ``network`` is true; the kind is the result's ``isolation``;
- its own session and process group, working directory = the attempt folder, stdin closed;
- environment from an allowlist (``execution.environment``);
- resource limits (``execution.limits``): processes, file size, open files, no core dumps; a memory cap from
  the machine's memory when the caller gives none;
- secret values and shapes masked in the attempt folder's text files when it ends (``redaction``);
- stdout and stderr streamed line by line to a callback and to ``stdout.txt`` / ``stderr.txt``, each capped,
  with only a bounded tail in memory (``execution.capture``);
- killed, children and grandchildren too, when ``stop`` is set, at the timeout, or when the tree's resident
  memory goes over ``memory_limit_mb``: SIGTERM, then SIGKILL after a short grace.

Why the memory cap watches RSS instead of setting RLIMIT_AS: the address-space limit counts virtual
reservations, and torch, numba, LightGBM's OpenMP and CUDA-free jemalloc arenas reserve gigabytes they never
touch, so a cap that is generous in real memory still makes ``import torch`` fail with odd errors. Sampling the
resident memory of the whole process tree every half second is portable (psutil) and only kills real hogs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlzero_jupyter.coding.contract import STDERR_FILE, STDOUT_FILE
from mlzero_jupyter.execution import limits, sandbox
from mlzero_jupyter.execution.capture import StreamCapture
from mlzero_jupyter.execution.environment import attempt_environment, needed_paths
from mlzero_jupyter.execution.essentials import essential_error_lines
from mlzero_jupyter.execution.processes import ProcessTree
import mlzero_jupyter.redaction as redaction  # a module, not names: redaction imports this package first

#: Seconds between SIGTERM and SIGKILL.
KILL_GRACE_SECONDS = 3.0
#: Seconds between two samples of the tree's memory.
MEMORY_SAMPLE_SECONDS = 0.5
#: Seconds to wait for the output pipes to close after the processes are gone.
DRAIN_SECONDS = 5.0
POLL_SECONDS = 0.05


@dataclass
class ExecutionResult:
    """How the script's process ended. ``killed_reason`` is set when we killed it (timeout, stop, memory)."""

    returncode: int | None
    duration_s: float
    timed_out: bool = False
    stopped: bool = False
    killed_reason: str | None = None
    memory_peak_mb: float = 0.0
    stdout_tail: str = ""
    stderr_tail: str = ""
    signal: str | None = None  # e.g. SIGSEGV when a signal ended the process
    output_truncated: bool = False
    isolation: str = "none: not recorded"  # bubblewrap, namespaces or none: <why>
    node: str = ""  # the Ray node that ran it (empty: this machine)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.killed_reason is None

    def failure(self) -> str | None:
        """One line on why the run failed, or None when it exited with code 0."""
        if self.killed_reason:
            return f"The script was killed: {self.killed_reason}."
        if self.signal:
            return f"The script crashed: the process was ended by {self.signal}."
        if self.returncode != 0:
            return f"The script exited with code {self.returncode}."
        return None

    def essential_errors(self, max_lines: int = 30) -> str:
        return essential_error_lines(self.stderr_tail, max_lines)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExecutionResult:
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> ExecutionResult:
        return cls.from_dict(json.loads(text))


def execute(
    script: Path,
    *,
    cwd: Path,
    timeout: float,
    on_output: Callable[[str, str], None] | None = None,
    stop: threading.Event | None = None,
    memory_limit_mb: int | None = None,
    extra_env: dict[str, str] | None = None,
    grace: float = KILL_GRACE_SECONDS,
    readable: Sequence[Path] | None = None,
    network: bool = False,
    isolation: str | None = None,
) -> ExecutionResult:
    """Run ``sys.executable script`` in ``cwd`` until it ends, is stopped, times out or uses too much memory.

    ``readable`` names the folders the code needs to read (the task's data); ``cwd`` is the only one it writes.
    With bubblewrap nothing else of the machine's files is visible but the system and Python folders (None: the
    whole machine read-only, see ``execution.sandbox``). ``network`` lets the code open connections;
    ``isolation`` forces a kind (``bubblewrap``, ``namespaces``, ``none``; default: the strongest available,
    or ``MLZERO_ISOLATION``). ``memory_limit_mb`` None means :func:`limits.default_memory_limit_mb`.
    """
    script, cwd = Path(script).resolve(), Path(cwd).resolve()
    if not script.is_file():
        raise FileNotFoundError(f"no script at {script}")
    jail = sandbox.isolation(isolation)
    env = attempt_environment(os.environ, cwd, extra_env)
    env.update(sandbox.environment(jail, readable, env))
    argv = sandbox.command(jail, limits.command([sys.executable, str(script)]), cwd=cwd, readable=readable, network=network,
                           extra_readable=[*needed_paths(env), *([] if script.is_relative_to(cwd) else [script])])
    if jail.kind == "none":
        limits.become_subreaper()
    started = time.monotonic()
    popen = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    captures = [StreamCapture("stdout", popen.stdout, cwd / STDOUT_FILE, on_output).start(),
                StreamCapture("stderr", popen.stderr, cwd / STDERR_FILE, on_output).start()]
    memory_cap = limits.default_memory_limit_mb() if memory_limit_mb is None else memory_limit_mb
    supervisor = _Supervisor(ProcessTree(popen, cwd, launcher=jail.kind != "none"), started + timeout, stop, memory_cap)
    try:
        supervisor.watch()
    finally:  # also on KeyboardInterrupt in the kernel: nothing outlives the attempt
        supervisor.tree.kill(grace if supervisor.verdict else 0.5)
    duration = time.monotonic() - started
    for capture in captures:
        capture.join(DRAIN_SECONDS)
    redaction.redact_folder(cwd)
    result = _result(sandbox.exit_signal(jail, popen.returncode), duration, supervisor, captures)
    result.isolation = jail.label()
    return result


class _Supervisor:
    """Polls the root process, the stop event, the clock and the tree's memory; decides whether to kill."""

    def __init__(self, tree: ProcessTree, deadline: float, stop: threading.Event | None,
                 memory_limit_mb: int | None) -> None:
        self.tree = tree
        self.deadline = deadline
        self.stop = stop
        self.memory_limit_mb = memory_limit_mb
        self.peak_mb = 0.0
        self.verdict: str | None = None  # timeout, stopped, memory
        self.reason: str | None = None

    def watch(self) -> None:
        next_sample = 0.0
        while self.tree.popen.poll() is None:
            now = time.monotonic()
            if self.stop is not None and self.stop.is_set():
                self._kill_for("stopped", "stopped by the user")
            elif now >= self.deadline:
                self._kill_for("timeout", "it ran into the time limit")
            elif now >= next_sample:
                next_sample = now + MEMORY_SAMPLE_SECONDS
                self._check_memory()
            if self.verdict:
                return
            time.sleep(POLL_SECONDS)

    def _check_memory(self) -> None:
        rss = self.tree.rss_mb()
        self.peak_mb = max(self.peak_mb, rss)
        if self.memory_limit_mb is not None and rss > self.memory_limit_mb:
            self._kill_for("memory", f"its processes used {rss:.0f} MB of memory, over the limit of "
                                     f"{self.memory_limit_mb} MB; use less memory (subsample, lighter models)")

    def _kill_for(self, verdict: str, reason: str) -> None:
        self.verdict, self.reason = verdict, reason


def _result(returncode: int, duration: float, supervisor: _Supervisor,
            captures: list[StreamCapture]) -> ExecutionResult:
    stdout, stderr = captures
    reason = supervisor.reason
    if supervisor.verdict == "timeout":
        reason = f"{reason} ({duration:.0f} s)"
    return ExecutionResult(
        returncode=returncode,
        duration_s=duration,
        timed_out=supervisor.verdict == "timeout",
        stopped=supervisor.verdict == "stopped",
        killed_reason=reason,
        memory_peak_mb=round(supervisor.peak_mb, 1),
        stdout_tail=redaction.redact(stdout.tail),
        stderr_tail=redaction.redact(stderr.tail),
        signal=_signal_name(returncode),
        output_truncated=stdout.truncated or stderr.truncated,
    )


def _signal_name(returncode: int | None) -> str | None:
    if returncode is None or returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


__all__ = ["ExecutionResult", "essential_error_lines", "execute"]
