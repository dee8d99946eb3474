"""The runner: the agent (an injected solve) and a baseline side by side on built tasks, graded strictly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mlzero_jupyter.bench import baselines
from mlzero_jupyter.bench.baselines import run_baseline
from mlzero_jupyter.bench.grader import mase
from mlzero_jupyter.bench.runner import ERROR, FAILED, INVALID, VALID, Outcome, TaskResult, run_suite, run_task


def wrong_labels(share: float):
    """Answers with the first ``share`` of rows given another row's label (a real, imperfect submission)."""
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        target = frame.columns[-1]
        count = int(len(frame) * share)
        labels = frame[target].to_numpy().copy()
        labels[:count] = [next(v for v in frame[target].unique() if v != label) for label in labels[:count]]
        return frame.assign(**{target: labels})
    return edit


def test_higher_is_better_ratio_is_agent_over_baseline(suite, tmp_path, fake_solve_class, make_fake_baseline):
    solve = fake_solve_class()
    result = run_task(suite / "iris_excel", tmp_path, solve, make_fake_baseline(wrong_labels(0.2)),
                      time_limit=45, max_iterations=2, provider=None)
    assert result.agent.status == VALID and result.agent.score == 1.0
    baseline_score = result.baseline.score
    assert result.baseline.valid and 0.75 <= baseline_score <= 0.85
    assert result.ratio == pytest.approx(1.0 / baseline_score)
    call = solve.calls[0]
    assert call["time_limit"] == 45 and call["max_iterations"] == 2 and "provider" not in call
    assert call["data"] == suite / "iris_excel" / "input"


def test_lower_is_better_ratio_is_baseline_over_agent(suite, tmp_path, fake_solve_class, make_fake_baseline):
    def shifted(by: float):
        return lambda frame: frame.assign(progression=frame["progression"] + by)

    result = run_task(suite / "diabetes_sqlite", tmp_path, fake_solve_class(shifted(10.0)),
                      make_fake_baseline(shifted(30.0)))
    assert result.metric == "rmse" and not result.higher_is_better
    assert result.agent.score == pytest.approx(10.0) and result.baseline.score == pytest.approx(30.0)
    assert result.ratio == pytest.approx(3.0)
    assert result.time_limit == 120  # the task's own budget when none is given


def test_a_submission_missing_rows_is_a_failure_not_a_partial_score(suite, tmp_path, fake_solve_class,
                                                                      make_fake_baseline):
    result = run_task(suite / "wine_parquet", tmp_path, fake_solve_class(lambda frame: frame.iloc[1:]),
                      make_fake_baseline())
    assert result.agent.status == INVALID and result.agent.score is None
    assert "missing" in result.agent.message
    assert result.baseline.valid and result.baseline.score == 1.0
    assert result.ratio == 0.0


def test_a_failed_run_or_a_crashing_solver_is_a_failure(suite, tmp_path, fake_solve_class):
    failed = run_task(suite / "cars_text", tmp_path / "a", fake_solve_class(status="failed"), None)
    assert failed.agent.status == FAILED and failed.ratio is None and failed.baseline is None

    def crash(data, description, **options):
        raise RuntimeError("boom")

    crashed = run_task(suite / "cars_text", tmp_path / "b", crash, None)
    assert crashed.agent.status == ERROR and "boom" in crashed.agent.message


def test_forecasts_are_graded_by_mase_against_the_history(suite, tmp_path, fake_solve_class):
    task_dir = suite / "macro_forecast"
    noise = np.random.default_rng(1).normal(0, 50, 24)

    def forecast(frame: pd.DataFrame) -> pd.DataFrame:  # other date spelling, other row order: still valid
        frame = frame.assign(value=frame["value"] + noise, date=pd.to_datetime(frame["date"]).astype(str) + " 00:00:00")
        return frame.iloc[::-1]

    result = run_task(task_dir, tmp_path, fake_solve_class(forecast), None)
    answers = pd.read_csv(task_dir / "truth" / "answers.csv")
    history = pd.read_csv(task_dir / "input" / "history.csv")
    expected = mase(answers.assign(predicted=answers["value"] + noise), history, "series", "value", season=4)
    assert result.agent.status == VALID
    assert result.agent.score == pytest.approx(expected)


def test_wall_time_splits_into_code_and_overhead_and_round_trips_json(suite, tmp_path, fake_solve_class):
    seen = []
    solve = fake_solve_class(sleep_s=0.2, execution_share=0.75, tokens=(120, 30))
    results = run_suite([suite / "seattle_seasons", suite / "breast_cancer"], tmp_path, solve, None,
                        time_limit=30, on_result=seen.append)
    assert [r.task for r in results] == ["seattle_seasons", "breast_cancer"] and seen == results
    agent = results[0].agent
    assert agent.total_s >= 0.2 and agent.execution_s >= 0.15
    assert agent.overhead_s == pytest.approx(agent.total_s - agent.execution_s)
    assert (agent.input_tokens, agent.output_tokens, agent.cost_usd) == (120, 30, pytest.approx(0.15))
    assert TaskResult.from_dict(json.loads(json.dumps(results[1].to_dict()))) == results[1]
    assert results[1].agent.score == 1.0  # hard labels of the right class still give a perfect ROC AUC


def test_outcome_ratio_is_none_without_a_valid_baseline():
    from mlzero_jupyter.bench.runner import score_ratio

    good = Outcome(VALID, score=0.5)
    assert score_ratio(good, Outcome(INVALID), True) is None
    assert score_ratio(Outcome(FAILED), good, True) == 0.0
    assert score_ratio(Outcome(VALID, score=-0.2), Outcome(VALID, score=0.3), True) is None  # R² below zero
    assert score_ratio(Outcome(VALID, score=0.0), Outcome(VALID, score=0.0), False) == 1.0


def test_a_baseline_that_overruns_its_budget_is_killed(suite, tmp_path, monkeypatch):
    monkeypatch.setattr(baselines, "MARGIN_SECONDS", 0.0)
    run = run_baseline("seattle_seasons", suite / "seattle_seasons" / "input", tmp_path, 0.5)
    assert run.returncode is None and run.submission is None
    assert run.wall_s < 5 and "killed" in run.message


@pytest.mark.fit
def test_the_expert_script_fits_and_its_submission_grades(suite, tmp_path):
    from mlzero_jupyter.bench.runner import run_expert
    from mlzero_jupyter.bench.tasks import TaskInfo

    task_dir = suite / "iris_excel"
    outcome = run_expert(task_dir, TaskInfo.load(task_dir), run_baseline, 25, tmp_path)
    assert outcome.status == VALID, outcome.message
    assert outcome.score >= 0.85
    assert (tmp_path / "stderr.txt").exists() and outcome.total_s < 25 * 1.1 + 30
