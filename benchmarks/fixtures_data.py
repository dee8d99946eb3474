"""Small real data folders built from scikit-learn's data, laid out as a user would hand them over.

One builder for each dataset; the fixtures of tests/conftest.py, the support modules of the test folders and
the reliability scenarios (benchmarks/reliability_scenarios.py) all use these.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

SPECIES = np.array(["setosa", "versicolor", "virginica"])


def tree_digest(folder: Path, folders: bool = False) -> dict[str, str]:
    """Every file under ``folder`` with its sha256 (and, with ``folders``, every folder with ''): equal digests
    mean byte-identical trees."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        for p in sorted(folder.rglob("*"))
        if folders or p.is_file()
    }


def holdout(frame: pd.DataFrame, label: str, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train and test halves of ``frame``, 80/20 by ``seed``; the test half without the label."""
    test = frame.sample(frac=0.2, random_state=seed)
    return frame.drop(test.index), test.drop(columns=label)


def write_task(folder: Path, frame: pd.DataFrame, label: str, seed: int = 0, sample: object = None) -> Path:
    """``frame`` as train.csv and test.csv (see :func:`holdout`); given ``sample``, also a sample_submission.csv:
    the id column (the first) with ``sample`` as every answer."""
    folder.mkdir(parents=True, exist_ok=True)
    train, test = holdout(frame, label, seed)
    train.to_csv(folder / "train.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    if sample is not None:
        test[[frame.columns[0]]].assign(**{label: sample}).to_csv(folder / "sample_submission.csv", index=False)
    return folder


def iris_frame(tidy_names: bool = False) -> pd.DataFrame:
    """scikit-learn's iris: ``flower_id`` (1..150), the four measurements, ``species`` by name.

    ``tidy_names``: ``sepal_length`` and so on instead of scikit-learn's ``sepal length (cm)``.
    """
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    if tidy_names:
        frame.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in frame.columns]
    frame["species"] = SPECIES[frame.pop("target")]
    frame.insert(0, "flower_id", range(1, len(frame) + 1))
    return frame


def make_iris(folder: Path, tidy_names: bool = False, seed: int = 0, sample_submission: bool = True) -> Path:
    """Iris as train.csv / test.csv and (unless told otherwise) sample_submission.csv, every answer 'setosa'."""
    return write_task(folder, iris_frame(tidy_names), "species", seed, "setosa" if sample_submission else None)


def make_diabetes(folder: Path) -> Path:
    """scikit-learn's diabetes (scaled) as train.csv / test.csv: ``patient`` (from 1000) and ``progression``."""
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True).frame.rename(columns={"target": "progression"})
    frame.insert(0, "patient", range(1000, 1000 + len(frame)))
    return write_task(folder, frame, "progression")
