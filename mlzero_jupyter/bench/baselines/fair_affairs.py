"""Expert baseline: fair_affairs ("how likely" asks for probabilities: ROC AUC on P(affair = yes))."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    train, test = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")
    tabular(train, test, "affair", "respondent", "roc_auc", budget, positive="yes")
