"""Expert baseline: cars_text (semicolon-separated latin-1 files with a free-text name column)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    train, test = (pd.read_csv(folder / f"cars_{part}.csv", sep=";", encoding="latin-1") for part in ("train", "test"))
    tabular(train, test, "Origin", "car_id", "accuracy", budget)
