"""Fixtures for the agent tests: small real datasets laid out as a user would hand them over."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its sha256: equal digests mean byte-identical trees."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def digest():
    return tree_digest


@pytest.fixture
def iris_folder(tmp_path: Path) -> Path:
    """scikit-learn's iris as train.csv / test.csv / sample_submission.csv with an id column."""
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    frame.insert(0, "flower_id", range(1, len(frame) + 1))
    test = frame.sample(frac=0.2, random_state=0)
    train = frame.drop(test.index)
    folder = tmp_path / "iris"
    folder.mkdir()
    train.to_csv(folder / "train.csv", index=False)
    test.drop(columns="species").to_csv(folder / "test.csv", index=False)
    test[["flower_id"]].assign(species="setosa").to_csv(folder / "sample_submission.csv", index=False)
    return folder


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    return tmp_path / "runs"
