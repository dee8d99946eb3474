"""Expert baseline: depth_images_regression (no image model offline: each patch's pixels, shrunk to 8x8, with its
colour statistics and edge strength as tabular features; RMSE of the distance in metres)."""

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

SIDE = 8


def features(paths: list[Path]) -> pd.DataFrame:
    """Per patch: 8x8 RGB pixels, the mean and spread of each channel, and the mean gradient (how sharp it is)."""
    rows = []
    for path in paths:
        with Image.open(path) as image:
            rgb = np.asarray(image.convert("RGB"), dtype=float) / 255
            small = np.asarray(image.convert("RGB").resize((SIDE, SIDE), Image.Resampling.BOX), dtype=float) / 255
        grey = rgb.mean(axis=2)
        edges = np.abs(np.diff(grey, axis=0)).mean() + np.abs(np.diff(grey, axis=1)).mean()
        rows.append(np.concatenate([small.ravel(), rgb.mean(axis=(0, 1)), rgb.std(axis=(0, 1)), [edges]]))
    names = ([f"p{i}" for i in range(SIDE * SIDE * 3)] + [f"mean_{c}" for c in "rgb"] + [f"std_{c}" for c in "rgb"]
             + ["edges"])
    return pd.DataFrame(rows, columns=names)


if __name__ == "__main__":
    folder, budget = arguments()
    train, wanted = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "sample_submission.csv")
    train = pd.concat([train, features([folder / "images" / name for name in train["image"]])], axis=1)
    test = pd.concat([wanted[["image"]], features([folder / "images" / name for name in wanted["image"]])], axis=1)
    tabular(train, test, "distance_m", "image", "rmse", budget)
