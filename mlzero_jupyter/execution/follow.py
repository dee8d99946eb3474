"""Follow a file that another machine appends to (an attempt's ``stdout.txt`` on a shared file system).

Complete lines go to a callback as they appear; what is left without a newline is passed on at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from mlzero_jupyter.execution.capture import MAX_LINE_BYTES, TAIL_CHARS

log = logging.getLogger("mlzero_jupyter")

#: Bytes read per poll at most, so a burst of output never holds the driver for long.
READ_CHUNK = 1024 * 1024


class FileFollower:
    """Reads what was appended to ``path`` since the last :meth:`poll` and passes each line to ``on_line``."""

    def __init__(self, path: Path, stream: str, on_output: Callable[[str, str], None] | None) -> None:
        self.path = path
        self.stream = stream
        self._on_output = on_output
        self._offset = 0
        self._partial = b""

    def poll(self) -> None:
        """Deliver the complete lines written since the last call (none while the file does not exist)."""
        try:
            with open(self.path, "rb") as file:
                file.seek(self._offset)
                data = file.read(READ_CHUNK)
        except FileNotFoundError:
            return
        self._offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            self._deliver(line)
        while len(self._partial) > MAX_LINE_BYTES:  # a progress bar without newlines: pass it on in pieces
            self._deliver(self._partial[:MAX_LINE_BYTES])
            self._partial = self._partial[MAX_LINE_BYTES:]

    def finish(self) -> None:
        """Deliver everything left, the last line even without its newline."""
        size = -1
        while size != self._offset:
            size = self._offset
            self.poll()
        if self._partial:
            self._deliver(self._partial)
            self._partial = b""

    def tail(self, chars: int = TAIL_CHARS) -> str:
        """The end of the file as text (for a result when the worker could not send one)."""
        try:
            with open(self.path, "rb") as file:
                file.seek(max(0, self.path.stat().st_size - 4 * chars))
                return file.read().decode("utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def _deliver(self, raw: bytes) -> None:
        if self._on_output is None:
            return
        try:
            self._on_output(self.stream, raw.decode("utf-8", errors="replace").rstrip("\r"))
        except Exception:  # a failing display must not stop the attempt
            log.exception("output callback failed")
