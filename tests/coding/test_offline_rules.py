"""Rule-based repair, guidance and the search over candidates: error text in, changed (and still valid) code out."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from offline_support import TimeSeriesInfo, context, run_script, spec, table

from mlzero_jupyter.bench.tasks import breast_cancer, macro_forecast
from mlzero_jupyter.coding.base import Exhausted
from mlzero_jupyter.memory.episodic import FAILED, RUNNING, SUCCESS, TIMEOUT, AttemptRecord
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.perception.spec import ColumnInfo, FileInfo


@pytest.fixture
def task(tmp_path):
    folder = breast_cancer(tmp_path / "suite") / "input"
    files = [table(folder, "train.csv", "train", missing_markers=["?"]),
             table(folder, "test.csv", "test", missing_markers=["?"]),
             table(folder, "sample_submission.csv", "sample_submission")]
    return spec(folder, files, problem="binary", target="diagnosis", metric="roc_auc", id_column="patient_id")


def _write(planner, task, tmp_path, **fields):
    draft = planner.write(context(task, tmp_path / f"attempt_{fields.get('attempt', 1)}", **fields))
    compile(draft.code, "solution.py", "exec")
    return draft


def test_first_attempt_has_no_repairs_and_a_readable_header(planner, task, tmp_path):
    draft = _write(planner, task, tmp_path, time_limit=100)
    assert "# Repair" not in draft.code
    assert draft.code.startswith('"""Predict \'diagnosis\' (binary classification)')
    assert "TIME_LIMIT = 70  # seconds of training" in draft.code  # 80% of 100 s less 10 s
    for section in ("set seed", "load data", "prepare", "train", "evaluate", "predict and save"):
        assert f"# -- {section} " in draft.code
    assert draft == planner.write(context(task, tmp_path / "attempt_1", time_limit=100))  # deterministic


@pytest.mark.parametrize("error, code_part, summary_part", [
    ("ModuleNotFoundError: No module named 'lightgbm'", 'EXCLUDED_MODEL_TYPES = ["GBM"]', "lightgbm missing"),
    ("ImportError: `import catboost` failed.", 'EXCLUDED_MODEL_TYPES = ["CAT"]', "catboost missing"),
    ("OSError: We couldn't connect to 'https://huggingface.co' to load this file", '"MITRA"', "model hub"),
    ("MemoryError: Unable to allocate 3.2 GiB", "MAX_TRAIN_ROWS = 50000", "memory exhausted"),
    ("killed at the time limit after 30 s", "60% of the attempt's", "time limit hit"),
    ("ValueError: could not convert string to float: 'abc'", "pd.to_numeric", "numeric columns coerced"),
    ("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9", 'encoding="latin-1"', "latin-1"),
    ("pandas.errors.ParserError: Error tokenizing data. C error: Expected 3 fields in line 7, saw 4",
     'on_bad_lines="skip"', "malformed lines skipped"),
    ("predictions have 95 rows, test has 100", ".fillna(", "every test row"),
])
def test_an_error_changes_the_code_as_its_rule_says(planner, task, tmp_path, error, code_part, summary_part):
    draft = _write(planner, task, tmp_path, attempt=2, last_error=error)
    assert code_part in draft.code
    assert "# Repair:" in draft.code
    assert summary_part in draft.summary


def test_repairs_accumulate_over_the_records(planner, task, tmp_path):
    attempts = [AttemptRecord(1, FAILED, error="ModuleNotFoundError: No module named 'lightgbm'", candidate="fast"),
                AttemptRecord(2, TIMEOUT, error="killed at the time limit after 60 s", candidate="fast")]
    draft = _write(planner, task, tmp_path, attempt=3, attempts=attempts,
                   last_error="ModuleNotFoundError: No module named 'xgboost'")
    assert 'EXCLUDED_MODEL_TYPES = ["GBM", "XGB"]' in draft.code
    assert "time limit hit" in draft.summary


