"""The validator: a deterministic verdict on an attempt, never a model's say-so.

An attempt is valid when its code exited cleanly, left predictions that fit the test set (rows, ids, columns and
their order as the sample submission has them, no missing values, known labels or proper probabilities, full
forecast horizons) and reported a finite validation score on held-out data in ``metrics.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mlzero_jupyter.coding.contract import METRICS_FILE, PREDICTIONS_STEM, STDERR_FILE
from mlzero_jupyter.execution.executor import ExecutionResult
from mlzero_jupyter.execution.essentials import essential_error_lines
from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS, FileInfo, TaskSpec
from mlzero_jupyter.perception.tables import read_table

READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".json": pd.read_json, ".xlsx": pd.read_excel,
           ".tsv": lambda p: pd.read_csv(p, sep="\t")}
CLASSIFICATION = {"binary", "multiclass", "time_series_classification"}
PROBABILITY_METRICS = {"roc_auc", "log_loss"}


@dataclass
class Validation:
    ok: bool
    problems: list[str] = field(default_factory=list)
    score: float | None = None
    metric: str | None = None
    higher_is_better: bool = True
    how: str = ""
    predictions_path: str | None = None


def validate(task: TaskSpec, attempt_dir: Path, execution: ExecutionResult) -> Validation:
    """Every check in turn; the first failing stage stops the rest, since later checks would only add noise."""
    attempt_dir = Path(attempt_dir)
    verdict = Validation(ok=False, metric=task.metric.value, higher_is_better=task.higher_is_better)
    problem = _exit_problem(execution, attempt_dir)
    if problem:
        verdict.problems.append(problem)
        return verdict
    path = _predictions_file(attempt_dir)
    if path is None:
        verdict.problems.append(f"no {PREDICTIONS_STEM}.csv (or .parquet) was written in the attempt folder")
        return verdict
    verdict.predictions_path = str(path)
    try:
        predictions = READERS[path.suffix](path)
    except Exception as error:
        verdict.problems.append(f"{path.name} cannot be read: {type(error).__name__}: {error}")
        return verdict
    verdict.problems.extend(check_predictions(task, predictions))
    verdict.problems.extend(_read_metrics(task, attempt_dir, verdict))
    verdict.ok = not verdict.problems
    return verdict


def _exit_problem(execution: ExecutionResult, attempt_dir: Path) -> str | None:
    if execution.ok:
        return None
    if execution.killed_reason:
        return f"the code was killed ({execution.killed_reason}) after {execution.duration_s:.0f} s"
    stderr_path = attempt_dir / STDERR_FILE
    stderr = stderr_path.read_text(errors="replace") if stderr_path.exists() else execution.stderr_tail
    lines = essential_error_lines(stderr[-200_000:])
    if execution.signal:
        return f"the Python process crashed with {execution.signal}\n{lines}".strip()
    return f"the code exited with code {execution.returncode}\n{lines}".strip()


def _predictions_file(attempt_dir: Path) -> Path | None:
    for suffix in READERS:
        candidate = attempt_dir / f"{PREDICTIONS_STEM}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def check_predictions(task: TaskSpec, predictions: pd.DataFrame) -> list[str]:
    """Problems of a predictions table against the task's test set and sample submission."""
    if task.problem_type.value == "forecasting":
        return _check_forecast(task, predictions)
    sample = task.sample_submission_file
    reference = _read(task, sample) if sample else None
    problems = _check_shape(task, predictions, reference)
    if problems:
        return problems
    empty = predictions.columns[predictions.isna().any()].tolist()
    if empty:
        return [f"predictions have missing values in {empty}"]
    if task.problem_type.value in CLASSIFICATION:
        problems.extend(_check_labels(task, predictions, reference))
    return problems


def _read(task: TaskSpec, info: FileInfo) -> pd.DataFrame:
    return read_table(task.absolute(info), info)


def _check_shape(task: TaskSpec, predictions: pd.DataFrame, sample: pd.DataFrame | None) -> list[str]:
    if sample is not None:
        if list(predictions.columns) != list(sample.columns):
            return [f"columns {list(predictions.columns)} differ from the sample submission's {list(sample.columns)}"
                    " (same names, same order)"]
        expected_rows, id_column, expected_ids = len(sample), sample.columns[0], sample[sample.columns[0]]
    else:
        expected_rows, id_column, expected_ids = _test_rows(task)
        missing = [c for c in (id_column, task.target.value) if c and c not in predictions.columns]
        if missing:
            return [f"predictions lack the column(s) {missing}; write the id and the target '{task.target.value}'"]
    if len(predictions) != expected_rows:
        return [f"predictions have {len(predictions)} rows, the test set has {expected_rows}"]
    if id_column is not None and expected_ids is not None:
        given, wanted = set(predictions[id_column].astype(str)), set(expected_ids.astype(str))
        if given != wanted:
            return [f"{len(wanted - given)} test ids are missing from the predictions and "
                    f"{len(given - wanted)} are unknown (column '{id_column}')"]
    return []


