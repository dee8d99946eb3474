"""Expert baseline: taylor_demand (TimeSeriesPredictor with its defaults on the half-hourly history, MASE)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, forecast

if __name__ == "__main__":
    folder, budget = arguments()
    history = pd.read_csv(folder / "demand.csv", parse_dates=["time"])
    wanted = pd.read_csv(folder / "test.csv", parse_dates=["time"])
    forecast(history, wanted, "region", "time", "demand_mw", budget, "%Y-%m-%d %H:%M:%S")
