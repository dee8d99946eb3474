"""Expert baseline: seattle_weather (the date is the id and also a feature: AutoGluon reads its parts)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    train, test = (pd.read_csv(folder / f"{part}.csv").assign(day=lambda frame: frame["date"])
                   for part in ("train", "test"))
    tabular(train, test, "weather", "date", "balanced_accuracy", budget)
