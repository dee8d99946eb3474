"""The validator: a deterministic verdict on an attempt, never a model's say-so.

An attempt is valid when its code exited cleanly, left predictions that fit the test set and reported a finite
validation score on held-out data in ``metrics.json``. Predictions (``coding.contract``) are
``predictions.<ext>`` in the sample submission's file type (else any table type, CSV by default); for semantic
segmentation without a sample submission, a ``predictions/`` folder with one mask image per test image.

Each failed check is one message written for the next attempt: what is wrong and what was expected.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mlzero_jupyter.coding.contract import METRICS_FILE, PREDICTIONS_STEM
from mlzero_jupyter.coding.contract import PREDICTION_EXTENSIONS, PROBABILITY_METRICS
from mlzero_jupyter.execution import prediction_checks as checks
from mlzero_jupyter.execution import ranking_checks
from mlzero_jupyter.execution.executor import ExecutionResult
from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS, FileInfo, FileRole, ProblemType, TaskSpec
from mlzero_jupyter.perception.tables import read_table

EXTENSION_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".feather": "feather", ".xlsx": "excel",
                     ".json": "json", ".jsonl": "jsonl"}


@dataclass
class Validation:
    ok: bool
    problems: list[str] = field(default_factory=list)
    score: float | None = None
    metric: str | None = None
    higher_is_better: bool = True
    how: str = ""  # how the score was obtained, as the code reported it
    predictions_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Validation:
        return cls(**data)


def validate(task: TaskSpec, attempt_dir: Path, execution: ExecutionResult) -> Validation:
    """Every check in turn. A failed run stops there (later checks would only add noise); otherwise the
    predictions and the metrics are both checked, so the next attempt sees all their problems at once."""
    attempt_dir = Path(attempt_dir)
    verdict = Validation(ok=False, metric=task.metric.value, higher_is_better=task.higher_is_better)
    failure = execution.failure()
    if failure:
        essentials = execution.essential_errors()
        verdict.problems.append(f"{failure}\n{essentials}".strip())
        return verdict
    verdict.problems += _check_predictions(task, attempt_dir, verdict)
    verdict.problems += _check_metrics(task, attempt_dir, verdict)
    verdict.ok = not verdict.problems
    return verdict


# -- predictions -----------------------------------------------------------------------------------------------
def _check_predictions(task: TaskSpec, attempt_dir: Path, verdict: Validation) -> list[str]:
    sample = task.sample_submission_file
    if task.problem_type.value == ProblemType.SEMANTIC_SEGMENTATION and sample is None:
        folder = attempt_dir / PREDICTIONS_STEM
        verdict.predictions_path = str(folder)
        return checks.masks(folder, _test_images(task), _mask_values(task))
    path, problem = _predictions_file(attempt_dir, sample)
    if path is None:
        return [problem]
    verdict.predictions_path = str(path)
    try:
        predictions = read_table(path, FileInfo(path.name, format=EXTENSION_FORMATS[path.suffix],
                                                delimiter="\t" if path.suffix == ".tsv" else None))
    except Exception as error:  # any parser failure is the attempt's problem, reported as such
        return [f"{path.name} cannot be read as a table: {type(error).__name__}: {str(error)[:300]}"]
    if predictions.empty:
        return [f"{path.name} has no rows"]
    return _check_table(task, predictions)


def _predictions_file(attempt_dir: Path, sample: FileInfo | None) -> tuple[Path | None, str]:
    """The predictions file, or None and why not."""
    present = [attempt_dir / f"{PREDICTIONS_STEM}{ext}" for ext in EXTENSION_FORMATS
               if (attempt_dir / f"{PREDICTIONS_STEM}{ext}").is_file()]
    wanted = PREDICTION_EXTENSIONS.get(sample.format, ".csv") if sample is not None else None
    if wanted is not None:
        path = attempt_dir / f"{PREDICTIONS_STEM}{wanted}"
        if path.is_file():
            return path, ""
        found = f" (found {', '.join(p.name for p in present)})" if present else ""
        return None, (f"No {path.name} in the attempt folder{found}: write the predictions there, in the sample "
                      f"submission's format ({sample.path}).")
    if present:
        return present[0], ""
    return None, f"No {PREDICTIONS_STEM}.csv in the attempt folder: write the predictions there."


def _check_table(task: TaskSpec, predictions: pd.DataFrame) -> list[str]:
    problem = task.problem_type.value
    if problem == ProblemType.FORECASTING:
        return _check_forecast(task, predictions)
    if problem == ProblemType.RETRIEVAL:
        return ranking_checks.rankings(task, predictions)
    sample = task.sample_submission_file
    reference = _read(task, sample) if sample is not None else None
    id_column, expected_ids = _expected_ids(task, reference)
    answers = task.label_sets.columns if task.label_sets is not None else [task.target.value]
    columns = list(reference.columns) if reference is not None else [c for c in (id_column, *answers) if c]
    found = checks.columns(predictions, columns, ordered=reference is not None)
    found += checks.rows_and_ids(predictions, id_column, expected_ids)
    if found:
        return found  # the values cannot be judged on the wrong rows or columns
    value_columns = [c for c in columns if c != id_column]
    if problem == ProblemType.SEMANTIC_SEGMENTATION:  # run-length-encoded masks; an empty value is an empty mask
        return _check_run_lengths(task, predictions, id_column, value_columns)
    found += checks.missing_values(predictions)
    if problem in (ProblemType.BINARY, ProblemType.MULTICLASS, ProblemType.TIME_SERIES_CLASSIFICATION):
        found += _check_classes(task, predictions, value_columns, reference)
    elif problem == ProblemType.REGRESSION:
        found += checks.numbers(predictions, value_columns)
    elif problem == ProblemType.MULTILABEL and task.label_sets is not None:
        found += checks.label_sets(predictions, value_columns, _known_labels(task), task.label_sets.delimiter)
    return found


def _expected_ids(task: TaskSpec, reference: pd.DataFrame | None) -> tuple[str | None, list[str] | int]:
    """The id column and the ids the predictions must have (or only a row count when there are no ids)."""
    test = task.test_file
    names = set(reference.columns) if reference is not None else None
    if test is not None and test.format == "image_folder":
        id_column = _first_of([task.id_column.value, *(reference.columns[:1] if reference is not None else [])],
                              names) or "image"
        return id_column, checks.image_names(task.absolute(test), reference[id_column] if reference is not None
                                             and id_column in reference else None)
    frame = _read(task, test) if test is not None and test.columns else None
    candidates = [task.id_column.value] + (list(reference.columns[:1]) if reference is not None else [])
    id_column = _first_of(candidates, names if names is not None else set(frame.columns) if frame is not None else set())
    if frame is not None and id_column in frame.columns:
        return id_column, checks.keys(frame[id_column])
    if reference is not None and id_column:
        return id_column, checks.keys(reference[id_column])
    return None, len(frame) if frame is not None else len(reference) if reference is not None else 0


def _first_of(candidates: list[str | None], allowed: set[str] | None) -> str | None:
    return next((c for c in candidates if c and (allowed is None or c in allowed)), None)


def _check_classes(task: TaskSpec, predictions: pd.DataFrame, value_columns: list[str],
                   reference: pd.DataFrame | None) -> list[str]:
    labels = _train_labels(task)
    if len(value_columns) > 1 or _probability_column(task, predictions, value_columns):
        return checks.probabilities(predictions, value_columns)
    return checks.labels(predictions, value_columns[0], labels) if labels and value_columns else []


def _probability_column(task: TaskSpec, predictions: pd.DataFrame, value_columns: list[str]) -> bool:
    """A single column of numbers in [0, 1] predicted for a task scored on probabilities (roc_auc, log_loss) or
    whose request asked how likely: the positive class's probability, whatever the sample shows."""
    wanted = task.metric.value in PROBABILITY_METRICS or task.wants_probabilities
    if not wanted or len(value_columns) != 1:
        return False
    values = predictions[value_columns[0]]
    return pd.api.types.is_float_dtype(values) and bool((values.dropna() % 1 != 0).any())


