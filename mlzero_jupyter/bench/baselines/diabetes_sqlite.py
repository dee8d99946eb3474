"""Expert baseline: diabetes_sqlite (train and test tables of one SQLite file, RMSE)."""

import sqlite3

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    with sqlite3.connect(folder / "clinic.sqlite") as connection:
        train, test = (pd.read_sql(f"SELECT * FROM {table}", connection) for table in ("train", "test"))
    tabular(train, test, "progression", "patient", "rmse", budget)
