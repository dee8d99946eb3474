"""Expert baseline: digits_images (no image model offline: the 64 grey levels of each PNG as tabular features)."""

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from mlzero_jupyter.bench.baselines.expert import arguments, class_folders, tabular


def pixels(paths: list[Path]) -> pd.DataFrame:
    rows = np.stack([np.asarray(Image.open(path).convert("L"), dtype=float).ravel() for path in paths])
    return pd.DataFrame(rows, columns=[f"p{i}" for i in range(rows.shape[1])]).assign(image=[p.name for p in paths])


if __name__ == "__main__":
    folder, budget = arguments()
    train, test = class_folders(folder, ".png", "digit", pixels)
    tabular(train, test, "digit", "image", "accuracy", budget)
