"""The metrics, in one place: the referee scores attempts and the bench grader scores submissions with these.

Each function takes the true values and the predictions as pandas Series (labels are compared as text) and
returns a float; ``METRICS`` maps a canonical metric name to its function and whether higher is better.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: File extensions an id may carry or not (``12345.png`` and ``12345`` name the same row).
KEY_EXTENSIONS = re.compile(r"\.(png|jpe?g|bmp|gif|tiff?|webp|txt|md|json|csv)$", re.I)


def normalise_key(value: object) -> str:
    """An id as the graders compare it: trimmed text, ``892.0`` equal to ``892``, ``12345.png`` to ``12345``."""
    text = KEY_EXTENSIONS.sub("", str(value).strip())
    if re.fullmatch(r"-?\d+\.0+", text):
        text = text.split(".")[0]
    return text


class InvalidSubmission(ValueError):
    """The submission cannot be scored (missing rows, unknown ids, missing column)."""


@dataclass
class Grade:
    metric: str
    score: float
    higher_is_better: bool


def _labels(truth: pd.Series, predicted: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    return truth.astype(str).to_numpy(), predicted.astype(str).to_numpy()


def _accuracy(truth: pd.Series, predicted: pd.Series) -> float:
    y, p = _labels(truth, predicted)
    return float((y == p).mean())


def _balanced_accuracy(truth: pd.Series, predicted: pd.Series) -> float:
    from sklearn.metrics import balanced_accuracy_score

    return float(balanced_accuracy_score(*_labels(truth, predicted)))


def _f1(truth: pd.Series, predicted: pd.Series) -> float:
    from sklearn.metrics import f1_score

    y, p = _labels(truth, predicted)
    positive = sorted(set(y))[-1] if len(set(y)) == 2 else None
    return float(f1_score(y, p, pos_label=positive) if positive else f1_score(y, p, average="macro"))


def _f1_macro(truth: pd.Series, predicted: pd.Series) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(*_labels(truth, predicted), average="macro"))


def _positive_scores(truth: pd.Series, predicted: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Binary truth as 0/1 and a score per row: the predicted probability, or 0/1 for hard labels."""
    y = truth.astype(str)
    classes = sorted(y.unique())
    if len(classes) != 2:
        raise InvalidSubmission(f"ROC AUC needs two classes, the answers have {len(classes)}")
    positive = classes[1]
    numeric = pd.to_numeric(predicted, errors="coerce")
    scores = numeric if numeric.notna().all() else (predicted.astype(str) == positive).astype(float)
    return (y == positive).astype(int).to_numpy(), scores.to_numpy(dtype=float)


def _roc_auc(truth: pd.Series, predicted: pd.Series) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(*_positive_scores(truth, predicted)))


def _log_loss(truth: pd.Series, predicted: pd.Series) -> float:
    from sklearn.metrics import log_loss

    y, scores = _positive_scores(truth, predicted)
    return float(log_loss(y, np.clip(scores, 1e-15, 1 - 1e-15)))


def _numbers(truth: pd.Series, predicted: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    values = pd.to_numeric(predicted, errors="coerce")
    if values.isna().any():
        raise InvalidSubmission(f"{int(values.isna().sum())} predictions are not numbers")
    return truth.to_numpy(dtype=float), values.to_numpy(dtype=float)


def _rmse(truth: pd.Series, predicted: pd.Series) -> float:
    y, p = _numbers(truth, predicted)
    return float(np.sqrt(np.mean((y - p) ** 2)))


def _rmsle(truth: pd.Series, predicted: pd.Series) -> float:
    y, p = _numbers(truth, predicted)
    return float(np.sqrt(np.mean((np.log1p(np.clip(p, 0, None)) - np.log1p(y)) ** 2)))


def _mae(truth: pd.Series, predicted: pd.Series) -> float:
    y, p = _numbers(truth, predicted)
    return float(np.mean(np.abs(y - p)))


def _mape(truth: pd.Series, predicted: pd.Series) -> float:
    """Mean absolute percentage error as a fraction (scikit-learn's and AutoGluon's definition)."""
    from sklearn.metrics import mean_absolute_percentage_error

    y, p = _numbers(truth, predicted)
    return float(mean_absolute_percentage_error(y, p))


def _r2(truth: pd.Series, predicted: pd.Series) -> float:
    y, p = _numbers(truth, predicted)
    return float(1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2))


#: How a 0/1 label column says "this label applies" in words.
ON_VALUES = {"true", "yes"}