def test_rules_read_the_records_not_the_history_text(planner, task, tmp_path):
    old = AttemptRecord(1, FAILED, error="ModuleNotFoundError: No module named 'lightgbm'", candidate="fast")
    filler = [AttemptRecord(n, FAILED, error="ValueError: something else\n" * 8, candidate="bagged")
              for n in range(2, 40)]
    history = "Attempt 1: x -> failed\n    MemoryError: Unable to allocate 3.2 GiB"  # prompt text: rules ignore it
    draft = _write(planner, task, tmp_path, attempt=40, attempts=[old, *filler], history=history)
    assert 'EXCLUDED_MODEL_TYPES = ["GBM"]' in draft.code  # far beyond the 4,000 characters a summary keeps
    assert "MAX_TRAIN_ROWS" not in draft.code


def test_the_same_memory_error_in_the_records_and_last_error_counts_once(planner, task, tmp_path):
    error = "MemoryError: Unable to allocate 3.2 GiB"
    first = AttemptRecord(1, FAILED, error=error, candidate="fast")
    draft = _write(planner, task, tmp_path, attempt=2, last_error=error, attempts=[first])
    assert "MAX_TRAIN_ROWS = 50000" in draft.code
    second = AttemptRecord(2, FAILED, error=error, candidate="fast")
    again = _write(planner, task, tmp_path, attempt=3, last_error=error, attempts=[first, second])
    assert "MAX_TRAIN_ROWS = 10000" in again.code


def test_two_timeouts_go_lighter_than_one(planner, task, tmp_path):
    attempts = [AttemptRecord(n, TIMEOUT, error="killed at the time limit", candidate="fast") for n in (1, 2)]
    draft = _write(planner, task, tmp_path, attempt=3, attempts=attempts, time_limit=100)
    assert "TIME_LIMIT = 35" in draft.code and 'HYPERPARAMETERS = {"GBM": {}, "XT": {}}' in draft.code


def test_guidance_quality_models_and_dropped_columns(planner, task, tmp_path):
    guidance = ["use best quality", "only catboost and xgboost", "drop column mean_radius"]
    draft = _write(planner, task, tmp_path, guidance=guidance, time_limit=300)
    assert 'PRESETS = "best_quality"' in draft.code and "dynamic_stacking=False" in draft.code
    assert 'HYPERPARAMETERS = {"CAT": {}, "XGB": {}}' in draft.code
    assert 'IGNORED_COLUMNS = ["patient_id", "mean_radius"]' in draft.code
    assert "presets best_quality (asked by the user)" in draft.summary
    assert "column mean_radius dropped" in draft.summary


def test_faster_guidance_shrinks_the_time_and_models(planner, task, tmp_path):
    draft = _write(planner, task, tmp_path, guidance=["faster"], time_limit=100)
    assert "TIME_LIMIT = 40" in draft.code and "feature_importance" not in draft.code


def test_the_search_moves_through_the_candidates_and_then_says_it_is_done(planner, task, tmp_path):
    fast = AttemptRecord(1, SUCCESS, score=0.98, candidate="fast")
    bagged = AttemptRecord(2, SUCCESS, score=0.985, candidate="bagged")
    second = _write(planner, task, tmp_path, attempt=2, improve=True, attempts=[fast], time_limit=600)
    assert second.candidate == "bagged" and 'PRESETS = "best_quality"' in second.code
    assert "dynamic_stacking=False" in second.code and "# Search:" in second.code
    short = _write(planner, task, tmp_path, attempt=2, improve=True, attempts=[fast], time_limit=60)
    assert 'PRESETS = "medium_quality"' in short.code and "NUM_BAG_FOLDS = 5" in short.code
    third = _write(planner, task, tmp_path, attempt=3, improve=True, attempts=[fast, bagged], time_limit=600)
    assert third.candidate == "bagged-seed-2" and "SEED = 1" in third.code
    reseeded = AttemptRecord(3, SUCCESS, score=0.97, candidate="bagged-seed-2")
    with pytest.raises(Exhausted, match="fast, bagged, bagged-seed-2"):
        _write(planner, task, tmp_path, attempt=4, attempts=[fast, bagged, reseeded], time_limit=600)


