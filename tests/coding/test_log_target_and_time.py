"""The offline planner's scripts fit an RMSLE regression on log(1 + y) and size training to the time left: run for
real on scikit-learn's diabetes table (as SQLite), with a start made 12 s slower than the script allows for."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from offline_support import context, run_script, spec, table

from mlzero_jupyter.bench.tasks import diabetes_sqlite
from mlzero_jupyter.coding.planner import common, multilabel
from mlzero_jupyter.coding.planner.plan import Plan

SLOW_START_S = 12


@pytest.mark.fit
def test_an_rmsle_regression_learns_the_log_and_a_slow_start_trains_less(planner, tmp_path):
    folder = diabetes_sqlite(tmp_path / "suite") / "input"
    files = [table(folder, "clinic.sqlite", "train", "sqlite", table="train"),
             table(folder, "clinic.sqlite", "test", "sqlite", table="test")]
    task = spec(folder, files, problem="regression", target="progression", metric="rmsle", id_column="patient")
    ctx = context(task, tmp_path / "attempt_1", time_limit=40, guidance=["only lightgbm"])
    code = planner.write(ctx).code
    assert "train[LABEL] = np.log1p(train[LABEL].clip(lower=0))" in code and 'AG_METRIC = "rmse"' in code
    assert "scored = np.expm1(predictor.predict(" in code and "time_limit=training_seconds_left()" in code
    declared = int(code.split("\nTIME_LIMIT = ")[1].split()[0])
    # The imports and reading took SLOW_START_S longer than they did (as a loaded machine or slow disk would).
    slow = code.replace("SCRIPT_START = time.monotonic()", f"SCRIPT_START = time.monotonic() - {SLOW_START_S}", 1)
    metrics = run_script(slow, ctx.attempt_dir)

    assert metrics["metric"] == "rmsle" and 0.1 < metrics["validation_score"] < 1  # RMSE of logs: the RMSLE
    predictions = pd.read_csv(ctx.attempt_dir / "predictions.csv")
    answers = pd.read_csv(folder.parent / "truth" / "answers.csv").merge(predictions, on="patient",
                                                                        suffixes=("", "_predicted"))
    assert len(answers) == files[1].rows and (answers["progression_predicted"] >= 0).all()
    rmsle = np.sqrt(np.mean((np.log1p(answers["progression_predicted"]) - np.log1p(answers["progression"])) ** 2))
    assert rmsle < 0.6  # in the label's units: predictions left on the log scale score above 3

    from autogluon.tabular import TabularPredictor

    given = TabularPredictor.load(str(ctx.attempt_dir / "model")).info()["time_limit"]
    startup = int(code.split("\nSTARTUP_SECONDS = ")[1].split()[0])  # 10 s kept beside TIME_LIMIT, less 5 after it
    assert startup == 5 and common.MIN_TRAINING_SHARE * declared <= given <= declared + startup - SLOW_START_S


def test_training_ends_at_its_deadline_and_labels_share_what_is_left():
    clock = {"time": time, "TIME_LIMIT": 30, "SCRIPT_START": time.monotonic() - 20}
    # The lines every timed script holds below its settings: 80% of a 50 s attempt is 40 s, 10 kept beside training.
    exec(common.deadline_lines(SimpleNamespace(time_limit=50), Plan("tabular", "autogluon.tabular"), 30), clock)
    assert clock["STARTUP_SECONDS"] == 10 - common.TAIL_SECONDS
    assert 14 < clock["training_seconds_left"]() <= 30 + 5 - 20
    clock["SCRIPT_START"] -= 60  # a start far slower: training keeps its least share
    assert clock["training_seconds_left"]() == common.MIN_TRAINING_SHARE * 30

    labels = {"time": time, "TRAINING_DEADLINE": time.monotonic() + 30, "MIN_SECONDS_PER_LABEL": 2,
              "LABEL_OVERHEAD_SECONDS": multilabel.LABEL_OVERHEAD_SECONDS}
    exec(multilabel.HELPERS, labels)
    assert 5 < labels["fit_seconds"](4) <= 30 / 4 - multilabel.LABEL_OVERHEAD_SECONDS
    assert 12 < labels["fit_seconds"](2) <= 30 / 2 - multilabel.LABEL_OVERHEAD_SECONDS
    labels["TRAINING_DEADLINE"] = time.monotonic() + 3
    assert labels["fit_seconds"](3) == 2
