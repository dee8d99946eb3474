"""Evaluation metric: from the description's words, else the sample submission, else a default per problem type."""

from __future__ import annotations

import re

import pandas as pd

from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS, Inferred, ProblemType

#: Phrases naming a metric, most specific first (RMSLE before RMSE, balanced accuracy before accuracy, ...).
METRIC_PATTERNS: list[tuple[str, str]] = [
    (r"\brmsle\b|root mean squared? log(arithmic)? error", "rmsle"),
    (r"\brmse\b|root mean squared? error|\bmse\b|mean squared error", "rmse"),
    (r"\bmase\b|mean absolute scaled error", "mase"),
    (r"\bwql\b|weighted quantile loss|quantile loss", "wql"),
    (r"\bmape\b|mean absolute percentage error", "mape"),
    (r"\bmae\b|mean absolute error", "mae"),
    (r"log[\s_-]?loss|cross[\s-]?entropy|logarithmic loss", "log_loss"),
    (r"\b(roc[\s_-]?)?auc\b|area under the (roc )?curve|\broc\b", "roc_auc"),
    (r"macro[\s_-]?(averaged\s+)?f1|f1[\s_-]?macro", "f1_macro"),
    (r"\bf1\b|f-?score|f-?measure", "f1"),
    (r"balanced[\s_-]accuracy", "balanced_accuracy"),
    (r"\baccuracy\b|\baccurate\b|error rate", "accuracy"),
    (r"\br2\b|r\^2|r-squared|r squared|coefficient of determination", "r2"),
    (r"\b(mean[\s_-]?)?iou\b|intersection over union|jaccard", "mean_iou"),
]

DEFAULT_METRIC = {
    ProblemType.BINARY.value: "accuracy",
    ProblemType.MULTICLASS.value: "accuracy",
    ProblemType.REGRESSION.value: "rmse",
    ProblemType.FORECASTING.value: "mase",
    ProblemType.TIME_SERIES_CLASSIFICATION.value: "accuracy",
    ProblemType.SEMANTIC_SEGMENTATION.value: "mean_iou",
}

_FITS = {
    "classification": {"accuracy", "balanced_accuracy", "f1", "f1_macro", "roc_auc", "log_loss"},
    "regression": {"rmse", "rmsle", "mae", "r2", "mape"},
    "forecasting": {"mase", "wql", "rmse", "mae", "mape"},
    "segmentation": {"mean_iou"},
}


def _family(problem_type: str) -> str:
    if problem_type in (ProblemType.BINARY.value, ProblemType.MULTICLASS.value,
                        ProblemType.TIME_SERIES_CLASSIFICATION.value):
        return "classification"
    if problem_type == ProblemType.SEMANTIC_SEGMENTATION.value:
        return "segmentation"
    return problem_type


def named_metrics(text: Description) -> list[str]:
    """Canonical metrics named in a text, in order of specificity (a phrase is consumed by its first match)."""
    remaining, found = text.lower, []
    for pattern, metric in METRIC_PATTERNS:
        if re.search(pattern, remaining):
            found.append(metric)
            remaining = re.sub(pattern, " ", remaining)
    return found


def infer_metric(problem_type: str, description: Description, readme: Description,
                 submission_values: pd.DataFrame | None) -> Inferred:
    family = _family(problem_type)
    default = DEFAULT_METRIC.get(problem_type, "accuracy")
    fitting = _FITS.get(family, set())
    for source, text, confidence in (("the description", description, 0.95), ("the data's readme", readme, 0.8)):
        named = [_adapt(m, problem_type) for m in named_metrics(text)]
        usable = [m for m in named if m in fitting]
        if usable:
            return Inferred(usable[0], confidence, _others(usable[0], *usable[1:], default), f"named in {source}")
    if submission_values is not None and family == "classification" and _holds_probabilities(submission_values):
        metric = "roc_auc" if problem_type == ProblemType.BINARY.value else "log_loss"
        return Inferred(metric, 0.7, _others(metric, default), "the sample submission holds probabilities")
    usual = {"classification": ["roc_auc" if problem_type == ProblemType.BINARY.value else "f1_macro", "log_loss"],
             "regression": ["mae", "r2"], "forecasting": ["wql", "mae"]}.get(family, [])
    return Inferred(default, 0.6, _others(default, *usual), f"default for {problem_type}")


def _adapt(metric: str, problem_type: str) -> str:
    """'F1' on a multiclass task means macro F1."""
    if problem_type in (ProblemType.MULTICLASS.value, ProblemType.TIME_SERIES_CLASSIFICATION.value):
        return {"f1": "f1_macro"}.get(metric, metric)
    return metric


def _others(chosen: str, *candidates: str) -> list[str]:
    """The candidates other than the chosen metric, without repeats."""
    return [m for m in dict.fromkeys(candidates) if m != chosen and m in METRIC_DIRECTIONS]


def _holds_probabilities(values: pd.DataFrame) -> bool:
    numeric = values.select_dtypes("number")
    if numeric.empty:
        return False
    non_integer = (numeric % 1 != 0).any().any()
    return bool(non_integer and numeric.min().min() >= 0 and numeric.max().max() <= 1)


def higher_is_better(metric: str) -> bool:
    return METRIC_DIRECTIONS.get(metric, True)
