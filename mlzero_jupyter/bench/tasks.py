"""The development task suite: real datasets that ship inside installed packages, laid out raw.

A task folder holds ``input/`` (exactly what the agent sees), ``task.json`` (the description a user would type,
the metric and its direction, the time budget, the id and target columns) and ``truth/answers.csv`` (the hidden
ground truth, kept apart from ``input/``). Each builder writes one task; ``build_suite`` writes them all.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 0


@dataclass
class TaskInfo:
    name: str
    description: str
    metric: str
    higher_is_better: bool
    problem_type: str
    target: str
    id_column: str | None = None
    time_limit: float = 180.0
    # forecasting only: the history file in input/ that scales MASE, its item and time columns, the season length
    history_file: str | None = None
    item_column: str | None = None
    timestamp_column: str | None = None
    season: int = 1

    @classmethod
    def load(cls, task_dir: Path) -> TaskInfo:
        return cls(**json.loads((Path(task_dir) / "task.json").read_text()))


def _save(root: Path, info: TaskInfo, answers: pd.DataFrame) -> Path:
    folder = root / info.name
    (folder / "truth").mkdir(parents=True, exist_ok=True)
    answers.to_csv(folder / "truth" / "answers.csv", index=False)
    (folder / "task.json").write_text(json.dumps(asdict(info), indent=2) + "\n")
    return folder


def _input(root: Path, name: str) -> Path:
    path = root / name / "input"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _split(frame: pd.DataFrame, test_fraction: float = 0.25) -> tuple[pd.DataFrame, pd.DataFrame]:
    test = frame.sample(frac=test_fraction, random_state=SEED)
    return frame.drop(test.index), test


def _kaggle(root: Path, info: TaskInfo, frame: pd.DataFrame, sample_value: object = None) -> Path:
    """train.csv, test.csv (no target) and sample_submission.csv, the classic competition layout.

    Without ``sample_value`` there is no sample submission: what to submit is said in the description alone.
    """
    train, test = _split(frame)
    folder = _input(root, info.name)
    train.to_csv(folder / "train.csv", index=False)
    test.drop(columns=info.target).to_csv(folder / "test.csv", index=False)
    if sample_value is not None:
        sample = test[[info.id_column]].assign(**{info.target: sample_value})
        sample.to_csv(folder / "sample_submission.csv", index=False)
    return _save(root, info, test[[info.id_column, info.target]])


# -- builders ---------------------------------------------------------------------------------------------------
def breast_cancer(root: Path) -> Path:
    """Binary, ROC AUC, Kaggle layout, '?' for a few missing values."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    frame["diagnosis"] = np.where(frame.pop("target") == 0, "malignant", "benign")
    frame.insert(0, "patient_id", np.arange(10_001, 10_001 + len(frame)))
    holes = np.random.default_rng(SEED).random((len(frame), len(frame.columns) - 2)) < 0.01
    features = frame.columns[1:-1]
    frame[features] = frame[features].astype(object).mask(holes, "?")
    info = TaskInfo("breast_cancer", "Which tumours are malignant? Submissions are scored by ROC AUC.", "roc_auc",
                    True, "binary", "diagnosis", "patient_id")
    return _kaggle(root, info, frame, "benign")


def iris_excel(root: Path) -> Path:
    """Multiclass in one Excel workbook: a labelled sheet and an unlabelled one."""
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    frame.insert(0, "flower", range(1, len(frame) + 1))
    train, test = _split(frame, 0.3)
    with pd.ExcelWriter(_input(root, "iris_excel") / "flowers.xlsx") as workbook:
        train.to_excel(workbook, sheet_name="measured", index=False)
        test.drop(columns="species").to_excel(workbook, sheet_name="unlabelled", index=False)
    info = TaskInfo("iris_excel", "Predict the species of the unlabelled flowers.", "accuracy", True, "multiclass",
                    "species", "flower", time_limit=120)
    return _save(root, info, test[["flower", "species"]])


def wine_parquet(root: Path) -> Path:
    """Multiclass from Parquet files with unhelpful names."""
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame.rename(columns={"target": "cultivar"})
    frame.insert(0, "sample_id", range(len(frame)))
    train, test = _split(frame)
    folder = _input(root, "wine_parquet")
    train.to_parquet(folder / "data_a.parquet", index=False)
    test.drop(columns="cultivar").to_parquet(folder / "data_b.parquet", index=False)
    info = TaskInfo("wine_parquet", "Which cultivar does each wine come from? Use macro F1.", "f1_macro", True,
                    "multiclass", "cultivar", "sample_id", time_limit=120)
    return _save(root, info, test[["sample_id", "cultivar"]])


