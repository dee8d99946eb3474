"""Every metric perception can choose for a table is one the referee and the grader score (mlzero_jupyter.metrics),
in the same direction, and where AutoGluon knows it under the same name, AutoGluon's score is the same number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlzero_jupyter.coding.planner.tabular_predictor import AG_METRICS
from mlzero_jupyter.metrics import METRICS
from mlzero_jupyter.perception.metric import fitting_metrics
from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS

TABLE_PROBLEMS = ("binary", "multiclass", "regression")


@pytest.mark.parametrize("problem_type", TABLE_PROBLEMS)
def test_the_referee_and_the_grader_score_every_metric_perception_chooses(problem_type):
    for metric in fitting_metrics(problem_type):
        assert metric in METRICS, f"perception may choose {metric} for {problem_type}, nothing scores it"
        assert METRICS[metric][1] == METRIC_DIRECTIONS[metric]


def test_regression_metrics_agree_with_autogluon():
    from autogluon.core.metrics import get_metric
    from sklearn.datasets import load_diabetes

    truth = load_diabetes(as_frame=True).target
    predicted = truth.mean() + 0.5 * (truth - truth.mean()) + np.random.default_rng(0).normal(0, 20, len(truth))
    for metric in fitting_metrics("regression"):
        ours = METRICS[metric][0](truth, pd.Series(predicted))
        if metric in AG_METRICS:  # AutoGluon knows no RMSLE: the planner fits RMSE; the score is ours
            expected = np.sqrt(np.mean((np.log1p(predicted) - np.log1p(truth)) ** 2))
        else:
            scorer = get_metric(metric, "regression")
            expected = scorer.convert_score_to_original(scorer(truth.to_numpy(), predicted.to_numpy()))
        assert ours == pytest.approx(expected, rel=1e-9), metric
