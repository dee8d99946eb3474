"""A corpus of messy inputs, each built here, with the inference perception must make about it."""

from __future__ import annotations

import sqlite3
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mlzero_jupyter.perception import perceive


@dataclass
class Case:
    path: Path
    description: str | None
    target: str | None
    problem_type: str
    metric: str
    roles: dict[str, str] = field(default_factory=dict)  # file (or file:table) -> role
    id_column: str | None = None
    modality: str = "tabular"


def _kaggle(folder: Path, frame: pd.DataFrame, target: str, id_column: str, **to_csv) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    test = frame.sample(frac=0.25, random_state=0)
    frame.drop(test.index).to_csv(folder / "train.csv", index=False, **to_csv)
    test.drop(columns=target).to_csv(folder / "test.csv", index=False, **to_csv)
    test[[id_column]].assign(**{target: frame[target].iloc[0]}).to_csv(folder / "sample_submission.csv", index=False)


# -- encodings, delimiters, markers, extensions ------------------------------------------------------------------
def latin1_semicolons(root: Path, kit) -> Case:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"ville": rng.choice(["Zürich", "Genève", "Besançon"], 200), "surface": rng.integers(20, 200, 200)})
    frame["prix"] = frame["surface"] * 4100.5 + rng.normal(0, 9000, 200)
    frame.to_csv(root / "données.csv", sep=";", index=False, encoding="latin-1")
    return Case(root, "Estimate the prix of each flat", "prix", "regression", "rmse", {"données.csv": "train"})


def utf16_tabs(root: Path, kit) -> Case:
    kit.customers().to_csv(root / "customers.tsv", sep="\t", index=False, encoding="utf-16")
    return Case(root, None, "churn", "binary", "accuracy", {"customers.tsv": "train"}, "customer_id")


def utf8_bom_pipes(root: Path, kit) -> Case:
    frame = kit.customers().drop(columns="churn").assign(segment=lambda f: np.where(f["age"] < 40, "young", "senior"))
    frame.to_csv(root / "segments.csv", sep="|", index=False, encoding="utf-8-sig")
    return Case(root, "Which segment does each customer belong to?", "segment", "binary", "accuracy",
                {"segments.csv": "train"}, "customer_id")


def question_marks(root: Path, kit) -> Case:
    frame = kit.customers().astype({"age": object, "monthly_fee": object})
    frame.loc[::7, "age"] = "?"
    frame.loc[::11, "monthly_fee"] = "N/A"
    frame.to_csv(root / "train.csv", index=False)
    return Case(root, "predict churn; F1", "churn", "binary", "f1", {"train.csv": "train"}, "customer_id")


def parquet_named_csv(root: Path, kit) -> Case:
    kit.customers().to_parquet(root / "train.csv", index=False)
    return Case(root, "predict churn", "churn", "binary", "accuracy", {"train.csv": "train"}, "customer_id")


def json_lines_named_txt(root: Path, kit) -> Case:
    kit.customers().to_json(root / "records.txt", orient="records", lines=True)
    return Case(root, "who will churn? balanced accuracy", "churn", "binary", "balanced_accuracy",
                {"records.txt": "train"}, "customer_id")


# -- Kaggle-like splits, roles by content, submissions -----------------------------------------------------------
def kaggle_with_readme_metric(root: Path, kit) -> Case:
    _kaggle(root, kit.customers(), "churn", "customer_id")
    (root / "README.md").write_text("# Churn\nSubmissions are evaluated on log loss.\n")
    return Case(root, None, "churn", "binary", "log_loss", {"train.csv": "train", "test.csv": "test",
                "sample_submission.csv": "sample_submission", "README.md": "description"}, "customer_id")


def unnamed_split(root: Path, kit) -> Case:
    frame = kit.customers()
    test = frame.sample(frac=0.3, random_state=1)
    frame.drop(test.index).to_csv(root / "part_a.csv", index=False)
    test.drop(columns="churn").to_csv(root / "part_b.csv", index=False)
    test[["customer_id"]].assign(churn="no").to_csv(root / "part_c.csv", index=False)
    return Case(root, None, "churn", "binary", "accuracy", {"part_a.csv": "train", "part_b.csv": "test",
                "part_c.csv": "sample_submission"}, "customer_id")


