"""Capture one output stream of an attempt: line by line to a callback, to a capped file, and a bounded tail."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger("mlzero_jupyter")

#: Bytes of one stream saved to its file (and lines passed to the callback); the rest is counted, not kept.
FILE_CAP_BYTES = 20 * 1024 * 1024
#: Characters of the stream's end kept in memory for the result (error lines, progress displays).
TAIL_CHARS = 64 * 1024
#: A "line" longer than this (a progress bar without newlines, a binary dump) is cut into pieces.
MAX_LINE_BYTES = 64 * 1024

OutputCallback = Callable[[str, str], None]


class StreamCapture:
    """Reads ``pipe`` on its own thread until EOF; memory stays bounded whatever the child prints."""

    def __init__(self, name: str, pipe: BinaryIO, path: Path, on_output: OutputCallback | None = None,
                 file_cap: int = FILE_CAP_BYTES, tail_chars: int = TAIL_CHARS) -> None:
        self.name = name
        self.path = path
        self.bytes_seen = 0
        self.truncated = False
        self.save_error: str | None = None
        self._pipe = pipe
        self._on_output = on_output
        self._file_cap = file_cap
        self._tail_chars = tail_chars
        self._tail: deque[str] = deque()
        self._tail_size = 0
        self._thread = threading.Thread(target=self._run, name=f"mlzero-{name}", daemon=True)

    def start(self) -> StreamCapture:
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> bool:
        """Wait for EOF; False when the pipe is still held open (by a process that escaped the kill)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def tail(self) -> str:
        return "".join(self._tail)[-self._tail_chars:]

    def _run(self) -> None:
        with open(self.path, "wb", buffering=0) as file:  # unbuffered: a full disk fails the write, not close
            for raw in iter(lambda: self._pipe.readline(MAX_LINE_BYTES), b""):
                self._take(raw, file)
        self._pipe.close()

    def _take(self, raw: bytes, file: BinaryIO) -> None:
        text = raw.decode("utf-8", errors="replace")
        self._remember(text)
        self.bytes_seen += len(raw)
        if self.bytes_seen <= self._file_cap:
            self._save(file, raw)
            self._deliver(text.rstrip("\r\n"))
        elif not self.truncated:
            self.truncated = True
            note = f"[mlzero: {self.name} truncated after {self._file_cap // (1024 * 1024)} MB; the rest is not saved]"
            self._save(file, ("\n" + note + "\n").encode())
            self._deliver(note)

    def _save(self, file: BinaryIO, data: bytes) -> None:
        """Write to the file; when the disk is full, stop saving but keep reading (the child must not block)."""
        if self.save_error:
            return
        try:
            file.write(data)
        except OSError as error:
            self.save_error = f"{self.path.name} not saved further: {error.strerror}"
            self.truncated = True
            log.warning(self.save_error)

    def _remember(self, text: str) -> None:
        self._tail.append(text)
        self._tail_size += len(text)
        while self._tail_size > self._tail_chars and len(self._tail) > 1:
            self._tail_size -= len(self._tail.popleft())

    def _deliver(self, line: str) -> None:
        if self._on_output is None:
            return
        try:
            self._on_output(self.name, line)
        except Exception:  # a failing display must not stop reading (the child would block on a full pipe)
            log.exception("output callback failed")
