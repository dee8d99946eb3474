"""The user's guidance, as far as simple rules understand it: quality, speed, model families, columns to drop."""

from __future__ import annotations

import re

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner.models import (
    FORECASTING_MODELS,
    LIGHT_FORECASTING,
    LIGHT_TABULAR,
    TABULAR_MODELS,
    mentioned,
)
from mlzero_jupyter.coding.planner.plan import Plan

QUALITY = {"best": "best_quality", "high": "high_quality", "good": "good_quality", "medium": "medium_quality"}
DROP = re.compile(r"\b(?:drop|ignore|remove|exclude|don't use|do not use)\s+(?:the\s+)?(?:column\s+)?"
                  r"[\"'`]?([\w.\- ]+?)[\"'`]?(?:\s+column)?(?=$|[,.;]|\s+and\b)", re.I)


def apply(plan: Plan, context: CodingContext) -> None:
    """Apply every piece of guidance, oldest first, so later requests win."""
    columns = _columns(context)
    for text in context.guidance:
        lowered = text.lower()
        _quality(plan, lowered, text)
        _speed(plan, lowered, text)
        _models(plan, lowered, text)
        _drop(plan, text, columns)
        if re.search(r"\bbag(ging)?\b", lowered) and plan.family != "forecasting":
            plan.num_bag_folds = 5
            plan.note("Guidance", "train", f"the user asked {text!r}: 5-fold bagging.", "5-fold bagging")


def _columns(context: CodingContext) -> list[str]:
    train = context.task.train_file
    return train.column_names if train is not None else []


def _quality(plan: Plan, lowered: str, text: str) -> None:
    match = re.search(r"\b(best|high|good|medium)[ _-]?quality\b", lowered)
    if match:
        plan.presets = QUALITY[match.group(1)]
        plan.note("Guidance", "settings", f"the user asked {text!r}: presets {plan.presets!r}.",
                  f"presets {plan.presets} (asked by the user)")


def _speed(plan: Plan, lowered: str, text: str) -> None:
    if re.search(r"\b(faster|fast|quick(er|ly)?|hurry)\b", lowered):
        plan.time_share = min(plan.time_share, 0.5)
        plan.feature_importance = False
        if plan.hyperparameters is None:
            plan.hyperparameters = dict(LIGHT_FORECASTING if plan.family == "forecasting" else LIGHT_TABULAR)
        plan.note("Guidance", "settings", f"the user asked {text!r}: a light model set and half the time.",
                  "light models, half the time (asked by the user)")


def _models(plan: Plan, lowered: str, text: str) -> None:
    names = FORECASTING_MODELS if plan.family == "forecasting" else TABULAR_MODELS
    only = re.search(r"\b(?:only|just)\b(.*)", lowered)
    if only and mentioned(only.group(1), names):
        keys = mentioned(only.group(1), names)
        plan.hyperparameters = {key: {} for key in keys}
        plan.note("Guidance", "settings", f"the user asked {text!r}: only {', '.join(keys)}.",
                  f"only {', '.join(keys)} (asked by the user)")
    without = re.search(r"\b(?:no|without|exclude|not)\b(.*)", lowered)
    if without and mentioned(without.group(1), names):
        keys = mentioned(without.group(1), names)
        plan.exclude(keys)
        plan.note("Guidance", "settings", f"the user asked {text!r}: {', '.join(keys)} excluded.",
                  f"{', '.join(keys)} excluded (asked by the user)")


def _drop(plan: Plan, text: str, columns: list[str]) -> None:
    by_lower = {c.lower(): c for c in columns}
    for match in DROP.finditer(text):
        column = by_lower.get(match.group(1).strip().lower())
        if column and column not in plan.drop_columns:
            plan.drop_columns.append(column)
            plan.note("Guidance", "settings", f"the user asked {text!r}: column {column!r} is not used.",
                      f"column {column} dropped (asked by the user)")
