"""Retrieval: BM25 over titles, tags and bodies with task-aware boosts, within a token budget."""

from __future__ import annotations

import pytest
from knowledge_helpers import make_task

from mlzero_jupyter.memory.knowledge import estimate_tokens, load_knowledge
from mlzero_jupyter.memory.semantic import retrieve, tokenize


@pytest.mark.parametrize("query, expected", [
    ("predict a yes/no label in a csv table with TabularPredictor", "TabularPredictor quick start"),
    ("which eval_metric for rmse or roc_auc", "Metric names to TabularPredictor eval_metric"),
    ("forecast sales 14 days ahead long format item_id timestamp", "TimeSeriesPredictor quick start: long format"),
    ("future promotion known covariates for the forecast", "Known covariates and static features in forecasting"),
    ("quantile forecasts weighted quantile loss", "Forecast metrics and quantiles"),
    ("text classification of reviews with a transformer", "Text classification with MultiModalPredictor and a local checkpoint"),
    ("image classification of photos in class folders", "Image classification with MultiModalPredictor"),
    ("semantic segmentation masks SAM", "Semantic segmentation with MultiModalPredictor (SAM)"),
    ("write predictions like the sample submission", "Saving predictions in a sample submission's format"),
    ("refit on the full data", "Refit on all data with refit_full"),
    ("offline chronos cannot download", "TimeSeriesPredictor: common errors and fixes"),
])
def test_query_finds_the_right_snippet_first(query: str, expected: str) -> None:
    snippets = retrieve(None, query)
    assert snippets[0].title == expected


@pytest.mark.parametrize("problem_type, modality, tool, query, expected", [
    ("binary", "tabular", "autogluon.tabular", "common errors", "TabularPredictor: common errors and fixes"),
    ("forecasting", "time_series", "autogluon.timeseries", "common errors",
     "TimeSeriesPredictor: common errors and fixes"),
    ("multiclass", "text", "sklearn", "text classification", "Text classification with TF-IDF and a linear model"),
    ("multiclass", "image", "sklearn", "classify images", "Small-image classification from raw pixels"),
    ("semantic_segmentation", "image", "sklearn", "masks", "Semantic segmentation fallback: per-pixel classifier"),
])
def test_task_and_tool_boosts_pick_the_tool_snippet(problem_type, modality, tool, query, expected) -> None:
    snippets = retrieve(make_task(problem_type, modality), query, tool=tool)
    assert snippets[0].title == expected
    assert snippets[0].tool == tool


def test_problem_type_boost_prefers_matching_snippets() -> None:
    task = make_task("forecasting", "time_series")
    titles = [s.title for s in retrieve(task, "common errors and fixes", budget_tokens=1200)]
    assert titles[0] == "TimeSeriesPredictor: common errors and fixes"


@pytest.mark.parametrize("budget", [0, 300, 700, 1500, 3000, 10000])
def test_budget_is_respected(budget: int) -> None:
    snippets = retrieve(make_task("binary", "tabular"), "tabular predictor fit", budget_tokens=budget,
                        tool="autogluon.tabular")
    assert sum(s.tokens for s in snippets) <= budget
    if budget >= 3000:
        assert len(snippets) >= 5
    if budget == 0:
        assert snippets == []


def test_default_budget_is_3000_tokens_and_scores_descend() -> None:
    snippets = retrieve(make_task("binary", "tabular"), "fit", tool="autogluon.tabular")
    assert 2000 < sum(s.tokens for s in snippets) <= 3000
    scores = [s.score for s in snippets]
    assert scores == sorted(scores, reverse=True)


def test_no_match_returns_nothing() -> None:
    assert retrieve(None, "zebra xylophone") == []


def test_token_estimate_is_characters_over_four() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    snippet = load_knowledge().snippets[0]
    assert snippet.tokens == estimate_tokens(snippet.text)


def test_tokenize_splits_identifiers() -> None:
    tokens = tokenize("TimeSeriesDataFrame eval_metric Columns")
    assert {"timeseriesdataframe", "time", "serie", "eval", "metric", "column"} <= set(tokens)
