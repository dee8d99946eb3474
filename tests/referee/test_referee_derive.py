"""The referee's derived data: labelled rows moved, without labels, into the test set of every layout perception
reads; the answers stay in memory; predictions are scored by id, file name, position or (item, timestamp)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlzero_jupyter.metrics import normalise_key
from mlzero_jupyter.perception import perceive
from mlzero_jupyter.referee import derive, judge
from mlzero_jupyter.referee.judge import held_out_rows, keys_of, score_held_out
from mlzero_jupyter.result import RunResult

DESCRIPTION = "Predict the species of each flower."


def _derived(folder: Path, tmp_path: Path, description: str = DESCRIPTION):
    task = perceive(folder, description)
    referee = derive(task, tmp_path / "run" / "referee_data", seed=0)
    assert referee is not None
    return task, referee


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for p in folder.rglob("*") if p.is_file())


def test_csv_rows_move_to_the_test_set_without_their_labels(iris_csv, tmp_path):
    task, referee = _derived(iris_csv, tmp_path)
    answers = referee.answers
    train = pd.read_csv(referee.root / "train.csv")
    test = pd.read_csv(referee.root / "test.csv")
    sample = pd.read_csv(referee.root / "sample_submission.csv")
    original = pd.read_csv(iris_csv / "train.csv")
    assert answers.key_column == "flower_id" and answers.rows == 24  # a fifth of 120 labelled rows
    assert len(train) + answers.rows == len(original) and "species" not in test
    assert set(answers.keys) <= {normalise_key(v) for v in test["flower_id"]}
    assert not set(answers.keys) & {normalise_key(v) for v in train["flower_id"]}
    assert list(sample["flower_id"]) == list(test["flower_id"])  # the sample covers every row to predict
    shares = pd.Series(answers.truth).value_counts() / original["species"].value_counts()
    assert shares.between(0.17, 0.23).all()  # stratified: a fifth of each class
    assert referee.task.work_path == str(referee.root) and task.work_path == str(iris_csv)
    assert referee.description("accuracy") == "accuracy on 24 held-out rows the attempts never saw"


def test_no_file_an_attempt_can_read_pairs_a_held_out_id_with_its_label(iris_csv, tmp_path):
    _, referee = _derived(iris_csv, tmp_path)
    answers = referee.answers
    for name in ("train.csv", "test.csv", "sample_submission.csv"):
        frame = pd.read_csv(referee.root / name).astype(str)
        if "species" in frame and "flower_id" in frame:
            pairs = set(zip(frame["flower_id"].map(normalise_key), frame["species"]))
            assert not pairs & set(zip(answers.keys, answers.truth)) or name == "sample_submission.csv"
    sample = pd.read_csv(referee.root / "sample_submission.csv")
    held = sample[sample["flower_id"].map(normalise_key).isin(answers.keys)]
    assert held["species"].nunique() == 1  # placeholders copied from the sample's first row, not the answers


def test_the_same_seed_gives_the_same_rows_and_a_resume_keeps_the_folder(iris_csv, tmp_path):
    task, first = _derived(iris_csv, tmp_path)
    stamp = (first.root / "train.csv").stat().st_mtime_ns
    again = derive(task, first.root, seed=0)
    assert again.answers.keys == first.answers.keys and again.answers.truth == first.answers.truth
    assert (first.root / "train.csv").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("name", ["parquet", "jsonl", "excel", "sqlite", "no_ids"])
def test_every_table_format_is_derived_in_its_own_format(iris_formats, tmp_path, name):
    task, referee = _derived(iris_formats[name], tmp_path)
    derived = referee.task
    from mlzero_jupyter.perception.tables import read_table

    train = read_table(derived.absolute(derived.train_file), derived.train_file)
    test = read_table(derived.absolute(derived.test_file), derived.test_file)
    original = read_table(task.absolute(task.train_file), task.train_file)
    assert derived.train_file.format == task.train_file.format
    assert len(train) == len(original) - referee.answers.rows and "species" not in test
    assert len(test) == task.test_file.rows + referee.answers.rows if task.test_file.rows else True
    if name == "no_ids":  # rows are matched by position: the held-out ones come after the real test rows
        assert referee.answers.key_column is None and referee.answers.keys[0] == str(len(test) - referee.answers.rows)
    if name == "excel":  # the other sheet of the workbook is still there
        assert set(pd.read_excel(referee.root / "flowers.xlsx", sheet_name=None)) == {"train", "test"}


def test_perfect_constant_and_missing_predictions(iris_csv, tmp_path):
    _, referee = _derived(iris_csv, tmp_path)
    answers = referee.answers
    test = pd.read_csv(referee.root / "test.csv")
    truth = dict(zip(answers.keys, answers.truth))
    perfect = pd.DataFrame({"flower_id": test["flower_id"].astype(float),  # 12.0 names the same row as 12
                            "species": [truth.get(normalise_key(v), "setosa") for v in test["flower_id"]]})
    attempt = tmp_path / "attempt"
    attempt.mkdir()
    perfect.to_csv(attempt / "predictions.csv", index=False)
    verdict = judge(answers, attempt / "predictions.csv", "accuracy")
    assert verdict.ok and verdict.score == 1.0 and len(verdict.held_out) == answers.rows

    perfect.assign(species="setosa").to_csv(attempt / "predictions.csv", index=False)
    verdict = judge(answers, attempt / "predictions.csv", "accuracy")
    assert not verdict.ok and "every held-out row got the same prediction" in verdict.problems[0]

    perfect.assign(flower_id=[f"x{v}" for v in perfect["flower_id"]]).to_csv(attempt / "predictions.csv", index=False)
    verdict = judge(answers, attempt / "predictions.csv", "accuracy")
    assert not verdict.ok and f"24 of 24 held-out rows have no prediction" in verdict.problems[0]

    perfect.to_csv(attempt / "predictions.csv", index=False)
    (attempt / "fallback.json").write_text('{"filled_rows": 20}')
    verdict = judge(answers, attempt / "predictions.csv", "accuracy")
    assert not verdict.ok and "are a fallback value" in verdict.problems[0]


def test_class_probabilities_are_scored_by_ranking_and_label_metrics(iris_csv, tmp_path):
    _, referee = _derived(iris_csv, tmp_path)
    answers = referee.answers
    classes = ["setosa", "versicolor", "virginica"]
    probabilities = pd.DataFrame([[0.8 if c == t else 0.1 for c in classes] for t in answers.truth],
                                 columns=classes, index=answers.keys)
    assert score_held_out(answers, probabilities, "accuracy") == 1.0
    assert score_held_out(answers, probabilities, "log_loss") == pytest.approx(-np.log(0.8))


def test_image_folders_hide_held_out_images_under_fresh_numbers(digit_images, tmp_path):
    task, referee = _derived(digit_images, tmp_path, "Which digit is in each image?")
    answers = referee.answers
    test_names = sorted(p.name for p in (referee.root / "test").iterdir())
    assert len(test_names) == 60 + answers.rows and answers.key_column == "id"
    assert all(int(key) >= 300 for key in answers.keys)  # numbers after the real ones, like them
    trained = sum(1 for _ in (referee.root / "train").rglob("*.png"))
    assert trained == 240 - answers.rows
    sample = pd.read_csv(referee.root / "sample_submission.csv")
    assert pd.api.types.is_integer_dtype(sample["id"]) and len(sample) == 60 + answers.rows
    predictions = sample.assign(label=[dict(zip(answers.keys, answers.truth)).get(str(i), "0") for i in sample["id"]])
    attempt = tmp_path / "attempt"
    attempt.mkdir()
    predictions.to_csv(attempt / "predictions.csv", index=False)
    assert judge(answers, attempt / "predictions.csv", "accuracy").score == 1.0
    # ids written as file names still match (12345.png names the same image as 12345)
    predictions.assign(id=[f"{i}.png" for i in predictions["id"]]).to_csv(attempt / "predictions.csv", index=False)
    assert judge(answers, attempt / "predictions.csv", "accuracy").score == 1.0


def test_forecasts_hold_out_the_last_window_of_every_series(quarterly_series, tmp_path):
    task, referee = _derived(quarterly_series, tmp_path, "Forecast the next 8 quarters of every series.")
    answers = referee.answers
    horizon = task.time_series.prediction_length
    history = pd.read_csv(referee.root / "history.csv")
    original = pd.read_csv(quarterly_series / "history.csv")
    assert answers.kind == "forecast" and answers.rows == 3 * horizon and len(history) == len(original) - 3 * horizon
    assert history.groupby("series")["date"].max().max() < original["date"].max()
    truth = original.groupby("series").tail(horizon)
    forecast = truth.rename(columns={"value": "value"}).copy()
    attempt = tmp_path / "attempt"
    attempt.mkdir()
    forecast.to_csv(attempt / "predictions.csv", index=False)
    verdict = judge(answers, attempt / "predictions.csv", "mase")
    assert verdict.ok and verdict.score == 0.0
    naive = forecast.assign(value=forecast["series"].map(history.groupby("series")["value"].last()))
    naive.to_csv(attempt / "predictions.csv", index=False)
    assert judge(answers, attempt / "predictions.csv", "mase").score > 0.5
    assert list(keys_of(answers, forecast)[:1]) == [f"realcons|{pd.Timestamp(truth['date'].iloc[0]):%Y-%m-%d %H:%M:%S}"
                                                     .replace("realcons", truth["series"].iloc[0])]
    assert held_out_rows(answers, forecast).shape == (answers.rows, 1)



@pytest.mark.parametrize("metric", ["rmse", "mae", "mape", "wql"])
def test_a_forecast_is_scored_on_the_metric_the_task_names(quarterly_series, tmp_path, metric):
    """Not MASE whatever was asked: the score shown carries the task's metric, computed on the point forecast."""
    from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, root_mean_squared_error

    task, referee = _derived(quarterly_series, tmp_path, "Forecast the next 8 quarters of every series.")
    answers = referee.answers
    history = pd.read_csv(referee.root / "history.csv")
    truth = pd.read_csv(quarterly_series / "history.csv").groupby("series").tail(task.time_series.prediction_length)
    naive = truth.assign(value=truth["series"].map(history.groupby("series")["value"].last()))
    attempt = tmp_path / "attempt"
    attempt.mkdir()
    naive.to_csv(attempt / "predictions.csv", index=False)
    y, p = truth["value"].to_numpy(), naive["value"].to_numpy()
    expected = {"rmse": root_mean_squared_error(y, p), "mae": mean_absolute_error(y, p),
                "mape": mean_absolute_percentage_error(y, p), "wql": np.abs(y - p).sum() / np.abs(y).sum()}
    assert judge(answers, attempt / "predictions.csv", metric).score == pytest.approx(expected[metric])
    assert judge(answers, attempt / "predictions.csv", "mase").score != pytest.approx(expected[metric])

