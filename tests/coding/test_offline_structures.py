"""Multi-table joins, time-series classification (wide and long) and forecasting, run for real."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from offline_support import TimeSeriesInfo, context, run_script, spec, table

from mlzero_jupyter.bench.tasks import breast_cancer_tables, macro_forecast, seattle_seasons, taylor_demand
from mlzero_jupyter.perception.spec import JoinKey


def _solve(planner, task, tmp_path, guidance=("only lightgbm",), time_limit=25):
    ctx = context(task, tmp_path / "attempt_1", time_limit=time_limit, guidance=list(guidance))
    draft = planner.write(ctx)
    metrics = run_script(draft.code, ctx.attempt_dir)
    assert metrics["metric"] == task.metric.value and math.isfinite(metrics["validation_score"])
    return draft, metrics, ctx.attempt_dir


@pytest.mark.fit
def test_one_to_one_auxiliary_table_is_joined(planner, tmp_path):
    folder = breast_cancer_tables(tmp_path / "suite") / "input"
    files = [table(folder, "train.csv", "train"), table(folder, "test.csv", "test"),
             table(folder, "worst_measurements.csv", "auxiliary")]
    task = spec(folder, files, problem="binary", target="diagnosis", metric="accuracy", id_column="patient_id",
                join_keys=[JoinKey("train.csv", "worst_measurements.csv", "patient_id")])
    draft, metrics, attempt = _solve(planner, task, tmp_path)
    assert "aggregate_by_key(worst_measurements" in draft.code
    assert metrics["validation_score"] > 0.85
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert predictions["patient_id"].tolist() == pd.read_csv(folder / "test.csv")["patient_id"].tolist()


def _patients_and_measurements(folder):
    """Real one-to-many data: breast-cancer patients, and one row per patient and kind of measurement."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    frame = data.frame.rename(columns=lambda c: c.replace(" ", "_"))
    frame.insert(0, "patient_id", range(1, len(frame) + 1))
    frame["diagnosis"] = np.where(frame.pop("target") == 0, "malignant", "benign")
    long = []
    for kind, prefix in (("mean", "mean_"), ("error", ""), ("worst", "worst_")):
        columns = [c for c in frame.columns if (c.startswith(prefix) if prefix else c.endswith("_error"))]
        part = frame[["patient_id", *columns]].rename(columns=lambda c: c.replace(prefix, "").replace("_error", ""))
        long.append(part.assign(kind=kind))
    folder.mkdir(parents=True)
    pd.concat(long).sample(frac=1, random_state=0).to_csv(folder / "measurements.csv", index=False)
    patients = frame[["patient_id", "diagnosis"]].assign(clinic=np.where(frame.index % 3 == 0, "north", "south"))
    patients.iloc[:400].to_csv(folder / "patients.csv", index=False)
    patients.iloc[400:].drop(columns="diagnosis").to_csv(folder / "new_patients.csv", index=False)


@pytest.mark.fit
def test_one_to_many_auxiliary_table_is_aggregated_per_key(planner, tmp_path):
    folder = tmp_path / "clinic"
    _patients_and_measurements(folder)
    files = [table(folder, "patients.csv", "train"), table(folder, "new_patients.csv", "test"),
             table(folder, "measurements.csv", "auxiliary")]
    task = spec(folder, files, problem="binary", target="diagnosis", metric="accuracy", id_column="patient_id",
                join_keys=[JoinKey("patients.csv", "measurements.csv", "patient_id")])
    _, metrics, attempt = _solve(planner, task, tmp_path)
    assert metrics["validation_score"] > 0.85  # the label lives in the aggregated measurements only
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert len(predictions) == 169 and predictions["diagnosis"].notna().all()


@pytest.mark.fit
def test_wide_time_series_classification_adds_series_statistics(planner, tmp_path):
    folder = seattle_seasons(tmp_path / "suite") / "input"
    files = [table(folder, "train.csv", "train"), table(folder, "test.csv", "test"),
             table(folder, "sample_submission.csv", "sample_submission")]
    task = spec(folder, files, problem="time_series_classification", target="season", metric="accuracy",
                id_column="day_id", modality="time_series")
    draft, metrics, attempt = _solve(planner, task, tmp_path)
    assert "add_series_statistics(train)" in draft.code
    assert metrics["validation_score"] > 0.5  # four seasons: chance is 0.25
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert predictions["day_id"].tolist() == pd.read_csv(folder / "sample_submission.csv")["day_id"].tolist()


