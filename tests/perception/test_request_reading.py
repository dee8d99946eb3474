"""Perception reads the request like an analyst: column phrases in any naming style, the kind of answer asked for,
likelihoods, metrics named in words. Real tables (vega_datasets, statsmodels, scikit-learn), renamed into the styles."""

from __future__ import annotations

import numpy as np
import pytest

from mlzero_jupyter.perception import perceive
from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.summary import summary_text


def _write(folder, frame, name="data.csv"):
    frame.to_csv(folder / name, index=False)
    return folder


@pytest.fixture
def films(tmp_path):
    """vega's cars renamed like a film table: a categorical `Rating` (3 values) and a numeric `imdbRating`."""
    from vega_datasets import local_data

    cars = local_data.cars().rename(columns={"Name": "Title", "Origin": "Rating", "Miles_per_Gallon": "imdbRating"})
    return _write(tmp_path, cars[["Title", "imdbRating", "Rating", "Cylinders", "Horsepower", "Weight_in_lbs",
                                 "Acceleration", "Year"]])


def test_imdb_rating_names_the_camel_case_column_not_the_word_match(films):
    description = "Estimate the IMDb rating of the films"
    assert Description(description).mention_scores(["Rating"]), "the naive word match names `Rating` too"
    spec = perceive(films, description)
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == ("imdbRating", "regression", "rmse")
    assert spec.target.confidence >= 0.85 and "Rating" not in spec.target.alternatives


def test_estimate_prefers_the_numeric_column_and_which_the_categorical_one(films):
    amount = perceive(films, "Estimate the rating of each film")
    assert amount.target.value == "imdbRating" and "Rating" in amount.target.alternatives
    assert amount.problem_type.value == "regression"
    kind = perceive(films, "Which rating does each film get?")
    assert (kind.target.value, kind.problem_type.value) == ("Rating", "multiclass")


@pytest.mark.parametrize(("description", "target"), [
    ("Estimate the aluminium prices", "AlumPrice"),   # abbreviation 'alum', plural, against CopperPrice's 'price'
    ("Estimate copper prices", "CopperPrice"),          # camelCase and plural
    ("What will the world consumption be?", "world_consumption"),  # snake_case
])
def test_copper_prices_in_camel_and_snake_case(tmp_path, description, target):
    import statsmodels.api as sm

    copper = sm.datasets.copper.load_pandas().data.rename(columns={
        "COPPERPRICE": "CopperPrice", "ALUMPRICE": "AlumPrice", "WORLDCONSUMPTION": "world_consumption"})
    spec = perceive(_write(tmp_path, copper), description)
    assert (spec.target.value, spec.problem_type.value) == (target, "regression")


def test_upper_case_written_together(tmp_path):
    import statsmodels.api as sm

    spec = perceive(_write(tmp_path, sm.datasets.copper.load_pandas().data), "Estimate the copper price")
    assert spec.target.value == "COPPERPRICE"  # 'copper price' written together in capitals


@pytest.mark.parametrize(("description", "target", "problem_type"), [
    ("Estimate how many years each woman has been married", "yrs_married", "regression"),  # 'yrs' ... 'married'
    ("Which education level does each woman have?", "educ", "multiclass"),                   # 'educ'
])
def test_abbreviated_snake_case_names(tmp_path, description, target, problem_type):
    import statsmodels.api as sm

    spec = perceive(_write(tmp_path, sm.datasets.fair.load_pandas().data), description)
    assert (spec.target.value, spec.problem_type.value) == (target, problem_type)


def test_acronyms_name_columns(tmp_path):
    from sklearn.datasets import load_diabetes
    from vega_datasets import local_data

    cars = local_data.cars().rename(columns={"Miles_per_Gallon": "MPG"})
    (tmp_path / "cars").mkdir()
    assert perceive(_write(tmp_path / "cars", cars), "Estimate the miles per gallon of each car").target.value == "MPG"
    (tmp_path / "clinic").mkdir()
    clinic = load_diabetes(as_frame=True, scaled=False).frame
    assert perceive(_write(tmp_path / "clinic", clinic), "Estimate the blood pressure of each patient"
                    ).target.value == "bp"


def _tumours(folder, sample_submission: bool):
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    frame["diagnosis"] = np.where(frame.pop("target") == 0, "malignant", "benign")
    frame.insert(0, "patient_id", np.arange(1, len(frame) + 1))
    test = frame.sample(frac=0.25, random_state=0)
    frame.drop(test.index).to_csv(folder / "train.csv", index=False)
    test.drop(columns="diagnosis").to_csv(folder / "test.csv", index=False)
    if sample_submission:
        test[["patient_id"]].assign(diagnosis="benign").to_csv(folder / "sample_submission.csv", index=False)
    return folder


@pytest.mark.parametrize(("description", "sample_submission"), [
    ("How likely is each tumour to be malignant?", False),
    ("How likely is each tumour to be malignant?", True),  # a sample of labels does not overrule the words
    ("Give the probability that each tumour is malignant", False),
    ("What is the chance of a malignant diagnosis?", True),
    ("Produce a risk score for every patient", False),
])
def test_likelihood_requests_ask_for_probabilities_and_auc(tmp_path, description, sample_submission):
    spec = perceive(_tumours(tmp_path, sample_submission), description)
    assert (spec.target.value, spec.problem_type.value) == ("diagnosis", "binary")
    assert spec.wants_probabilities and (spec.metric.value, spec.higher_is_better) == ("roc_auc", True)


def test_labels_requested_stay_labels_and_a_named_metric_wins(tmp_path):
    labels = perceive(_tumours(tmp_path, True), "Which tumours are malignant?")
    assert not labels.wants_probabilities and labels.metric.value == "accuracy"
    named = perceive(tmp_path, "How likely is each tumour to be malignant? Scored by log loss.")
    assert named.wants_probabilities and named.metric.value == "log_loss"


