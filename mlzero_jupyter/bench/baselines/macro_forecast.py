"""Expert baseline: macro_forecast (TimeSeriesPredictor on the history, MASE, horizon from test.csv)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, fit_seconds, write

if __name__ == "__main__":
    from autogluon.timeseries import TimeSeriesDataFrame, TimeSeriesPredictor

    folder, budget = arguments()
    history = pd.read_csv(folder / "history.csv", parse_dates=["date"])
    wanted = pd.read_csv(folder / "test.csv", parse_dates=["date"])
    data = TimeSeriesDataFrame.from_data_frame(history, id_column="series", timestamp_column="date")
    horizon = int(wanted.groupby("series").size().max())
    predictor = TimeSeriesPredictor(prediction_length=horizon, target="value", eval_metric="MASE", path="model",
                                    verbosity=1)
    predictor.fit(data, time_limit=fit_seconds(budget))
    forecast = predictor.predict(data)["mean"].reset_index()
    forecast.columns = ["series", "date", "value"]
    submission = wanted.merge(forecast, on=["series", "date"], how="left")
    write(submission.assign(date=submission["date"].dt.strftime("%Y-%m-%d")))
