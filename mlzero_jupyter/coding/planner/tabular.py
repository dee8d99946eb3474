"""Scripts for TabularPredictor: binary, multiclass and regression tables (with text columns), multi-table tasks
and time-series classification turned into tables."""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner import joins, series
from mlzero_jupyter.coding.planner.candidates import BAGGED, FAST, RESEEDED
from mlzero_jupyter.coding.planner.common import higher_is_better, metric_name, time_limit_comment, training_seconds
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.script import Script, assemble
from mlzero_jupyter.coding.planner.source import Raw, file_constant, read_lines
from mlzero_jupyter.coding.planner.submission import Layout, layout, predict_lines
from mlzero_jupyter.coding.planner.tabular_predictor import (AG_METRICS, LOG_LABEL, bagging_settings, fit_arguments,
                                                              log_target)
from mlzero_jupyter.coding.planner.textual import character_lines
from mlzero_jupyter.perception.spec import ColumnInfo, FileInfo, ProblemType, TaskSpec

#: Seconds kept for importing AutoGluon, loading, evaluating and predicting.
MARGIN_SECONDS = 10
TABULAR_PROBLEMS = (ProblemType.BINARY, ProblemType.MULTICLASS, ProblemType.REGRESSION)
#: The prepare section's last lines: what the models see, and only labelled rows.
FEATURES = ("features = [column for column in train.columns if column not in (LABEL, *IGNORED_COLUMNS)]\n"
            "train = train.dropna(subset=[LABEL]).reset_index(drop=True)")
EVALUATE = """# AutoGluon's validation score of its best model, in the metric's own sign (it reports errors negated). The agent
# scores the predictions itself, on rows this script never saw; this number is the script's own estimate.
leaderboard = predictor.leaderboard(silent=True)
leaderboard.to_csv("leaderboard.csv", index=False)
validation_score = predictor.eval_metric.convert_score_to_original(leaderboard["score_val"].max())"""
#: A category with more distinct values than this share of its rows, each of a few words, is a name (``_names``).
NAME_DISTINCT_SHARE = 0.5
#: Metrics that weigh every class alike: rows are weighted so that every class counts the same in training too.
BALANCED_METRICS = ("balanced_accuracy", "f1_macro")


def build(context: CodingContext, plan: Plan, summary: str) -> str:
    """The whole script for a tabular (or tabularised) task."""
    task = context.task
    train, test, sample = task.train_file, task.test_file, task.sample_submission_file
    if train is None:
        raise ValueError("the task has no training table")
    label = task.target.value
    problem = task.problem_type.value if task.problem_type.value in TABULAR_PROBLEMS else None
    id_column = _id_column(task)
    metric = metric_name(task, "rmse" if problem == ProblemType.REGRESSION else "accuracy")
    test_columns = _test_columns(task)
    shape = layout(sample, label, id_column, test_columns, problem or ProblemType.MULTICLASS, metric, plan.probabilities)
    shape.log_target = log_target(metric, problem)
    settings = _settings(context, plan, task, label, problem, id_column, metric, shape)
    return assemble(context, plan, summary, Script(
        title=_title(task, label, problem),
        tool=f"AutoGluon TabularPredictor, presets {plan.presets!r}",
        validation="AutoGluon's own validation rows (out-of-fold when bagging), never used for fitting them.",
        imports=["from autogluon.tabular import TabularPredictor"],
        settings=settings,
        comments=_comments(context, plan),
        helpers=_helpers(task),
        load=_load(task, plan),
        prepare=_prepare(task, plan, settings) + ("\n" + LOG_LABEL if shape.log_target else ""),
        fit=_fit(plan, settings),
        evaluate="\n".join(filter(None, [EVALUATE, _importance(plan, context, settings)])),
        predict=_predict(task, plan, shape, problem, id_column),
    ))


