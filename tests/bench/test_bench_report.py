"""The report: JSON, Markdown and PNG written with the right numbers."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from mlzero_jupyter.bench.report import summarize, write_report
from mlzero_jupyter.bench.runner import FAILED, INVALID, VALID, Outcome, TaskResult


def result(task: str, agent: Outcome, baseline: Outcome | None, ratio: float | None,
           higher: bool = True) -> TaskResult:
    return TaskResult(task, "multiclass", "accuracy" if higher else "rmse", higher, 60.0, agent, baseline, ratio)


RESULTS = [
    result("a", Outcome(VALID, 0.9, total_s=50, execution_s=48, input_tokens=10, output_tokens=5, cost_usd=0.01),
           Outcome(VALID, 0.8, total_s=40, execution_s=40), 0.9 / 0.8),
    result("b", Outcome(VALID, 2.0, total_s=30, execution_s=27, referee_score=1.8, referee_error=0.1, attempts=3),
           Outcome(VALID, 3.0, total_s=35, execution_s=35), 1.5, higher=False),
    result("c", Outcome(INVALID, message="invalid submission: 3 of 9 rows missing", total_s=20, execution_s=10),
           Outcome(VALID, 0.7, total_s=30, execution_s=30), 0.0),
    result("d", Outcome(VALID, 0.5, total_s=10, execution_s=9), Outcome(FAILED, message="exit code 1"), None),
]


def test_summary_counts_failures_and_takes_the_median_ratio():
    summary = summarize(RESULTS)
    assert (summary["tasks"], summary["agent_valid"], summary["baseline_valid"], summary["compared"]) == (4, 3, 3, 3)
    assert summary["agent_valid_rate"] == 0.75
    assert summary["median_ratio"] == pytest.approx(0.9 / 0.8) and summary["worst_ratio"] == 0.0
    assert summary["agent_overhead_s"] == pytest.approx(2 + 3 + 10 + 1)
    assert summary["overhead_share"] == pytest.approx(16 / 110)
    assert (summary["input_tokens"], summary["output_tokens"], summary["cost_usd"]) == (10, 5, 0.01)


def test_report_files_hold_the_numbers(tmp_path):
    paths = write_report(RESULTS, tmp_path / "out", "mlzero bench --time-limit 60", {"provider": "offline"})
    data = json.loads(paths["json"].read_text())
    assert data["command"] == "mlzero bench --time-limit 60"
    assert data["summary"]["agent_valid"] == 3 and data["targets"] == {
        "valid_rate": False, "median_ratio": True, "worst_ratio": False, "overhead_share": False}
    assert [t["ratio"] for t in data["tasks"]] == [pytest.approx(1.125), 1.5, 0.0, None]
    assert data["tasks"][2]["agent"]["overhead_s"] == 10
    text = paths["markdown"].read_text()
    assert "`mlzero bench --time-limit 60`" in text
    assert "3/4" in text and "MISSED" in text and "median score ratio over 3 compared tasks: 1.12" in text
    assert "| b | multiclass | rmse ↓ | 60 | 2 | 1.8 ± 0.1 | -0.2 (-2.0 SE) | 3 | 1.5 | 3 | 50% |" in text  # hidden, referee, gap
    assert "largest gap between the referee's held-out score and the hidden test score: b" in text
    assert "- c, agent: invalid: invalid submission: 3 of 9 rows missing" in text
    assert "- d, baseline: failed: exit code 1" in text
    with Image.open(paths["plot"]) as image:
        assert image.format == "PNG" and image.size[0] > 400 and image.size[1] > 400
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.json", "report.md", "report.png"]
