"""Scripts for TimeSeriesPredictor: forecasts of every item over the horizon, in the test or sample layout."""

from __future__ import annotations

import re
from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner.candidates import FAST, FORECAST_BEST, SEASONAL
from mlzero_jupyter.coding.planner.common import (TRAINING_SECONDS_LEFT, metric_name, time_limit_comment,
                                                   training_seconds)
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.coding.planner.models import FORECASTING_HUB_MODELS
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.script import Script, assemble
from mlzero_jupyter.coding.planner.source import file_constant, literal, read_lines, write_line
from mlzero_jupyter.perception.spec import FileInfo, ProblemType, TaskSpec
from mlzero_jupyter.seasons import seasonal_periods

#: Seconds kept for importing AutoGluon (and torch), loading, evaluating and predicting.
MARGIN_SECONDS = 15
DEFAULT_HORIZON = 12
QUANTILE_COLUMN = re.compile(r"^(?:q|p|quantile_?)?(0?\.\d+)$", re.I)

#: The prepare section's last lines: the history as AutoGluon's frame of series.
SERIES_FRAME = """history[TIMESTAMP] = pd.to_datetime(history[TIMESTAMP])
data = TimeSeriesDataFrame.from_data_frame(
    history[[ITEM_ID, TIMESTAMP, TARGET]], id_column=ITEM_ID, timestamp_column=TIMESTAMP
)"""
EVALUATE = """# Scores on the held-out last window; AutoGluon negates error metrics ("higher is better"), the sign undoes it.
scores = predictor.evaluate(data)
validation_score = scores[predictor.eval_metric.name] * predictor.eval_metric.sign
predictor.leaderboard(data).to_csv("leaderboard.csv", index=False)"""
#: Backtest windows of seasonal models (they need no training, so many cost little): enough to cover the longest
#: season, so that a weekly pattern is judged on every weekday and not on the last two days.
MAX_VAL_WINDOWS = 7
BACKTESTS = f"""# Backtests: enough horizons for the longest season, at most {MAX_VAL_WINDOWS}, within every series.
shortest = int(fit_data.num_timesteps_per_item().min())
VAL_WINDOWS = max(1, min({MAX_VAL_WINDOWS}, max(VAL_WINDOWS, -(-LONGEST_SEASON // PREDICTION_LENGTH)),
                         shortest // PREDICTION_LENGTH - 1))
"""
FORECAST = """# Forecasts continue every series after its last observation (the held-out window is context now).
forecast = predictor.predict(data)"""


def build(context: CodingContext, plan: Plan, summary: str) -> str:
    """The whole forecasting script."""
    task = context.task
    if task.train_file is None:
        raise ValueError("the task has no table of past values")
    if not (plan.hyperparameters or context.environment.get("hub_reachable")):
        plan.exclude(FORECASTING_HUB_MODELS)
    settings = _settings(context, plan, task)
    horizon = settings["PREDICTION_LENGTH"]
    return assemble(context, plan, summary, Script(
        title=f"Forecast {settings['TARGET']!r} for every series, {horizon} steps ahead.",
        tool=f"AutoGluon TimeSeriesPredictor, presets {plan.presets!r}",
        validation=f"On the last {horizon} steps of every series, held out from fitting.",
        imports=["from autogluon.timeseries import TimeSeriesDataFrame, TimeSeriesPredictor"],
        settings=settings,
        comments={"TIME_LIMIT": time_limit_comment(context, plan, MARGIN_SECONDS),
                  "EXCLUDED_MODEL_TYPES": "pretrained models would download weights from the model hub",
                  "QUANTILES": "the sample submission asks for these quantile columns",
                  "LONGEST_SEASON": "steps in the longest seasonal period: the backtests cover it"},
        load=_load(task, plan),
        prepare="\n".join(filter(None, [_prepare(task), _horizon(task), SERIES_FRAME])),
        fit=_fit(plan, settings),
        evaluate=EVALUATE,
        predict=FORECAST + "\n" + _predict(task, settings),
    ))


