"""Expert baseline: chatter_languages (each text file as one text column; AutoGluon's n-gram features)."""

from pathlib import Path

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, class_folders, tabular


def texts(paths: list[Path]) -> pd.DataFrame:
    return pd.DataFrame({"file": [p.name for p in paths], "text": [p.read_text(encoding="utf-8") for p in paths]})


if __name__ == "__main__":
    folder, budget = arguments()
    train, test = class_folders(folder, ".txt", "language", texts)
    tabular(train, test, "language", "file", "accuracy", budget)
