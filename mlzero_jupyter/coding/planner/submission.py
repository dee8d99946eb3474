"""The "predict and save" lines of label-predicting scripts: one row per test row, in the sample submission's
rows, columns and file type when there is one, else the id column (when the test set has one) and the target."""

from __future__ import annotations

from dataclasses import dataclass

from mlzero_jupyter.coding.contract import FALLBACK_FILE, PROBABILITY_METRICS
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.source import write_line
from mlzero_jupyter.perception.spec import FileInfo, ProblemType

#: Source turning an id column into the text the grader compares (``mlzero_jupyter.metrics.normalise_key``).
KEY_TEXT = 'astype(str).str.strip().str.replace(r"^(-?\\d+)\\.0+$", r"\\1", regex=True)'


@dataclass
class Layout:
    """What the predictions file holds."""

    columns: list[str]  # the prediction columns
    probabilities: bool  # class probabilities instead of labels
    by_id: bool  # rows matched to the sample submission by ID_COLUMN (else by position)
    log_target: bool = False  # the model predicts log1p of the label (and the training labels are on that scale)


def layout(sample: FileInfo | None, label: str, id_column: str | None, test_columns: list[str], problem_type: str,
           metric: str, probabilities: bool = False) -> Layout:
    """Decide the predictions' columns from the sample submission (or the label when there is none).

    ``probabilities``: the metric ranks or the request asks how likely, so a binary task without a sample
    submission gets the positive class's probability in the label column instead of a hard label.
    """
    has_id = bool(id_column) and (id_column in test_columns or not test_columns)
    if sample is None or not sample.columns:
        return Layout([label], probabilities and problem_type == ProblemType.BINARY, False)
    names = [c for c in sample.column_names if c != id_column]
    by_id = has_id and id_column in sample.column_names
    if problem_type == ProblemType.MULTICLASS and len(names) > 1:
        return Layout(names, True, by_id)
    column = label if label in names else names[0]
    info = sample.column(column)
    numeric = info is not None and info.kind == "numeric" and any("." in e for e in info.examples)
    ranked = metric in PROBABILITY_METRICS and (numeric or probabilities)
    return Layout([column], problem_type == ProblemType.BINARY and ranked, by_id)


def predict_lines(plan: Plan, shape: Layout, problem_type: str, features: str, sample: FileInfo | None,
                  id_column: str | None) -> str:
    """Source that scores ``features`` with ``predictor`` and saves the predictions file."""
    if shape.probabilities and len(shape.columns) > 1:
        lines = [f"scored = predictor.predict_proba({features}).rename(columns=str)[PREDICTION_COLUMNS]"]
    elif shape.probabilities:
        lines = [f"scored = predictor.predict_proba({features}, as_multiclass=False).to_frame()"]
    elif shape.log_target:
        lines = [f"scored = np.expm1(predictor.predict({features})).clip(lower=0).to_frame()  # back from log(1 + y)"]
    else:
        lines = [f"scored = predictor.predict({features}).to_frame()"]
    if sample is not None and shape.by_id:
        lines += ["# Ids are matched as text, as the grader does: 892.0 and 892 name the same row.",
                  f"scored.index = test[ID_COLUMN].{KEY_TEXT}.to_numpy()",
                  "submission = sample_submission.copy()  # the sample's rows, columns and order",
                  "submission[PREDICTION_COLUMNS] = scored.reindex("
                  f"submission[ID_COLUMN].{KEY_TEXT}.to_numpy()).to_numpy()"]
    elif sample is not None:
        lines += ["submission = sample_submission.copy()  # same row order as the test set",
                  "submission[PREDICTION_COLUMNS] = scored.to_numpy()"]
    else:
        start = "pd.DataFrame({ID_COLUMN: test[ID_COLUMN].to_numpy()})" if id_column else "pd.DataFrame(index=test.index)"
        lines += [f"submission = {start}", "submission[PREDICTION_COLUMNS] = scored.to_numpy()"]
    if plan.complete_predictions:
        lines += ["# Rows the model could not score get a fallback value; how many is recorded for the referee.",
                  "filled_rows = int(submission[PREDICTION_COLUMNS].isna().any(axis=1).sum())",
                  f"Path({FALLBACK_FILE!r}).write_text(json.dumps({{\"filled_rows\": filled_rows}}))",
                  _fill_line(shape, problem_type)]
    lines.append(write_line("submission", sample))
    return "\n".join(lines)


def _fill_line(shape: Layout, problem_type: str) -> str:
    if shape.probabilities:
        value = "1 / len(PREDICTION_COLUMNS)" if len(shape.columns) > 1 else "0.5"
    elif problem_type == ProblemType.REGRESSION:
        value = "np.expm1(train[LABEL].median())" if shape.log_target else "train[LABEL].median()"
    else:
        value = "train[LABEL].mode().iloc[0]"
    return f"submission[PREDICTION_COLUMNS] = submission[PREDICTION_COLUMNS].fillna({value})"
