"""The coder interface shared by the offline planner and the LLM coder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

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
