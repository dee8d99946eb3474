"""Expert baseline: macro_forecast (TimeSeriesPredictor on the history, MASE, horizon from test.csv)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, forecast

if __name__ == "__main__":
    folder, budget = arguments()
    history = pd.read_csv(folder / "history.csv", parse_dates=["date"])
    wanted = pd.read_csv(folder / "test.csv", parse_dates=["date"])
    forecast(history, wanted, "series", "date", "value", budget, "%Y-%m-%d")