def _title(task: TaskSpec, label: str, problem: str | None) -> str:
    kind = {ProblemType.BINARY: "binary classification", ProblemType.MULTICLASS: "multiclass classification",
            ProblemType.REGRESSION: "regression"}.get(problem, "classification")
    if task.problem_type.value == ProblemType.TIME_SERIES_CLASSIFICATION:
        kind = "time-series classification"
    return f"Predict {label!r} ({kind}) from {task.train_file.path}."


def _id_column(task: TaskSpec) -> str | None:
    if series.is_long(task) and task.problem_type.value == ProblemType.TIME_SERIES_CLASSIFICATION:
        return task.time_series.item_id_column
    value = task.id_column.value
    return value if value and (value in task.train_file.column_names or value in _test_columns(task)) else None


def _test_columns(task: TaskSpec) -> list[str]:
    return task.test_file.column_names if task.test_file is not None else []


def _settings(context: CodingContext, plan: Plan, task: TaskSpec, label: str, problem: str | None,
              id_column: str | None, metric: str, shape: Layout) -> dict[str, Any]:
    values: dict[str, Any] = {"TRAIN_FILE": file_constant(task.train_file)}
    if series.is_long(task) and task.problem_type.value == ProblemType.TIME_SERIES_CLASSIFICATION:
        values.update(_long_series_settings(task))
    for name, info in (("TEST_FILE", task.test_file), ("SAMPLE_SUBMISSION_FILE", task.sample_submission_file)):
        if info is not None:
            values[name] = file_constant(info)
    for constant, path in joins.auxiliary_tables(task).items():
        values[constant] = file_constant(joins.auxiliary_file(task, path))
    values.update(LABEL=label, ID_COLUMN=id_column, PROBLEM_TYPE=problem or Raw("None"), METRIC=metric,
                  AG_METRIC=AG_METRICS.get(metric, metric), HIGHER_IS_BETTER=higher_is_better(metric))
    values["PREDICTION_COLUMNS"] = shape.columns
    dated = id_column is not None and (task.train_file.column(id_column) or ColumnInfo("", "")).kind == "datetime"
    values["IGNORED_COLUMNS"] = [c for c in [None if dated else id_column, *plan.drop_columns] if c]
    if metric in BALANCED_METRICS:
        values["SAMPLE_WEIGHT"] = "balance_weight"
    values.update(_column_lists(task, plan, label))
    values.update(TIME_LIMIT=training_seconds(context, plan, MARGIN_SECONDS), PRESETS=plan.presets,
                  HYPERPARAMETERS=plan.hyperparameters, EXCLUDED_MODEL_TYPES=plan.excluded_models or None,
                  MAX_TRAIN_ROWS=plan.subsample_rows, MODEL_DIR="model")
    values.update(bagging_settings(plan))
    return values


def _long_series_settings(task: TaskSpec) -> dict[str, Any]:
    values_info = series.values_file(task)
    out: dict[str, Any] = {}
    if values_info.path != task.train_file.path:
        out["VALUES_FILE"] = file_constant(values_info)
    ts = task.time_series
    out.update(SERIES_ID=ts.item_id_column, TIMESTAMP=ts.timestamp_column,
               VALUE_COLUMNS=series.value_columns(values_info, task))
    return out


def _column_lists(task: TaskSpec, plan: Plan, label: str) -> dict[str, Any]:
    train = task.train_file
    out: dict[str, Any] = {}
    text = [c.name for c in train.columns if c.kind == "text" and c.name not in plan.drop_columns]
    if text:
        out["TEXT_COLUMNS"] = text
    names = _names(train, label, plan)
    if names:
        out["NAME_COLUMNS"] = names
    if plan.coerce_numeric:
        out["NUMERIC_COLUMNS"] = [c.name for c in train.columns if c.kind == "numeric" and c.name != label]
    if task.problem_type.value == ProblemType.TIME_SERIES_CLASSIFICATION and not series.is_long(task):
        out["SERIES_COLUMNS"] = series.wide_columns(train, label, [task.id_column.value or ""])
    return out