def probability_submission(root: Path, kit) -> Case:
    frame = kit.customers()
    frame["plan_next"] = frame.pop("plan")
    frame = frame.drop(columns="churn")
    test = frame.sample(frac=0.3, random_state=2)
    frame.drop(test.index).to_csv(root / "train.csv", index=False)
    test.drop(columns="plan_next").to_csv(root / "test.csv", index=False)
    probabilities = {name: 1 / 3 for name in ("basic", "plus", "premium")}
    test[["customer_id"]].assign(**probabilities).to_csv(root / "sample_submission.csv", index=False)
    return Case(root, None, "plan_next", "multiclass", "log_loss", {"sample_submission.csv": "sample_submission"},
                "customer_id")


def leaky_column(root: Path, kit) -> Case:
    frame = kit.customers()
    frame["cancel_code"] = np.where(frame["churn"] == "yes", "C1", "C0")
    frame.to_csv(root / "train.csv", index=False)
    return Case(root, "predict churn", "churn", "binary", "accuracy", {"train.csv": "train"}, "customer_id")


def multi_table_join(root: Path, kit) -> Case:
    frame = kit.customers()
    _kaggle(root, frame.drop(columns=["age", "plan"]), "churn", "customer_id")
    frame[["customer_id", "age", "plan"]].sample(frac=1.0, random_state=3).to_csv(root / "profiles.csv", index=False)
    return Case(root, "predict churn; AUC", "churn", "binary", "roc_auc", {"profiles.csv": "auxiliary"},
                "customer_id")


# -- containers: workbooks, databases, other formats, archives ---------------------------------------------------
def excel_sheets(root: Path, kit) -> Case:
    frame = kit.customers()
    with pd.ExcelWriter(root / "book.xlsx") as book:
        pd.DataFrame({"notes": ["exported from CRM"]}).to_excel(book, sheet_name="readme", index=False)
        frame.iloc[:200].to_excel(book, sheet_name="history", index=False)
        frame.iloc[200:].drop(columns="churn").to_excel(book, sheet_name="new customers", index=False)
    return Case(root, "Which new customers will churn?", "churn", "binary", "accuracy",
                {"book.xlsx:history": "train", "book.xlsx:new customers": "test"}, "customer_id")


def sqlite_tables(root: Path, kit) -> Case:
    frame = kit.customers()
    with sqlite3.connect(root / "crm.db") as connection:
        frame.iloc[:220].to_sql("labelled", connection, index=False)
        frame.iloc[220:].drop(columns="churn").to_sql("scoring", connection, index=False)
        pd.DataFrame({"plan": ["basic", "plus", "premium"], "price": [10, 20, 30]}).to_sql("plans", connection, index=False)
    return Case(root, None, "churn", "binary", "accuracy", {"crm.db:labelled": "train", "crm.db:scoring": "test",
                "crm.db:plans": "auxiliary"}, "customer_id")


def parquet_and_feather(root: Path, kit) -> Case:
    frame = kit.customers()
    frame.iloc[:200].to_parquet(root / "train.parquet", index=False)
    frame.iloc[200:].drop(columns="churn").reset_index(drop=True).to_feather(root / "test.feather")
    return Case(root, None, "churn", "binary", "accuracy", {"train.parquet": "train", "test.feather": "test"},
                "customer_id")


def _zipped_churn(root: Path, kit, name: str) -> None:
    """The churn task's csv files (train, test, sample submission) in one zip archive ``root / name``."""
    staging = root.parent / f"{root.name}-staging"
    _kaggle(staging, kit.customers(), "churn", "customer_id")
    with zipfile.ZipFile(root / name, "w") as archive:
        for path in staging.iterdir():
            archive.write(path, path.name)


def zip_archive(root: Path, kit) -> Case:
    _zipped_churn(root, kit, "churn.zip")
    return Case(root / "churn.zip", None, "churn", "binary", "accuracy", {"train.csv": "train", "test.csv": "test"},
                "customer_id")


def tar_gz_archive(root: Path, kit) -> Case:
    staging = root.parent / f"{root.name}-staging" / "churn"
    _kaggle(staging, kit.customers(), "churn", "customer_id", sep=";")
    with tarfile.open(root / "churn.tar.gz", "w:gz") as archive:
        archive.add(staging, arcname="churn")
    return Case(root / "churn.tar.gz", None, "churn", "binary", "accuracy",
                {"churn/train.csv": "train", "churn/test.csv": "test"}, "customer_id")


def folder_with_zip(root: Path, kit) -> Case:
    _zipped_churn(root, kit, "data.zip")
    (root / "about.md").write_text("Customer churn; the metric is accuracy.\n")
    return Case(root, None, "churn", "binary", "accuracy", {"data/train.csv": "train", "data.zip": "archive",
                "about.md": "description"}, "customer_id")


