"""Small real data folders in every layout the referee handles, built from scikit-learn's and statsmodels' data
(the plain CSV ones, ``iris_csv`` and ``diabetes``, are in tests/conftest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures_data import holdout, iris_frame


@pytest.fixture
def iris_formats(tmp_path: Path) -> dict[str, Path]:
    """The same task as Parquet, JSON Lines, an Excel workbook with two sheets and a SQLite file with two tables."""
    train, test = holdout(iris_frame(), "species", seed=1)  # the split of iris_csv (tests/conftest.py)
    folders = {name: tmp_path / f"iris_{name}" for name in ("parquet", "jsonl", "excel", "sqlite", "no_ids")}
    for folder in folders.values():
        folder.mkdir()
    train.to_parquet(folders["parquet"] / "train.parquet", index=False)
    test.to_parquet(folders["parquet"] / "test.parquet", index=False)
    train.to_json(folders["jsonl"] / "train.jsonl", orient="records", lines=True)
    test.to_json(folders["jsonl"] / "test.jsonl", orient="records", lines=True)
    with pd.ExcelWriter(folders["excel"] / "flowers.xlsx") as writer:
        train.to_excel(writer, sheet_name="train", index=False)
        test.to_excel(writer, sheet_name="test", index=False)
    with sqlite3.connect(folders["sqlite"] / "flowers.sqlite") as connection:
        train.to_sql("train", connection, index=False)
        test.to_sql("test", connection, index=False)
    train.drop(columns="flower_id").to_csv(folders["no_ids"] / "train.csv", index=False)
    test.drop(columns="flower_id").to_csv(folders["no_ids"] / "test.csv", index=False)
    return folders


@pytest.fixture
def digit_images(tmp_path: Path) -> Path:
    """scikit-learn's digits as PNG files in class folders, test images named by number, ids as integers."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    folder = tmp_path / "digits"
    rows = []
    for index in range(300):
        image = Image.fromarray((digits.images[index] * 16).astype("uint8"))
        if index < 240:
            target = folder / "train" / str(digits.target[index]) / f"{index}.png"
        else:
            target = folder / "test" / f"{index}.png"
            rows.append({"id": index, "label": 0})
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target)
    pd.DataFrame(rows).to_csv(folder / "sample_submission.csv", index=False)
    return folder


@pytest.fixture
def quarterly_series(tmp_path: Path) -> Path:
    """statsmodels' US macro data: three quarterly series in long format."""
    from statsmodels.datasets import macrodata

    data = macrodata.load_pandas().data
    stamps = pd.period_range("1959Q1", periods=len(data), freq="Q").to_timestamp()
    frames = [pd.DataFrame({"series": name, "date": stamps, "value": data[name].to_numpy()})
              for name in ("realgdp", "realcons", "realinv")]
    folder = tmp_path / "macro"
    folder.mkdir()
    pd.concat(frames).to_csv(folder / "history.csv", index=False)
    return folder


@pytest.fixture
def digit_masks(tmp_path: Path) -> Path:
    """scikit-learn's digits as segmentation: each image's ink is its mask (0 background, 255 ink)."""
    from PIL import Image
    from sklearn.datasets import load_digits

    images = load_digits().images
    folder = tmp_path / "ink"
    for name in ("train/images", "train/masks", "test/images"):
        (folder / name).mkdir(parents=True)
    for index in range(60):
        pixels = np.kron(images[index], np.ones((4, 4)))  # 32 x 32
        image, mask = Image.fromarray((pixels * 16).astype("uint8")), Image.fromarray(
            np.where(pixels > 6, 255, 0).astype("uint8"))
        if index < 50:
            image.save(folder / "train" / "images" / f"digit_{index:02d}.png")
            mask.save(folder / "train" / "masks" / f"digit_{index:02d}.png")
        else:
            image.save(folder / "test" / "images" / f"digit_{index:02d}.png")
    return folder
