"""What the agent tells its observers, and what it may ask a controller (the notebook widgets, a CLI prompt)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mlzero_jupyter.memory.episodic import AttemptRecord

log = logging.getLogger("mlzero_jupyter")

#: Event kinds, in the order a run emits them.
RUN_STARTED = "run_started"  # data: run_dir, first_attempt (the number the run's first new attempt gets)
TASK_PERCEIVED = "task_perceived"
TOOL_SELECTED = "tool_selected"
ATTEMPT_STARTED = "attempt_started"  # data: code, summary, time_limit
ATTEMPT_OUTPUT = "attempt_output"  # data: stream, line
ATTEMPT_VALIDATING = "attempt_validating"  # the attempt's process ended; its predictions are being checked
ATTEMPT_FINISHED = "attempt_finished"  # data: attempt (AttemptRecord as dict), code
RUN_FINISHED = "run_finished"  # data: result (RunResult as dict)


@dataclass
class AgentEvent:
    kind: str
    run_id: str
    attempt: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Observer = Callable[[AgentEvent], None]


def notify(observers: list[Observer], event: AgentEvent) -> None:
    """Deliver an event to every observer; a failing display must never stop the run."""
    for observer in observers:
        try:
            observer(event)
        except Exception:
            log.exception("an observer failed on %s", event.kind)


@dataclass
class Review:
    """The answer to 'may this code run?'."""

    action: str = "approve"  # approve, edit (run ``code`` instead), skip, stop
    code: str | None = None


@dataclass
class Guidance:
    """What the user said between two attempts."""

    text: str | None = None
    stop: bool = False


class Controller(Protocol):
    def review(self, attempt: int, code: str, summary: str, concerns: list[str]) -> Review: ...

    def between_attempts(self, record: AttemptRecord) -> Guidance: ...


class Unattended:
    """The controller of headless runs: never waits, approves clean code, refuses code that needs a yes."""

    def review(self, attempt: int, code: str, summary: str, concerns: list[str]) -> Review:
        return Review("skip") if concerns else Review("approve")

    def between_attempts(self, record: AttemptRecord) -> Guidance:
        return Guidance()