def test_multiclass_probabilities_are_scored_by_log_loss(tmp_path):
    from vega_datasets import local_data

    spec = perceive(_write(tmp_path, local_data.iris()), "What is the probability of each species for every flower?")
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == ("species", "multiclass", "log_loss")
    assert spec.wants_probabilities and not spec.higher_is_better
    assert "class probabilities" in summary_text(spec)  # `mlzero inspect` says so


@pytest.mark.parametrize(("words", "metric"), [
    ("Errors are judged on the log of the progression.", "rmsle"),
    ("Submissions are scored by their average absolute error.", "mae"),
    ("We look at the percentage error of each prediction.", "mape"),
    ("Judged by the average squared error.", "rmse"),
    ("The score is the share of variance explained.", "r2"),
])
def test_regression_metrics_named_in_words(tmp_path, words, metric):
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "progression"})
    spec = perceive(_write(tmp_path, frame), f"Predict the disease progression. {words}")
    assert (spec.target.value, spec.metric.value, spec.metric.confidence) == ("progression", metric, 0.95)


@pytest.mark.parametrize(("words", "metric"), [
    ("Scored by the area under the curve.", "roc_auc"),
    ("Scored by the harmonic mean of precision and recall.", "f1"),
    ("We count the fraction correctly classified.", "accuracy"),
])
def test_classification_metrics_named_in_words(tmp_path, words, metric):
    spec = perceive(_tumours(tmp_path, False), f"Which tumours are malignant? {words}")
    assert spec.metric.value == metric


def test_log_of_probabilities_is_log_loss_not_rmsle(tmp_path):
    spec = perceive(_tumours(tmp_path, False), "Which tumours are malignant? Judged on the log of the predicted "
                                               "probability.")
    assert spec.metric.value == "log_loss"


def test_balanced_accuracy_in_words_on_imbalanced_weather(tmp_path):
    from vega_datasets import local_data

    weather = local_data.seattle_weather().rename(columns={"weather": "WeatherType", "temp_max": "tempMax"})
    spec = perceive(_write(tmp_path, weather.drop(columns="date")), "Which weather type was it? Scored by the "
                                                                     "average recall per class.")
    assert (spec.target.value, spec.metric.value) == ("WeatherType", "balanced_accuracy")


@pytest.mark.parametrize(("text", "columns", "named"), [
    ("Which agent handled the call?", ["age", "duration"], set()),          # 'age' is not 'agent'
    ("Estimate the median house value", ["MedHouseVal", "HouseAge", "MedInc"], {"MedHouseVal"}),
    ("which price band is it in", ["SalePrice", "price_band"], {"price_band"}),
    ("estimate the temperature", ["temp", "humidity"], {"temp"}),
])
def test_phrase_rules(text, columns, named):
    """The longest name wins, a one-word name is not found inside a longer word, abbreviations are words."""
    assert set(Description(text).mention_scores(columns)) == named


def test_will_it_rain_the_next_day_stays_a_classification(tmp_path):
    from vega_datasets import local_data

    weather = local_data.seattle_weather()
    weather["rain"] = (weather["precipitation"] > 0).map({True: "yes", False: "no"})
    spec = perceive(_write(tmp_path, weather.drop(columns=["precipitation", "weather"])),
                    "Will it rain the next day?")
    assert (spec.target.value, spec.problem_type.value) == ("rain", "binary")


@pytest.fixture
def wheat(tmp_path):
    """vega's wheat prices (Playfair) named like a sales table: numeric `SalePrice`, `weekly_wages`, and a
    categorical `price_band` (last, so the naive pick) that shares the word 'price'."""
    import pandas as pd
    from vega_datasets import local_data

    frame = local_data.wheat().rename(columns={"wheat": "SalePrice", "wages": "weekly_wages"})
    frame["price_band"] = pd.cut(frame["SalePrice"], 3, labels=["low", "mid", "high"]).astype(str)
    return _write(tmp_path, frame)


@pytest.mark.parametrize(("description", "target", "problem_type", "metric"), [
    ("Estimate the sale price of wheat each year. Errors are judged on the log of the price.", "SalePrice",
     "regression", "rmsle"),
    ("Predict the sale prices; we look at the percentage error", "SalePrice", "regression", "mape"),
    ("Which price band was wheat in each year?", "price_band", "multiclass", "accuracy"),
    ("What kind of price band will it be?", "price_band", "multiclass", "accuracy"),
    ("Predict the price", "SalePrice", "regression", "rmse"),  # 'price' ends SalePrice's name, not price_band's
    ("How much did wheat sell for? Scored on average absolute error", "SalePrice", "regression", "mae"),  # no name
])
def test_sale_price_against_a_price_band(wheat, description, target, problem_type, metric):
    spec = perceive(wheat, description)
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == (target, problem_type, metric)


def test_what_kind_prefers_the_categorical_column_over_the_longer_numeric_name(films):
    spec = perceive(films, "What kind of rating does each film get?")
    assert (spec.target.value, spec.problem_type.value) == ("Rating", "multiclass")
    spec = perceive(films, "How much will each film be rated on IMDb?")
    assert (spec.target.value, spec.problem_type.value) == ("imdbRating", "regression")


@pytest.mark.parametrize(("words", "named"), [
    ("the highest temperature", {"temp_max"}), ("the lowest temperature", {"temp_min"}),
    ("the average price", {"MeanPrice"}),
])
def test_synonyms_name_abbreviated_columns(words, named):
    scores = Description(words).mention_scores(["temp_max", "temp_min", "MeanPrice", "MaxPrice"])
    assert max(scores, key=scores.get) in named