def diabetes_sqlite(root: Path) -> Path:
    """Regression from a SQLite database with a train and a test table."""
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "progression"})
    frame.insert(0, "patient", range(1, len(frame) + 1))
    train, test = _split(frame)
    with sqlite3.connect(_input(root, "diabetes_sqlite") / "clinic.sqlite") as connection:
        train.to_sql("train", connection, index=False)
        test.drop(columns="progression").to_sql("test", connection, index=False)
    info = TaskInfo("diabetes_sqlite", "Predict disease progression one year later; RMSE.", "rmse", False,
                    "regression", "progression", "patient", time_limit=120)
    return _save(root, info, test[["patient", "progression"]])


def cars_text(root: Path) -> Path:
    """Multiclass with a free-text name column, semicolon-separated, latin-1."""
    from vega_datasets import local_data

    frame = local_data.cars().drop(columns="Year")
    frame.insert(0, "car_id", range(1, len(frame) + 1))
    train, test = _split(frame)
    folder = _input(root, "cars_text")
    train.to_csv(folder / "cars_train.csv", sep=";", index=False, encoding="latin-1")
    test.drop(columns="Origin").to_csv(folder / "cars_test.csv", sep=";", index=False, encoding="latin-1")
    info = TaskInfo("cars_text", "Where was each car made (Origin)?", "accuracy", True, "multiclass", "Origin",
                    "car_id", time_limit=120)
    return _save(root, info, test[["car_id", "Origin"]])


def breast_cancer_tables(root: Path) -> Path:
    """Multi-table: patients, and a second table of 'worst' measurements joined by patient id."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    frame.insert(0, "patient_id", range(1, len(frame) + 1))
    frame["diagnosis"] = np.where(frame.pop("target") == 0, "malignant", "benign")
    worst = [c for c in frame.columns if c.startswith("worst")]
    train, test = _split(frame.drop(columns=worst))
    folder = _input(root, "breast_cancer_tables")
    train.to_csv(folder / "train.csv", index=False)
    test.drop(columns="diagnosis").to_csv(folder / "test.csv", index=False)
    frame[["patient_id", *worst]].to_csv(folder / "worst_measurements.csv", index=False)
    info = TaskInfo("breast_cancer_tables", "Predict the diagnosis of each test patient; accuracy.", "accuracy",
                    True, "binary", "diagnosis", "patient_id", time_limit=120)
    return _save(root, info, test[["patient_id", "diagnosis"]])


def macro_forecast(root: Path, horizon: int = 8) -> Path:
    """Forecasting: three US macro series (statsmodels), quarterly, the last two years hidden."""
    import statsmodels.api as sm

    data = sm.datasets.macrodata.load_pandas().data
    dates = pd.PeriodIndex.from_fields(year=data["year"].astype(int), quarter=data["quarter"].astype(int),
                                       freq="Q").to_timestamp()
    long = pd.concat(
        pd.DataFrame({"series": name, "date": dates, "value": data[name].to_numpy()})
        for name in ("realgdp", "realcons", "realinv")
    )
    last = long["date"].sort_values().unique()[-horizon:]
    future = long[long["date"].isin(last)]
    folder = _input(root, "macro_forecast")
    long[~long["date"].isin(last)].to_csv(folder / "history.csv", index=False)
    future[["series", "date"]].to_csv(folder / "test.csv", index=False)
    info = TaskInfo("macro_forecast", f"Forecast each series for the next {horizon} quarters; MASE.", "mase",
                    False, "forecasting", "value", None, time_limit=180, history_file="history.csv",
                    item_column="series", timestamp_column="date", season=4)
    return _save(root, info, future)


def seattle_seasons(root: Path) -> Path:
    """Time-series classification: a day's 24 hourly temperatures -> the season it was recorded in."""
    from vega_datasets import local_data

    temps = local_data.seattle_temps()
    temps["day"], temps["hour"] = temps["date"].dt.normalize(), temps["date"].dt.hour
    wide = temps.pivot_table(index="day", columns="hour", values="temp").dropna()
    wide.columns = [f"t{hour:02d}" for hour in wide.columns]
    seasons = np.array(["winter", "spring", "summer", "autumn"])[(wide.index.month % 12) // 3]
    wide = wide.reset_index(drop=True).assign(season=seasons)
    wide.insert(0, "day_id", range(1, len(wide) + 1))
    info = TaskInfo("seattle_seasons", "Each row is one day of hourly temperatures: which season is it?",
                    "accuracy", True, "time_series_classification", "season", "day_id", time_limit=120)
    return _kaggle(root, info, wide, "winter")


def _shuffled_ids(count: int) -> np.ndarray:
    """1..count in a fixed random order, so that an id says nothing about where its row came in the source."""
    return np.random.default_rng(SEED).permutation(count) + 1


def _file_names(count: int, suffix: str) -> list[str]:
    """Shuffled file names, so that a name's number says nothing about the file's class."""
    return [f"{number:05d}{suffix}" for number in _shuffled_ids(count)]


def _class_folders(root: Path, info: TaskInfo, frame: pd.DataFrame, write: Callable[[Path, object], None]) -> Path:
    """train/<class>/<file>, test/<file> and sample_submission.csv; ``write(path, item)`` writes one file."""
    train, test = _split(frame)
    folder = _input(root, info.name)
    for row in train.itertuples():
        path = folder / "train" / str(getattr(row, info.target)) / getattr(row, info.id_column)
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path, row.item)
    (folder / "test").mkdir(exist_ok=True)
    for row in test.itertuples():
        write(folder / "test" / getattr(row, info.id_column), row.item)
    sample = test[[info.id_column]].assign(**{info.target: train[info.target].iloc[0]})
    sample.to_csv(folder / "sample_submission.csv", index=False)
    return _save(root, info, test[[info.id_column, info.target]])