def _stock_years(folder):
    """Real long-format series: a year of monthly prices of one stock (vega_datasets), labelled by company."""
    from vega_datasets import local_data

    stocks = local_data.stocks()
    stocks["series"] = stocks["symbol"] + "-" + stocks["date"].dt.year.astype(str)
    counts = stocks.groupby("series").size()
    stocks = stocks[stocks["series"].isin(counts[counts == 12].index)]
    labels = stocks.groupby("series", as_index=False)["symbol"].first().sample(frac=1, random_state=0)
    folder.mkdir(parents=True)
    stocks[["series", "date", "price"]].to_csv(folder / "prices.csv", index=False)
    labels.iloc[:40].to_csv(folder / "labels.csv", index=False)
    labels.iloc[40:][["series"]].to_csv(folder / "unlabelled.csv", index=False)
    return len(labels) - 40


@pytest.mark.fit
def test_long_time_series_classification_builds_one_row_per_series(planner, tmp_path):
    folder = tmp_path / "stocks"
    unlabelled = _stock_years(folder)
    files = [table(folder, "labels.csv", "train"), table(folder, "unlabelled.csv", "test"),
             table(folder, "prices.csv", "auxiliary")]
    task = spec(folder, files, problem="time_series_classification", target="symbol", metric="accuracy",
                id_column="series", modality="time_series",
                time_series=TimeSeriesInfo(item_id_column="series", timestamp_column="date"))
    draft, _, attempt = _solve(planner, task, tmp_path)
    assert "every_series = series_features(values)" in draft.code
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert len(predictions) == unlabelled
    assert set(predictions["symbol"]) <= {"MSFT", "AMZN", "IBM", "GOOG", "AAPL"}


@pytest.mark.fit
def test_forecasting_fills_every_test_row(planner, tmp_path):
    folder = macro_forecast(tmp_path / "suite") / "input"
    files = [table(folder, "history.csv", "train"), table(folder, "test.csv", "test")]
    task = spec(folder, files, problem="forecasting", target="value", metric="mase", modality="time_series",
                time_series=TimeSeriesInfo("series", "date", "QS-OCT", 8, "test file"))  # as perception reads it
    draft, metrics, attempt = _solve(planner, task, tmp_path, time_limit=40)
    assert "TimeSeriesPredictor" in draft.code and metrics["higher_is_better"] is False
    assert 0 < metrics["validation_score"] < 50
    predictions = pd.read_csv(attempt / "predictions.csv")
    test = pd.read_csv(folder / "test.csv")
    assert predictions[["series", "date"]].equals(test) and predictions["value"].notna().all()


@pytest.mark.fit
def test_half_hourly_forecast_uses_the_weekly_season_and_the_horizon_the_test_rows_ask(planner, tmp_path):
    """The seasonal candidate on half-hourly demand: a task whose horizon says a week (as the referee's copy does)
    while test.csv asks for a day forecasts that day, and the weekly season carries it (the hidden day is a Sunday,
    which the day before predicts badly: MASE 1.26 for the daily season, 0.25 for the weekly one)."""
    suite = tmp_path / "suite"
    folder = taylor_demand(suite) / "input"
    files = [table(folder, "demand.csv", "train"), table(folder, "test.csv", "test")]
    task = spec(folder, files, problem="forecasting", target="demand_mw", metric="mase", modality="time_series",
                time_series=TimeSeriesInfo(None, "time", "30min", 336, "test file"))
    draft, _, attempt = _solve(planner, task, tmp_path, guidance=(), time_limit=60)
    assert '"seasonal_period": 336' in draft.code
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert predictions[["region", "time"]].equals(pd.read_csv(folder / "test.csv"))
    history = pd.read_csv(folder / "demand.csv")
    truth = pd.read_csv(suite / "taylor_demand" / "truth" / "answers.csv")["demand_mw"].to_numpy()
    values = history["demand_mw"].to_numpy()
    scale = np.mean(np.abs(values[48:] - values[:-48]))
    assert np.mean(np.abs(predictions["demand_mw"].to_numpy() - truth)) / scale < 0.5