def _settings(context: CodingContext, plan: Plan, task: TaskSpec) -> dict[str, Any]:
    ts = task.time_series
    values: dict[str, Any] = {"TRAIN_FILE": file_constant(task.train_file)}
    for name, info in (("TEST_FILE", task.test_file), ("SAMPLE_SUBMISSION_FILE", task.sample_submission_file)):
        if info is not None:
            values[name] = file_constant(info)
    metric = metric_name(task, "mase")
    values.update(ITEM_ID=(ts.item_id_column if ts else None) or "item_id",
                  TIMESTAMP=ts.timestamp_column if ts else "timestamp", TARGET=task.target.value,
                  FREQUENCY=ts.frequency if ts else None,
                  PREDICTION_LENGTH=(ts.prediction_length if ts else None) or DEFAULT_HORIZON,
                  METRIC=metric, AG_METRIC=metric.upper(), HIGHER_IS_BETTER=False)
    quantiles = quantile_columns(task.sample_submission_file)
    if quantiles:
        values["QUANTILES"] = [float(q) for q in quantiles.values()]
    periods = seasonal_periods(values["FREQUENCY"]) if plan.seasonal_models else []
    hyperparameters = plan.hyperparameters
    if periods and hyperparameters is None:
        hyperparameters = seasonal_hyperparameters(periods, plan.presets)
    # Seasonal-naive models need no training; a time limit would be split into slivers per model and backtest
    # window, too short for any of them on a busy machine. The agent still stops the attempt at its own limit.
    light = bool(periods) and plan.hyperparameters is None and plan.presets == "medium_quality"
    values.update(TIME_LIMIT=None if light else training_seconds(context, plan, MARGIN_SECONDS), PRESETS=plan.presets,
                  HYPERPARAMETERS=hyperparameters, EXCLUDED_MODEL_TYPES=plan.excluded_models or None,
                  VAL_WINDOWS=plan.val_windows if plan.val_windows > 1 and light else None, MODEL_DIR="model")
    if values["VAL_WINDOWS"]:
        values["LONGEST_SEASON"] = max(periods)
    return values


def seasonal_hyperparameters(periods: list[int], presets: str) -> dict[str, Any]:
    """Seasonal-naive models at each period and the naive one (no training: seconds in all); with heavier presets,
    ETS and Theta at the shortest period, tabular and deep forecasters too. The naive models run in the script's own
    process (``n_jobs=1``): they compute in milliseconds, and a pool of worker processes costs seconds per call."""
    models: dict[str, Any] = {"SeasonalNaive": [{"seasonal_period": p, "n_jobs": 1} for p in periods],
                              "Naive": {"n_jobs": 1}}
    if presets in ("high_quality", "best_quality"):
        models.update(ETS={"seasonal_period": periods[0]}, Theta={"seasonal_period": periods[0]},
                      RecursiveTabular={}, DirectTabular={}, DeepAR={}, PatchTST={})
    return models


def quantile_columns(sample: FileInfo | None) -> dict[str, str]:
    """Sample submission column -> quantile level ("0.1"), for columns named like 0.1, q0.1 or quantile_0.1."""
    if sample is None:
        return {}
    found = {}
    for name in sample.column_names:
        match = QUANTILE_COLUMN.match(name)
        if match:
            found[name] = str(float(match.group(1)))
    return found


def single_series(task: TaskSpec) -> bool:
    ts = task.time_series
    return ts is None or not ts.item_id_column


def _load(task: TaskSpec, plan: Plan) -> str:
    lines = [read_lines("history", "TRAIN_FILE", task.train_file, plan)]
    for name, constant, info in (("test", "TEST_FILE", task.test_file),
                                 ("sample_submission", "SAMPLE_SUBMISSION_FILE", task.sample_submission_file)):
        if info is not None:
            lines.append(read_lines(name, constant, info, plan))
    return "\n".join(lines)


def _prepare(task: TaskSpec) -> str:
    if not single_series(task):
        return "history = history.dropna(subset=[ITEM_ID, TIMESTAMP])"
    return "# One series only: it gets a constant id.\nhistory[ITEM_ID] = \"series\"\nhistory = history.dropna(subset=[TIMESTAMP])"


