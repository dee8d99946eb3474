"""The referee's verdict on one attempt: its predictions for the held-out rows, scored by the agent.

The predictions file is the one the validator accepted (the derived task's layout). Rows are found by id, file
name or position exactly as a grader would; a held-out row without a prediction, a constant answer for varied
labels, or too many fallback values fail the attempt with a message that says so.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from mlzero_jupyter.coding.contract import FALLBACK_FILE
from mlzero_jupyter.metrics import METRICS, InvalidSubmission, label_sets, mase, normalise_key
from mlzero_jupyter.referee.derive import Answers, forecast_keys
from mlzero_jupyter.referee.uncertainty import bootstrap_error

#: Largest share of rows that may carry a fallback value instead of a model's prediction.
MAX_FALLBACK_SHARE = 0.05
#: A classifier whose held-out answers are all one label fails when the truth has several (and this many rows).
MIN_ROWS_FOR_CONSTANT_CHECK = 10


@dataclass
class Judgement:
    ok: bool
    score: float | None = None
    problems: list[str] = field(default_factory=list)
    held_out: pd.DataFrame | None = None  # the attempt's predictions for the held-out rows, indexed by key
    note: str = ""  # what the score does not show: fallback values within the allowed share
    error: float | None = None  # the score's bootstrap standard error over the held-out rows (None: not measured)


def read_predictions(path: Path) -> pd.DataFrame:
    readers = {".parquet": pd.read_parquet, ".feather": pd.read_feather, ".xlsx": pd.read_excel,
               ".json": pd.read_json, ".jsonl": lambda p: pd.read_json(p, lines=True),
               ".tsv": lambda p: pd.read_csv(p, sep="\t")}
    return readers.get(path.suffix.lower(), pd.read_csv)(path)


def judge(answers: Answers, predictions_path: Path, metric: str, classes: list[str] | None = None) -> Judgement:
    """Score the held-out rows of ``predictions_path`` on ``metric``; the problems say why when it cannot."""
    if answers.kind == "masks":
        return _judge_masks(answers, Path(predictions_path))
    if answers.kind == "ranking":
        from mlzero_jupyter.referee.rankings import judge_rankings

        return judge_rankings(answers, Path(predictions_path), metric)
    try:
        predictions = read_predictions(Path(predictions_path))
    except Exception as error:  # the validator read it; any failure here is still the attempt's
        return Judgement(False, problems=[f"the referee cannot read the predictions: {error}"])
    filled = _filled_rows(Path(predictions_path).parent)
    if filled and filled / len(predictions) > MAX_FALLBACK_SHARE:
        return Judgement(False, problems=[
            f"{filled} of {len(predictions)} predictions ({filled / len(predictions):.0%}) are a fallback value, not a "
            f"model's prediction (at most {MAX_FALLBACK_SHARE:.0%} allowed): the model could not score those rows; "
            "fix the join or the features instead of filling them"])
    try:
        held = held_out_rows(answers, predictions)
    except InvalidSubmission as error:
        return Judgement(False, problems=[str(error)])
    try:
        score = score_held_out(answers, held, metric, classes)
    except (InvalidSubmission, ValueError) as error:
        return Judgement(False, problems=[f"the referee cannot score the held-out predictions: {error}"])
    constant = _constant_problem(answers, held)
    if constant:
        return Judgement(False, score=score, problems=[constant], held_out=held)
    if score is None or not math.isfinite(score):
        return Judgement(False, problems=[f"the held-out {metric} is not a finite number ({score})"], held_out=held)
    note = f"{filled} of {len(predictions)} predictions are a fallback value" if filled else ""
    return Judgement(True, score=score, held_out=held, note=note, error=held_out_error(answers, held, metric, classes))


def keys_of(answers: Answers, predictions: pd.DataFrame) -> pd.Index:
    """Every prediction row's key in the referee's convention (id, file name, position or item|timestamp)."""
    if answers.kind == "forecast":
        if answers.timestamp_column not in predictions:
            raise InvalidSubmission(f"the forecast has no {answers.timestamp_column!r} column")
        return pd.Index(forecast_keys(predictions, answers.item_column, answers.timestamp_column))
    if answers.key_column is None:
        return pd.Index([str(i) for i in range(len(predictions))])
    if answers.key_column not in predictions:
        raise InvalidSubmission(f"the predictions have no id column {answers.key_column!r}")
    return pd.Index([normalise_key(v) for v in predictions[answers.key_column]])


def value_columns(answers: Answers, predictions: pd.DataFrame) -> list[str]:
    """The prediction columns: the label (or the forecast's value), else every column but the keys."""
    skip = {answers.key_column, answers.item_column, answers.timestamp_column}
    if answers.label_columns:
        missing = [c for c in answers.label_columns if c not in predictions]
        if missing:
            raise InvalidSubmission(f"the predictions have no label column(s) {missing}")
        return list(answers.label_columns)
    if answers.kind == "forecast":
        for name in (answers.label, "mean", "0.5"):
            if name in predictions:
                return [name]
    elif answers.label in predictions:
        return [answers.label]
    return [c for c in predictions.columns if c not in skip]


def held_out_rows(answers: Answers, predictions: pd.DataFrame) -> pd.DataFrame:
    """The predictions of the held-out rows, indexed by key in the answers' order."""
    keys = keys_of(answers, predictions)
    frame = predictions[value_columns(answers, predictions)].set_axis(keys)
    frame = frame[~frame.index.duplicated()]
    missing = [k for k in answers.keys if k not in frame.index]
    if missing:
        how = f"by {answers.key_column!r}" if answers.key_column else "by position"
        raise InvalidSubmission(
            f"{len(missing)} of {answers.rows} held-out rows have no prediction (matched {how}; e.g. "
            f"{missing[0]!r}): the predictions do not cover every test row, so a join or an id probably went wrong")
    held = frame.loc[answers.keys]
    if held.isna().any(axis=None):
        raise InvalidSubmission(f"{int(held.isna().any(axis=1).sum())} held-out rows have an empty prediction")
    return held


def score_held_out(answers: Answers, held: pd.DataFrame, metric: str, classes: list[str] | None = None) -> float:
    """The metric of held-out predictions (labels, one probability column, class probabilities or values)."""
    truth = pd.Series(answers.truth, index=held.index)
    if answers.kind == "forecast":
        return _score_forecast(answers, truth, pd.to_numeric(held.iloc[:, 0], errors="coerce"), metric)
    if answers.label_columns:  # multi-label: each row's set of labels
        function, _ = METRICS[metric]
        return float(function(truth, label_sets(held, answers.label_columns, answers.delimiter)))
    if held.shape[1] > 1:
        return _score_probabilities(truth, held, metric)
    if metric not in METRICS:
        raise ValueError(f"no referee for metric {metric!r}")
    function, _ = METRICS[metric]
    return float(function(truth, held.iloc[:, 0]))


def held_out_error(answers: Answers, held: pd.DataFrame, metric: str, classes: list[str] | None = None) -> float | None:
    """The bootstrap standard error of ``score_held_out`` over the held-out rows; None for forecasts (their steps
    are not independent draws)."""
    if answers.kind == "forecast":
        return None

    def score(positions: np.ndarray) -> float:
        drawn = replace(answers, keys=[answers.keys[i] for i in positions], truth=[answers.truth[i] for i in positions])
        return score_held_out(drawn, held.iloc[positions], metric, classes)

    return bootstrap_error(score, len(held))


def _score_forecast(answers: Answers, truth: pd.Series, predicted: pd.Series, metric: str) -> float:
    """The point forecast of the held-out steps on the task's metric. MASE scales each item's error by its
    history's seasonal naive error; WQL of a point forecast (the same value at every quantile) is the summed
    absolute error over the summed absolute truth."""
    actual = truth.to_numpy(dtype=float)
    if metric == "mase":
        frame = pd.DataFrame({answers.item_column or "item": [k.split("|")[0] for k in truth.index],
                              answers.label: actual, "predicted": predicted.to_numpy()})
        history = answers.history.assign(**({"item": ""} if answers.item_column is None else {}))
        return mase(frame, history, answers.item_column or "item", answers.label, answers.season)
    if metric == "wql":
        return float(np.sum(np.abs(actual - predicted.to_numpy())) / np.sum(np.abs(actual)))
    if metric not in METRICS:
        raise ValueError(f"no referee for forecast metric {metric!r}")
    function, _ = METRICS[metric]
    return float(function(truth, predicted))


def _score_probabilities(truth: pd.Series, probabilities: pd.DataFrame, metric: str) -> float:
    """Class-probability columns: ranking metrics use them, label metrics their most likely class."""
    columns = [str(c) for c in probabilities.columns]
    matrix = probabilities.to_numpy(dtype=float)
    if metric == "log_loss":
        from sklearn.metrics import log_loss

        return float(log_loss(truth.astype(str), np.clip(matrix, 1e-15, 1), labels=columns))
    if metric == "roc_auc":
        from sklearn.metrics import roc_auc_score

        y = truth.astype(str)
        if len(columns) == 2:
            return float(roc_auc_score((y == columns[1]).astype(int), matrix[:, 1]))
        return float(roc_auc_score(y, matrix / matrix.sum(axis=1, keepdims=True), multi_class="ovr",
                                   labels=columns))
    labels = pd.Series(np.asarray(columns)[matrix.argmax(axis=1)], index=truth.index)
    function, _ = METRICS[metric]
    return float(function(truth, labels))


def _judge_masks(answers: Answers, predictions_path: Path) -> Judgement:
    """Mean intersection over union of the held-out images' predicted masks (``predictions/<stem>.png``)."""
    from mlzero_jupyter.execution.prediction_checks import list_images
    from mlzero_jupyter.metrics import mean_iou
    from mlzero_jupyter.referee.derive import read_mask

    folder = predictions_path if predictions_path.is_dir() else predictions_path.parent / answers.masks_folder
    found = {p.stem: p for p in list_images(folder)} if folder.is_dir() else {}
    missing = [key for key in answers.keys if key not in found]
    if missing:
        return Judgement(False, problems=[f"{len(missing)} of {answers.rows} held-out images have no mask in "
                                          f"{folder.name}/ (e.g. {missing[0]!r}): write one mask per test image "
                                          "there, named by the image's stem"])
    try:
        score = mean_iou(answers.truth, [read_mask(found[key]) for key in answers.keys])
    except (InvalidSubmission, ValueError) as error:
        return Judgement(False, problems=[f"the referee cannot score the held-out masks: {error}"])
    return Judgement(True, score=score)


def _constant_problem(answers: Answers, held: pd.DataFrame) -> str | None:
    """A single answer for every held-out row while the truth varies: the model predicted nothing."""
    if answers.kind == "forecast" or answers.rows < MIN_ROWS_FOR_CONSTANT_CHECK:
        return None
    if len({str(t) for t in answers.truth}) < 2 or held.nunique(dropna=False).max() > 1:
        return None
    value = held.iloc[0].tolist()
    return (f"every held-out row got the same prediction ({value[0] if len(value) == 1 else value}) while their "
            f"labels vary: the model predicted nothing useful (a fallback value filled the rows?)")


def _filled_rows(attempt_dir: Path) -> int:
    """How many predictions the script filled with a fallback value (it counts them in ``fallback.json``)."""
    try:
        return max(0, int(json.loads((attempt_dir / FALLBACK_FILE).read_text(encoding="utf-8"))["filled_rows"]))
    except (OSError, ValueError, KeyError, TypeError):
        return 0