def _test_rows(task: TaskSpec) -> tuple[int, str | None, pd.Series | None]:
    """Row count, id column and ids of the test set (a table, or a folder of images or documents)."""
    test = task.test_file
    if test is None:
        raise ValueError("the task has no test set to predict")
    if test.format in ("image_folder", "text_folder"):
        return int(test.file_count or 0), None, None
    frame = _read(task, test)
    id_column = task.id_column.value if task.id_column.value in frame.columns else None
    return len(frame), id_column, frame[id_column] if id_column else None


def _train_labels(task: TaskSpec) -> set[str] | None:
    train = task.train_file
    if train is None or not task.target.value:
        folders = [f for f in task.files if f.classes]
        return {str(c) for f in folders for c in f.classes} or None
    if train.classes:
        return {str(c) for c in train.classes}
    frame = _read(task, train)
    if task.target.value not in frame.columns:
        return None
    return set(frame[task.target.value].dropna().astype(str))


def _check_labels(task: TaskSpec, predictions: pd.DataFrame, sample: pd.DataFrame | None) -> list[str]:
    labels = _train_labels(task)
    value_columns = [c for c in predictions.columns[1:]] if sample is not None else [task.target.value]
    if labels and len(value_columns) > 1 and set(map(str, value_columns)) <= labels:
        sums = predictions[value_columns].sum(axis=1)
        if ((sums - 1).abs() > 1e-3).any():
            return ["class probabilities do not sum to 1 on every row"]
        return []
    column = value_columns[0]
    values = predictions[column]
    if task.metric.value in PROBABILITY_METRICS and pd.api.types.is_numeric_dtype(values) and values.between(0, 1).all():
        return []
    if labels:
        unknown = sorted(set(values.astype(str)) - labels - {_float_text(v) for v in labels})
        if unknown:
            return [f"predicted labels {unknown[:5]} are not among the training labels {sorted(labels)[:10]}"]
    return []


def _float_text(label: str) -> str:
    """'1' as read from a float column prints as '1.0': accept both spellings of an integer label."""
    try:
        return str(float(label))
    except ValueError:
        return label


def _check_forecast(task: TaskSpec, predictions: pd.DataFrame) -> list[str]:
    series = task.time_series
    if series is None or not series.item_id_column or not series.timestamp_column:
        return ["the task's time-series fields are unknown; cannot check the forecast"]
    item, stamp = series.item_id_column, series.timestamp_column
    missing = [c for c in (item, stamp) if c not in predictions.columns]
    if missing:
        return [f"forecast lacks the column(s) {missing}"]
    if predictions.isna().any().any():
        return ["forecast has missing values"]
    train = _read(task, task.train_file)
    items = set(train[item].astype(str))
    counts = predictions.groupby(predictions[item].astype(str)).size()
    problems = []
    absent = sorted(items - set(counts.index))
    if absent:
        problems.append(f"forecast misses {len(absent)} of {len(items)} items, e.g. {absent[:3]}")
    short = counts[counts < (series.prediction_length or 1)]
    if len(short):
        problems.append(f"{len(short)} items have fewer than {series.prediction_length} forecast steps")
    if task.test_file is not None and task.test_file.format not in ("image_folder", "text_folder"):
        test = _read(task, task.test_file)
        if {item, stamp} <= set(test.columns) and len(predictions) != len(test):
            problems.append(f"forecast has {len(predictions)} rows, the test file asks for {len(test)}")
    return problems


def _read_metrics(task: TaskSpec, attempt_dir: Path, verdict: Validation) -> list[str]:
    path = attempt_dir / METRICS_FILE
    try:
        metrics: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        return [f"no {METRICS_FILE}: write the validation score on held-out data there"]
    except ValueError as error:
        return [f"{METRICS_FILE} is not valid JSON ({error})"]
    score = metrics.get("validation_score")
    if not isinstance(score, (int, float)) or isinstance(score, bool) or not math.isfinite(score):
        return [f"{METRICS_FILE} has no finite validation_score (got {score!r})"]
    if not str(metrics.get("validation", "")).strip():
        return [f"{METRICS_FILE} does not say how the score was obtained ('validation')"]
    metric = metrics.get("metric") or task.metric.value
    if metric != task.metric.value:
        return [f"{METRICS_FILE} reports {metric}, but the task is scored by {task.metric.value}"]
    verdict.score, verdict.how = float(score), str(metrics["validation"])
    verdict.higher_is_better = METRIC_DIRECTIONS.get(metric, task.higher_is_better)
    return []

