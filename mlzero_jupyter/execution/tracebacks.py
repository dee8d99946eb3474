"""Reduce an attempt's stderr to the lines that explain a failure: what the next attempt needs to see."""

from __future__ import annotations

import re

_NOISE = re.compile(r"(Warning|warn\(|^\s*warnings\.warn|\d+%\|| it/s\]|Fitting model|^\s*$)")
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Fault)\b.*|^Killed\b.*")


def essential_error_lines(stderr: str, max_lines: int = 30) -> str:
    """The last traceback (its final frames and the exception), or else the last meaningful lines."""
    lines = stderr.splitlines()
    start = max((i for i, line in enumerate(lines) if line.startswith("Traceback")), default=None)
    if start is not None:
        block = lines[start:]
        frames = [i for i, line in enumerate(block) if line.lstrip().startswith('File "')]
        keep_from = frames[-3] if len(frames) > 3 else 1
        kept = [block[0], *block[keep_from:]]
        return "\n".join(kept[-max_lines:])
    meaningful = [line for line in lines if not _NOISE.search(line)]
    exceptions = [line for line in meaningful if _EXCEPTION.match(line.strip())]
    chosen = exceptions or meaningful
    deduplicated = list(dict.fromkeys(chosen))
    return "\n".join(deduplicated[-max_lines:])