def test_segmentation_hides_held_out_images_without_their_masks(digit_masks, tmp_path):
    from PIL import Image

    task, referee = _derived(digit_masks, tmp_path, "Segment the ink of each digit.")
    answers = referee.answers
    assert answers.kind == "masks" and answers.rows == 10
    assert len(list((referee.root / "train" / "masks").iterdir())) == 40
    held = sorted((referee.root / "test" / "images").glob("holdout-*.png"))
    assert [p.stem for p in held] == answers.keys
    attempt = tmp_path / "attempt"
    (attempt / "predictions").mkdir(parents=True)
    for key, truth in zip(answers.keys, answers.truth):
        Image.fromarray(truth.astype("uint8")).save(attempt / "predictions" / f"{key}.png")
    assert judge(answers, attempt / "predictions", "mean_iou").score == 1.0
    (attempt / "predictions" / f"{answers.keys[0]}.png").unlink()
    verdict = judge(answers, attempt / "predictions", "mean_iou")
    assert not verdict.ok and "1 of 10 held-out images have no mask" in verdict.problems[0]


def test_a_half_hourly_forecast_is_judged_on_a_whole_week(tmp_path):
    """A day's horizon of half-hourly data: the referee holds out the last week (every weekday judged, not one
    day), so the weekly seasonal-naive forecast beats the daily one there, as it does on the hidden Sunday."""
    from mlzero_jupyter.bench.tasks import taylor_demand

    folder = taylor_demand(tmp_path / "suite") / "input"
    task, referee = _derived(folder, tmp_path, "Forecast the electricity demand for every half hour in test.csv; MASE.")
    answers = referee.answers
    original = pd.read_csv(folder / "demand.csv")
    history = pd.read_csv(referee.root / "demand.csv")
    wanted = pd.read_csv(referee.root / "test.csv")
    assert task.time_series.prediction_length == 48 and referee.task.time_series.prediction_length == 336
    assert "take the horizon from them" in referee.task.time_series.prediction_length_source  # an LLM's prompt says so
    assert answers.rows == len(wanted) == 336 and len(history) == len(original) - 336
    assert wanted["time"].tolist() == original["time"].tail(336).tolist()
    values = history["demand_mw"].to_numpy()
    scores = {}
    for period in (48, 336):
        repeated = np.resize(values[-period:], 336)  # the last period, repeated over the week
        held = pd.DataFrame({"demand_mw": repeated}, index=answers.keys)
        scores[period] = score_held_out(answers, held, "mase")
    assert scores[336] < 0.5 < scores[48]


