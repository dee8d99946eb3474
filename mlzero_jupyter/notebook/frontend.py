"""What is on the other side of the kernel, and how to hear from it while a cell is still running.

A ``%%mlzero`` cell keeps the kernel's main thread busy, so the frontend's button clicks and comm messages wait in
the kernel's queue. Three ways through, best first:

1. the frontend sends on a kernel *subshell* (ipykernel >= 7, JupyterLab >= 4.4): the message is handled at once
   in the subshell's own thread;
2. :class:`ShellPump` takes the pending messages of the main shell, handles the comm ones (widget clicks, our
   ``mlzero`` comm) and hands every other message back to the kernel, in order, when the wait ends;
3. nothing of the kind is possible (terminal IPython): ask with ``input()`` under a timeout.

While the cell runs, :func:`keep_busy` keeps the kernel's status ``busy`` for the frontend: a request handled on a
subshell or on the control channel meanwhile (JupyterLab creates a subshell when the run's comm opens, then sends
on it) ends with an ``idle`` status about that request, which JupyterLab and Notebook 7 take for the whole
kernel's state.
"""

from __future__ import annotations

import logging
import select
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("mlzero_jupyter")

#: The kinds of front ends. ``headless``: a kernel driven by nbclient or papermill (no stdin, nobody watching).
INTERACTIVE, HEADLESS, TERMINAL, NONE = "interactive", "headless", "terminal", "none"

COMM_MESSAGES = ("comm_open", "comm_msg", "comm_close")


@dataclass
class Frontend:
    kind: str
    shell: Any = None
    kernel: Any = None
    cell_id: str | None = None  # the running cell's id, when the frontend sent one (JupyterLab, VS Code)

    @property
    def in_kernel(self) -> bool:
        return self.kernel is not None


def detect(shell: Any = None) -> Frontend:
    """Classify the current IPython (or its absence) from the running request's header, without guessing."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        return Frontend(NONE)
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return Frontend(TERMINAL, shell)
    parent = _parent(shell, kernel)
    cell_id = (parent.get("metadata") or {}).get("cellId")
    allow_stdin = bool((parent.get("content") or {}).get("allow_stdin", False))
    return Frontend(INTERACTIVE if allow_stdin else HEADLESS, shell, kernel, cell_id)


def _parent(shell: Any, kernel: Any) -> dict[str, Any]:
    getter = getattr(shell, "get_parent", None) or getattr(kernel, "get_parent", None)
    try:
        return dict(getter() or {}) if getter else {}
    except Exception:  # an unusual kernel: behave as if headless
        return {}


class ShellPump:
    """Handle the comm messages waiting on the kernel's main shell while the main thread is busy.

    Other messages (a queued cell, completion requests) are kept and handed back by :meth:`release`, in the order
    they came: on ipykernel 7 they are sent again through the socket they came from, so that the kernel reads them
    before anything sent later; on older kernels they are replayed on the kernel's loop.
    """

    def __init__(self, kernel: Any, stream: Any, pair: Any = None) -> None:
        self.kernel = kernel
        self.stream = stream
        self.pair = pair  # ipykernel 7: the socket pair from the shell channel thread to the main thread
        self.deferred: list[list[Any]] = []

    @classmethod
    def for_kernel(cls, kernel: Any) -> ShellPump | None:
        """A pump for ipykernel's main shell, or None when this kernel does not expose one."""
        thread = getattr(kernel, "shell_channel_thread", None)
        if thread is not None:
            pair = thread.manager.get_shell_channel_to_subshell_pair(None)
            stream = getattr(pair, "to_stream", None)
            return cls(kernel, stream, pair) if stream is not None else None
        stream = getattr(kernel, "shell_stream", None)
        if stream is None or getattr(stream, "_recv_callback", None) is None:
            return None
        return cls(kernel, stream)

    def pump(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for messages; handle the comm ones now. Returns how many were handled."""
        import zmq

        socket = self.stream.socket
        if not socket.poll(int(timeout * 1000)):
            return 0
        handled = 0
        while True:
            try:
                frames = socket.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return handled
            if self._handle(frames):
                handled += 1
            else:
                self.deferred.append([bytes(frame.bytes) for frame in frames])

    def _handle(self, frames: list[Any]) -> bool:
        session = self.kernel.session
        try:
            idents, rest = session.feed_identities(frames, copy=False)
            # Peek at the header only: a full read records the signature, and the kernel would then refuse the
            # message as a replay when it reads it itself.
            kind = session.deserialize(rest, content=False, copy=False)["header"].get("msg_type")
            handler = self.kernel.shell_handlers.get(kind) if kind in COMM_MESSAGES else None
            if handler is None:
                return False
            message = session.deserialize(rest, content=True, copy=False)
        except Exception:
            log.debug("unreadable shell message kept for the kernel", exc_info=True)
            return False
        try:
            handler(self.stream, idents, message)
        except Exception:
            log.exception("a comm message failed while the run waited")
        return True

    def release(self) -> None:
        """Give the kept messages back to the kernel, oldest first."""
        deferred, self.deferred = self.deferred, []
        if not deferred:
            return
        if self.pair is not None:
            sender = self.pair.from_socket  # owned by the shell channel thread: send from there
            self.kernel.shell_channel_thread.io_loop.add_callback(
                lambda: [sender.send_multipart(frames) for frames in deferred])
            return
        stream, loop = self.stream, self.kernel.io_loop
        for frames in deferred:
            loop.add_callback(stream._run_callback, stream._recv_callback, frames)
        # Reading the socket here may have consumed its edge-triggered wake-up: nudge the stream to look again.
        loop.add_callback(stream._handle_events, stream.socket, 0)


def keep_busy(kernel: Any) -> None:
    """Until the cell running in this thread ends, say ``busy`` again (about that cell) after every ``idle`` that
    another thread of the kernel publishes: the status a frontend shows stays true. The cell's own ``idle`` ends
    it. Kernels without ipykernel's ``_publish_status`` are left alone."""
    publish = getattr(kernel, "_publish_status", None)
    if publish is None or "_publish_status" in vars(kernel):  # not ipykernel, or already kept busy
        return
    cell_thread, cell = threading.current_thread(), kernel.get_parent("shell")

    def publish_status(status: str, channel: str, parent: Any = None) -> None:
        publish(status, channel, parent)
        if status != "idle":
            return
        if threading.current_thread() is cell_thread:  # the cell has ended: the kernel is idle indeed
            vars(kernel).pop("_publish_status", None)
        else:
            publish("busy", "shell", cell)

    kernel._publish_status = publish_status


def wait_until(done: Callable[[], bool], timeout: float, pump: ShellPump | None, step: float = 0.05) -> bool:
    """Wait until ``done()`` or ``timeout`` seconds, handling pending comm messages meanwhile; True when done."""
    deadline = time.monotonic() + timeout
    try:
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if pump is not None:
                pump.pump(min(step, left))
            else:
                time.sleep(min(step, left))
        return True
    finally:
        if pump is not None:
            pump.release()


def timed_input(prompt: str, timeout: float, stream: Any = None) -> str | None:
    """A line typed within ``timeout`` seconds (terminal IPython), or None when nobody answered."""
    stream = stream or sys.stdin
    print(prompt, end="", flush=True)
    deadline = time.monotonic() + timeout
    try:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
    except (OSError, ValueError):  # no selectable stdin (Windows console, a replaced stream)
        return None
    if not ready:
        print()
        return None
    line = stream.readline()
    return line.rstrip("\n") if line else None
