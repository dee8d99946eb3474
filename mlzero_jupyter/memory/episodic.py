"""Episodic memory: the run's chronological record of attempts, errors, scores and guidance.

Stored as ``events.jsonl`` in the run folder: one JSON object per line, appended and flushed to disk after every
event, so a run can be resumed after the kernel died. Views (attempts, best, guidance, summary) are derived.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlzero_jupyter.redaction import redact_data

#: Attempt statuses. Only ``success`` attempts have a validated score.
SUCCESS, FAILED, BLOCKED, TIMEOUT, STOPPED, SKIPPED = "success", "failed", "blocked", "timeout", "stopped", "skipped"
#: An attempt still running beside the one being written (a parallel search); never recorded as finished.
RUNNING = "running"


@dataclass
class AttemptRecord:
    """How one attempt went."""

    number: int
    status: str
    summary: str = ""  # what the attempt did or changed
    error: str = ""  # essential error lines or validation problems, for the next attempt
    analysis: str = ""  # an LLM's analysis of the failure, when there is one
    score: float | None = None  # the referee's score on the held-out rows (the code's own when there is no referee)
    score_error: float | None = None  # the referee score's bootstrap standard error (None: not measured)
    metric: str | None = None
    validation: str = ""  # how the score was obtained
    reported_score: float | None = None  # what the attempt's code wrote in metrics.json (a diagnostic)
    note: str = ""  # e.g. the code's own score far from the referee's
    candidate: str = ""  # which of the coder's candidates the attempt implements
    isolation: str = ""  # how the attempt's process was isolated
    node: str = ""  # the Ray node that ran it (empty: this machine)
    duration_s: float = 0.0  # wall time of the whole attempt
    execution_s: float = 0.0  # time inside the generated code
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    guidance: list[str] = field(default_factory=list)  # guidance the attempt was written with
    predictions: str | None = None  # path relative to the run folder

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCESS and self.score is not None and math.isfinite(self.score)


class EpisodicMemory:
    """Append-only event log with derived views."""

    def __init__(self, path: Path, events: list[dict[str, Any]] | None = None) -> None:
        self.path = Path(path)
        self.events: list[dict[str, Any]] = events if events is not None else []

    @classmethod
    def load(cls, path: Path) -> EpisodicMemory:
        """Read an existing log; a torn last line (the process died mid-write) or garbage lines are dropped."""
        events = []
        for line in Path(path).read_bytes().decode("utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if _well_formed(event):
                events.append(event)
        return cls(path, events)

    def record(self, kind: str, **data: Any) -> dict[str, Any]:
        """Append one event (secret values masked); on a write error the file is cut back to its last whole line."""
        event = redact_data(json.loads(json.dumps({"time": time.time(), "kind": kind, **data}, default=str)))
        payload = (json.dumps(event) + "\n").encode("utf-8")
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(descriptor).st_size
            try:
                written = 0
                while written < len(payload):
                    written += os.write(descriptor, payload[written:])
                os.fsync(descriptor)
            except OSError:
                os.ftruncate(descriptor, size)  # no torn line left behind (disk full, quota)
                raise
        finally:
            os.close(descriptor)
        self.events.append(event)
        return event

    def record_attempt(self, attempt: AttemptRecord) -> None:
        self.record("attempt_finished", attempt=dataclasses.asdict(attempt))

    # -- views --------------------------------------------------------------------------------------------------
    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == kind]

    @property
    def attempts(self) -> list[AttemptRecord]:
        return [AttemptRecord(**e["attempt"]) for e in self.of_kind("attempt_finished")]

    @property
    def guidance(self) -> list[str]:
        return [e["text"] for e in self.of_kind("guidance")]

    def best(self, higher_is_better: bool) -> AttemptRecord | None:
        valid = [a for a in self.attempts if a.succeeded]
        if not valid:
            return None
        return max(valid, key=lambda a: a.score if higher_is_better else -a.score)

    def summary(self, max_chars: int = 4000) -> str:
        """What was tried and how it ended, newest details kept when the budget is tight."""
        lines = []
        for attempt in self.attempts:
            outcome = f"score {attempt.score:.5g} ({attempt.metric})" if attempt.succeeded else attempt.status
            lines.append(f"Attempt {attempt.number}: {attempt.summary or 'no summary'} -> {outcome}")
            if attempt.error and not attempt.succeeded:
                lines.extend("    " + line for line in attempt.error.strip().splitlines()[-8:])
            if attempt.analysis:
                lines.append(f"    Analysis: {attempt.analysis.strip()}")
        for text in self.guidance:
            lines.append(f"User guidance: {text}")
        text = "\n".join(lines)
        return text if len(text) <= max_chars else "...\n" + text[-max_chars:]


def _well_formed(event: Any) -> bool:
    """An event object with a kind; an attempt event whose attempt reads back as an AttemptRecord."""
    if not isinstance(event, dict) or not isinstance(event.get("kind"), str):
        return False
    if event["kind"] != "attempt_finished":
        return True
    try:
        AttemptRecord(**event["attempt"])
    except (TypeError, KeyError):
        return False
    return True