def test_the_score_comes_with_its_bootstrap_standard_error(iris_csv, tmp_path):
    _, referee = _derived(iris_csv, tmp_path)
    answers = referee.answers
    test = pd.read_csv(referee.root / "test.csv")
    truth = dict(zip(answers.keys, answers.truth))
    held = [normalise_key(v) for v in test["flower_id"] if normalise_key(v) in truth]
    wrong = set(held[::3])  # a third of the held-out rows answered wrongly
    other = {"setosa": "virginica", "versicolor": "setosa", "virginica": "versicolor"}
    labels = [other[truth[k]] if k in wrong else truth.get(k, "setosa") for k in map(normalise_key, test["flower_id"])]
    attempt = tmp_path / "attempt"
    attempt.mkdir()
    pd.DataFrame({"flower_id": test["flower_id"], "species": labels}).to_csv(attempt / "predictions.csv", index=False)
    verdict = judge(answers, attempt / "predictions.csv", "accuracy")
    accuracy = 1 - len(wrong) / answers.rows
    assert verdict.ok and verdict.score == pytest.approx(accuracy)
    binomial = np.sqrt(accuracy * (1 - accuracy) / answers.rows)  # what theory says for an accuracy
    assert 0.7 * binomial < verdict.error < 1.3 * binomial

    result = RunResult("r", "runs/r", "success", metric="accuracy", validation_score=verdict.score,
                       validation_score_error=verdict.error, validation=referee.description("accuracy"))
    assert f"accuracy = {verdict.score:.5g} ± {verdict.error:.2g} (accuracy on 24 held-out rows" in str(result)


