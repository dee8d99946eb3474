"""`mlzero bench`: parsing, a --no-baseline run on one task with an injected solver, and user errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mlzero_jupyter.cli import EXIT_USER_ERROR, build_parser, main
from mlzero_jupyter.cli.commands import bench


def test_bench_runs_one_task_without_baseline_and_writes_the_report(tmp_path, fake_solve_class, capsys):
    output = tmp_path / "bench"
    args = build_parser().parse_args(["bench", "iris_excel", "--no-baseline", "--time-limit", "30s",
                                      "--max-iterations", "2", "--output", str(output)])
    solve = fake_solve_class(lambda frame: frame.assign(species="setosa"))
    assert bench.run(args, solve=solve) == 0
    report = json.loads((output / "report.json").read_text())
    assert report["command"] == f"mlzero bench iris_excel --time-limit 30s --max-iterations 2 --output {output} --no-baseline"
    assert report["settings"]["baseline"] is False and report["summary"]["baseline_valid"] is None
    [task] = report["tasks"]
    answers = pd.read_csv(output / "suite" / "iris_excel" / "truth" / "answers.csv")
    assert task["task"] == "iris_excel" and task["baseline"] is None and task["ratio"] is None
    assert task["agent"]["score"] == (answers["species"] == "setosa").mean()
    assert solve.calls[0]["time_limit"] == 30 and solve.calls[0]["max_iterations"] == 2
    assert (output / "report.md").exists() and (output / "report.png").exists()
    printed = capsys.readouterr().out
    assert "iris_excel" in printed and f"report: {output / 'report.md'}" in printed


def test_an_unknown_task_is_a_one_line_user_error(tmp_path, capsys):
    assert main(["bench", "no_such_task", "--output", str(tmp_path)]) == EXIT_USER_ERROR
    error = capsys.readouterr().err.strip()
    assert error.startswith("mlzero bench: error: unknown task no_such_task; choose from breast_cancer")
    assert "\n" not in error and not list(tmp_path.iterdir())


def test_a_rerun_rebuilds_the_suite_in_place(tmp_path, fake_solve_class):
    args = build_parser().parse_args(["bench", "diabetes_sqlite", "--no-baseline", "--output", str(tmp_path)])
    for _ in range(2):  # a second build over the first must not fail on the existing SQLite tables
        assert bench.run(args, solve=fake_solve_class()) == 0
    assert json.loads((tmp_path / "report.json").read_text())["tasks"][0]["agent"]["score"] == 0.0


def test_a_bad_time_limit_is_a_one_line_user_error(tmp_path, capsys):
    assert main(["bench", "iris_excel", "--time-limit", "soon", "--output", str(tmp_path)]) == EXIT_USER_ERROR
    assert "a duration is like 90s" in capsys.readouterr().err


@pytest.mark.fit
def test_bench_runs_the_real_agent_on_one_task(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["bench", "iris_excel", "--no-baseline", "--time-limit", "45s", "--output", str(tmp_path)]) == 0
    [task] = json.loads((tmp_path / "report.json").read_text())["tasks"]
    assert task["agent"]["status"] == "valid", task["agent"]["message"]
    assert task["agent"]["score"] >= 0.8  # 45 test rows: one row is 2.2 points
    assert 0 < task["agent"]["execution_s"] <= task["agent"]["total_s"] <= 45 + 15
