"""The TabularPredictor parts every family that fits one shares (tables, image and text features, one predictor per
label): the metric names it knows, its bagging settings, the ``fit`` arguments and the score on held-out rows."""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.coding.planner.common import TRAINING_SECONDS_LEFT
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.perception.spec import ProblemType

#: Canonical metrics AutoGluon's tabular module knows under another name (the score is still ours).
AG_METRICS = {"rmsle": "rmse"}
#: Errors of log(1 + y), which AutoGluon has no metric for: a regression learns log1p of its label with RMSE (the
#: same error on that scale) and its predictions are turned back with expm1.
LOG_TARGET_METRICS = frozenset({"rmsle"})
#: The prepare section's line for those metrics (after the labels are known, before fitting).
LOG_LABEL = ("# RMSLE is the RMSE of log(1 + y): the models learn log1p(LABEL) with RMSE, so they are tuned for the error\n"
             "# that is judged (validation scores are RMSLE already); predictions are turned back with expm1.\n"
             "train[LABEL] = np.log1p(train[LABEL].clip(lower=0))")
BAGGING_PRESETS = ("good_quality", "high_quality", "best_quality")
#: Bagged folds one after another: starting Ray for parallel folds costs more than it saves in a short fit.
SEQUENTIAL_FOLDS = {"fold_fitting_strategy": "sequential_local"}


def log_target(metric: str, problem: str | None) -> bool:
    """Whether a regression is fitted on log1p of its label (see LOG_TARGET_METRICS)."""
    return problem == ProblemType.REGRESSION and metric in LOG_TARGET_METRICS


def bags(plan: Plan) -> bool:
    """Whether the plan's models are bagged: folds asked for, or presets that bag."""
    return bool(plan.num_bag_folds) or plan.presets in BAGGING_PRESETS


def bagging_settings(plan: Plan) -> dict[str, Any]:
    """The settings ``fit_arguments`` refers to when the plan bags."""
    if not bags(plan):
        return {}
    return {"NUM_BAG_FOLDS": plan.num_bag_folds or None, "BAGGING_OPTIONS": SEQUENTIAL_FOLDS}


def fit_arguments(plan: Plan, time_limit: str | None = TRAINING_SECONDS_LEFT) -> str:
    """``predictor.fit``'s keyword arguments, naming the script's settings; ``time_limit``: the expression of the
    seconds of training (None: no limit)."""
    arguments = [f"time_limit={time_limit}"] if time_limit else []
    arguments.append("presets=PRESETS")
    if plan.hyperparameters:
        arguments.append("hyperparameters=HYPERPARAMETERS")
    if plan.excluded_models:
        arguments.append("excluded_model_types=EXCLUDED_MODEL_TYPES")
    if plan.num_bag_folds:
        arguments.append("num_bag_folds=NUM_BAG_FOLDS")
    if bags(plan):
        arguments += ["dynamic_stacking=False", "ag_args_ensemble=BAGGING_OPTIONS"]
    return ", ".join(arguments)


def fit_lines(plan: Plan) -> str:
    """Fit a TabularPredictor on ``fit_data[features + [LABEL]]``."""
    return ("predictor = TabularPredictor(\n"
            "    label=LABEL, problem_type=PROBLEM_TYPE, eval_metric=AG_METRIC, path=MODEL_DIR, verbosity=1\n)\n"
            f"predictor.fit(fit_data[features + [LABEL]], {fit_arguments(plan)})")


def evaluate_lines(metric: str) -> str:
    """``validation_score`` on the ``holdout`` rows, in the metric's own sign."""
    if metric == "rmsle":
        return ("holdout_predictions = predictor.predict(holdout).clip(lower=0)\n"
                "validation_score = np.sqrt(np.mean((np.log1p(holdout_predictions) - np.log1p(holdout[LABEL])) ** 2))")
    return ("# AutoGluon reports every score as 'higher is better' (errors negated); convert to the metric's own sign.\n"
            "scores = predictor.evaluate(holdout, silent=True)\n"
            "validation_score = predictor.eval_metric.convert_score_to_original(scores[predictor.eval_metric.name])")


def holdout_lines(metric: str) -> str:
    """The score on the ``holdout`` rows and the leaderboard on them."""
    return evaluate_lines(metric) + "\npredictor.leaderboard(holdout, silent=True).to_csv(\"leaderboard.csv\", index=False)"