def label_set(value: object, delimiter: str | None) -> frozenset[str]:
    """One row's labels from a delimited cell ("drama|comedy"; a space delimiter splits on any whitespace)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    parts = str(value).split(None if delimiter in (None, " ") else delimiter)
    return frozenset(p.strip() for p in parts if p.strip())


def _switched_on(column: pd.Series) -> pd.Series:
    """A 0/1 label column as booleans: 1, true or yes; a number (an ensemble's weighted vote) from 0.5 up."""
    numbers = pd.to_numeric(column, errors="coerce")
    return numbers.ge(0.5) | column.astype(str).str.strip().str.lower().isin(ON_VALUES)


def label_sets(frame: pd.DataFrame, columns: list[str], delimiter: str | None) -> pd.Series:
    """Each row's labels: its delimited column split, or the names of its 0/1 columns that are on."""
    if delimiter is not None:
        return frame[columns[0]].map(lambda value: label_set(value, delimiter))
    on = frame[columns].apply(_switched_on)
    return pd.Series([frozenset(c for c, flag in zip(columns, row) if flag) for row in on.to_numpy()],
                     index=frame.index)


def _f1_macro_multilabel(truth: pd.Series, predicted: pd.Series) -> float:
    """Each row holds a collection of labels; the F1 of every label seen (truth or prediction) averaged alike."""
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer().fit([*truth, *predicted])
    return float(f1_score(binarizer.transform(truth), binarizer.transform(predicted), average="macro",
                          zero_division=0))


METRICS: dict[str, tuple[Callable[[pd.Series, pd.Series], float], bool]] = {
    "accuracy": (_accuracy, True),
    "balanced_accuracy": (_balanced_accuracy, True),
    "f1": (_f1, True),
    "f1_macro": (_f1_macro, True),
    "roc_auc": (_roc_auc, True),
    "log_loss": (_log_loss, False),
    "rmse": (_rmse, False),
    "rmsle": (_rmsle, False),
    "mae": (_mae, False),
    "r2": (_r2, True),
    "mape": (_mape, False),
    "f1_macro_multilabel": (_f1_macro_multilabel, True),
}


def mase(answers: pd.DataFrame, history: pd.DataFrame, item: str, target: str, season: int = 1) -> float:
    """Mean absolute scaled error per item (scaled by the in-sample seasonal naive error), averaged over items."""
    errors = []
    for key, group in answers.groupby(item):
        past = history.loc[history[item].astype(str) == str(key), target].to_numpy(dtype=float)
        scale = np.mean(np.abs(past[season:] - past[:-season])) if len(past) > season else np.nan
        errors.append(np.mean(np.abs(group[target].to_numpy(float) - group["predicted"].to_numpy(float))) / scale)
    return float(np.nanmean(errors))


def mean_iou(truth_masks: list[np.ndarray], predicted_masks: list[np.ndarray]) -> float:
    """Mean over images of the intersection over union of foreground pixels (1 when both are empty)."""
    if len(truth_masks) != len(predicted_masks):
        raise InvalidSubmission(f"{len(predicted_masks)} masks for {len(truth_masks)} images")
    scores = []
    for truth, predicted in zip(truth_masks, predicted_masks):
        if truth.shape != predicted.shape:
            raise InvalidSubmission(f"a mask of shape {predicted.shape} for an image of shape {truth.shape}")
        t, p = truth > 0, predicted > 0
        union = np.logical_or(t, p).sum()
        scores.append(1.0 if union == 0 else np.logical_and(t, p).sum() / union)
    return float(np.mean(scores))


#: How many ranked items per query the ranking metrics read (nDCG@10, MRR@10).
RANKING_DEPTH = 10


def ranked_lists(frame: pd.DataFrame, query: str, item: str, rank: str | None = "rank") -> dict[str, list[str]]:
    """Each query's items, best first: by the ``rank`` column when there is one, else in the frame's order."""
    if rank and rank in frame:
        order = pd.to_numeric(frame[rank], errors="coerce")
        if order.isna().any():
            raise InvalidSubmission(f"{int(order.isna().sum())} ranks are not numbers")
        frame = frame.assign(_order=order.to_numpy()).sort_values("_order", kind="stable")
    keys, items = frame[query].map(normalise_key), frame[item].map(normalise_key)
    ranked: dict[str, list[str]] = {}
    for key, value in zip(keys, items):
        ranked.setdefault(key, []).append(value)
    return ranked


def _ndcg(relevant: dict[str, dict[str, float]], ranked: dict[str, list[str]]) -> float:
    """Mean over judged queries of DCG@10 (gain / log2(position + 1)) over the ideal DCG@10."""
    scores = []
    for query, gains in relevant.items():
        top = list(dict.fromkeys(ranked.get(query, [])))[:RANKING_DEPTH]
        dcg = sum(gains.get(item, 0.0) / np.log2(position + 2) for position, item in enumerate(top))
        ideal = sorted(gains.values(), reverse=True)[:RANKING_DEPTH]
        best = sum(gain / np.log2(position + 2) for position, gain in enumerate(ideal))
        scores.append(dcg / best if best > 0 else 0.0)
    return float(np.mean(scores)) if scores else float("nan")


def _mrr(relevant: dict[str, dict[str, float]], ranked: dict[str, list[str]]) -> float:
    """Mean over judged queries of 1 / the position of the first relevant item in the top 10 (0 when none is)."""
    scores = []
    for query, gains in relevant.items():
        top = list(dict.fromkeys(ranked.get(query, [])))[:RANKING_DEPTH]
        scores.append(next((1 / (i + 1) for i, item in enumerate(top) if gains.get(item, 0) > 0), 0.0))
    return float(np.mean(scores)) if scores else float("nan")


#: Ranking metrics: relevance judgements {query: {item: gain}} and rankings {query: [items, best first]}.
RANKING_METRICS: dict[str, tuple[Callable[[dict[str, dict[str, float]], dict[str, list[str]]], float], bool]] = {
    "ndcg": (_ndcg, True),
    "mrr": (_mrr, True),
}


def judgements(frame: pd.DataFrame, query: str, item: str, relevance: str | None = None) -> dict[str, dict[str, float]]:
    """{query: {item: gain}} from a table of judgements (gain 1 without a relevance column; zero gains dropped)."""
    gains = pd.to_numeric(frame[relevance], errors="coerce").fillna(0) if relevance and relevance in frame else 1.0
    table = pd.DataFrame({"query": frame[query].map(normalise_key), "item": frame[item].map(normalise_key),
                          "gain": gains})
    found: dict[str, dict[str, float]] = {}
    for key, doc, gain in table[table["gain"] > 0].itertuples(index=False):
        found.setdefault(key, {})[doc] = max(float(gain), found.get(key, {}).get(doc, 0.0))
    return found