def _names(train: FileInfo, label: str, plan: Plan) -> list[str]:
    """Categorical columns whose values are nearly all different and mostly of several words: names (of a car, a
    product, a place). As categories they say little, one row each; their first word often names a group."""
    def several_words(column: ColumnInfo) -> bool:
        return sum(len(e.split()) > 1 for e in column.examples) > len(column.examples) / 2

    if not train.rows:
        return []
    return [c.name for c in train.columns
            if c.kind == "categorical" and c.name != label and c.name not in plan.drop_columns and c.examples
            and c.distinct_count > NAME_DISTINCT_SHARE * train.rows and several_words(c)]


def _name_lines(frames: str) -> str:
    return ("# Names nearly all different (a category of one row each) whose first words repeat: the first word (a\n"
            "# make, a brand, a family) becomes a category of its own.\n"
            "for column in NAME_COLUMNS:\n"
            "    first_words = train[column].astype(\"string\").str.split().str[0]\n"
            f"    if first_words.nunique() <= {NAME_DISTINCT_SHARE} * train[column].nunique():\n"
            f"        for frame in [f for f in {frames} if column in f]:\n"
            "            frame[f\"{column}_first_word\"] = frame[column].astype(\"string\").str.split().str[0]")


def _comments(context: CodingContext, plan: Plan) -> dict[str, str]:
    return {"TIME_LIMIT": time_limit_comment(context, plan, MARGIN_SECONDS),
            "HYPERPARAMETERS": "model families to train (instead of the presets' choice)",
            "PREDICTION_COLUMNS": "the predictions file's columns besides the id",
            "IGNORED_COLUMNS": "never used as features (an id that is a date stays: dates carry trends)",
            "NAME_COLUMNS": "names, nearly all different: their first word becomes a category of its own",
            "SAMPLE_WEIGHT": "the metric weighs every class alike, so training does too",
            "BAGGING_OPTIONS": "folds one after another: starting Ray for parallel folds costs more than it saves",
            "PROBLEM_TYPE": "binary, multiclass or regression; None: AutoGluon infers it from the labels"}


def _helpers(task: TaskSpec) -> str:
    parts = []
    if task.join_keys:
        parts.append(joins.AGGREGATE_HELPER)
    if task.problem_type.value == ProblemType.TIME_SERIES_CLASSIFICATION:
        parts.append(series.LONG_HELPER if series.is_long(task) else series.WIDE_HELPER)
    return "\n".join(parts)


def _load(task: TaskSpec, plan: Plan) -> str:
    lines = [read_lines("train", "TRAIN_FILE", task.train_file, plan)]
    if series.is_long(task) and task.problem_type.value == ProblemType.TIME_SERIES_CLASSIFICATION:
        values_info = series.values_file(task)
        if values_info.path != task.train_file.path:
            lines.append(read_lines("values", "VALUES_FILE", values_info, plan))
    for name, constant, info in (("test", "TEST_FILE", task.test_file),
                                 ("sample_submission", "SAMPLE_SUBMISSION_FILE", task.sample_submission_file)):
        if info is not None:
            lines.append(read_lines(name, constant, info, plan))
    lines += joins.load_lines(task, plan)
    return "\n".join(lines)