def _horizon(task: TaskSpec) -> str:
    """The horizon the rows to fill ask for (the referee's copy may ask for more steps than the real task)."""
    rows = "sample_submission" if task.sample_submission_file is not None else "test" if task.test_file else None
    if rows is None:
        return ""
    steps = (f"{rows}[TIMESTAMP].nunique()" if single_series(task)
             else f"{rows}.groupby(ITEM_ID)[TIMESTAMP].nunique().max()")
    return ("# As many steps ahead as the rows to fill ask of one series.\n"
            f"PREDICTION_LENGTH = int({steps}) if len({rows}) else PREDICTION_LENGTH")


def _fit(plan: Plan, settings: dict[str, Any]) -> str:
    """Fit on every series but its last PREDICTION_LENGTH steps."""
    quantiles = ",\n    quantile_levels=QUANTILES" if "QUANTILES" in settings else ""
    return ("# The last PREDICTION_LENGTH steps of every series are held out: the models never see them while fitting.\n"
            "fit_data, _ = data.train_test_split(PREDICTION_LENGTH)\n"
            "predictor = TimeSeriesPredictor(\n"
            "    prediction_length=PREDICTION_LENGTH, target=TARGET, eval_metric=AG_METRIC, freq=FREQUENCY, "
            f"path=MODEL_DIR,\n    verbosity=1{quantiles}\n)\n" + (BACKTESTS if "LONGEST_SEASON" in settings else "") +
            f"predictor.fit(fit_data, {_fit_arguments(plan, settings)})")


def _fit_arguments(plan: Plan, settings: dict[str, Any]) -> str:
    arguments = [f"time_limit={TRAINING_SECONDS_LEFT}"] if settings.get("TIME_LIMIT") else []
    arguments.append("hyperparameters=HYPERPARAMETERS" if settings.get("HYPERPARAMETERS") else "presets=PRESETS")
    if settings.get("VAL_WINDOWS"):
        arguments.append("num_val_windows=VAL_WINDOWS")
    if plan.excluded_models:
        arguments.append("excluded_model_types=EXCLUDED_MODEL_TYPES")
    return ", ".join(arguments + ["random_seed=SEED"])


def _predict(task: TaskSpec, settings: dict[str, Any]) -> str:
    """Fill the sample submission or the test rows by (item, timestamp), else write every forecast."""
    rows = "sample_submission" if task.sample_submission_file is not None else "test" if task.test_file else None
    sample = task.sample_submission_file
    if rows is None:
        lines = ["submission = forecast.reset_index().rename(",
                 "    columns={\"item_id\": ITEM_ID, \"timestamp\": TIMESTAMP, \"mean\": TARGET}",
                 f")[[ITEM_ID, TIMESTAMP, TARGET{', *map(str, QUANTILES)' if 'QUANTILES' in settings else ''}]]"]
        return "\n".join(lines + [write_line("submission", None)])
    item = '["series"] * len(submission)' if single_series(task) else "submission[ITEM_ID]"
    lines = [f"submission = {rows}.copy()  # its rows, columns and order",
             f"keys = pd.MultiIndex.from_arrays([{item}, pd.to_datetime(submission[TIMESTAMP])])"]
    target = settings["TARGET"]
    mean_column = target if sample is None or target in sample.column_names else _mean_column(sample)
    column = "TARGET" if mean_column == target else literal(mean_column)
    lines.append(f"submission[{column}] = forecast[\"mean\"].reindex(keys).to_numpy()")
    for name, level in quantile_columns(sample).items():
        lines.append(f"submission[{literal(name)}] = forecast[{literal(level)}].reindex(keys).to_numpy()")
    return "\n".join(lines + [write_line("submission", sample if rows == "sample_submission" else None)])


def _mean_column(sample: FileInfo) -> str:
    """The sample's point-forecast column: 'mean' or the first numeric column that is not a quantile."""
    quantiles = quantile_columns(sample)
    numeric = [c.name for c in sample.columns if c.kind == "numeric" and c.name not in quantiles]
    return "mean" if "mean" in sample.column_names else (numeric[0] if numeric else sample.column_names[-1])


FAMILY = Family("forecasting", lambda task: task.problem_type.value == ProblemType.FORECASTING, build,
                (SEASONAL, FAST, FORECAST_BEST), model="TimeSeriesPredictor")
