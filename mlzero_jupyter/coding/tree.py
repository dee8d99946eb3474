"""The LLM coder's search: a tree of attempts (draft, debug, improve), the best node expanded next.

Each attempt is a node; its parent is the attempt whose code it starts from. A failed attempt is debugged (its
code, error and the failure's analysis in the prompt) until it has been debugged ``MAX_DEBUG_DEPTH`` times in a
row; then, or after a success, the best valid node (highest referee score) is improved; with no valid node, a new
draft is written. Deterministic: the next node follows from the records of the attempts so far.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.memory.episodic import FAILED, RUNNING, TIMEOUT, AttemptRecord

#: Failed attempts in a row after which the coder stops debugging and drafts anew (or improves the best).
MAX_DEBUG_DEPTH = 3
DRAFT, DEBUG, IMPROVE = "draft", "debug", "improve"


@dataclass(frozen=True)
class Node:
    operation: str  # draft, debug or improve
    parent: AttemptRecord | None = None

    @property
    def name(self) -> str:
        """The candidate name the attempt's record keeps (``improve:3``)."""
        return f"{self.operation}:{self.parent.number}" if self.parent else self.operation


def next_node(context: CodingContext) -> Node:
    """The next node from the finished attempts. In a parallel search a failure already being debugged by a running
    attempt is not debugged twice: the best is improved or a new draft written beside it."""
    attempts = [a for a in context.attempts if a.status != RUNNING]
    running = {a.candidate for a in context.attempts if a.status == RUNNING}
    if not attempts and context.last_error:  # a caller that gives the failure but not the records
        return Node(DEBUG)
    last = attempts[-1] if attempts else None
    if (last is not None and last.status in (FAILED, TIMEOUT) and _failures_in_a_row(attempts) < MAX_DEBUG_DEPTH
            and Node(DEBUG, last).name not in running):
        return Node(DEBUG, last)
    valid = [a for a in attempts if a.succeeded]
    if valid:
        sign = 1 if context.task.higher_is_better else -1
        return Node(IMPROVE, max(valid, key=lambda a: sign * a.score))
    return Node(DRAFT)


def _failures_in_a_row(attempts: list[AttemptRecord]) -> int:
    count = 0
    for attempt in reversed(attempts):
        if attempt.status not in (FAILED, TIMEOUT):
            break
        count += 1
    return count
