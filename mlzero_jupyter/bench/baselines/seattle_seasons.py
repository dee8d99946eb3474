"""Expert baseline: seattle_seasons (24 hourly temperatures per row as features)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    train, test = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")
    tabular(train, test, "season", "day_id", "accuracy", budget)
