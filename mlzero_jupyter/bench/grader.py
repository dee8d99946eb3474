"""Grade a submission against hidden answers: strict about ids and rows, one function per metric."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlzero_jupyter.metrics import (
    METRICS,
    RANKING_METRICS,
    Grade,
    InvalidSubmission,
    judgements,
    label_set,
    label_sets,
    mase,
    mean_iou,
    normalise_key,
    ranked_lists,
)

__all__ = ["Grade", "InvalidSubmission", "align", "grade", "mase", "mean_iou", "quantile_loss"]

#: Metrics of multi-label answers; the answers file joins each row's labels with ANSWER_DELIMITER.
LABEL_SET_METRICS = {"f1_macro_multilabel"}
ANSWER_DELIMITER = "|"


def align(submission: pd.DataFrame, answers: pd.DataFrame, keys: list[str], target: str) -> pd.DataFrame:
    """Answers joined with the submission on ``keys``; any missing, extra or duplicate row is invalid."""
    if target not in submission.columns:
        raise InvalidSubmission(f"the submission has no column {target!r} (columns: {list(submission.columns)})")
    if not keys:
        if len(submission) != len(answers):
            raise InvalidSubmission(f"the submission has {len(submission)} rows, the answers {len(answers)}")
        return answers.assign(predicted=submission[target].to_numpy())
    missing = [k for k in keys if k not in submission.columns]
    if missing:
        raise InvalidSubmission(f"the submission lacks the id column(s) {missing}")
    submission = submission[[*keys, target]].rename(columns={target: "predicted"})
    for frame in (submission, answers):
        for key in keys:
            frame[key] = frame[key].map(normalise_key)
    if submission.duplicated(keys).any():
        raise InvalidSubmission("the submission repeats ids")
    merged = answers.merge(submission, on=keys, how="left", indicator=True)
    absent = int((merged.pop("_merge") != "both").sum())
    if absent or len(submission) != len(answers):
        raise InvalidSubmission(f"{absent} of {len(answers)} answer rows are missing from the submission "
                                f"({len(submission)} rows submitted)")
    return merged


def quantile_loss(answers: pd.DataFrame, submission: pd.DataFrame, target: str, keys: list[str]) -> float:
    """Weighted quantile loss over the submission's quantile columns ("0.1", "0.5", ...)."""
    quantiles = [c for c in submission.columns if _is_quantile(c)]
    if not quantiles:
        raise InvalidSubmission("the submission has no quantile columns")
    merged = answers.merge(submission.astype({k: str for k in keys}), on=keys, how="left")
    y = merged[target].to_numpy(float)
    total = 0.0
    for column in quantiles:
        q, p = float(column), merged[column].to_numpy(float)
        total += 2 * np.sum(np.abs((y - p) * ((y <= p) - q)))
    return float(total / len(quantiles) / np.sum(np.abs(y)))


def _is_quantile(name: str) -> bool:
    try:
        return 0 < float(name) < 1
    except ValueError:
        return False


def grade(submission: pd.DataFrame, answers: pd.DataFrame, metric: str, target: str, keys: list[str]) -> Grade:
    """Score a tabular submission; raises InvalidSubmission when it cannot be scored whole."""
    if metric in RANKING_METRICS:
        return grade_ranking(submission, answers, metric, keys[0], target)
    if metric in LABEL_SET_METRICS:
        return grade_label_sets(submission, answers, metric, target, keys)
    if metric not in METRICS:
        raise ValueError(f"no grader for metric {metric!r}")
    function, higher_is_better = METRICS[metric]
    merged = align(submission, answers, keys, target)
    if merged["predicted"].isna().any():
        raise InvalidSubmission(f"{int(merged['predicted'].isna().sum())} predictions are empty")
    return Grade(metric, function(merged[target], merged["predicted"]), higher_is_better)


def grade_label_sets(submission: pd.DataFrame, answers: pd.DataFrame, metric: str, target: str, keys: list[str]
                     ) -> Grade:
    """Score multi-label predictions: the ``target`` column of labels separated as in the answers, or one 0/1
    column per label."""
    if target in submission.columns:
        sets = label_sets(submission, [target], ANSWER_DELIMITER)
    else:
        columns = [c for c in submission.columns if c not in keys]
        if not columns:
            raise InvalidSubmission(f"the submission has neither a {target!r} column nor 0/1 label columns")
        sets = label_sets(submission, columns, None)
    joined = submission[keys].assign(**{target: sets.map(lambda labels: ANSWER_DELIMITER.join(sorted(labels)))})
    merged = align(joined, answers, keys, target)
    truth, predicted = (merged[c].map(lambda cell: label_set(cell, ANSWER_DELIMITER)) for c in (target, "predicted"))
    function, higher_is_better = METRICS[metric]
    return Grade(metric, function(truth, predicted), higher_is_better)


def grade_ranking(submission: pd.DataFrame, answers: pd.DataFrame, metric: str, query: str, item: str) -> Grade:
    """Score rankings (``query``, ``item`` and a ``rank`` column, or rows best first) against judgements (``query``,
    ``item`` and an optional ``relevance``); every judged query must be ranked, and no other."""
    missing = [c for c in (query, item) if c not in submission.columns]
    if missing:
        raise InvalidSubmission(f"the submission lacks the column(s) {missing} (columns: {list(submission.columns)})")
    relevant = judgements(answers, query, item, "relevance")
    ranked = ranked_lists(submission, query, item)
    absent = [q for q in relevant if q not in ranked]
    if absent or len(ranked) != len(relevant):
        raise InvalidSubmission(f"{len(absent)} of {len(relevant)} queries are not ranked ({len(ranked)} ranked)")
    function, higher_is_better = RANKING_METRICS[metric]
    return Grade(metric, function(relevant, ranked), higher_is_better)
