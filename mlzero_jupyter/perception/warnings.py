"""Warnings about the data: leaky columns, train columns missing from the test, class imbalance, duplicate ids."""

from __future__ import annotations

import pandas as pd

from mlzero_jupyter.perception.roles import Roles

#: A feature that predicts the target this well from its own values (or correlates this much) is a likely leak.
LEAK_AGREEMENT = 0.98
IMBALANCE_FRACTION = 0.05


def data_warnings(roles: Roles, target: str | None, id_column: str | None, classification: bool) -> list[str]:
    if roles.train is None or target is None or target not in roles.train.frame:
        return []
    frame = roles.train.frame
    found = [f"column '{c}' is nearly a copy of the target '{target}' (possible leakage); drop it if it is not "
             "known at prediction time" for c in leaky_columns(frame, target, id_column, classification)]
    extra = [c for c in roles.target_columns if c != target]
    if extra:
        found.append(f"columns in train but not in test: {', '.join(extra)}; they cannot be used as features")
    if classification:
        found.extend(_imbalance(frame[target]))
    if id_column and id_column in frame and frame[id_column].duplicated().any():
        count = int(frame[id_column].duplicated().sum())
        found.append(f"id column '{id_column}' has {count} duplicate values in the sampled rows")
    return found


def leaky_columns(frame: pd.DataFrame, target: str, id_column: str | None, classification: bool) -> list[str]:
    labels = frame[target]
    leaks = []
    for name in frame.columns:
        if name in (target, id_column):
            continue
        pair = pd.DataFrame({"x": frame[name], "y": labels}).dropna()
        if len(pair) < 20 or pair["x"].nunique() <= 1:
            continue
        if classification:
            if pair["x"].nunique() > max(2 * pair["y"].nunique(), 10):
                continue  # a near-unique column predicts anything it is grouped by
            majority = pair.groupby("x")["y"].agg(lambda s: s.value_counts().iloc[0]).sum()
            if majority / len(pair) >= LEAK_AGREEMENT:
                leaks.append(str(name))
        elif pd.api.types.is_numeric_dtype(pair["x"]) and pd.api.types.is_numeric_dtype(pair["y"]):
            if abs(pair["x"].corr(pair["y"], method="spearman")) >= LEAK_AGREEMENT:
                leaks.append(str(name))
    return leaks


def _imbalance(labels: pd.Series) -> list[str]:
    shares = labels.value_counts(normalize=True)
    if len(shares) >= 2 and shares.iloc[-1] < IMBALANCE_FRACTION:
        return [f"heavy class imbalance: '{shares.index[-1]}' is {shares.iloc[-1]:.1%} of the sampled rows; "
                "consider balanced accuracy, F1 or AUC"]
    return []
