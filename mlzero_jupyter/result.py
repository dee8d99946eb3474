"""RunResult: how a run ended, as a record that round-trips JSON and reads well in a notebook or a terminal."""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlzero_jupyter.memory.episodic import AttemptRecord


@dataclass
class RunResult:
    run_id: str
    run_dir: str
    status: str  # success, failed, stopped, running
    task: str = ""  # the description
    tool: str | None = None
    provider: str = "offline"
    model: str | None = None
    metric: str | None = None
    higher_is_better: bool = True
    validation_score: float | None = None
    validation_score_error: float | None = None  # its bootstrap standard error over the referee's held-out rows
    validation: str = ""  # how the score was obtained (the referee's held-out rows)
    published: str = ""  # how the published predictions were made (refit on every labelled row, or why not)
    ensemble: dict[str, float] = field(default_factory=dict)  # attempt number -> weight, when an ensemble won
    best_attempt: int | None = None
    predictions_path: str | None = None
    solution_path: str | None = None
    model_path: str | None = None
    attempts: list[AttemptRecord] = field(default_factory=list)
    total_s: float = 0.0
    execution_s: float = 0.0  # time spent inside generated code
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    message: str = ""  # why the run ended

    @property
    def overhead_s(self) -> float:
        return max(0.0, self.total_s - self.execution_s)

    @property
    def succeeded(self) -> bool:
        return self.status == "success"

    # -- loading what the run made ------------------------------------------------------------------------------
    def predictions(self) -> Any:
        """The best predictions as a pandas DataFrame."""
        import pandas as pd

        if not self.predictions_path:
            raise FileNotFoundError(f"run {self.run_id} has no predictions ({self.status})")
        path = Path(self.predictions_path)
        readers = {".parquet": pd.read_parquet, ".json": pd.read_json, ".xlsx": pd.read_excel}
        return readers.get(path.suffix, pd.read_csv)(path)

    def load_predictor(self) -> Any:
        """The trained AutoGluon predictor of the best attempt."""
        if not self.model_path:
            raise FileNotFoundError(f"run {self.run_id} saved no model")
        from mlzero_jupyter.loading import load_predictor

        return load_predictor(Path(self.model_path))

    # -- JSON ---------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "overhead_s": self.overhead_s}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        names = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in names}
        data["attempts"] = [AttemptRecord(**a) for a in data.get("attempts", [])]
        return cls(**data)

    # -- display ------------------------------------------------------------------------------------------------
    def _score_text(self) -> str:
        if self.validation_score is None:
            return "no valid result"
        error = "" if self.validation_score_error is None else f" ± {self.validation_score_error:.2g}"
        return f"{self.metric} = {self.validation_score:.5g}{error} ({self.validation})"

    def __str__(self) -> str:
        lines = [
            f"Run {self.run_id}: {self.status}",
            f"  score:       {self._score_text()}",
            f"  attempts:    {len(self.attempts)} (best: {self.best_attempt})",
            f"  predictions: {self.predictions_path or '-'}",
            f"  code:        {self.solution_path or '-'}",
            f"  time:        {self.total_s:.1f} s ({self.execution_s:.1f} s in generated code)",
        ]
        if self.input_tokens or self.output_tokens:
            lines.append(f"  tokens:      {self.input_tokens} in, {self.output_tokens} out, ${self.cost_usd:.4f}")
        if self.message:
            lines.append(f"  note:        {self.message}")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        rows = "".join(
            f"<tr><td>{a.number}</td><td>{html.escape(a.status)}</td>"
            f"<td>{'' if a.score is None else f'{a.score:.5g}'}</td><td>{a.duration_s:.1f} s</td>"
            f"<td>{html.escape(a.summary)}</td></tr>"
            for a in self.attempts
        )
        body = (
            f"<b>MLZero run {html.escape(self.run_id)}</b>: {html.escape(self.status)}<br>"
            f"{html.escape(self._score_text())}<br>predictions: <code>{html.escape(self.predictions_path or '-')}</code>"
            f"<table><tr><th>#</th><th>status</th><th>score</th><th>time</th><th>what</th></tr>{rows}</table>"
        )
        return {"text/plain": str(self), "text/html": body}