@pytest.mark.parametrize(("horizon", "frequency", "window"), [
    (48, "30min", 336),  # a day of half-hours: the week, seven days
    (24, "h", 168),  # a day of hours: the week
    (6, "MS", 12),  # half a year of months: the year, two horizons
    (8, "QS-OCT", 8),  # two years of quarters already cover the year
    (14, "D", 14),  # two weeks of days cover the week
    (4, "min", 28),  # four minutes: at most seven horizons, not a week of minutes
    (12, None, 12),  # no frequency: one horizon
])
def test_the_forecast_window_covers_the_longest_season_in_whole_horizons(horizon, frequency, window):
    from mlzero_jupyter.referee.holdout import forecast_window

    assert forecast_window(horizon, frequency) == window


def test_series_too_short_for_a_season_of_windows_give_one_horizon():
    from mlzero_jupyter.referee.holdout import forecast_rows

    frame = pd.DataFrame({"time": pd.date_range("2024-01-01", periods=600, freq="30min"), "value": range(600)})
    chosen, window = forecast_rows(frame, None, "time", 48, "30min")  # 3 weeks of steps needed, 12.5 days here
    assert window == 48 and chosen.tolist() == list(range(552, 600))


def test_without_rows_to_forecast_listed_the_referee_holds_out_one_horizon(tmp_path):
    """No test file: a script forecasts each series' horizon by itself, so the referee's window stays one horizon
    (a week-long one would make the final run on the user's data forecast a week too)."""
    from mlzero_jupyter.bench.tasks import taylor_demand

    folder = taylor_demand(tmp_path / "suite") / "input"
    (folder / "test.csv").unlink()
    task, referee = _derived(folder, tmp_path, "Forecast the electricity demand for the next day, every half hour; "
                                               "MASE.")
    assert task.time_series.prediction_length == 48 and task.test_file is None
    assert referee.answers.rows == 48 and referee.task.time_series.prediction_length == 48


def test_draws_that_miss_a_class_warn_nobody():
    """A bootstrap draw of a rare class's rows may leave it out; scikit-learn's warning must not reach the user."""
    from sklearn.metrics import balanced_accuracy_score

    from mlzero_jupyter.referee.uncertainty import bootstrap_error

    truth = np.array(["dry"] * 30 + ["rain"] * 3 + ["snow"] * 2)
    predicted = np.array(["dry"] * 28 + ["snow"] * 7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        error = bootstrap_error(lambda rows: balanced_accuracy_score(truth[rows], predicted[rows]), len(truth))
    assert error is not None and 0 < error < 0.5


def test_a_slow_metric_gets_fewer_bootstrap_draws_not_seconds_more():
    """The bootstrap stops drawing after its time cap once enough draws are scored, and still gives an error."""
    import time

    from mlzero_jupyter.referee import uncertainty

    truth = np.arange(50, dtype=float)
    calls = []

    def slow_score(rows: np.ndarray) -> float:
        calls.append(1)
        time.sleep(0.05)
        return float(truth[rows].mean())

    began = time.monotonic()
    error = uncertainty.bootstrap_error(slow_score, len(truth))
    assert error is not None and error > 0
    assert uncertainty.MIN_DRAWS <= len(calls) < uncertainty.RESAMPLES
    assert time.monotonic() - began < uncertainty.SECONDS_CAP + 20 * 0.05
