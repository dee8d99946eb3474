"""The validator over small real tables: good predictions pass, each kind of mistake fails with its message."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlzero_jupyter.execution import ExecutionResult, Validation, execute, validate
from mlzero_jupyter.perception.spec import ColumnInfo, FileInfo, Inferred, TaskSpec, TimeSeriesInfo

OK_RUN = ExecutionResult(returncode=0, duration_s=1.0)
METRICS = {"metric": "accuracy", "validation_score": 0.9, "higher_is_better": True,
           "validation": "accuracy on a 20% hold-out of train.csv, not used for fitting"}


def _info(root: Path, name: str, frame: pd.DataFrame, role: str, fmt: str = "csv") -> FileInfo:
    if fmt == "parquet":
        frame.to_parquet(root / name, index=False)
    else:
        frame.to_csv(root / name, index=False)
    return FileInfo(name, role=role, format=fmt, rows=len(frame),
                    columns=[ColumnInfo(str(c), str(frame[c].dtype)) for c in frame.columns])


def _task(root: Path, files: list[FileInfo], problem: str, target: str, metric: str, id_column: str | None = None,
          **fields) -> TaskSpec:
    return TaskSpec(str(root), str(root), files=files, problem_type=Inferred(problem, 1.0),
                    target=Inferred(target, 1.0), id_column=Inferred(id_column, 1.0), metric=Inferred(metric, 1.0),
                    higher_is_better=metric not in ("rmse", "mase", "log_loss"), **fields)


@pytest.fixture
def animals(tmp_path: Path) -> tuple[TaskSpec, pd.DataFrame]:
    """Multiclass: train with labels cat/dog/bird, test with ids 100.., a label-style sample submission."""
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"id": range(30), "x": rng.normal(size=30), "animal": ["cat", "dog", "bird"] * 10})
    test = pd.DataFrame({"id": range(100, 110), "x": rng.normal(size=10)})
    sample = test[["id"]].assign(animal="cat")
    files = [_info(data, "train.csv", train, "train"), _info(data, "test.csv", test, "test"),
             _info(data, "sample_submission.csv", sample, "sample_submission")]
    return _task(data, files, "multiclass", "animal", "accuracy", "id"), sample


def _attempt(tmp_path: Path, predictions: pd.DataFrame | None, metrics: dict | None = METRICS,
             name: str = "predictions.csv") -> Path:
    folder = tmp_path / "attempt"
    folder.mkdir(parents=True, exist_ok=True)
    if predictions is not None:
        if name.endswith(".parquet"):
            predictions.to_parquet(folder / name, index=False)
        else:
            predictions.to_csv(folder / name, index=False)
    if metrics is not None:
        (folder / "metrics.json").write_text(json.dumps(metrics))
    return folder


def _problems(task: TaskSpec, folder: Path, run: ExecutionResult = OK_RUN) -> str:
    verdict = validate(task, folder, run)
    assert not verdict.ok
    return "\n".join(verdict.problems)


def test_good_predictions_pass(animals, tmp_path: Path) -> None:
    task, sample = animals
    folder = _attempt(tmp_path, sample.assign(animal=["dog", "bird"] * 5))
    verdict = validate(task, folder, OK_RUN)
    assert verdict.ok and verdict.problems == []
    assert (verdict.score, verdict.metric, verdict.higher_is_better) == (0.9, "accuracy", True)
    assert verdict.how == METRICS["validation"] and verdict.predictions_path == str(folder / "predictions.csv")
    assert Validation.from_dict(verdict.to_dict()) == verdict


@pytest.mark.parametrize("change, message", [
    (lambda s: s.iloc[:7], "3 test ids have no prediction in 'id': '107', '108', '109'"),
    (lambda s: s.assign(id=s["id"] + 5), "5 ids in 'id' are not in the test set"),
    (lambda s: pd.concat([s, s.iloc[:1]]), "Ids repeat in 'id': '100'"),
    (lambda s: s[["animal", "id"]], "columns are ['animal', 'id']; the sample submission has ['id', 'animal']"),
    (lambda s: s.rename(columns={"animal": "label"}), "use the same names in the same order"),
    (lambda s: s.assign(animal=["cat", None] * 5), "missing values in 'animal' (5 rows)"),
    (lambda s: s.assign(animal=["cat", "horse"] * 5), "1 predicted labels in 'animal' never occur in the training "
                                                      "data: 'horse'"),
])
def test_wrong_predictions_fail_with_a_message(animals, tmp_path: Path, change, message: str) -> None:
    task, sample = animals
    assert message in _problems(task, _attempt(tmp_path, change(sample)))


def test_metrics_problems(animals, tmp_path: Path) -> None:
    task, sample = animals
    assert "No metrics.json" in _problems(task, _attempt(tmp_path / "a", sample, metrics=None))
    infinite = _problems(task, _attempt(tmp_path / "b", sample, {**METRICS, "validation_score": math.inf}))
    assert "no finite validation_score (got inf)" in infinite
    text = _problems(task, _attempt(tmp_path / "c", sample, {**METRICS, "validation_score": "0.9"}))
    assert "no finite validation_score" in text
    silent = _problems(task, _attempt(tmp_path / "d", sample, {**METRICS, "validation": " "}))
    assert "does not say how the score was obtained" in silent
    other = _problems(task, _attempt(tmp_path / "e", sample, {**METRICS, "metric": "f1"}))
    assert "reports 'f1', but the task is scored by 'accuracy'" in other
    (tmp_path / "e" / "attempt" / "metrics.json").write_text("{broken")
    assert "not valid JSON" in _problems(task, tmp_path / "e" / "attempt")


def test_a_failed_run_reports_its_error_and_nothing_else(animals, tmp_path: Path) -> None:
    task, _ = animals
    stderr = ('Traceback (most recent call last):\n  File "solution.py", line 3, in <module>\n    fit()\n'
              "KeyError: 'animal'\n")
    problems = validate(task, _attempt(tmp_path, None, None), ExecutionResult(1, 2.0, stderr_tail=stderr)).problems
    assert len(problems) == 1 and problems[0].startswith("The script exited with code 1.")
    assert "KeyError: 'animal'" in problems[0]
    killed = ExecutionResult(-9, 60.0, timed_out=True, killed_reason="it ran into the time limit (60 s)")
    assert "killed: it ran into the time limit" in validate(task, tmp_path, killed).problems[0]


def test_probability_columns_must_sum_to_one(tmp_path: Path, animals) -> None:
    task, sample = animals
    probabilities = sample[["id"]].assign(bird=0.2, cat=0.3, dog=0.5)
    probabilities.to_csv(Path(task.work_path) / "sample_submission.csv", index=False)
    task.sample_submission_file.columns = [ColumnInfo(c, "float64") for c in probabilities.columns]
    assert validate(task, _attempt(tmp_path / "good", probabilities), OK_RUN).ok
    bad = probabilities.assign(dog=0.6)
    assert "do not sum to 1 on 10 of 10 rows (e.g. 1.1)" in _problems(task, _attempt(tmp_path / "bad", bad))


def test_binary_probabilities_in_one_column(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    train = pd.DataFrame({"id": range(20), "x": range(20), "churn": [0, 1] * 10})
    test = pd.DataFrame({"id": range(20, 26), "x": range(6)})
    files = [_info(data, "train.csv", train, "train"), _info(data, "test.csv", test, "test"),
             _info(data, "sample_submission.csv", test[["id"]].assign(churn=0.5), "sample_submission")]
    task = _task(data, files, "binary", "churn", "roc_auc", "id")
    metrics = {**METRICS, "metric": "roc_auc"}
    good = test[["id"]].assign(churn=[0.1, 0.9, 0.4, 0.6, 0.2, 0.8])
    assert validate(task, _attempt(tmp_path / "good", good, metrics), OK_RUN).ok
    assert "outside [0, 1]" in _problems(task, _attempt(tmp_path / "bad", good.assign(churn=1.5), metrics))


def test_regression_without_sample_needs_id_and_numbers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    train = pd.DataFrame({"house": range(20), "rooms": range(20), "price": np.linspace(1, 2, 20)})
    test = pd.DataFrame({"house": range(20, 25), "rooms": range(5)})
    task = _task(data, [_info(data, "train.csv", train, "train"), _info(data, "test.csv", test, "test")],
                 "regression", "price", "rmse", "house")
    metrics = {**METRICS, "metric": "rmse", "validation_score": 0.3}
    good = test[["house"]].assign(price=1.5)
    verdict = validate(task, _attempt(tmp_path / "good", good, metrics), OK_RUN)
    assert verdict.ok and verdict.higher_is_better is False
    text = _problems(task, _attempt(tmp_path / "text", good.assign(price=["cheap"] * 5), metrics))
    assert "'price' must hold finite numbers; 5 rows do not" in text
    assert "lack the column(s) ['price']" in _problems(task, _attempt(tmp_path / "no", good[["house"]], metrics))


def test_file_type_follows_the_sample_submission(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    train = pd.DataFrame({"id": range(10), "y": ["a", "b"] * 5})
    test = pd.DataFrame({"id": range(10, 14)})
    files = [_info(data, "train.parquet", train, "train", "parquet"), _info(data, "test.parquet", test, "test", "parquet"),
             _info(data, "sample.parquet", test.assign(y="a"), "sample_submission", "parquet")]
    task = _task(data, files, "binary", "y", "accuracy", "id")
    assert validate(task, _attempt(tmp_path / "good", test.assign(y="b"), name="predictions.parquet"), OK_RUN).ok
    message = _problems(task, _attempt(tmp_path / "csv", test.assign(y="b")))
    assert "No predictions.parquet in the attempt folder (found predictions.csv)" in message
    folder = _attempt(tmp_path / "broken", None)
    (folder / "predictions.parquet").write_text("not parquet")
    assert "predictions.parquet cannot be read as a table" in _problems(task, folder)


@pytest.fixture
def sales(tmp_path: Path) -> TaskSpec:
    data = tmp_path / "data"
    data.mkdir()
    dates = pd.date_range("2021-01-01", periods=20, freq="D")
    history = pd.DataFrame({"store": np.repeat(["north", "south", "east"], 20), "day": list(dates) * 3,
                            "sales": np.arange(60.0)})
    return _task(data, [_info(data, "history.csv", history, "train")], "forecasting", "sales", "mase",
                 time_series=TimeSeriesInfo("store", "day", "D", 4))


def _forecast(stores: list[str], steps: int) -> pd.DataFrame:
    days = pd.date_range("2021-01-21", periods=steps, freq="D")
    return pd.DataFrame({"store": np.repeat(stores, steps), "day": list(days) * len(stores), "sales": 1.0})


def test_forecasts_cover_every_item_for_the_horizon(sales: TaskSpec, tmp_path: Path) -> None:
    metrics = {**METRICS, "metric": "mase", "validation_score": 0.8}
    assert validate(sales, _attempt(tmp_path / "good", _forecast(["north", "south", "east"], 4), metrics), OK_RUN).ok
    missing = _problems(sales, _attempt(tmp_path / "missing", _forecast(["north", "south"], 4), metrics))
    assert "The forecast misses 1 of 3 items: 'east'" in missing
    short = _problems(sales, _attempt(tmp_path / "short", _forecast(["north", "south", "east"], 3), metrics))
    assert "3 items do not have exactly 4 forecast steps" in short
    bare = _forecast(["north", "south", "east"], 4)[["store", "day"]]
    assert "no value column" in _problems(sales, _attempt(tmp_path / "bare", bare, metrics))


def test_forecast_rows_follow_the_test_file(sales: TaskSpec, tmp_path: Path) -> None:
    data = Path(sales.work_path)
    sales.files.append(_info(data, "future.csv", _forecast(["north", "south", "east"], 4)[["store", "day"]], "test"))
    metrics = {**METRICS, "metric": "mase", "validation_score": 0.8}
    assert validate(sales, _attempt(tmp_path / "good", _forecast(["north", "south", "east"], 4), metrics), OK_RUN).ok
    text = _problems(sales, _attempt(tmp_path / "bad", _forecast(["north", "south", "east"], 5), metrics))
    assert "3 not requested, 15 rows for 12" in text


def _images(folder: Path, names: list[str], size=(8, 6)) -> None:
    from PIL import Image

    folder.mkdir(parents=True)
    for name in names:
        Image.new("RGB", size, (200, 10, 10)).save(folder / name)


def test_image_classification_one_label_per_test_image(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _images(data / "train" / "red", ["r1.png", "r2.png"])
    _images(data / "train" / "blue", ["b1.png"])
    _images(data / "test", ["t1.png", "t2.png", "t3.png"])
    task = _task(data, [FileInfo("train", role="train", format="image_folder", classes=["blue", "red"]),
                        FileInfo("test", role="test", format="image_folder", file_count=3)],
                 "multiclass", "label", "accuracy", modality=Inferred("image", 1.0))
    good = pd.DataFrame({"image": ["t1.png", "t2.png", "t3.png"], "label": ["red", "blue", "red"]})
    assert validate(task, _attempt(tmp_path / "good", good), OK_RUN).ok
    assert "'t3.png'" in _problems(task, _attempt(tmp_path / "missing", good.iloc[:2]))
    assert "'green'" in _problems(task, _attempt(tmp_path / "green", good.assign(label="green")))


def test_segmentation_masks_match_the_test_images(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _images(data / "test", ["a.png", "b.png"], size=(8, 6))
    task = _task(data, [FileInfo("test", role="test", format="image_folder")], "semantic_segmentation",
                 "masks", "mean_iou", modality=Inferred("image", 1.0))
    metrics = {**METRICS, "metric": "mean_iou"}
    folder = _attempt(tmp_path / "good", None, metrics)
    _images(folder / "predictions", ["a.png", "b.png"], size=(8, 6))
    assert validate(task, folder, OK_RUN).ok
    folder = _attempt(tmp_path / "bad", None, metrics)
    _images(folder / "predictions", ["a.png"], size=(4, 4))
    text = _problems(task, folder)
    assert "1 test images have no mask in predictions/: 'b'" in text and "The mask of a.png is 4x4" in text


def test_a_real_run_is_validated_end_to_end(animals, tmp_path: Path) -> None:
    task, _ = animals
    folder = tmp_path / "attempt_1"
    folder.mkdir()
    (folder / "solution.py").write_text(f'''
import json
import pandas as pd
from pathlib import Path
DATA_DIR = Path({task.work_path!r})
submission = pd.read_csv(DATA_DIR / "sample_submission.csv")
submission["animal"] = "dog"
submission.to_csv("predictions.csv", index=False)
Path("metrics.json").write_text(json.dumps({METRICS!r}))
''')
    run = execute(folder / "solution.py", cwd=folder, timeout=60, readable=[Path(task.work_path)])
    verdict = validate(task, folder, run)
    assert verdict.ok, verdict.problems
