"""The offline planner's multi-label script, run for real on real genes (Yeast, river's bundled copy): labels in
one delimited column, a sample submission in that layout, the classifier-chain candidate after the first one."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from offline_support import context, run_script

from mlzero_jupyter.bench.tasks import yeast_functions
from mlzero_jupyter.execution.executor import ExecutionResult
from mlzero_jupyter.execution.validator import validate
from mlzero_jupyter.memory.episodic import SUCCESS, AttemptRecord
from mlzero_jupyter.perception import perceive

CLASSES = ["Class1", "Class2", "Class3"]


@pytest.mark.fit
def test_the_chained_script_writes_delimited_labels_in_the_samples_rows(planner, tmp_path):
    pytest.importorskip("river")
    source = yeast_functions(tmp_path / "suite") / "input"
    train = pd.read_csv(source / "train.csv").head(300)
    train["functions"] = ["|".join(c for c in CLASSES if row[c]) or None for _, row in train.iterrows()]
    test = pd.read_csv(source / "test.csv").head(60)
    folder = tmp_path / "genes"
    folder.mkdir()
    train.drop(columns=[c for c in train.columns if c.startswith("Class")]).to_csv(folder / "train.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    test[["gene"]].assign(functions="Class1").iloc[::-1].to_csv(folder / "sample_submission.csv", index=False)
    task = perceive(folder, "Which functions apply to each gene?")
    assert task.label_sets.delimiter == "|" and task.label_sets.labels == CLASSES

    first = planner.write(context(task, tmp_path / "attempt_1", time_limit=40, guidance=["only lightgbm"]))
    assert first.candidate == "lightgbm-per-label" and "fit_weighted_ensemble=False" in first.code
    done = [AttemptRecord(1, SUCCESS, score=0.5, candidate="lightgbm-per-label")]
    ctx = context(task, tmp_path / "attempt_2", time_limit=40, attempt=2, attempts=done, guidance=["only lightgbm"])
    chained = planner.write(ctx)
    assert chained.candidate == "chained" and 'fit_data[f"applies_{label}"]' in chained.code

    metrics = run_script(chained.code, ctx.attempt_dir)
    assert metrics["metric"] == "f1_macro_multilabel" and 0 < metrics["validation_score"] <= 1
    assert math.isfinite(metrics["validation_score"])
    predictions = pd.read_csv(ctx.attempt_dir / "predictions.csv")
    assert predictions["gene"].tolist() == test["gene"].tolist()[::-1]  # the sample's rows and order
    labels = predictions["functions"].str.split("|")
    assert labels.map(len).min() >= 1 and set(labels.explode()) <= set(CLASSES)
    assert validate(task, ctx.attempt_dir, ExecutionResult(returncode=0, duration_s=1.0)).ok
