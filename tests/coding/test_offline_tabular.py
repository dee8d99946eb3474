"""The offline planner's tabular scripts, run for real on small real data: binary, multiclass, regression,
text columns and several file formats. Each script must honour the attempt contract."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from offline_support import context, run_script, spec, table

from mlzero_jupyter.bench.tasks import breast_cancer, cars_text, diabetes_sqlite, iris_excel, wine_parquet
from mlzero_jupyter.perception.profile import profile_columns
from mlzero_jupyter.perception.tables import read_table


def _solve(planner, task, tmp_path, **fields):
    ctx = context(task, tmp_path / "attempt_1", time_limit=fields.pop("time_limit", 25),
                  guidance=fields.pop("guidance", ["only lightgbm"]), **fields)
    draft = planner.write(ctx)
    return draft, run_script(draft.code, ctx.attempt_dir), ctx.attempt_dir


def _check_metrics(metrics: dict, metric: str) -> None:
    assert metrics["metric"] == metric
    assert math.isfinite(metrics["validation_score"])
    assert metrics["higher_is_better"] == (metric not in ("rmse", "mae", "log_loss"))
    assert "validation rows" in metrics["validation"]  # AutoGluon's own: the agent's referee scores separately


@pytest.mark.fit
def test_binary_kaggle_layout_fills_the_sample_submission(planner, tmp_path):
    folder = breast_cancer(tmp_path / "suite") / "input"
    files = [table(folder, "train.csv", "train", missing_markers=["?"]),
             table(folder, "test.csv", "test", missing_markers=["?"]),
             table(folder, "sample_submission.csv", "sample_submission")]
    task = spec(folder, files, problem="binary", target="diagnosis", metric="roc_auc", id_column="patient_id")
    draft, metrics, attempt = _solve(planner, task, tmp_path, time_limit=60)
    _check_metrics(metrics, "roc_auc")
    assert metrics["validation_score"] > 0.9
    predictions = pd.read_csv(attempt / "predictions.csv")
    sample = pd.read_csv(folder / "sample_submission.csv")
    assert list(predictions.columns) == list(sample.columns)
    assert predictions["patient_id"].tolist() == sample["patient_id"].tolist()
    assert predictions["diagnosis"].between(0, 1).all()  # ROC AUC ranks: P(malignant), not a label
    assert (attempt / "leaderboard.csv").exists() and (attempt / "feature_importance.csv").exists()
    assert "only GBM" in draft.summary


@pytest.mark.fit
def test_multiclass_from_two_sheets_of_a_workbook(planner, tmp_path):
    folder = iris_excel(tmp_path / "suite") / "input"
    files = [table(folder, "flowers.xlsx", "train", "excel", table="measured"),
             table(folder, "flowers.xlsx", "test", "excel", table="unlabelled")]
    task = spec(folder, files, problem="multiclass", target="species", metric="accuracy", id_column="flower")
    _, metrics, attempt = _solve(planner, task, tmp_path)
    _check_metrics(metrics, "accuracy")
    predictions = pd.read_csv(attempt / "predictions.csv")
    test = pd.read_excel(folder / "flowers.xlsx", sheet_name="unlabelled")
    assert list(predictions.columns) == ["flower", "species"]
    assert predictions["flower"].tolist() == test["flower"].tolist()
    assert set(predictions["species"]) <= {"setosa", "versicolor", "virginica"}


@pytest.mark.fit
def test_regression_from_sqlite_reports_rmse_with_its_natural_sign(planner, tmp_path):
    folder = diabetes_sqlite(tmp_path / "suite") / "input"
    files = [table(folder, "clinic.sqlite", "train", "sqlite", table="train"),
             table(folder, "clinic.sqlite", "test", "sqlite", table="test")]
    task = spec(folder, files, problem="regression", target="progression", metric="rmse", id_column="patient")
    _, metrics, attempt = _solve(planner, task, tmp_path)
    _check_metrics(metrics, "rmse")
    assert 10 < metrics["validation_score"] < 150  # an error in the target's units, not AutoGluon's negated score
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert len(predictions) == files[1].rows and predictions["progression"].notna().all()


@pytest.mark.fit
def test_text_column_in_a_semicolon_latin1_file(planner, tmp_path):
    folder = cars_text(tmp_path / "suite") / "input"
    options = {"delimiter": ";", "encoding": "latin-1"}
    files = [table(folder, "cars_train.csv", "train", **options), table(folder, "cars_test.csv", "test", **options)]
    assert files[0].column("Name").kind == "text"
    task = spec(folder, files, problem="multiclass", target="Origin", metric="accuracy", id_column="car_id")
    draft, metrics, attempt = _solve(planner, task, tmp_path)
    assert 'sep=";", encoding="latin-1"' in draft.code and "TEXT_COLUMNS = [\"Name\"]" in draft.code
    _check_metrics(metrics, "accuracy")
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert len(predictions) == files[1].rows and set(predictions["Origin"]) <= {"USA", "Europe", "Japan"}


@pytest.mark.fit
def test_a_text_column_the_user_drops_is_left_out_of_the_script(planner, tmp_path):
    folder = cars_text(tmp_path / "suite") / "input"
    options = {"delimiter": ";", "encoding": "latin-1"}
    files = [table(folder, "cars_train.csv", "train", **options), table(folder, "cars_test.csv", "test", **options)]
    task = spec(folder, files, problem="multiclass", target="Origin", metric="accuracy", id_column="car_id")
    draft, metrics, attempt = _solve(planner, task, tmp_path, guidance=["only lightgbm", "drop column Name"])
    assert "TEXT_COLUMNS" not in draft.code and 'IGNORED_COLUMNS = ["car_id", "Name"]' in draft.code
    _check_metrics(metrics, "accuracy")
    assert len(pd.read_csv(attempt / "predictions.csv")) == files[1].rows


@pytest.mark.fit
def test_parquet_without_sample_submission_writes_id_and_target(planner, tmp_path):
    folder = wine_parquet(tmp_path / "suite") / "input"
    files = [table(folder, "data_a.parquet", "train", "parquet"), table(folder, "data_b.parquet", "test", "parquet")]
    task = spec(folder, files, problem="multiclass", target="cultivar", metric="f1_macro", id_column="sample_id")
    _, metrics, attempt = _solve(planner, task, tmp_path)
    _check_metrics(metrics, "f1_macro")
    predictions = pd.read_csv(attempt / "predictions.csv")
    test = pd.read_parquet(folder / "data_b.parquet")
    assert list(predictions.columns) == ["sample_id", "cultivar"]
    assert predictions["sample_id"].tolist() == test["sample_id"].tolist()


@pytest.mark.fit
def test_a_name_column_gives_its_first_word_as_a_category(planner, tmp_path):
    """Car names are nearly all different, so perception calls them a category of one row each; their first word,
    the make, tells where a car was made. A careful analyst adds it, and so does the script."""
    from autogluon.tabular import TabularPredictor

    folder = cars_text(tmp_path / "suite") / "input"
    options = {"delimiter": ";", "encoding": "latin-1"}
    files = [table(folder, "cars_train.csv", "train", **options), table(folder, "cars_test.csv", "test", **options)]
    for info in files:
        info.columns = profile_columns(read_table(folder / info.path, info))
    assert files[0].column("Name").kind == "categorical"
    task = spec(folder, files, problem="multiclass", target="Origin", metric="accuracy", id_column="car_id")
    draft, metrics, attempt = _solve(planner, task, tmp_path, guidance=["only catboost"])
    assert 'NAME_COLUMNS = ["Name"]' in draft.code
    assert "Name_first_word" in TabularPredictor.load(str(attempt / "model")).features()
    assert metrics["validation_score"] > 0.93  # CatBoost on the same rows without the first word: 0.87
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert len(predictions) == files[1].rows and set(predictions["Origin"]) <= {"USA", "Europe", "Japan"}
