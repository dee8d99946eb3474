"""The grader: every metric against scikit-learn or a hand computation, and strictness about rows and ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics

from mlzero_jupyter.bench.grader import InvalidSubmission, grade, mase, mean_iou, quantile_loss

ANSWERS = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6], "label": ["a", "b", "a", "b", "b", "a"]})
NUMBERS = pd.DataFrame({"id": [1, 2, 3, 4], "y": [3.0, 5.0, 2.5, 7.0]})


def labels(*values):
    return pd.DataFrame({"id": [6, 5, 4, 3, 2, 1], "label": list(values)})  # shuffled order on purpose


def test_accuracy_aligns_rows_by_id():
    submission = labels("a", "b", "b", "a", "a", "a")  # ids 6..1 -> 1:a 2:a 3:a 4:b 5:b 6:a
    assert grade(submission, ANSWERS.copy(), "accuracy", "label", ["id"]).score == pytest.approx(5 / 6)


@pytest.mark.parametrize("metric, reference", [
    ("balanced_accuracy", metrics.balanced_accuracy_score),
    ("f1_macro", lambda y, p: metrics.f1_score(y, p, average="macro")),
    ("f1", lambda y, p: metrics.f1_score(y, p, pos_label="b")),
])
def test_label_metrics_match_scikit_learn(metric, reference):
    submission = labels("a", "b", "b", "a", "a", "a")
    merged = ANSWERS.merge(submission.rename(columns={"label": "p"}), on="id")
    expected = reference(merged["label"], merged["p"])
    assert grade(submission, ANSWERS.copy(), metric, "label", ["id"]).score == pytest.approx(expected)


def test_roc_auc_and_log_loss_take_probabilities_of_the_second_class():
    probabilities = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6], "label": [0.1, 0.8, 0.3, 0.6, 0.9, 0.4]})
    y = (ANSWERS["label"] == "b").astype(int)
    auc = grade(probabilities, ANSWERS.copy(), "roc_auc", "label", ["id"])
    assert auc.score == pytest.approx(metrics.roc_auc_score(y, probabilities["label"])) and auc.higher_is_better
    loss = grade(probabilities, ANSWERS.copy(), "log_loss", "label", ["id"])
    assert loss.score == pytest.approx(metrics.log_loss(y, probabilities["label"])) and not loss.higher_is_better


@pytest.mark.parametrize("metric, expected", [
    ("rmse", np.sqrt(np.mean(np.array([1.0, -1.0, 0.5, 0.0]) ** 2))),
    ("mae", np.mean([1.0, 1.0, 0.5, 0.0])),
    ("r2", metrics.r2_score([3.0, 5.0, 2.5, 7.0], [4.0, 4.0, 3.0, 7.0])),
    ("rmsle", np.sqrt(metrics.mean_squared_log_error([3.0, 5.0, 2.5, 7.0], [4.0, 4.0, 3.0, 7.0]))),
])
def test_regression_metrics(metric, expected):
    submission = pd.DataFrame({"id": [1, 2, 3, 4], "y": [4.0, 4.0, 3.0, 7.0]})
    assert grade(submission, NUMBERS.copy(), metric, "y", ["id"]).score == pytest.approx(expected)


@pytest.mark.parametrize("submission, words", [
    (pd.DataFrame({"id": [1, 2, 3], "y": [1.0, 2.0, 3.0]}), "missing"),
    (pd.DataFrame({"id": [1, 2, 3, 9], "y": [1.0, 2.0, 3.0, 4.0]}), "missing"),
    (pd.DataFrame({"id": [1, 1, 2, 3], "y": [1.0, 1.0, 2.0, 3.0]}), "repeats"),
    (pd.DataFrame({"id": [1, 2, 3, 4], "target": [1.0, 2.0, 3.0, 4.0]}), "no column"),
    (pd.DataFrame({"id": [1, 2, 3, 4], "y": [1.0, None, 3.0, 4.0]}), "empty"),
])
def test_a_partial_or_malformed_submission_is_invalid_not_partly_scored(submission, words):
    with pytest.raises(InvalidSubmission, match=words):
        grade(submission, NUMBERS.copy(), "rmse", "y", ["id"])


def test_mase_scales_by_the_naive_error_of_each_item():
    history = pd.DataFrame({"item": ["a"] * 4 + ["b"] * 4, "v": [1, 2, 3, 4, 10, 10, 12, 12]})
    answers = pd.DataFrame({"item": ["a", "a", "b"], "v": [5.0, 6.0, 12.0], "predicted": [5.0, 5.0, 14.0]})
    # item a: naive error 1, forecast error 0.5 -> 0.5; item b: naive error 2/3, forecast error 2 -> 3
    assert mase(answers, history, "item", "v") == pytest.approx((0.5 + 3.0) / 2)


def test_quantile_loss_of_a_perfect_median_is_zero():
    answers = pd.DataFrame({"item": ["a", "a"], "t": ["1", "2"], "v": [1.0, 2.0]})
    submission = pd.DataFrame({"item": ["a", "a"], "t": ["1", "2"], "0.5": [1.0, 2.0]})
    assert quantile_loss(answers, submission, "v", ["item", "t"]) == 0.0


def test_mean_iou():
    truth = [np.array([[1, 1], [0, 0]]), np.zeros((2, 2))]
    predicted = [np.array([[1, 0], [0, 0]]), np.zeros((2, 2))]
    assert mean_iou(truth, predicted) == pytest.approx((0.5 + 1.0) / 2)
    with pytest.raises(InvalidSubmission, match="shape"):
        mean_iou(truth, [np.zeros((3, 3)), np.zeros((2, 2))])
