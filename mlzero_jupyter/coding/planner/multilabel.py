"""Scripts for multi-label tables: one binary TabularPredictor per label, thresholds tuned for F1 by AutoGluon.

The labels come as one delimited column ("drama|comedy") or as one 0/1 column per label (``TaskSpec.label_sets``);
the predictions follow the sample submission's layout (else the training table's). The search's better candidates
chain the labels (each label's answer a feature of the labels after it) or bag each label's models.
"""

from __future__ import annotations

from string import Template
from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner.candidates import BAGGED_LABELS, CHAINED, PER_LABEL
from mlzero_jupyter.coding.planner.common import (TRAINING_SECONDS_LEFT, higher_is_better, metric_name,
                                                   time_limit_comment, training_seconds)
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.coding.planner.holdout import HOLDOUT_FRACTION, validation_sentence
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.script import Script, assemble
from mlzero_jupyter.coding.planner.source import file_constant, literal, task_table_lines, write_line
from mlzero_jupyter.coding.planner.submission import KEY_TEXT
from mlzero_jupyter.coding.planner.tabular_predictor import bagging_settings, bags, fit_arguments
from mlzero_jupyter.perception.spec import LabelSetInfo, ProblemType, TaskSpec

#: Seconds kept for importing AutoGluon, loading and saving; and, out of the labels' training time, for each label's
#: predictor to start, tune its threshold and predict beside its fit.
MARGIN_SECONDS, LABEL_OVERHEAD_SECONDS = 10, 2
#: The least training time a label's predictor is given, however many labels there are.
MIN_SECONDS_PER_LABEL = 2
#: How a 0/1 label column says "this label applies" (the grader reads numbers from 0.5 up the same way).
ON_WORDS = ["1", "1.0", "true", "yes"]


HELPERS = """

def fit_seconds(labels_left: int) -> float:
    \"\"\"An equal share of the training time still left for each label not trained yet, less its overhead.\"\"\"
    share = (TRAINING_DEADLINE - time.monotonic()) / labels_left
    return max(MIN_SECONDS_PER_LABEL, share - LABEL_OVERHEAD_SECONDS)
"""

SPLIT = """features = [column for column in train.columns if column not in (*LABEL_COLUMNS, *IGNORED_COLUMNS)]
test_features = test.reindex(columns=features)
# Rows every label's predictor validates on (AutoGluon's tuning data) and tunes its threshold on; the rest train.
holdout = train.sample(frac=HOLDOUT_FRACTION, random_state=SEED).index
fit_rows = train.index.difference(holdout)"""

FIT = """# One binary TabularPredictor per label, fitted for log loss (native to every model, quick to early-stop
# on), then given the decision threshold that maximises F1 on the validation rows. The labels share the seconds
# left for training (less what the imports and reading took): each gets an equal share of what remains.
TRAINING_DEADLINE = time.monotonic() + ${seconds_left}
fit_data = train[features].copy()
on = pd.DataFrame(0, index=test.index, columns=LABELS)  # 1 where a label applies
chance = pd.DataFrame(0.0, index=test.index, columns=LABELS)  # how likely each label is
holdout_on = pd.DataFrame(0, index=holdout, columns=LABELS)
for number, label in enumerate(LABELS):
    labelled = fit_data.assign(label_applies=targets[label].to_numpy())
    if targets.loc[fit_rows, label].nunique() < 2 or targets.loc[holdout, label].nunique() < 2:
        # (almost) always or never there: nothing to learn, the usual answer for every row
        on[label] = chance[label] = holdout_on[label] = int(targets[label].mean() >= 0.5)
    else:
        predictor = TabularPredictor(label="label_applies", problem_type="binary", eval_metric="log_loss",
                                     path=f"{MODEL_DIR}/{number}", verbosity=0)
        predictor.fit(labelled.loc[fit_rows], tuning_data=labelled.loc[holdout],
                      ${fit_arguments})
        threshold = predictor.calibrate_decision_threshold(labelled.loc[holdout], metric="f1")
        holdout_chance = predictor.predict_proba(labelled.loc[holdout], as_multiclass=False)
        holdout_on[label] = (holdout_chance >= threshold).astype(int).to_numpy()
        chance[label] = predictor.predict_proba(test_features, as_multiclass=False).to_numpy()
        on[label] = (chance[label] >= threshold).astype(int)
${chain}"""

EVALUATE = """# Macro F1 over the labels on the validation rows (which also chose the thresholds: a little
# optimistic). The agent scores the predictions itself, on rows this script never saw; this is the script's own
# estimate.
validation_score = f1_score(targets.loc[holdout, LABELS], holdout_on, average="macro", zero_division=0)"""