def digits_images(root: Path) -> Path:
    """Image classification: scikit-learn's 8x8 handwritten digits as PNG files in one folder per class."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels = np.round(digits.images * (255 / 16)).astype(np.uint8)
    frame = pd.DataFrame({"image": _file_names(len(pixels), ".png"), "digit": digits.target,
                          "item": list(pixels)})
    info = TaskInfo("digits_images", "Recognise the handwritten digit in each test image.", "accuracy", True,
                    "multiclass", "digit", "image", time_limit=120)
    return _class_folders(root, info, frame, lambda path, item: Image.fromarray(item).save(path))


#: Middlebury 2014 calibration of scikit-image's down-sampled motorcycle pair: focal length and the principal
#: points' offset in pixels, baseline in millimetres (``skimage.data.stereo_motorcycle``'s docstring).
FOCAL_PX, DOFFS_PX, BASELINE_MM = 994.978, 31.086, 193.001


def depth_images_regression(root: Path, size: int = 24) -> Path:
    """Image regression: how far from the camera is the scene in each 24x24 patch of a photograph (metres); RMSE.

    The left image of the Middlebury 2014 "motorcycle" stereo pair (scikit-image ships it with its ground truth).
    The truth is measured, not made up: Middlebury recovered every pixel's disparity with structured light, and
    depth follows from it and the calibration (Z = f B / (d + doffs)). Each patch's target is the median depth of
    its measured pixels; patches with less than half their pixels measured are left out. No package here ships a
    set of separate photographs with a measured number for each, so this one scene, cut into non-overlapping
    patches, is the real choice: one PNG per patch in ``images/`` under a shuffled name, ``train.csv`` (file name,
    distance) and ``sample_submission.csv`` for the patches to predict.
    """
    from PIL import Image
    from skimage.data import stereo_motorcycle

    left, _, disparity = stereo_motorcycle()
    depth = FOCAL_PX * BASELINE_MM / (disparity + DOFFS_PX) / 1000
    patches, distances = [], []
    for top in range(0, left.shape[0] - size + 1, size):
        for edge in range(0, left.shape[1] - size + 1, size):
            window = np.s_[top:top + size, edge:edge + size]
            measured = np.isfinite(disparity[window])
            if measured.mean() >= 0.5:
                patches.append(left[window])
                distances.append(round(float(np.median(depth[window][measured])), 3))
    frame = pd.DataFrame({"image": _file_names(len(patches), ".png"), "distance_m": distances})
    folder = _input(root, "depth_images_regression")
    (folder / "images").mkdir(exist_ok=True)
    for name, patch in zip(frame["image"], patches):
        Image.fromarray(patch).save(folder / "images" / name)
    train, test = _split(frame)
    train.to_csv(folder / "train.csv", index=False)
    test.assign(distance_m=0.0)[["image", "distance_m"]].to_csv(folder / "sample_submission.csv", index=False)
    info = TaskInfo("depth_images_regression", "Estimate how far from the camera the scene in each image patch is, "
                    "in metres; RMSE.", "rmse", False, "regression", "distance_m", "image", time_limit=120)
    return _save(root, info, test)


#: Latin-script languages of the chatterbot corpus with enough conversations; English is down-sampled.
LANGUAGES = ("dutch", "english", "french", "german", "indonesian", "italian", "portuguese", "spanish", "turkish")


def _conversations_by_topic(language: str) -> dict[str, list[str]]:
    """The chatterbot corpus's conversations in ``language``, one text each, by topic (the file's name)."""
    import chatterbot_corpus
    import yaml

    folder = Path(chatterbot_corpus.__file__).parent / "data" / language
    topics = {}
    for path in sorted(folder.glob("*.yml")):
        conversations = yaml.safe_load(path.read_text(encoding="utf-8")).get("conversations") or []
        topics[path.stem] = ["\n".join(str(line) for line in conversation) for conversation in conversations]
    return topics


def _conversations(language: str) -> list[str]:
    return [text for texts in _conversations_by_topic(language).values() for text in texts]


def chatter_languages(root: Path, english: int = 400) -> Path:
    """Text classification: one text file per conversation (chatterbot corpus), in which language is it?"""
    frames = [pd.DataFrame({"language": language, "item": _conversations(language)}) for language in LANGUAGES]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.drop(frame[frame["language"] == "english"].index[english:]).reset_index(drop=True)
    frame.insert(0, "file", _file_names(len(frame), ".txt"))
    info = TaskInfo("chatter_languages", "Which language is each test conversation written in?", "accuracy", True,
                    "multiclass", "language", "file", time_limit=120)
    return _class_folders(root, info, frame, lambda path, item: path.write_text(item + "\n", encoding="utf-8"))


def chatter_documents(root: Path, smallest: int = 28, largest: int = 30) -> Path:
    """Document classification from files: which topic is each conversation about?

    The chatterbot corpus's English conversations by topic (the corpus's own topic files are the labels), each
    written as a real PDF, DOCX, HTML, Markdown or text file in turn (``bench/documents.py``), all five formats
    mixed in every topic folder and in the test folder. Chosen because it is real text with labels its authors
    gave, it ships in a package reachable offline, and its conversations are short, so that some 300 documents
    are written and read in seconds. Topics with fewer than ``smallest`` conversations are left out, larger ones
    down-sampled to ``largest``, so that no topic dominates.
    """
    from mlzero_jupyter.bench.documents import FORMATS, write_document

    frame = pd.DataFrame([{"topic": topic, "item": text} for topic, texts in _conversations_by_topic("english").items()
                          for text in texts])
    frame = frame[frame.groupby("topic")["topic"].transform("size") >= smallest]
    frame = frame.sample(frac=1, random_state=SEED).groupby("topic").head(largest).sort_index().reset_index(drop=True)
    names = _file_names(len(frame), "")
    frame.insert(0, "document", [f"{name}{FORMATS[i % len(FORMATS)]}" for i, name in enumerate(names)])
    info = TaskInfo("chatter_documents", "Which topic is each test document about?", "accuracy", True, "multiclass",
                    "topic", "document", time_limit=120)
    return _class_folders(root, info, frame, write_document)


def fair_affairs(root: Path) -> Path:
    """Binary, probabilities asked for in words ("how likely"), no sample submission; ROC AUC.

    Fair's 1974 survey of 6,366 married women (statsmodels); the answer is whether she reported any affair.
    """
    import statsmodels.api as sm

    frame = sm.datasets.fair.load_pandas().data
    frame["affair"] = np.where(frame.pop("affairs") > 0, "yes", "no")
    frame.insert(0, "respondent", _shuffled_ids(len(frame)))  # the rows come sorted: affairs first
    info = TaskInfo("fair_affairs", "How likely is each woman in test.csv to have had an extramarital affair?",
                    "roc_auc", True, "binary", "affair", "respondent", time_limit=120)
    return _kaggle(root, info, frame)


def taylor_demand(root: Path, horizon: int = 48) -> Path:
    """Forecasting a half-hourly series with a daily and a weekly season, the next day hidden; MASE.

    Taylor's (2003) electricity demand of England and Wales, 5 June to 27 August 2000 (pmdarima): twelve weeks
    of half-hours; the hidden day is a Sunday, so that yesterday (a Saturday) is a poorer guide than last week.
    """
    from pmdarima.datasets import load_taylor

    demand = load_taylor()
    times = pd.date_range("2000-06-05", periods=len(demand), freq="30min")
    long = pd.DataFrame({"region": "england_wales", "time": times, "demand_mw": demand})
    history, future = long.iloc[:-horizon], long.iloc[-horizon:]
    folder = _input(root, "taylor_demand")
    history.to_csv(folder / "demand.csv", index=False)
    future[["region", "time"]].to_csv(folder / "test.csv", index=False)
    info = TaskInfo("taylor_demand", "Forecast the electricity demand for every half hour listed in test.csv; "
                    "MASE.", "mase", False, "forecasting", "demand_mw", None, time_limit=120,
                    history_file="demand.csv", item_column="region", timestamp_column="time", season=48)
    return _save(root, info, future)


def cjk_topics(root: Path, smallest: int = 40) -> Path:
    """Text classification in Chinese and Japanese (no spaces between words): the topic of each conversation.

    The chatterbot corpus's simplified Chinese and Japanese conversations, by topic file; topics with fewer than
    ``smallest`` conversations in the two languages together are left out.
    """
    frame = pd.DataFrame([{"text": text, "topic": topic} for language in ("chinese", "japanese")
                          for topic, texts in _conversations_by_topic(language).items() for text in texts])
    frame = frame[frame.groupby("topic")["topic"].transform("size") >= smallest].reset_index(drop=True)
    frame.insert(0, "conversation_id", _shuffled_ids(len(frame)))  # the rows come grouped by topic
    info = TaskInfo("cjk_topics", "What is each test conversation about? Predict its topic; accuracy.", "accuracy",
                    True, "multiclass", "topic", "conversation_id", time_limit=120)
    return _kaggle(root, info, frame, "ai")


def seattle_weather(root: Path) -> Path:
    """Imbalanced multiclass keyed by date: Seattle's daily weather 2012-2015 (vega_datasets); balanced accuracy.

    Snow and drizzle are rare, and how the weather was labelled changed over the years (wet days are 'rain' in
    2012 and mostly 'fog' from 2014), so the date, here also the id, carries information.
    """
    from vega_datasets import local_data

    frame = local_data.seattle_weather()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    info = TaskInfo("seattle_weather", "What was the weather in Seattle on each test day? Balanced accuracy.",
                    "balanced_accuracy", True, "multiclass", "weather", "date", time_limit=120)
    return _kaggle(root, info, frame, "sun")


def chatter_answers(root: Path) -> Path:
    """Retrieval (response selection): for each question, rank the corpus of replies; nDCG@10.

    The chatterbot corpus's English conversations: a query is a conversation's first line, the corpus is every
    second line (the replies, each text once), and a reply is relevant to the question that opened its
    conversation (a question asked in several conversations has several relevant replies). Real questions with
    real answers written for them, shipped in a package reachable offline, and a known truth: the judgement is
    the conversation itself, not a label made up for the benchmark. Questions and answers share few words ("Are you
    sentient?" / "Sort of."), so word overlap alone is not enough. Three quarters of the questions come with their
    judgements (``qrels/train.csv``); the others are to be ranked.
    """
    import chatterbot_corpus
    import yaml

    pairs = []
    for path in sorted((Path(chatterbot_corpus.__file__).parent / "data" / "english").glob("*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")).get("conversations") or []:
            if len(conversation) >= 2:
                pairs.append((str(conversation[0]).strip(), str(conversation[1]).strip()))
    questions = list(dict.fromkeys(q for q, _ in pairs))
    replies = list(dict.fromkeys(r for _, r in pairs))
    queries = pd.DataFrame({"query_id": [f"q{n:04d}" for n in _shuffled_ids(len(questions))], "text": questions})
    corpus = pd.DataFrame({"doc_id": [f"d{n:04d}" for n in _shuffled_ids(len(replies))], "text": replies})
    query_of, doc_of = dict(zip(questions, queries["query_id"])), dict(zip(replies, corpus["doc_id"]))
    qrels = pd.DataFrame({"query_id": [query_of[q] for q, _ in pairs], "doc_id": [doc_of[r] for _, r in pairs],
                          "relevance": 1}).drop_duplicates()
    train, test = _split(queries)
    folder = _input(root, "chatter_answers")
    (folder / "qrels").mkdir(exist_ok=True)
    queries.sample(frac=1, random_state=SEED).to_csv(folder / "queries.csv", index=False)
    corpus.sample(frac=1, random_state=SEED).to_csv(folder / "corpus.csv", index=False)
    qrels[qrels["query_id"].isin(train["query_id"])].to_csv(folder / "qrels" / "train.csv", index=False)
    info = TaskInfo("chatter_answers", "Find the best answers in corpus.csv for each question without judgements; "
                    "rank the top 10.", "ndcg", True, "retrieval", "doc_id", "query_id", time_limit=120)
    return _save(root, info, qrels[qrels["query_id"].isin(test["query_id"])])


def yeast_functions(root: Path, test_fraction: float = 0.25) -> Path:
    """Multi-label, 0/1 columns: the functional classes of yeast genes from their expression profiles; macro F1.

    The Yeast data set of Elisseeff and Weston (2001), a standard multi-label benchmark: 2,417 genes, 103 numeric
    features (micro-array expression and phylogenetic profile) and 14 functional classes. The task keeps the first
    four (each on 31% to 43% of the genes, 1.5 per gene on average; 23% of genes have none of them): a careful user
    fits one predictor per label, each pays AutoGluon's start-up cost, and fourteen do not fit the 90 s budget.
    It ships inside the river package's wheel (``river/datasets/yeast.csv.gz``), read without importing river;
    none of the other bundled data sets here has several labels per row (vega_datasets' movies are not bundled,
    chatterbot's files carry one category each). The sample submission asks for one 0/1 column per class.
    """
    from importlib.util import find_spec

    spec = find_spec("river")
    if spec is None or spec.origin is None:
        raise RuntimeError("yeast_functions needs the river package (pip install 'mlzero-jupyter[bench]')")
    frame = pd.read_csv(Path(spec.origin).parent / "datasets" / "yeast.csv.gz")
    classes = [f"Class{number}" for number in range(1, 5)]
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("Class") and c not in classes])
    frame[classes] = frame[classes].astype(int)
    frame.insert(0, "gene", _shuffled_ids(len(frame)))
    train, test = _split(frame, test_fraction)
    folder = _input(root, "yeast_functions")
    train.to_csv(folder / "train.csv", index=False)
    test.drop(columns=classes).to_csv(folder / "test.csv", index=False)
    test[["gene"]].assign(**{c: 0 for c in classes}).to_csv(folder / "sample_submission.csv", index=False)
    answers = pd.DataFrame({"gene": test["gene"].to_numpy(),
                            "functions": ["|".join(c for c in classes if row[c]) for _, row in test.iterrows()]})
    info = TaskInfo("yeast_functions", "Which functional classes does each gene in test.csv belong to? A gene can "
                    "have several; mark every class that applies.", "f1_macro_multilabel", True, "multilabel",
                    "functions", "gene", time_limit=120)
    return _save(root, info, answers)


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "breast_cancer": breast_cancer,
    "iris_excel": iris_excel,
    "wine_parquet": wine_parquet,
    "diabetes_sqlite": diabetes_sqlite,
    "cars_text": cars_text,
    "breast_cancer_tables": breast_cancer_tables,
    "macro_forecast": macro_forecast,
    "seattle_seasons": seattle_seasons,
    "digits_images": digits_images,
    "chatter_languages": chatter_languages,
    "fair_affairs": fair_affairs,
    "taylor_demand": taylor_demand,
    "cjk_topics": cjk_topics,
    "seattle_weather": seattle_weather,
    "chatter_documents": chatter_documents,
    "yeast_functions": yeast_functions,
    "chatter_answers": chatter_answers,
    "depth_images_regression": depth_images_regression,
}


def build_suite(root: Path, names: list[str] | None = None) -> list[Path]:
    """Write the named tasks (all by default) under ``root``, replacing earlier copies; returns their folders."""
    root = Path(root)
    names = names or list(BUILDERS)
    for name in names:
        shutil.rmtree(root / name, ignore_errors=True)
    return [BUILDERS[name](root) for name in names]