# -- images, masks, text -----------------------------------------------------------------------------------------
def image_class_folders(root: Path, kit) -> Case:
    for label, value in (("cat", 10), ("dog", 120), ("fox", 240)):
        for i in range(4):
            kit.write_image(root / "train" / label / f"{label}_{i}.png", value + i)
    for i in range(3):
        kit.write_image(root / "test" / f"{i:03d}.png", 50)
    return Case(root, None, "label", "multiclass", "accuracy", {"train": "image_folder", "test": "test"},
                modality="image")


def image_mask_pairs(root: Path, kit) -> Case:
    for i in range(5):
        kit.write_image(root / "images" / f"scan_{i}.png", 30 * i)
        kit.write_image(root / "masks" / f"scan_{i}_mask.png", i % 2, mode="L")
    return Case(root, "segment the lesions", "masks", "semantic_segmentation", "mean_iou",
                {"images": "image_folder", "masks": "mask_folder"}, modality="image")


def image_csv_of_paths(root: Path, kit) -> Case:
    rows = []
    for i in range(30):
        kit.write_image(root / "pictures" / f"p{i:02d}.png", 8 * i)
        rows.append({"file": f"pictures/p{i:02d}.png", "ripe": "yes" if i % 3 else "no"})
    pd.DataFrame(rows).to_csv(root / "labels.csv", index=False)
    return Case(root, "are the fruits ripe?", "ripe", "binary", "accuracy", {"labels.csv": "train",
                "pictures": "image_folder"}, modality="image")


def text_class_folders(root: Path, kit) -> Case:
    reviews = {"pos": "a wonderful, moving film that I loved", "neg": "a dull and tedious waste of two hours"}
    for label, text in reviews.items():
        for i in range(6):
            (root / "reviews" / label).mkdir(parents=True, exist_ok=True)
            (root / "reviews" / label / f"{i}.txt").write_text(f"{text} ({i})\n")
    return Case(root, "classify the sentiment of reviews; F1", "label", "binary", "f1", {"reviews": "text_corpus"},
                modality="text")


def free_text_column(root: Path, kit) -> Case:
    rng = np.random.default_rng(4)
    topics = {"sport": "the team won the match after a late goal in extra time",
              "politics": "the parliament voted on the new budget proposal this week"}
    labels = rng.choice(list(topics), 120)
    frame = pd.DataFrame({"doc_id": range(120), "body": [f"{topics[t]} and more words {i}" for i, t in enumerate(labels)],
                          "topic": labels})
    frame.to_csv(root / "articles.csv", index=False)
    return Case(root, None, "topic", "binary", "accuracy", {"articles.csv": "train"}, "doc_id", modality="text")


def text_with_features(root: Path, kit) -> Case:
    frame = kit.customers()
    frame["complaint"] = [f"customer wrote a long message about the service and billing issue number {i}"
                          for i in range(len(frame))]
    frame.to_csv(root / "train.csv", index=False)
    return Case(root, "predict churn", "churn", "binary", "accuracy", {"train.csv": "train"}, "customer_id",
                modality="multimodal")


# -- time series -------------------------------------------------------------------------------------------------
def _daily_sales(days: int) -> pd.DataFrame:
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    rng = np.random.default_rng(5)
    return pd.concat(pd.DataFrame({"store": store, "day": dates, "sales": rng.poisson(20 + 5 * k, days)})
                     for k, store in enumerate(["north", "south", "east"]))


def long_series_with_test(root: Path, kit) -> Case:
    sales = _daily_sales(67)
    cut = sales["day"].max() - pd.Timedelta(days=7)
    sales[sales["day"] <= cut].to_csv(root / "train.csv", index=False)
    sales[sales["day"] > cut][["store", "day"]].to_csv(root / "test.csv", index=False)
    return Case(root, None, "sales", "forecasting", "mase", {"train.csv": "train", "test.csv": "test"},
                modality="time_series")


def long_series_description_horizon(root: Path, kit) -> Case:
    _daily_sales(90).to_csv(root / "sales.csv", index=False)
    return Case(root, "Forecast sales for the next 2 weeks, scored by WQL", "sales", "forecasting", "wql",
                {"sales.csv": "train"}, modality="time_series")


