"""What the expert scripts share: their two arguments, the time budget, one TabularPredictor fit, the submission.

Each script is run as ``python -m mlzero_jupyter.bench.baselines.<task> INPUT_DIR BUDGET_SECONDS`` with a scratch
folder as working directory and writes ``submission.csv`` there.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

STARTED = time.monotonic()
SUBMISSION = "submission.csv"
#: Share of the budget kept for predicting and writing after the fit, plus a fixed few seconds.
PREDICT_SHARE, PREDICT_SECONDS = 0.1, 5.0


def arguments() -> tuple[Path, float]:
    parser = argparse.ArgumentParser(description="An expert's AutoGluon script for one suite task.")
    parser.add_argument("input_dir", type=Path)
    parser.add_argument("budget", type=float, help="seconds for the whole script")
    args = parser.parse_args()
    return args.input_dir, args.budget


def fit_seconds(budget: float) -> float:
    """What is left of the budget for fitting, after start-up and before predicting."""
    spent = time.monotonic() - STARTED
    return max(5.0, budget * (1 - PREDICT_SHARE) - PREDICT_SECONDS - spent)


def tabular(train: pd.DataFrame, test: pd.DataFrame, label: str, id_column: str, metric: str, budget: float,
            positive: str | None = None) -> None:
    """Fit a TabularPredictor on ``train`` (ids dropped) and write the predictions for ``test``.

    With ``positive`` the submission holds that class's probability (for ROC AUC), else the predicted labels.
    """
    from autogluon.tabular import TabularPredictor

    predictor = TabularPredictor(label=label, eval_metric=metric, path="model", verbosity=1)
    predictor.fit(train.drop(columns=[id_column]), time_limit=fit_seconds(budget))
    features = test.drop(columns=[id_column])
    predicted = predictor.predict_proba(features)[positive] if positive else predictor.predict(features)
    write(pd.DataFrame({id_column: test[id_column].to_numpy(), label: predicted.to_numpy()}))


def forecast(history: pd.DataFrame, wanted: pd.DataFrame, item: str, timestamp: str, target: str, budget: float,
             time_format: str) -> None:
    """Fit a TimeSeriesPredictor (MASE, default models) on ``history``; write its mean forecast for ``wanted``'s rows.

    The horizon is the most timestamps wanted for one item; ``time_format`` writes the timestamps back as text.
    """
    from autogluon.timeseries import TimeSeriesDataFrame, TimeSeriesPredictor

    data = TimeSeriesDataFrame.from_data_frame(history, id_column=item, timestamp_column=timestamp)
    horizon = int(wanted.groupby(item).size().max())
    predictor = TimeSeriesPredictor(prediction_length=horizon, target=target, eval_metric="MASE", path="model",
                                    verbosity=1)
    predictor.fit(data, time_limit=fit_seconds(budget))
    predicted = predictor.predict(data)["mean"].reset_index()
    predicted.columns = [item, timestamp, target]
    submission = wanted.merge(predicted, on=[item, timestamp], how="left")
    write(submission.assign(**{timestamp: submission[timestamp].dt.strftime(time_format)}))


def class_folders(folder: Path, suffix: str, label: str,
                  read: Callable[[list[Path]], pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train rows from ``train/<class>/*<suffix>`` (the class in ``label``) and test rows from ``test/``."""
    labelled = sorted((folder / "train").glob(f"*/*{suffix}"))
    train = read(labelled).assign(**{label: [p.parent.name for p in labelled]})
    return train, read(sorted((folder / "test").glob(f"*{suffix}")))


def write(submission: pd.DataFrame) -> None:
    submission.to_csv(SUBMISSION, index=False)
