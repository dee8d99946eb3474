"""Fixtures for the multimodal tests: small real image, mask and text data laid out raw, and locally built
backbones. Everything runs offline (HF_HUB_OFFLINE=1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def small_digits(tmp_path: Path) -> Path:
    """scikit-learn's handwritten digits as PNG class folders, 20 per class, and 40 test images."""
    from mlzero_jupyter.bench.tasks import digits_images

    full = digits_images(tmp_path / "suite") / "input"
    folder = tmp_path / "digits" / "input"
    for label in sorted((full / "train").iterdir()):
        (folder / "train" / label.name).mkdir(parents=True)
        for image in sorted(label.iterdir())[:20]:
            shutil.copy(image, folder / "train" / label.name / image.name)
    (folder / "test").mkdir()
    sample = pd.read_csv(full / "sample_submission.csv").head(40)
    for name in sample["image"]:
        shutil.copy(full / "test" / name, folder / "test" / name)
    sample.to_csv(folder / "sample_submission.csv", index=False)
    return folder


@pytest.fixture
def timm_checkpoint(tmp_path: Path) -> Path:
    """A resnet18 built locally with timm (random weights, no download) and saved as a checkpoint folder."""
    timm = pytest.importorskip("timm", reason="timm comes with autogluon.multimodal")
    from timm.models._hub import save_for_hf

    folder = tmp_path / "resnet18"
    save_for_hf(timm.create_model("resnet18", pretrained=False, num_classes=0), folder, safe_serialization=False)
    assert json.loads((folder / "config.json").read_text())["architecture"] == "resnet18"
    return folder
