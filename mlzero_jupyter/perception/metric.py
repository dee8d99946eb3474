"""Evaluation metric: from the description's words, else the sample submission, else a default per problem type."""

from __future__ import annotations

import re

import pandas as pd

from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS, Inferred, ProblemType

#: Phrases naming a metric, most specific first (RMSLE before RMSE, balanced accuracy before accuracy, ...).
METRIC_PATTERNS: list[tuple[str, str]] = [
    (r"\bn?dcg\b|discounted cumulative gain", "ndcg"),
    (r"\bmrr\b|(mean )?reciprocal rank", "mrr"),
    (r"log(arithm)?s? of (the )?(predicted )?probabilit\w*|log[\s_-]?loss|cross[\s-]?entropy|logarithmic loss|"
     r"log[\s-]?likelihood", "log_loss"),
    (r"\brmsle\b|root mean squared? log(arithmic)? error|squared log(arithmic)? error|\blog(arithm)?s? of (the )?\w+|"
     r"\bon (a|the) log(arithmic)? scale|\blog[\s-]transformed|\berrors? (of|in|on) (the )?log|\bin log space", "rmsle"),
    (r"\brmse\b|root mean squared? error|\bmse\b|(mean|average) squared error|squared error|squared difference",
     "rmse"),
    (r"\bmase\b|mean absolute scaled error|scaled error", "mase"),
    (r"\bwql\b|weighted quantile loss|quantile loss|pinball", "wql"),
    (r"\bmape\b|mean absolute percentage error|percent(age)? error|relative error|error in percent", "mape"),
    (r"\bmae\b|(mean|average) absolute (error|deviation|difference)|absolute (error|deviation|difference)", "mae"),
    (r"\b(roc[\s_-]?)?auc\b|area under (the )?(roc |receiver[\w\s-]* )?curve|\broc\b|ranks? .{0,30}(above|higher)",
     "roc_auc"),
    (r"macro[\s_-]?(averaged\s+)?f1|f1[\s_-]?macro", "f1_macro"),
    (r"\bf1\b|f-?score|f-?measure|harmonic mean of precision and recall", "f1"),
    (r"balanced[\s_-]accuracy|(average|mean) recall (per|of each|over) class", "balanced_accuracy"),
    (r"\baccuracy\b|\baccurate\b|error rate|(share|fraction|proportion|percentage) (of )?(correct|right)|"
     r"correctly (classified|predicted)", "accuracy"),
    (r"\br2\b|r\^2|r-squared|r squared|coefficient of determination|(share|fraction|proportion) of (the )?variance|"
     r"variance explained|explained variance", "r2"),
    (r"\b(mean[\s_-]?)?iou\b|intersection over union|jaccard", "mean_iou"),
]

DEFAULT_METRIC = {
    ProblemType.BINARY: "accuracy",
    ProblemType.MULTICLASS: "accuracy",
    ProblemType.REGRESSION: "rmse",
    ProblemType.FORECASTING: "mase",
    ProblemType.TIME_SERIES_CLASSIFICATION: "accuracy",
    ProblemType.SEMANTIC_SEGMENTATION: "mean_iou",
    ProblemType.MULTILABEL: "f1_macro_multilabel",
    ProblemType.RETRIEVAL: "ndcg",
}

_FITS = {
    "classification": {"accuracy", "balanced_accuracy", "f1", "f1_macro", "roc_auc", "log_loss"},
    "regression": {"rmse", "rmsle", "mae", "r2", "mape"},
    "forecasting": {"mase", "wql", "rmse", "mae", "mape"},
    "segmentation": {"mean_iou"},
    "multilabel": {"f1_macro_multilabel"},
    "retrieval": {"ndcg", "mrr"},
}


def _family(problem_type: ProblemType | None) -> str | None:
    if problem_type in (ProblemType.BINARY, ProblemType.MULTICLASS,
                        ProblemType.TIME_SERIES_CLASSIFICATION):
        return "classification"
    if problem_type == ProblemType.SEMANTIC_SEGMENTATION:
        return "segmentation"
    return problem_type


def is_classification(problem_type: ProblemType | None) -> bool:
    return _family(problem_type) == "classification"


def fitting_metrics(problem_type: ProblemType | None) -> list[str]:
    """The metrics that make sense for a problem type (empty when perception does not know the type's family)."""
    return [m for m in METRIC_DIRECTIONS if m in _FITS.get(_family(problem_type), set())]


def named_metrics(text: Description) -> list[str]:
    """Canonical metrics named in a text, in order of specificity (a phrase is consumed by its first match)."""
    remaining, found = text.lower, []
    for pattern, metric in METRIC_PATTERNS:
        if re.search(pattern, remaining):
            found.append(metric)
            remaining = re.sub(pattern, " ", remaining)
    return found


def infer_metric(problem_type: ProblemType | None, description: Description, readme: Description,
                 submission_values: pd.DataFrame | None) -> Inferred:
    family = _family(problem_type)
    default = DEFAULT_METRIC.get(problem_type, "accuracy")
    fitting = _FITS.get(family, set())
    for source, text, confidence in (("the description", description, 0.95), ("the data's readme", readme, 0.8)):
        named = [_adapt(m, problem_type) for m in named_metrics(text)]
        usable = [m for m in named if m in fitting]
        if usable:
            return Inferred(usable[0], confidence, _others(usable[0], *usable[1:], default), f"named in {source}")
    if family == "classification" and (probabilities_wanted(description, readme) or
                                       submission_holds_probabilities(submission_values)):
        metric = "roc_auc" if problem_type == ProblemType.BINARY else "log_loss"
        source = "the request asks" if probabilities_wanted(description, readme) else "the sample submission holds"
        return Inferred(metric, 0.75, _others(metric, default), f"{source} for probabilities; a ranking metric")
    usual = {"classification": ["roc_auc" if problem_type == ProblemType.BINARY else "f1_macro", "log_loss"],
             "regression": ["mae", "r2"], "forecasting": ["wql", "mae"],
             "retrieval": ["mrr"]}.get(family, [])
    return Inferred(default, 0.6, _others(default, *usual), f"default for {problem_type}")


def _adapt(metric: str, problem_type: ProblemType | None) -> str:
    """'F1' on a multiclass task means macro F1; on a multi-label task, macro F1 over the labels."""
    if problem_type == ProblemType.MULTILABEL:
        return {"f1": "f1_macro_multilabel", "f1_macro": "f1_macro_multilabel"}.get(metric, metric)
    if problem_type in (ProblemType.MULTICLASS, ProblemType.TIME_SERIES_CLASSIFICATION):
        return {"f1": "f1_macro"}.get(metric, metric)
    return metric


def _others(chosen: str, *candidates: str) -> list[str]:
    """The candidates other than the chosen metric, without repeats."""
    return [m for m in dict.fromkeys(candidates) if m != chosen and m in METRIC_DIRECTIONS]


def probabilities_wanted(description: Description, readme: Description) -> bool:
    """The request, or else the data's readme, asks how likely each answer is."""
    return description.asks_probability or readme.asks_probability


def submission_holds_probabilities(values: pd.DataFrame | None) -> bool:
    if values is None:
        return False
    numeric = values.select_dtypes("number")
    if numeric.empty:
        return False
    non_integer = (numeric % 1 != 0).any().any()
    return bool(non_integer and numeric.min().min() >= 0 and numeric.max().max() <= 1)


def higher_is_better(metric: str) -> bool:
    return METRIC_DIRECTIONS.get(metric, True)
