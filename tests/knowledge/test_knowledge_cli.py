"""`mlzero knowledge list|search` and `mlzero env` through cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from knowledge_helpers import write_tiny_tool

from mlzero_jupyter.bench.tasks import build_suite
from mlzero_jupyter.cli import EXIT_USER_ERROR, main


def test_knowledge_list_shows_tools_and_snippets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "list"]) == 0
    out = capsys.readouterr().out
    for tool in ("autogluon.tabular", "autogluon.timeseries", "autogluon.multimodal", "sklearn"):
        assert tool in out
    assert "Known covariates and static features in forecasting" in out


def test_knowledge_list_with_an_extra_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "list", "--path", str(write_tiny_tool(tmp_path))]) == 0
    assert "Tiny tool: averaging numbers" in capsys.readouterr().out


@pytest.mark.parametrize("query, title", [
    ("churn table binary eval_metric roc_auc", "Metric names to TabularPredictor eval_metric"),
    ("forecast prediction_length frequency", "Frequency, gaps and prediction length"),
    ("text classification tfidf", "Text classification with TF-IDF and a linear model"),
    ("image classification MultiModalPredictor", "Image classification with MultiModalPredictor"),
    ("segmentation mask per-pixel", "Semantic segmentation fallback: per-pixel classifier"),
])
def test_search_prints_ranked_titles_within_budget(query, title, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "search", query, "--budget", "1200"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(title)
    used, budget = lines[-1].split(" tokens")[0].split(" of ")
    assert int(used) <= int(budget) == 1200


def test_search_with_a_task_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [folder] = build_suite(tmp_path, ["macro_forecast"])
    assert main(["knowledge", "search", "common errors", "--task", str(folder / "input"), "--show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("task: forecasting on time_series data")
    assert "TimeSeriesPredictor: common errors and fixes" in out.splitlines()[1]
    assert "```python" in out


def test_search_rejects_a_bad_budget(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "search", "fit", "--budget", "0"]) == EXIT_USER_ERROR
    assert "--budget must be a positive number" in capsys.readouterr().err


def test_env_reports_this_machine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["env"]) == 0
    out = capsys.readouterr().out
    assert "autogluon.tabular" in out and "0 GPU(s), CUDA not available" in out
    assert "model hub: offline (HF_HUB_OFFLINE is set)" in out


def test_env_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["env", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hub_offline"] is True and data["gpu_count"] == 0
    assert data["modules"]["autogluon.timeseries"]["importable"] is True