def _prepare(task: TaskSpec, plan: Plan, settings: dict[str, Any]) -> str:
    """Joins, series, numbers, text and names made ready, from the column lists the settings define."""
    has_test = task.test_file is not None
    frames = "(train, test)" if has_test else "(train,)"
    lines = []
    if task.join_keys:
        lines.append(joins.join_lines(task, has_test))
    if task.problem_type.value == ProblemType.TIME_SERIES_CLASSIFICATION:
        lines.append(_series_prepare(task, has_test))
    if plan.coerce_numeric:
        lines.append(f"for frame in {frames}:\n"
                     "    present = [column for column in NUMERIC_COLUMNS if column in frame]\n"
                     "    frame[present] = frame[present].apply(pd.to_numeric, errors=\"coerce\")")
    if "TEXT_COLUMNS" in settings:
        lines.append("# Free text stays text (not categories): TabularPredictor turns it into n-gram features.\n"
                     f"for frame in {frames}:\n"
                     "    for column in [c for c in TEXT_COLUMNS if c in frame]:\n"
                     "        frame[column] = frame[column].where(frame[column].isna(), frame[column].astype(str))")
        lines.append(character_lines(plan, frames, "TEXT_COLUMNS").rstrip("\n"))
    if "NAME_COLUMNS" in settings:
        lines.append(_name_lines(frames))
    lines.append(FEATURES)
    return "\n".join(line for line in lines if line)


def _series_prepare(task: TaskSpec, has_test: bool) -> str:
    if not series.is_long(task):
        frames = "train, test" if has_test else "train"
        return f"# Each row is one series: keep its values and add summary statistics.\n{frames} = " + ", ".join(
            f"add_series_statistics({frame})" for frame in frames.split(", "))
    ts = task.time_series
    train_is_values = ts.timestamp_column in task.train_file.column_names
    test_is_long = has_test and ts.timestamp_column in _test_columns(task)
    return series.long_prepare_lines(task, train_is_values, test_is_long)


def _fit(plan: Plan, settings: dict[str, Any]) -> str:
    """Every labelled row trains (at most MAX_TRAIN_ROWS of them when the plan subsamples)."""
    subsample = ("if len(fit_data) > MAX_TRAIN_ROWS:\n"
                 "    fit_data = fit_data.sample(MAX_TRAIN_ROWS, random_state=SEED)\n") if plan.subsample_rows else ""
    options = ", sample_weight=SAMPLE_WEIGHT" if "SAMPLE_WEIGHT" in settings else ""
    return ("# Every labelled row trains: AutoGluon keeps its own validation rows (or out-of-fold predictions when "
            "bagging).\n"
            f"fit_data = train\n{subsample}predictor = TabularPredictor(\n"
            f"    label=LABEL, problem_type=PROBLEM_TYPE, eval_metric=AG_METRIC, path=MODEL_DIR, verbosity=1{options}\n"
            f")\npredictor.fit(fit_data[features + [LABEL]], {fit_arguments(plan)})")


def _importance(plan: Plan, context: CodingContext, settings: dict[str, Any]) -> str:
    """Permutation importance on (a sample of) the training rows, only when it is cheap: a few features and time to
    spare. On rows the models saw, it shows what they use rather than what generalises."""
    features = len(context.task.train_file.columns)
    if not plan.feature_importance or features > 100 or settings["TIME_LIMIT"] < 30:
        return ""
    seconds = max(5, settings["TIME_LIMIT"] // 10)
    return (f"importance = predictor.feature_importance(fit_data.sample(min(len(fit_data), 1000), random_state=SEED), "
            f"time_limit={seconds}, num_shuffle_sets=1, silent=True)\n"
            "importance.to_csv(\"feature_importance.csv\", index_label=\"feature\")")


def _predict(task: TaskSpec, plan: Plan, shape: Layout, problem: str | None, id_column: str | None) -> str:
    lines = []
    if task.test_file is None:
        lines.append("# No unlabelled test set was given: the predictions are for the training rows.\n"
                     "test = train.drop(columns=[LABEL])")
    features = "test.reindex(columns=features)"
    lines.append(predict_lines(plan, shape, problem or ProblemType.MULTICLASS, features, task.sample_submission_file,
                               id_column))
    return "\n".join(lines)


#: Every task a family before it in the registry does not claim.
FAMILY = Family("tabular", lambda task: True, build, (FAST, BAGGED, RESEEDED), model="TabularPredictor")