def test_an_error_no_rule_understands_moves_to_the_next_candidate(planner, task, tmp_path):
    odd = AttemptRecord(1, FAILED, error="ValueError: No model is available for this dataset.", candidate="fast")
    draft = _write(planner, task, tmp_path, attempt=2, attempts=[odd], last_error=odd.error, time_limit=600)
    assert draft.candidate == "bagged"
    known = AttemptRecord(1, FAILED, error="MemoryError: Unable to allocate 3.2 GiB", candidate="fast")
    again = _write(planner, task, tmp_path, attempt=2, attempts=[known], last_error=known.error, time_limit=600)
    assert again.candidate == "fast" and "MAX_TRAIN_ROWS = 50000" in again.code


def test_forecasting_excludes_hub_models_offline(planner, tmp_path):
    folder = macro_forecast(tmp_path / "suite") / "input"
    files = [table(folder, "history.csv", "train"), table(folder, "test.csv", "test")]
    task = spec(folder, files, problem="forecasting", target="value", metric="mase", modality="time_series",
                time_series=TimeSeriesInfo("series", "date", "QS", 8))
    draft = _write(planner, task, tmp_path, tool="autogluon.timeseries")
    assert 'EXCLUDED_MODEL_TYPES = ["Chronos", "Chronos2", "Toto", "Toto2"]' in draft.code
    assert 'AG_METRIC = "MASE"' in draft.code and "PREDICTION_LENGTH = 8" in draft.code


def test_plan_notes_are_unique_and_wrapped():
    plan = Plan(family="tabular", tool="autogluon.tabular")
    plan.note("Repair", "load", "x " * 80, "same change")
    plan.note("Repair", "load", "other words", "same change")
    lines = plan.comments("load").splitlines()
    assert len(plan.notes) == 1 and all(len(line) <= 110 for line in lines) and lines[1].startswith("#   ")


@pytest.mark.fit
def test_a_real_parser_failure_is_repaired(planner, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    lines = frame.to_csv(index=False).splitlines()
    lines.insert(20, lines[20] + ",1,2")  # one malformed line, as in real exports
    (folder / "wine.csv").write_text("\n".join(lines) + "\n")
    train = pd.read_csv(folder / "wine.csv", on_bad_lines="skip")
    columns = [ColumnInfo(str(c), str(train[c].dtype), "numeric") for c in train.columns]
    task = spec(folder, [FileInfo("wine.csv", role="train", format="csv", columns=columns)], problem="multiclass",
                target="target", metric="accuracy")
    first = planner.write(context(task, tmp_path / "attempt_1", guidance=["only lightgbm"]))
    (tmp_path / "attempt_1" / "solution.py").write_text(first.code)
    failed = subprocess.run([sys.executable, "solution.py"], cwd=tmp_path / "attempt_1", capture_output=True,
                            text=True, timeout=120)
    assert failed.returncode != 0 and "ParserError" in failed.stderr
    second = planner.write(context(task, tmp_path / "attempt_2", guidance=["only lightgbm"], attempt=2,
                                   last_error=failed.stderr.strip().splitlines()[-1]))
    metrics = run_script(second.code, tmp_path / "attempt_2")
    assert metrics["validation_score"] > 0.8
    assert len(pd.read_csv(tmp_path / "attempt_2" / "predictions.csv")) > 0


def test_a_parallel_search_takes_the_next_candidate_beside_the_running_ones(planner, task, tmp_path):
    attempts: list[AttemptRecord] = []
    for number, expected in enumerate(["fast", "bagged", "bagged-seed-2"], start=1):
        draft = _write(planner, task, tmp_path, time_limit=100, attempt=number, attempts=list(attempts))
        assert draft.candidate == expected
        attempts.append(AttemptRecord(number, RUNNING, candidate=draft.candidate))
    with pytest.raises(Exhausted):  # every candidate is running: the search waits for one to end
        _write(planner, task, tmp_path, time_limit=100, attempt=4, attempts=attempts)
    attempts[0] = AttemptRecord(1, FAILED, candidate="fast", error="MemoryError")  # fast ended, to be repaired
    assert _write(planner, task, tmp_path, time_limit=100, attempt=4, attempts=attempts).candidate == "fast"
