"""Image classification on the offline planner: digits as PNG class folders, pixel features into TabularPredictor."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from offline_support import context, run_script, spec, table

from mlzero_jupyter.bench.tasks import digits_images
from mlzero_jupyter.perception.spec import FileInfo


def _digits_task(tmp_path):
    folder = digits_images(tmp_path / "suite") / "input"
    classes = sorted(p.name for p in (folder / "train").iterdir())
    files = [FileInfo("train", role="image_folder", format="image_folder", classes=classes,
                      file_count=sum(1 for _ in (folder / "train").rglob("*.png"))),
             FileInfo("test", role="image_folder", format="image_folder",
                      file_count=sum(1 for _ in (folder / "test").glob("*.png"))),
             table(folder, "sample_submission.csv", "sample_submission")]
    return folder, spec(folder, files, problem="multiclass", target="digit", metric="accuracy", id_column="image",
                        modality="image")


@pytest.mark.fit
def test_class_folders_become_pixel_features(planner, tmp_path):
    folder, task = _digits_task(tmp_path)
    ctx = context(task, tmp_path / "attempt_1", time_limit=30, guidance=["only lightgbm"])
    draft = planner.write(ctx)
    assert "feature_table" in draft.code and "MultiModalPredictor" not in draft.code
    metrics = run_script(draft.code, ctx.attempt_dir)
    assert metrics["metric"] == "accuracy" and math.isfinite(metrics["validation_score"])
    assert metrics["validation_score"] > 0.7
    predictions = pd.read_csv(ctx.attempt_dir / "predictions.csv")
    sample = pd.read_csv(folder / "sample_submission.csv")
    assert predictions["image"].tolist() == sample["image"].tolist()
    assert set(predictions["digit"]) <= set(range(10))


def test_a_local_checkpoint_and_multimodal_choose_multimodal_predictor(planner, tmp_path):
    _, task = _digits_task(tmp_path)
    environment = {"modules": {"autogluon.multimodal": {"importable": True}},
                   "checkpoints": [{"role": "image", "path": "/models/resnet18", "source": "config"}]}
    draft = planner.write(context(task, tmp_path / "attempt_1", environment=environment, time_limit=300))
    compile(draft.code, "solution.py", "exec")
    assert "MultiModalPredictor" in draft.summary
    assert 'CHECKPOINT = "/models/resnet18"' in draft.code and "feature_table" not in draft.code
    repaired = planner.write(context(task, tmp_path / "attempt_2", environment=environment, attempt=2, time_limit=300,
                                     last_error="ModuleNotFoundError: No module named 'autogluon.multimodal'"))
    assert "feature_table" in repaired.code and "# Repair:" in repaired.code