def _train_labels(task: TaskSpec) -> set[str]:
    """The class labels seen in training: the target column of the train table, or the class sub-folders."""
    train = task.train_file
    if train is not None and task.target.value in train.column_names:
        return set(checks.keys(_read(task, train)[task.target.value].dropna()))
    return {str(c) for f in task.files if f.classes for c in f.classes}


def _known_labels(task: TaskSpec) -> set[str]:
    """Every label of a multi-label training table."""
    from mlzero_jupyter.metrics import label_sets

    layout = task.label_sets
    return set().union(*label_sets(_read(task, task.train_file), layout.columns, layout.delimiter))


def _check_forecast(task: TaskSpec, predictions: pd.DataFrame) -> list[str]:
    series = task.time_series
    if series is None or not series.timestamp_column:
        return ["The task's time-series columns are unknown, so the forecast cannot be checked."]
    sample = task.sample_submission_file
    rows = sample or (task.test_file if task.test_file is not None and task.test_file.columns else None)
    reference = _read(task, rows) if rows is not None else None
    train = _read(task, task.train_file)
    item = series.item_id_column if series.item_id_column in train.columns else None
    columns = list(reference.columns) if sample is not None else [c for c in (item, series.timestamp_column) if c]
    found = checks.columns(predictions, columns, ordered=sample is not None)
    if not found and sample is None and len(predictions.columns) <= len(columns):
        found.append(f"The forecast has no value column next to {columns}: add the forecast "
                     f"('{task.target.value}' or 'mean').")
    if found:
        return found
    found += checks.missing_values(predictions)
    items = checks.keys(train[item]) if item else ["(the series)"]
    found += checks.horizon(predictions, item, series.timestamp_column, items, series.prediction_length,
                            reference if reference is not None and series.timestamp_column in reference else None)
    return found