AT_LEAST_ONE = """if targets.sum(axis=1).gt(0).all():
    # Every training row has a label: a test row with none over its threshold gets its most likely one.
    empty = on.sum(axis=1) == 0
    on.loc[empty] = (chance.loc[empty].to_numpy() == chance.loc[empty].max(axis=1).to_numpy()[:, None]).astype(int)"""


#: The predictions in the test table's row order, in the submission's columns (a label never seen: 0).
FILL_BY_POSITION = "submission[PREDICTION_COLUMNS] = answer.reindex(columns=PREDICTION_COLUMNS, fill_value=0).to_numpy()"


def build(context: CodingContext, plan: Plan, summary: str) -> str:
    """The whole script for a multi-label table."""
    task = context.task
    layout = task.label_sets
    if task.train_file is None or layout is None:
        raise ValueError("the task has no training table with label columns")
    id_column = _id_column(task)
    columns = _prediction_columns(task, layout, id_column)
    fit = Template(FIT).substitute(fit_arguments=_fit_arguments(plan), chain=_chain(plan),
                                   seconds_left=TRAINING_SECONDS_LEFT)
    return assemble(context, plan, summary, Script(
        title=f"Predict every label that applies to each row (multi-label) from {task.train_file.path}.",
        tool=f"AutoGluon TabularPredictor per label, presets {plan.presets!r}",
        validation=validation_sentence("rows", " (macro F1 over the labels)"),
        imports=["time", "from autogluon.tabular import TabularPredictor", "from sklearn.metrics import f1_score"],
        settings=_settings(context, plan, task, layout, id_column, columns),
        comments=_comments(context, plan, layout),
        helpers=HELPERS,
        load=_load(task, plan),
        prepare=_targets(layout) + "\n" + SPLIT,
        fit=fit.rstrip("\n"),
        evaluate=EVALUATE,
        predict=AT_LEAST_ONE + "\n" + _predict(task, layout, id_column),
    ))


def _id_column(task: TaskSpec) -> str | None:
    value = task.id_column.value
    test = task.test_file.column_names if task.test_file is not None else task.train_file.column_names
    return value if value and value in test else None


def _prediction_columns(task: TaskSpec, layout: LabelSetInfo, id_column: str | None) -> list[str]:
    """The sample submission's columns besides the id, else the training table's label columns."""
    sample = task.sample_submission_file
    if sample is not None and sample.columns:
        return [c for c in sample.column_names if c != id_column]
    return list(layout.columns)


