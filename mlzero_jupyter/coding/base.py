"""The coder interface shared by the offline planner and the LLM coder, and the optional roles a coder may add.

A coder writes (:class:`Coder`). Refining the perceived task, ranking the candidate tools and analysing a failure
are separate roles (:class:`TaskRefiner`, :class:`ToolRanker`, :class:`FailureAnalyst`) that the agent checks by
type; each returns its result with the model calls it made (:class:`Answer`), which the agent records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from mlzero_jupyter.memory.episodic import AttemptRecord
from mlzero_jupyter.perception.spec import TaskSpec


class Exhausted(Exception):
    """The coder has no candidate left that has not been tried (the message says what was tried)."""


@dataclass
class LLMCall:
    """One model call, for accounting; the prompt and reply themselves are saved in the attempt folder."""

    purpose: str  # code, error_analysis, perception, tool_ranking
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0


@dataclass
class CodingContext:
    """Everything a coder may use to write one attempt; small and explicit, no god object."""

    task: TaskSpec
    tool: str  # the selected tool, e.g. "autogluon.tabular"
    attempt: int  # 1-based
    attempt_dir: Path  # the code's working directory; it may write only here
    time_limit: float  # seconds the code may spend training (the code must stop well within it)
    knowledge: list[str] = field(default_factory=list)  # retrieved snippets, already within the prompt budget
    history: str = ""  # episodic summary of the earlier attempts, text for prompts only (rules read attempts)
    last_error: str | None = None  # essential error lines of the previous attempt, if it failed
    previous_code: str | None = None  # code of the previous attempt
    best_code: str | None = None  # code of the best valid attempt so far (the node a search improves)
    attempts: list[AttemptRecord] = field(default_factory=list)  # the earlier (and running) attempts, as records
    guidance: list[str] = field(default_factory=list)  # the user's guidance so far, oldest first
    improve: bool = False  # a valid result exists; try to beat it
    quick: bool = False  # the run stops at its first valid result: no search
    best_score: float | None = None
    environment: dict[str, Any] = field(default_factory=dict)  # facts from memory.environment (cpus, checkpoints...)
    seed: int = 0
    checkpoint: str | None = None  # the local checkpoint folder tool selection chose (ToolChoice.checkpoint)
    excluded_model_types: list[str] = field(default_factory=list)  # hub models tool selection excluded (offline)


@dataclass
class CodeDraft:
    code: str
    summary: str  # one line: what this attempt does, or what it changed and why
    calls: list[LLMCall] = field(default_factory=list)
    candidate: str = ""  # the name of the candidate this draft implements (the offline planner's; LLM nodes)


class Coder(Protocol):
    """Writes the code of one attempt. ``name`` is the provider name shown in records (``offline``, ``openai``...)."""

    name: str

    def write(self, context: CodingContext) -> CodeDraft: ...


T = TypeVar("T")


@dataclass
class Answer(Generic[T]):
    """What a role returns: its result, and the model calls it made (for the run's token and cost accounting)."""

    value: T
    calls: list[LLMCall] = field(default_factory=list)


@runtime_checkable
class TaskRefiner(Protocol):
    """Settles the low-confidence fields of the perceived task (``record_dir``: where prompts and replies go)."""

    def refine_task(self, task: TaskSpec, record_dir: Path | None = None) -> Answer[TaskSpec]: ...


@runtime_checkable
class ToolRanker(Protocol):
    """Orders the importable tools (``ToolChoice``s) best first."""

    def rank_tools(self, task: TaskSpec, choices: Sequence[Any], record_dir: Path | None = None
                   ) -> Answer[list[Any]]: ...


@runtime_checkable
class FailureAnalyst(Protocol):
    """Says why an attempt failed and what to change, in a few sentences (kept in the attempt's record)."""

    def analyse_failure(self, context: CodingContext, error: str) -> Answer[str]: ...
