"""The controller of `mlzero run` in an interactive terminal: code the policy marks 'ask' waits for a yes.

Clean code runs without a question. For code with concerns (network, environment reads, dynamic code under the
default policy) the concerns are printed and the user answers ``y`` (run it), ``s`` (skip it, the default) or
``q`` (stop the run); with no answer within the timeout the attempt is skipped, so an unattended terminal never
runs code that needs a yes. Without a terminal (pipes, CI) the run is Unattended.
"""

from __future__ import annotations

import select
import sys
from typing import TextIO

from mlzero_jupyter.events import Controller, Guidance, Review, Unattended
from mlzero_jupyter.memory.episodic import AttemptRecord

ANSWERS = {"y": "approve", "yes": "approve", "s": "skip", "skip": "skip", "n": "skip", "no": "skip", "": "skip",
           "q": "stop", "quit": "stop", "stop": "stop"}


class TerminalController:
    """Asks on ``output`` and reads the answer from ``input`` within ``timeout`` seconds."""

    def __init__(self, timeout: float = 60.0, input: TextIO | None = None, output: TextIO | None = None) -> None:
        self.timeout = timeout
        self.input = input or sys.stdin
        self.output = output or sys.stderr

    def review(self, attempt: int, code: str, summary: str, concerns: list[str]) -> Review:
        if not concerns:
            return Review("approve")
        lines = [f"Attempt {attempt} ({summary}) needs your approval:", *(f"  {c}" for c in concerns),
                 f"Run it? [y]es, [s]kip, [q]uit the run (skipped in {self.timeout:.0f} s): "]
        self.output.write("\n".join(lines))
        self.output.flush()
        answer = self._read_line()
        if answer is None:
            self.output.write("\nno answer: skipped\n")
            return Review("skip")
        action = ANSWERS.get(answer.strip().lower())
        if action is None:
            self.output.write(f"{answer.strip()!r} is not an answer: skipped\n")
            return Review("skip")
        return Review(action)

    def between_attempts(self, record: AttemptRecord) -> Guidance:
        return Guidance()

    def _read_line(self) -> str | None:
        """A line typed within the timeout; None on timeout or end of input."""
        ready, _, _ = select.select([self.input], [], [], self.timeout)
        if not ready:
            return None
        line = self.input.readline()
        return line if line else None


def controller_for(stream: TextIO, timeout: float) -> Controller:
    """A TerminalController when ``stream`` is an interactive terminal, else the Unattended controller."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        interactive = False
    return TerminalController(timeout, input=stream) if interactive else Unattended()
