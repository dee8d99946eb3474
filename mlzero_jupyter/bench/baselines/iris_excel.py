"""Expert baseline: iris_excel (a labelled and an unlabelled sheet of one workbook)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    sheets = pd.read_excel(folder / "flowers.xlsx", sheet_name=None)
    tabular(sheets["measured"], sheets["unlabelled"], "species", "flower", "accuracy", budget)
