"""Approval of an attempt's code, never silent: one request, answered by whichever front end is attached.

A request is answered once; the first answer wins and later ones are told it was answered already. A wait ends
with an answer, with the run's stop, or (only when the user set ``approval_timeout``) with a decision taken on the
user's behalf: clean code runs, code with concerns is skipped. Every decision goes into the run's episodic memory
as an ``approval`` event saying what was decided and by whom.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.events import Guidance, Review

REVIEW_ACTIONS = ("approve", "edit", "skip", "stop")
#: Who decided when the user's timeout passed without an answer.
TIMEOUT = "timeout"

Recorder = Callable[..., None]


@dataclass
class ApprovalRequest:
    """'May attempt ``attempt`` run this code?', open until its first answer."""

    attempt: int
    code: str
    summary: str
    concerns: list[str]
    run_id: str = ""
    id: str = field(default_factory=lambda: secrets.token_hex(4))
    asked_at: float = field(default_factory=time.time)
    review: Review | None = None
    answered_by: str | None = None
    _done: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def answered(self) -> bool:
        return self._done.is_set()

    def answer(self, action: str, code: str | None = None, by: str = "") -> bool:
        """Answer the request; False when an earlier answer won (this one changes nothing)."""
        review = checked_review(action, code)
        with self._lock:
            if self._done.is_set():
                return False
            self.review, self.answered_by = review, by or "someone"
            self._done.set()
        return True

    def wait(self, timeout: float | None, stopped: Callable[[], bool] = lambda: False,
             step: float = 0.1) -> Review | None:
        """The answer; None when the run was stopped or the timeout (None: no timeout) passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._done.wait(step):
            if stopped() or (deadline is not None and time.monotonic() >= deadline):
                return None
        return self.review

    def view(self) -> dict[str, Any]:
        """What a front end shows: the code, the policy's concerns and the attempt's plan."""
        return {"request_id": self.id, "run_id": self.run_id, "attempt": self.attempt, "summary": self.summary,
                "code": self.code, "concerns": list(self.concerns), "asked_at": self.asked_at,
                "answered": self.answered, "action": self.review.action if self.review else None,
                "answered_by": self.answered_by}


def checked_review(action: str, code: str | None = None) -> Review:
    """A Review from a front end's answer; a bad answer is a one-line UserInputError."""
    action = (action or "").strip().lower()
    if action not in REVIEW_ACTIONS:
        raise UserInputError(f"unknown answer {action!r}; answer one of {', '.join(REVIEW_ACTIONS)}")
    if action == "edit" and not (code and code.strip()):
        raise UserInputError("an edit needs the code to run instead; give it as code")
    return Review(action, code if action == "edit" else None)


def on_timeout(concerns: list[str]) -> Review:
    """What a user-set timeout decides: clean code runs, code with concerns does not."""
    return Review("skip") if concerns else Review("approve")


def record_decision(record: Recorder | None, attempt: int, review: Review, by: str, concerns: list[str],
                    **extra: Any) -> None:
    """One ``approval`` event: the attempt, what was decided, who decided (a front end, ``timeout``, ...)."""
    if record is not None:
        record(attempt=attempt, action=review.action, by=by, concerns=list(concerns),
               edited=review.action == "edit", **extra)


def recorder(agent: Any) -> Recorder:
    """Records approval decisions into ``agent``'s episodic memory (it exists once the run has started)."""

    def record(**data: Any) -> None:
        if agent.memory is not None:
            agent.memory.record("approval", **data)

    return record


class AskingController:
    """The controller of runs driven by tools (the MCP server): with ``confirm``, every attempt's code waits in
    :attr:`pending` until a front end answers it (``answer``), the run stops, or the user's ``timeout`` passes;
    without it, clean code runs and code with concerns is skipped, as in any unattended run."""

    def __init__(self, confirm: bool = False, timeout: float | None = None,
                 stopped: Callable[[], bool] = lambda: False, record: Recorder | None = None,
                 run_id: Callable[[], str] = lambda: "") -> None:
        self.confirm = confirm
        self.timeout = timeout
        self.stopped = stopped
        self.record = record
        self.run_id = run_id
        self.pending: ApprovalRequest | None = None

    def review(self, attempt: int, code: str, summary: str, concerns: list[str]) -> Review:
        if not self.confirm:
            return Review("skip") if concerns else Review("approve")
        request = ApprovalRequest(attempt, code, summary, list(concerns), run_id=self.run_id())
        self.pending = request
        try:
            review = request.wait(self.timeout, self.stopped)
        finally:
            self.pending = None
        if review is not None:
            by = request.answered_by or "someone"
        elif self.stopped():
            review, by = Review("stop"), "stop"
        else:
            review, by = on_timeout(concerns), TIMEOUT
            request.answer(review.action, review.code, by)  # late answers are told it was decided
        extra = {"timeout_s": self.timeout} if by == TIMEOUT else {}
        record_decision(self.record, attempt, review, by, concerns, **extra)
        return review

    def between_attempts(self, record: Any) -> Guidance:
        return Guidance()  # guidance reaches these runs through send_guidance at any time
