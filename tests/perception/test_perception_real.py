"""Real datasets that ship inside installed packages, written out raw, with the inference perception must make."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mlzero_jupyter.bench.tasks import BUILDERS
from mlzero_jupyter.cli import main
from mlzero_jupyter.perception import TaskSpec, perceive


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_development_suite_tasks(name, tmp_path, digest, capsys):
    """`mlzero inspect` reads the development suite's tasks (their task.json holds the truth) as their authors
    meant."""
    folder = BUILDERS[name](tmp_path)
    truth = json.loads((folder / "task.json").read_text())
    before = digest(folder / "input")
    capsys.readouterr()
    assert main(["inspect", str(folder / "input"), "-d", truth["description"], "--json"]) == 0
    spec = TaskSpec.from_json(capsys.readouterr().out)
    assert digest(folder / "input") == before
    assert spec.target.value == _target_as_perceived(folder, truth)
    assert spec.problem_type.value == truth["problem_type"]
    assert (spec.metric.value, spec.higher_is_better) == (truth["metric"], truth["higher_is_better"])
    assert spec.id_column.value == truth["id_column"]
    assert not {"target", "problem_type", "metric"} & set(spec.ambiguous_fields)
    queries = spec.retrieval.queries_file if spec.retrieval else None  # a retrieval task ranks for its queries
    assert spec.test_file is not None or spec.sample_submission_file is not None or queries  # the rows to predict


def _target_as_perceived(folder, truth: dict):
    """task.json's target; for label sets in 0/1 columns, those columns of the sample submission (task.json names
    the hidden answers' column of label lists)."""
    sample = folder / "input" / "sample_submission.csv"
    if truth["problem_type"] != "multilabel" or not sample.exists():
        return truth["target"]
    labels = [c for c in sample.read_text().splitlines()[0].split(",") if c != truth["id_column"]]
    return labels if len(labels) > 1 else truth["target"]


def test_sklearn_wine_without_description(tmp_path):
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    frame.to_csv(tmp_path / "wine.csv", index=False)
    spec = perceive(tmp_path / "wine.csv")
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == ("target", "multiclass", "accuracy")
    assert spec.train_file.rows == 178 and not spec.train_file.rows_estimated


def test_sklearn_diabetes_regression_tsv(tmp_path):
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "disease_progression"})
    frame.to_csv(tmp_path / "diabetes.tsv", sep="\t", index=False)
    spec = perceive(tmp_path, "how much will the disease progress? R2")
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == ("disease_progression", "regression",
                                                                               "r2")
    assert spec.train_file.delimiter == "\t"


def test_statsmodels_co2_single_series(tmp_path):
    import statsmodels.api as sm

    co2 = sm.datasets.co2.load_pandas().data.rename_axis("week").reset_index()
    co2.to_csv(tmp_path / "co2.csv", index=False)
    spec = perceive(tmp_path)
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == ("co2", "forecasting", "mase")
    series = spec.time_series
    assert (series.item_id_column, series.timestamp_column, series.frequency) == (None, "week", "W-SAT")
    assert (series.prediction_length, series.prediction_length_source) == (8, "default")


def test_statsmodels_sunspots_yearly_with_description(tmp_path):
    import statsmodels.api as sm

    sunspots = sm.datasets.sunspots.load_pandas().data
    sunspots["YEAR"] = pd.to_datetime(sunspots["YEAR"].astype(int).astype(str) + "-01-01")
    sunspots.to_csv(tmp_path / "sunspots.csv", index=False)
    spec = perceive(tmp_path, "forecast the sunspot activity for the next 10 years")
    assert (spec.target.value, spec.problem_type.value) == ("SUNACTIVITY", "forecasting")
    assert (spec.time_series.frequency, spec.time_series.prediction_length) == ("YS-JAN", 10)


def test_vega_stocks_long_format(tmp_path):
    from vega_datasets import local_data

    local_data.stocks().to_csv(tmp_path / "stocks.csv", index=False)
    spec = perceive(tmp_path)
    assert (spec.target.value, spec.problem_type.value, spec.modality.value) == ("price", "forecasting",
                                                                                 "time_series")
    assert (spec.time_series.item_id_column, spec.time_series.frequency) == ("symbol", "MS")


def test_vega_seattle_weather_classification(tmp_path):
    from vega_datasets import local_data

    local_data.seattle_weather().to_csv(tmp_path / "seattle-weather.csv", index=False)
    spec = perceive(tmp_path, "predict the weather of each day")
    assert (spec.target.value, spec.problem_type.value, spec.modality.value) == ("weather", "multiclass", "tabular")
    assert spec.train_file.column("date").kind == "datetime"


def test_vega_cars_json_with_missing_values(tmp_path):
    from vega_datasets import local_data

    cars = local_data.cars()
    cars["Year"] = cars["Year"].dt.year
    (tmp_path / "cars.json").write_text(cars.to_json(orient="records"))
    spec = perceive(tmp_path, "estimate the fuel economy (Miles_per_Gallon) of each car")
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == ("Miles_per_Gallon", "regression",
                                                                               "rmse")
    assert spec.train_file.column("Horsepower").missing_fraction > 0


def test_vega_iris_kaggle_layout_by_content(tmp_path):
    from vega_datasets import local_data

    iris = local_data.iris()
    iris.insert(0, "Id", np.arange(1, len(iris) + 1))
    test = iris.sample(frac=0.2, random_state=0)
    iris.drop(test.index).to_csv(tmp_path / "Iris_labelled.csv", index=False)
    test.drop(columns="species").to_csv(tmp_path / "iris_new.csv", index=False)
    spec = perceive(tmp_path)
    assert (spec.target.value, spec.problem_type.value, spec.id_column.value) == ("species", "multiclass", "Id")
    assert spec.test_file.path == "iris_new.csv"


def test_breast_cancer_leak_and_imbalance(tmp_path):
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame["diagnosis"] = np.where(frame.pop("target") == 0, "malignant", "benign")
    frame["biopsy_result"] = frame["diagnosis"].str.upper()
    rare = frame[frame["diagnosis"] == "malignant"].head(10)
    pd.concat([frame[frame["diagnosis"] == "benign"], rare]).to_csv(tmp_path / "train.csv", index=False)
    spec = perceive(tmp_path, "is the tumour malignant?")  # both columns hold 'malignant': not decided
    assert spec.target.ambiguous and {spec.target.value, *spec.target.alternatives} >= {"diagnosis", "biopsy_result"}
    spec = perceive(tmp_path, "predict the diagnosis")
    assert spec.target.value == "diagnosis" and not spec.target.ambiguous
    assert any("biopsy_result" in w for w in spec.warnings)
    assert any("imbalance" in w for w in spec.warnings)
