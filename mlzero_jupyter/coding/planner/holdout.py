"""The train and evaluate sections the image and text scripts share: a hold-out drawn from the labelled rows, the
rest fitted by MultiModalPredictor on a pretrained backbone or by TabularPredictor on features, then scored on the
hold-out."""

from __future__ import annotations

from mlzero_jupyter.coding.planner import multimodal, tabular_predictor
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.perception.spec import ProblemType

#: Share of the labelled rows (or images) a script holds out from fitting to measure its own validation score
#: (the referee's hidden rows are another share: ``referee.holdout``).
HOLDOUT_FRACTION = 0.2


def validation_sentence(what: str, note: str = "") -> str:
    """How a script's score is obtained, for its docstring and ``metrics.json``: ``what`` are the labelled units
    ("rows", "images"), ``note`` an aside such as " (stratified by class)"."""
    return f"On a random {HOLDOUT_FRACTION:.0%} hold-out of the labelled {what}{note}, never used for fitting."


def holdout_rows(problem: str) -> str:
    """The expression choosing the hold-out rows of ``train``: stratified by class, or at random for a regression."""
    if problem == ProblemType.REGRESSION:
        return "train.sample(frac=HOLDOUT_FRACTION, random_state=SEED)"
    return "train.groupby(LABEL, group_keys=False).sample(frac=HOLDOUT_FRACTION, random_state=SEED)"


def train_lines(plan: Plan, problem: str, rows: str) -> str:
    """Draw ``holdout`` from ``train`` (stratified by class unless a regression) and fit on the rest; ``rows``:
    what a labelled row is, for the comment ("rows", "images")."""
    fit = multimodal.fit_lines("features") if plan.use_multimodal else tabular_predictor.fit_lines(plan)
    return (f"# The hold-out {rows} are never used for fitting: they give an honest validation score.\n"
            f"holdout = {holdout_rows(problem)}\nfit_data = train.drop(holdout.index)\n{fit}")


def evaluate_lines(plan: Plan, metric: str) -> str:
    """``validation_score`` on the hold-out, in the metric's own sign, and the leaderboard."""
    if plan.use_multimodal:
        return multimodal.evaluate_lines("features")
    return tabular_predictor.holdout_lines(metric)
