"""Every suite builder: the test files in input/ hide the target, and the hidden answers align with the test ids."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mlzero_jupyter.bench.baselines import available
from mlzero_jupyter.bench.tasks import BUILDERS, TaskInfo


def _sqlite(table: str) -> Callable[[Path], pd.DataFrame]:
    def read(folder: Path) -> pd.DataFrame:
        with sqlite3.connect(folder / "clinic.sqlite") as connection:
            return pd.read_sql(f"SELECT * FROM {table}", connection)
    return read


def _listing(pattern: str, column: str) -> Callable[[Path], pd.DataFrame]:
    return lambda folder: pd.DataFrame({column: [p.name for p in folder.glob(pattern)]})


#: How to read each task's labelled rows and its unlabelled test rows, as a user would find them in input/.
LAYOUTS: dict[str, tuple[Callable[[Path], pd.DataFrame], Callable[[Path], pd.DataFrame]]] = {
    "breast_cancer": (lambda d: pd.read_csv(d / "train.csv"), lambda d: pd.read_csv(d / "test.csv")),
    "iris_excel": (lambda d: pd.read_excel(d / "flowers.xlsx", sheet_name="measured"),
                   lambda d: pd.read_excel(d / "flowers.xlsx", sheet_name="unlabelled")),
    "wine_parquet": (lambda d: pd.read_parquet(d / "data_a.parquet"), lambda d: pd.read_parquet(d / "data_b.parquet")),
    "diabetes_sqlite": (_sqlite("train"), _sqlite("test")),
    "cars_text": (lambda d: pd.read_csv(d / "cars_train.csv", sep=";", encoding="latin-1"),
                  lambda d: pd.read_csv(d / "cars_test.csv", sep=";", encoding="latin-1")),
    "breast_cancer_tables": (lambda d: pd.read_csv(d / "train.csv"), lambda d: pd.read_csv(d / "test.csv")),
    "macro_forecast": (lambda d: pd.read_csv(d / "history.csv"), lambda d: pd.read_csv(d / "test.csv")),
    "seattle_seasons": (lambda d: pd.read_csv(d / "train.csv"), lambda d: pd.read_csv(d / "test.csv")),
    "digits_images": (_listing("train/*/*.png", "image"), _listing("test/*.png", "image")),
    "chatter_languages": (_listing("train/*/*.txt", "file"), _listing("test/*.txt", "file")),
    "fair_affairs": (lambda d: pd.read_csv(d / "train.csv"), lambda d: pd.read_csv(d / "test.csv")),
    "taylor_demand": (lambda d: pd.read_csv(d / "demand.csv"), lambda d: pd.read_csv(d / "test.csv")),
    "cjk_topics": (lambda d: pd.read_csv(d / "train.csv"), lambda d: pd.read_csv(d / "test.csv")),
    "seattle_weather": (lambda d: pd.read_csv(d / "train.csv"), lambda d: pd.read_csv(d / "test.csv")),
    "chatter_documents": (_listing("train/*/*", "document"), _listing("test/*", "document")),
    "depth_images_regression": (lambda d: pd.read_csv(d / "train.csv"),
                                lambda d: pd.read_csv(d / "sample_submission.csv")[["image"]]),
    "chatter_answers": (lambda d: pd.read_csv(d / "qrels" / "train.csv"), lambda d: pd.read_csv(d / "queries.csv")),
    "yeast_functions": (lambda d: pd.read_csv(d / "train.csv"), lambda d: pd.read_csv(d / "test.csv")),
}


def test_the_suite_covers_the_required_kinds_and_every_task_has_an_expert_script(suite):
    infos = [TaskInfo.load(suite / name) for name in BUILDERS]
    assert len(infos) >= 14
    assert {"binary", "multiclass", "regression", "forecasting", "time_series_classification"} <= {
        i.problem_type for i in infos}
    assert list(suite.glob("digits_images/input/train/*/*.png")) and list(suite.glob("chatter_languages/input/test/*.txt"))
    assert set(LAYOUTS) == set(BUILDERS)
    assert available() == sorted(BUILDERS)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_the_input_hides_the_target_and_the_answers_align_with_the_test_ids(suite, name):
    task_dir = suite / name
    info = TaskInfo.load(task_dir)
    read_train, read_test = LAYOUTS[name]
    train, test = read_train(task_dir / "input"), read_test(task_dir / "input")
    answers = pd.read_csv(task_dir / "truth" / "answers.csv")
    if info.problem_type == "retrieval":  # hidden judgements of the queries that come without any
        hidden = set(answers[info.id_column])
        assert hidden and hidden <= set(test[info.id_column]) and not hidden & set(train[info.id_column])
        assert set(answers[info.target]) <= set(pd.read_csv(task_dir / "input" / "corpus.csv")[info.target])
        return
    keys = [c for c in answers.columns if c != info.target]
    assert info.target not in test.columns
    assert not (task_dir / "input" / "truth").exists() and not list((task_dir / "input").rglob("answers*"))
    multilabel = info.problem_type == "multilabel"  # each answer: the row's labels joined by '|', empty for none
    assert (multilabel or answers[info.target].notna().all()) and len(answers) == len(test)
    as_text = lambda frame: set(map(tuple, frame[keys].astype(str).to_numpy()))  # noqa: E731
    assert as_text(answers) == as_text(test)
    if info.id_column:
        assert not set(train[info.id_column].astype(str)) & set(test[info.id_column].astype(str))
    sample = task_dir / "input" / "sample_submission.csv"
    if sample.exists():
        submission = pd.read_csv(sample)
        labels = [c for c in submission.columns if c != info.id_column] if multilabel else [info.target]
        assert list(submission.columns) == [info.id_column, *labels]
        assert not multilabel or set(labels) <= set(train.columns)  # the 0/1 label columns of the training table
        assert as_text(submission) == as_text(answers)



def test_the_likelihood_task_asks_in_words_only_and_its_ids_say_nothing(suite):
    task_dir = suite / "fair_affairs"
    info = TaskInfo.load(task_dir)
    assert "how likely" in info.description.lower() and info.metric == "roc_auc"
    assert sorted(p.name for p in (task_dir / "input").iterdir()) == ["test.csv", "train.csv"]
    train = pd.read_csv(task_dir / "input" / "train.csv")
    assert set(train["affair"]) == {"no", "yes"}  # "yes", the event asked about, is the class that sorts last
    assert abs(train["respondent"].corr((train["affair"] == "yes").astype(float))) < 0.05


def test_the_half_hourly_task_hides_the_next_whole_day(suite):
    task_dir = suite / "taylor_demand"
    history = pd.read_csv(task_dir / "input" / "demand.csv", parse_dates=["time"])
    hidden = pd.read_csv(task_dir / "truth" / "answers.csv", parse_dates=["time"])
    steps = history["time"].diff().dropna().unique()
    assert len(steps) == 1 and steps[0] == pd.Timedelta(minutes=30) and len(history) >= 8 * 7 * 48
    assert len(hidden) == 48 and hidden["time"].iloc[0] == history["time"].iloc[-1] + pd.Timedelta(minutes=30)
    assert hidden["time"].dt.hour.iloc[0] == 0


def test_the_topic_texts_have_no_spaces_between_words(suite):
    texts = pd.read_csv(suite / "cjk_topics" / "input" / "train.csv")["text"]
    assert texts.str.count(" ").sum() < 0.02 * texts.str.len().sum()
    kana, ideographs = r"[\u3040-\u30ff]", r"[\u4e00-\u9fff]"
    assert texts.str.contains(kana).any() and texts.str.contains(f"{kana}|{ideographs}").all()