def _check_run_lengths(task: TaskSpec, predictions: pd.DataFrame, id_column: str | None,
                       value_columns: list[str]) -> list[str]:
    from PIL import Image

    if id_column is None or not value_columns:
        return []
    stems = not any("." in key for key in checks.keys(predictions[id_column]))
    pixels = {}
    for path in _test_images(task):
        with Image.open(path) as image:
            pixels[path.stem if stems else path.name] = image.width * image.height
    return checks.run_lengths(predictions, id_column, value_columns[-1], pixels)


def _mask_values(task: TaskSpec, limit: int = 20) -> set[int]:
    """The class values of (at most ``limit``) training masks."""
    folders = [task.absolute(f) for f in task.files if f.format == "mask_folder"]
    paths = [p for folder in folders for p in checks.list_images(folder)][:limit]
    return {value for path in paths for value in checks.mask_values(path)}


def _test_images(task: TaskSpec) -> list[Path]:
    folders = [f for f in task.files if f.format == "image_folder" and f.role == FileRole.TEST]
    return [p for f in folders for p in checks.list_images(task.absolute(f))]


def _read(task: TaskSpec, info: FileInfo) -> pd.DataFrame:
    return read_table(task.absolute(info), info)


# -- metrics.json ------------------------------------------------------------------------------------------------
def _check_metrics(task: TaskSpec, attempt_dir: Path, verdict: Validation) -> list[str]:
    path = attempt_dir / METRICS_FILE
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"No {METRICS_FILE}: write the validation score measured on held-out data there "
                '({"metric": ..., "validation_score": ..., "validation": "how it was measured"}).']
    except (OSError, ValueError) as error:
        return [f"{METRICS_FILE} is not valid JSON: {error}"]
    if not isinstance(metrics, dict):
        return [f"{METRICS_FILE} must hold a JSON object, not {type(metrics).__name__}"]
    problems = []
    score = metrics.get("validation_score")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
        problems.append(f"{METRICS_FILE} has no finite validation_score (got {score!r}): compute the metric on "
                        "held-out rows and write it as a number.")
    how = str(metrics.get("validation") or "").strip()
    if not how:
        problems.append(f"{METRICS_FILE} does not say how the score was obtained: set \"validation\" to a sentence "
                        "naming the held-out data it was measured on.")
    metric = str(metrics.get("metric") or task.metric.value or "")
    if task.metric.value and metric != task.metric.value:
        problems.append(f"{METRICS_FILE} reports {metric!r}, but the task is scored by {task.metric.value!r}.")
    if not problems:
        verdict.score, verdict.how, verdict.metric = float(score), how, metric
        # a known metric's direction is a fact; the code's own claim only counts for metrics we do not know
        verdict.higher_is_better = METRIC_DIRECTIONS.get(metric, bool(metrics.get("higher_is_better",
                                                                                    task.higher_is_better)))
    return problems
