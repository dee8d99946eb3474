"""The attempt's process tree: its memory, and killing all of it (children, grandchildren, escapees).

The attempt starts in its own session, so its session and process group ids are its pid, and one ``killpg``
reaches every descendant that stayed in the group. A descendant may leave the group (``setpgid``) or the session
(``setsid``): the tree remembers every descendant it has seen (psutil, at each memory sample) and, when killing,
also looks for processes of the session, then signals those one by one. psutil.Process compares creation times,
so a recycled pid is never signalled by mistake. The root itself is left to its ``Popen`` (waiting on it here
would reap it and lose its exit status).

A double fork plus ``setsid`` between two samples escapes all of that: without OS isolation the executor makes
this process a child subreaper (``execution.limits``), so such an orphan becomes our child, and the kill also
takes every child of ours that carries the attempt's ``MLZERO_ATTEMPT_DIR``. Under bubblewrap or namespaces the
attempt has its own PID namespace: when its first process dies, the kernel kills every process in it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

import psutil

MB = 1024 * 1024


class ProcessTree:
    """The attempt's root process (a Popen) and every descendant seen so far."""

    def __init__(self, popen: subprocess.Popen, attempt_dir: Path | None = None, launcher: bool = False) -> None:
        self.popen = popen
        self.launcher = launcher  # the root is a sandbox launcher: SIGTERM the code, not it (see ``kill``)
        self.pid = popen.pid
        self.attempt_dir = str(attempt_dir) if attempt_dir is not None else None
        self._seen: dict[int, psutil.Process] = {}
        try:
            self._root: psutil.Process | None = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            self._root = None

    def descendants(self) -> list[psutil.Process]:
        """The live descendants (not the root), remembering new ones."""
        if self._root is not None and self.popen.poll() is None:
            try:
                for child in self._root.children(recursive=True):
                    self._seen.setdefault(child.pid, child)
            except psutil.Error:
                pass
        return [p for p in self._seen.values() if _running(p)]

    def rss_mb(self) -> float:
        """Resident memory of the whole tree in MB (pages shared between processes count once per process)."""
        processes = self.descendants() + ([self._root] if self._root is not None and self.popen.poll() is None else [])
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
        return total / MB

    def kill(self, grace: float) -> None:
        """SIGTERM to the group and every known process of the attempt; SIGKILL to what is left after ``grace``.

        A sandbox launcher (bwrap, unshare) is spared the SIGTERM: it would die of it at once and take its PID
        namespace down with SIGKILL, leaving the code no time to end cleanly; it gets the SIGKILL."""
        targets = self._targets()
        self._signal(targets, signal.SIGTERM, group=not self.launcher)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            pass
        _, survivors = psutil.wait_procs(targets, timeout=grace if self.popen.poll() is None else 0.2)
        if survivors or self.popen.poll() is None:
            self._signal(survivors, signal.SIGKILL)
            self.popen.wait()
            psutil.wait_procs(survivors, timeout=grace)

    def _targets(self) -> list[psutil.Process]:
        known = {p.pid: p for p in self.descendants()}
        for process in psutil.process_iter():
            if process.pid not in known and process.pid != self.pid and _session(process.pid) == self.pid:
                known[process.pid] = process
        for process in self._adopted():
            known.setdefault(process.pid, process)
        return list(known.values())

    def _adopted(self) -> list[psutil.Process]:
        """Our own children (orphans we adopted as subreaper) started for this attempt, with their descendants."""
        found = []
        for child in psutil.Process().children():
            with contextlib.suppress(psutil.Error, OSError):
                if child.pid != self.pid and child.environ().get("MLZERO_ATTEMPT_DIR") == self.attempt_dir:
                    found += [child, *child.children(recursive=True)]
        return found if self.attempt_dir else []

    def _signal(self, processes: list[psutil.Process], number: signal.Signals, group: bool = True) -> None:
        if group:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, number)
        for process in processes:
            try:
                process.send_signal(number)
            except psutil.Error:
                continue


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _session(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None