CASES = {builder.__name__: builder for builder in [
    latin1_semicolons, utf16_tabs, utf8_bom_pipes, question_marks, parquet_named_csv, json_lines_named_txt,
    kaggle_with_readme_metric, unnamed_split, probability_submission, leaky_column, multi_table_join, excel_sheets,
    sqlite_tables, parquet_and_feather, zip_archive, tar_gz_archive, folder_with_zip, image_class_folders,
    image_mask_pairs, image_csv_of_paths, text_class_folders, free_text_column, text_with_features,
    long_series_with_test, long_series_description_horizon,
]}


@pytest.fixture
def kit(write_image, make_customers):
    return SimpleNamespace(write_image=write_image, customers=make_customers)


def _label(info) -> str:
    return f"{info.path}:{info.table}" if info.table else info.path


@pytest.mark.parametrize("name", list(CASES))
def test_corpus_case(name, tmp_path, kit, digest):
    root = tmp_path / name
    root.mkdir()
    case = CASES[name](root, kit)
    before = digest(root)
    spec = perceive(case.path, case.description, work_dir=tmp_path / "work")
    assert digest(root) == before, "the user's folder was modified"
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == (case.target, case.problem_type,
                                                                               case.metric)
    assert spec.modality.value == case.modality
    assert spec.id_column.value == case.id_column
    roles = {_label(f): f.role for f in spec.files}
    assert {k: roles.get(k) for k in case.roles} == case.roles


def test_encodings_delimiters_and_markers_are_detected(tmp_path, kit):
    for name, expected in (("latin1_semicolons", ("latin-1", ";")), ("utf16_tabs", ("utf-16", "\t")),
                           ("utf8_bom_pipes", ("utf-8-sig", "|"))):
        root = tmp_path / name
        root.mkdir()
        spec = perceive(CASES[name](root, kit).path)
        assert (spec.train_file.encoding, spec.train_file.delimiter) == expected
    root = tmp_path / "markers"
    root.mkdir()
    spec = perceive(question_marks(root, kit).path)
    assert {"?", "N/A"} <= set(spec.train_file.missing_markers)
    assert spec.train_file.column("age").kind == "numeric"
    assert 0.1 < spec.train_file.column("age").missing_fraction < 0.2


def test_leakage_join_keys_and_archive_location(tmp_path, kit):
    (tmp_path / "leak").mkdir()
    spec = perceive(leaky_column(tmp_path / "leak", kit).path, "predict churn")
    assert any("cancel_code" in w and "leakage" in w for w in spec.warnings)
    (tmp_path / "join").mkdir()
    spec = perceive(multi_table_join(tmp_path / "join", kit).path, "predict churn")
    assert [(k.right, k.column) for k in spec.join_keys] == [("profiles.csv", "customer_id")]
    (tmp_path / "zip").mkdir()
    case = zip_archive(tmp_path / "zip", kit)
    spec = perceive(case.path, work_dir=tmp_path / "unpacked")
    assert spec.data_path == str(case.path) and spec.work_path == str(tmp_path / "unpacked")
    assert sorted(p.name for p in (tmp_path / "zip").iterdir()) == ["churn.zip"]
    assert spec.absolute(spec.train_file).is_file()


def test_time_series_fields(tmp_path, kit):
    (tmp_path / "a").mkdir()
    spec = perceive(long_series_with_test(tmp_path / "a", kit).path)
    series = spec.time_series
    assert (series.item_id_column, series.timestamp_column, series.frequency) == ("store", "day", "D")
    assert (series.prediction_length, series.prediction_length_source) == (7, "test file")
    (tmp_path / "b").mkdir()
    spec = perceive(long_series_description_horizon(tmp_path / "b", kit).path,
                    "Forecast sales for the next 2 weeks, scored by WQL")
    assert (spec.time_series.prediction_length, spec.time_series.prediction_length_source) == (14, "description")


def test_image_folder_counts_and_samples(tmp_path, kit):
    root = tmp_path / "images"
    root.mkdir()
    spec = perceive(image_class_folders(root, kit).path)
    folder = next(f for f in spec.files if f.path == "train")
    assert (folder.file_count, folder.classes) == (12, ["cat", "dog", "fox"])
    assert "8x8 RGB" in folder.note


def test_single_file_is_perceived_alone(tmp_path, kit):
    _kaggle(tmp_path, kit.customers(), "churn", "customer_id")
    spec = perceive(tmp_path / "train.csv")
    assert [f.path for f in spec.files] == ["train.csv"]
    assert spec.work_path == str(tmp_path) and spec.target.value == "churn"