def _settings(context: CodingContext, plan: Plan, task: TaskSpec, layout: LabelSetInfo, id_column: str | None,
              columns: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {"TRAIN_FILE": file_constant(task.train_file)}
    for name, info in (("TEST_FILE", task.test_file), ("SAMPLE_SUBMISSION_FILE", task.sample_submission_file)):
        if info is not None:
            values[name] = file_constant(info)
    metric = metric_name(task, "f1_macro_multilabel")
    values.update(LABEL_COLUMNS=list(layout.columns), DELIMITER=layout.delimiter, ID_COLUMN=id_column,
                  METRIC=metric, HIGHER_IS_BETTER=higher_is_better(metric), PREDICTION_COLUMNS=columns,
                  IGNORED_COLUMNS=[c for c in [id_column, *plan.drop_columns] if c],
                  TIME_LIMIT=training_seconds(context, plan, MARGIN_SECONDS),
                  MIN_SECONDS_PER_LABEL=MIN_SECONDS_PER_LABEL,
                  LABEL_OVERHEAD_SECONDS=LABEL_OVERHEAD_SECONDS, HOLDOUT_FRACTION=HOLDOUT_FRACTION,
                  PRESETS=plan.presets, MODEL_DIR="model")
    if plan.hyperparameters:
        values["HYPERPARAMETERS"] = plan.hyperparameters
    if plan.excluded_models:
        values["EXCLUDED_MODEL_TYPES"] = plan.excluded_models
    values.update(bagging_settings(plan))
    return values


def _comments(context: CodingContext, plan: Plan, layout: LabelSetInfo) -> dict[str, str]:
    what = (f"one column of labels separated by {layout.delimiter!r}" if layout.delimiter is not None
            else "one 0/1 column per label")
    return {"TIME_LIMIT": time_limit_comment(context, plan, MARGIN_SECONDS) + ", shared by the labels",
            "LABEL_OVERHEAD_SECONDS": "of each label's share: its predictor's start, threshold and predictions",
            "LABEL_COLUMNS": what,
            "PREDICTION_COLUMNS": "the predictions file's columns besides the id, as in the sample submission",
            "BAGGING_OPTIONS": "folds one after another: starting Ray for parallel folds costs more than it saves"}


def _load(task: TaskSpec, plan: Plan) -> str:
    lines = task_table_lines(task, plan)
    if task.test_file is None:
        lines.append("# No unlabelled test set was given: the predictions are for the training rows.\n"
                     "test = train.drop(columns=LABEL_COLUMNS)")
    return "\n".join(lines)


def _targets(layout: LabelSetInfo) -> str:
    """Lines that make ``LABELS`` and ``targets`` (one 0/1 column per label) from the training rows."""
    if layout.delimiter is None:
        return ("# The labels are the 0/1 columns; a cell that reads as 1 (1, true, yes) means the label applies.\n"
                'train = train.dropna(subset=LABEL_COLUMNS, how="all").reset_index(drop=True)\n'
                "LABELS = LABEL_COLUMNS\n"
                f"targets = train[LABELS].apply(lambda column: column.astype(str).str.strip().str.lower()"
                f".isin({literal(ON_WORDS)})).astype(int)")
    split = "str(cell).split()" if layout.delimiter == " " else "str(cell).split(DELIMITER)"
    return ("# Each cell lists its labels; every label seen in training gets a 0/1 column.\n"
            "train = train.dropna(subset=LABEL_COLUMNS).reset_index(drop=True)\n"
            f"label_sets = train[LABEL_COLUMNS[0]].map(lambda cell: {{part.strip() for part in {split} "
            "if part.strip()})\n"
            "LABELS = sorted(set().union(*label_sets))\n"
            "targets = pd.DataFrame({label: label_sets.map(lambda labels: int(label in labels)) for label in LABELS})")


def _fit_arguments(plan: Plan) -> str:
    """TabularPredictor's fit arguments with each label's share of the time; bagged models keep the validation
    rows apart too (``use_bag_holdout``)."""
    arguments = fit_arguments(plan, "fit_seconds(len(LABELS) - number)")
    if bags(plan):
        return arguments + ", use_bag_holdout=True"
    single = plan.hyperparameters is not None and len(plan.hyperparameters) == 1
    return arguments + (", fit_weighted_ensemble=False" if single else "")  # one model: nothing to ensemble


def _chain(plan: Plan) -> str:
    if not plan.chain_labels:
        return ""
    return ("    # Chained: whether this label applies is a feature of the labels after it (the truth on the\n"
            "    # training rows, the prediction on the validation and test rows): labels that go together help.\n"
            '    fit_data[f"applies_{label}"] = targets[label].to_numpy()\n'
            '    fit_data.loc[holdout, f"applies_{label}"] = holdout_on[label].to_numpy()\n'
            '    test_features[f"applies_{label}"] = on[label].to_numpy()\n')


def _predict(task: TaskSpec, layout: LabelSetInfo, id_column: str | None) -> str:
    sample = task.sample_submission_file
    if layout.delimiter is None:
        answer = ["answer = on"]
    else:
        joiner = '" "' if layout.delimiter == " " else "DELIMITER"
        answer = ["# The labels that apply, in one cell, separated as in the training table.",
                  f"answer = on.apply(lambda row: {joiner}.join(label for label in LABELS if row[label]), axis=1)"
                  ".to_frame(PREDICTION_COLUMNS[0])"]
    lines = [*answer]
    if sample is not None and id_column is not None and id_column in sample.column_names:
        lines += ["# Ids are matched as text, as the grader does: 892.0 and 892 name the same row.",
                  f"answer.index = test[ID_COLUMN].{KEY_TEXT}.to_numpy()",
                  "submission = sample_submission.copy()  # the sample's rows, columns and order",
                  f"keys = submission[ID_COLUMN].{KEY_TEXT}.to_numpy()",
                  "submission[PREDICTION_COLUMNS] = answer.reindex(index=keys, columns=PREDICTION_COLUMNS, "
                  "fill_value=0).to_numpy()"]
    elif sample is not None:
        lines += ["submission = sample_submission.copy()  # same row order as the test set",
                  FILL_BY_POSITION]
    else:
        start = "pd.DataFrame({ID_COLUMN: test[ID_COLUMN].to_numpy()})" if id_column else "pd.DataFrame()"
        lines += [f"submission = {start}",
                  FILL_BY_POSITION]
    lines.append(write_line("submission", sample))
    return "\n".join(lines)


#: Several labels per row, as perception found them (``label_sets``).
FAMILY = Family("multilabel",
                lambda task: task.problem_type.value == ProblemType.MULTILABEL and task.label_sets is not None, build,
                (PER_LABEL, CHAINED, BAGGED_LABELS), model="TabularPredictor per label")
