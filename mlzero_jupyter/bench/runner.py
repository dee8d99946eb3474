"""Run the agent and the expert baseline on suite tasks with the same budget, side by side, and grade both.

A side's submission is valid only when the grader can score it whole; an invalid or missing submission is a
failure, never a partial score. The score ratio is direction-aware, so that above 1 always means the agent did
better: ``agent / baseline`` for a higher-is-better metric, ``baseline / agent`` for a lower-is-better one. It is 0
when the agent failed and the baseline did not, and None when there is no valid baseline to compare with (or a
score that cannot divide, such as a non-positive R²).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mlzero_jupyter.bench.baselines import BaselineRun
from mlzero_jupyter.bench.grader import InvalidSubmission, align, grade, mase
from mlzero_jupyter.bench.tasks import TaskInfo

#: Outcome statuses: a graded submission; one the grader refused; no submission; the solver raised.
VALID, INVALID, FAILED, ERROR = "valid", "invalid", "failed", "error"

Solve = Callable[..., Any]  # mlzero_jupyter.solve(data, description, **options) -> RunResult
Baseline = Callable[[str, Path, Path, float], BaselineRun]  # run_baseline(name, input_dir, scratch, budget)


@dataclass
class Outcome:
    """One side (agent or baseline) on one task."""

    status: str
    score: float | None = None
    message: str = ""
    total_s: float = 0.0  # wall time measured by the runner
    execution_s: float = 0.0  # of which inside generated code (the whole script for a baseline)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    submission: str | None = None
    referee_score: float | None = None  # the agent's own held-out score (what it showed the user)
    referee_error: float | None = None  # that score's bootstrap standard error over the held-out rows
    attempts: int = 0

    @property
    def valid(self) -> bool:
        return self.status == VALID

    @property
    def overhead_s(self) -> float:
        return max(0.0, self.total_s - self.execution_s)

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "overhead_s": self.overhead_s}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class TaskResult:
    task: str
    problem_type: str
    metric: str
    higher_is_better: bool
    time_limit: float
    agent: Outcome
    baseline: Outcome | None = None
    ratio: float | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["agent"] = self.agent.to_dict()
        data["baseline"] = self.baseline.to_dict() if self.baseline else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskResult:
        baseline = Outcome.from_dict(data["baseline"]) if data.get("baseline") else None
        return cls(**{**data, "agent": Outcome.from_dict(data["agent"]), "baseline": baseline})


# -- grading ----------------------------------------------------------------------------------------------------
def read_submission(path: Path) -> pd.DataFrame:
    readers = {".parquet": pd.read_parquet, ".json": pd.read_json, ".xlsx": pd.read_excel}
    return readers.get(path.suffix.lower(), pd.read_csv)(path)


def _same_timestamps(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    try:
        stamps = pd.to_datetime(frame[column])
    except (ValueError, TypeError) as error:
        raise InvalidSubmission(f"column {column!r} holds values that are not dates: {error}") from error
    return frame.assign(**{column: stamps.dt.strftime("%Y-%m-%d %H:%M:%S")})


def score_submission(task_dir: Path, info: TaskInfo, path: Path) -> float:
    """The submission's score on the hidden answers; raises InvalidSubmission when it cannot be scored whole."""
    try:
        submission = read_submission(path)
    except Exception as error:  # any unreadable file is an invalid submission
        raise InvalidSubmission(f"cannot read {path.name}: {error}") from error
    answers = pd.read_csv(task_dir / "truth" / "answers.csv")
    keys = [c for c in answers.columns if c != info.target]
    if info.timestamp_column:
        submission = _same_timestamps(submission, info.timestamp_column)
        answers = _same_timestamps(answers, info.timestamp_column)
    if info.metric != "mase":
        return grade(submission, answers, info.metric, info.target, keys).score
    merged = align(submission, answers, keys, info.target)
    predicted = pd.to_numeric(merged["predicted"], errors="coerce")
    if predicted.isna().any():
        raise InvalidSubmission(f"{int(predicted.isna().sum())} forecasts are empty or not numbers")
    history = pd.read_csv(task_dir / "input" / info.history_file)
    return mase(merged.assign(predicted=predicted), history, info.item_column, info.target, info.season)


