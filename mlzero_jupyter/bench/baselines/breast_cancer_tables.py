"""Expert baseline: breast_cancer_tables (join the 'worst' measurements on patient_id first)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    worst = pd.read_csv(folder / "worst_measurements.csv")
    train, test = (pd.read_csv(folder / f"{part}.csv").merge(worst, on="patient_id", how="left")
                   for part in ("train", "test"))
    tabular(train, test, "diagnosis", "patient_id", "accuracy", budget)
