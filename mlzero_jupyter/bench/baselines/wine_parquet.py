"""Expert baseline: wine_parquet (labelled rows in data_a, unlabelled in data_b)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    train, test = pd.read_parquet(folder / "data_a.parquet"), pd.read_parquet(folder / "data_b.parquet")
    tabular(train, test, "cultivar", "sample_id", "f1_macro", budget)