def graded(task_dir: Path, info: TaskInfo, path: Path | None, outcome: Outcome) -> Outcome:
    """``outcome`` with its submission scored, or marked invalid with the grader's reason."""
    if path is None:
        return outcome
    outcome.submission = str(path)
    try:
        outcome.score = score_submission(task_dir, info, Path(path))
        outcome.status = VALID
    except InvalidSubmission as error:
        outcome.status, outcome.message = INVALID, f"invalid submission: {error}"
    return outcome


def score_ratio(agent: Outcome, baseline: Outcome | None, higher_is_better: bool) -> float | None:
    """Direction-aware agent/baseline ratio: above 1 means the agent did better (see the module docstring)."""
    if baseline is None or not baseline.valid:
        return None
    if not agent.valid:
        return 0.0
    if agent.score == baseline.score:
        return 1.0
    numerator, denominator = (agent.score, baseline.score) if higher_is_better else (baseline.score, agent.score)
    if denominator <= 0 or numerator < 0:
        return None
    return numerator / denominator


# -- running ----------------------------------------------------------------------------------------------------
def run_agent(task_dir: Path, info: TaskInfo, solve: Solve, budget: float, work: Path,
              options: dict[str, Any]) -> Outcome:
    """Call ``solve`` on the task's input folder and grade its predictions."""
    started = time.monotonic()
    try:
        result = solve(task_dir / "input", info.description, time_limit=budget, output_dir=str(work), **options)
    except Exception as error:  # the agent must not take the benchmark down with it
        return Outcome(ERROR, message=f"{type(error).__name__}: {error}", total_s=time.monotonic() - started)
    outcome = Outcome(FAILED, message=result.message, total_s=time.monotonic() - started,
                      execution_s=result.execution_s, input_tokens=result.input_tokens,
                      output_tokens=result.output_tokens, cost_usd=result.cost_usd,
                      referee_score=result.validation_score, referee_error=result.validation_score_error,
                      attempts=len(result.attempts))
    path = Path(result.predictions_path) if result.status == "success" and result.predictions_path else None
    if path is None and not outcome.message:
        outcome.message = f"the agent ended with status {result.status} and no predictions"
    return graded(task_dir, info, path, outcome)


def run_expert(task_dir: Path, info: TaskInfo, baseline: Baseline, budget: float, work: Path) -> Outcome:
    """Run the task's expert script and grade its submission."""
    run = baseline(info.name, task_dir / "input", work, budget)
    message = run.message or ("" if run.submission else "the script wrote no submission")
    outcome = Outcome(FAILED, message=message, total_s=run.wall_s, execution_s=run.wall_s)
    return graded(task_dir, info, run.submission, outcome)


def run_task(task_dir: Path, work: Path, solve: Solve, baseline: Baseline | None, time_limit: float | None = None,
             **options: Any) -> TaskResult:
    """Agent, then baseline (when given), on one built task with the same budget; ``options`` go to ``solve``."""
    info = TaskInfo.load(task_dir)
    budget = float(time_limit or info.time_limit)
    options = {k: v for k, v in options.items() if v is not None}
    agent = run_agent(task_dir, info, solve, budget, work / "agent", options)
    expert = run_expert(task_dir, info, baseline, budget, work / "baseline") if baseline else None
    return TaskResult(info.name, info.problem_type, info.metric, info.higher_is_better, budget, agent, expert,
                      score_ratio(agent, expert, info.higher_is_better))


def run_suite(task_dirs: list[Path], work: Path, solve: Solve, baseline: Baseline | None,
              time_limit: float | None = None, on_result: Callable[[TaskResult], None] | None = None,
              **options: Any) -> list[TaskResult]:
    """``run_task`` on each task in turn; ``on_result`` sees each result as soon as it is known."""
    results = []
    for task_dir in task_dirs:
        result = run_task(Path(task_dir), Path(work) / Path(task_dir).name, solve, baseline, time_limit, **options)
        results.append(result)
        if on_result:
            on_result(result)
    return results
