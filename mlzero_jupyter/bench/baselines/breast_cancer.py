"""Expert baseline: breast_cancer (Kaggle layout, '?' marks missing values, ROC AUC on P(malignant))."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    train = pd.read_csv(folder / "train.csv", na_values="?")
    test = pd.read_csv(folder / "test.csv", na_values="?")
    tabular(train, test, "diagnosis", "patient_id", "roc_auc", budget, positive="malignant")
