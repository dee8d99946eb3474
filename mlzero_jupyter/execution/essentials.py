"""The few lines of a failed attempt's stderr that the next attempt needs: the error, and where it happened.

A training log is mostly progress bars, warnings and repeated messages; the traceback's last frames and the
exception lines (and a fatal-error dump after a crash) are what explain a failure.
"""

from __future__ import annotations

import re

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TRACEBACK_START = "Traceback (most recent call last):"
FRAME = re.compile(r'^\s*File "[^"]*", line \d+')
WARNING_LINE = re.compile(r"^\S.*:\d+: \w*Warning: |^\w*Warning: |^\s*warnings\.warn\(")
PROGRESS = re.compile(r"\d+%\|.*\|")
ERROR_WORDS = re.compile(r"Error\b|Exception\b|Fatal Python error|Killed|Segmentation fault|Traceback|"
                         r"MemoryError|Aborted|core dumped", re.IGNORECASE)
FRAMES_KEPT = 4
MAX_LINE_CHARS = 500


def essential_error_lines(stderr: str, max_lines: int = 30) -> str:
    """The last traceback (its last frames and the exception lines), else the error-looking lines, else the
    last lines; without progress bars, warnings and repeated lines."""
    lines = _clean(stderr)
    start = _last_index(lines, TRACEBACK_START)
    if start is not None:
        chosen = _traceback(lines[start:])
        cause = _chained_cause(lines[:start])
        if cause and len(chosen) < max_lines:
            chosen = [f"(caused by) {cause}", *chosen]
    else:
        errors = [line for line in lines if ERROR_WORDS.search(line)]
        fatal = _last_index(lines, "Fatal Python error")
        chosen = lines[fatal:] if fatal is not None else errors or lines
    return "\n".join(_dedupe(chosen)[-max_lines:])


def _clean(text: str) -> list[str]:
    """Lines without colour codes, progress redraws (text before the last carriage return), blanks, warnings."""
    kept = []
    skip_next = False
    for raw in text.splitlines():
        line = ANSI.sub("", raw).rsplit("\r", 1)[-1].rstrip()
        if skip_next:  # the source line a warning prints under itself
            skip_next = False
            if line.startswith(" "):
                continue
        if not line.strip() or PROGRESS.search(line):
            continue
        if WARNING_LINE.search(line):
            skip_next = True
            continue
        kept.append(line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " ...")
    return kept


def _last_index(lines: list[str], prefix: str) -> int | None:
    found = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    return found[-1] if found else None


def _traceback(block: list[str]) -> list[str]:
    """Header, the last frames (each with its source line) and everything after the frames (the exception)."""
    frame_starts = [i for i, line in enumerate(block) if FRAME.match(line)]
    if not frame_starts:
        return block
    last_frame = frame_starts[-1]
    end = last_frame + 1
    while end < len(block) and block[end].startswith((" ", "\t")):
        end += 1  # source line and the ^^^ markers
    exception = block[end:]
    first_kept = frame_starts[-FRAMES_KEPT] if len(frame_starts) > FRAMES_KEPT else frame_starts[0]
    skipped = ["  ..."] if first_kept != frame_starts[0] else []
    return [block[0], *skipped, *block[first_kept:end], *exception]


def _chained_cause(before: list[str]) -> str | None:
    """The exception line of an earlier traceback this one was raised from, if any."""
    start = _last_index(before, TRACEBACK_START)
    if start is None:
        return None
    exceptions = [line for line in before[start + 1:] if not line.startswith((" ", "\t"))
                  and not line.startswith(("During handling", "The above exception"))]
    return exceptions[-1] if exceptions else None


def _dedupe(lines: list[str]) -> list[str]:
    """Drop repeated lines (a message logged in a loop); indented lines (source under a frame) always stay."""
    seen: set[str] = set()
    kept = []
    for line in lines:
        if line in seen and not line.startswith((" ", "\t")):
            continue
        seen.add(line)
        kept.append(line)
    return kept
