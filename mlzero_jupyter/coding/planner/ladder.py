"""Improvement: with a valid result in hand, each further attempt climbs one rung of a ladder of heavier
configurations, as far as the time budget allows. Deterministic: the rung follows from the valid results so far."""

from __future__ import annotations

import re

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner.models import PRESET_LADDER
from mlzero_jupyter.coding.planner.plan import Plan

#: Below this many seconds of attempt time, bagging and stacking cannot finish: presets only.
BAGGING_SECONDS = 120


def valid_results(context: CodingContext) -> int:
    """How many attempts so far produced a valid result (at least one, since we are improving)."""
    return max(1, len(re.findall(r"-> score ", context.history)))


def climb(plan: Plan, context: CodingContext) -> None:
    """Move the plan ``valid_results`` rungs above its starting presets, bagging when time allows."""
    start = PRESET_LADDER.index(plan.presets) if plan.presets in PRESET_LADDER else 0
    rung = min(start + valid_results(context), len(PRESET_LADDER) - 1)
    if rung == start:
        return
    plan.presets = PRESET_LADDER[rung]
    text = f"a valid result exists (best score {context.best_score}); the next rung: presets {plan.presets!r}"
    if plan.family != "forecasting" and context.time_limit < BAGGING_SECONDS:
        plan.presets = "medium_quality"
        plan.num_bag_folds = 5
        text = (f"a valid result exists (best score {context.best_score}); with {context.time_limit:.0f} s the next "
                "rung is 5-fold bagging of the medium presets")
    plan.note("Improve", "settings", text + ".", f"presets {plan.presets}" + (", 5-fold bagging" if plan.num_bag_folds
                                                                              else ""))
