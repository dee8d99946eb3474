"""Fixtures for the perception tests: tree digests, tiny images and small synthetic frames."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures_data import tree_digest


def write_png(path: Path, value: int = 0, size: int = 8, mode: str = "RGB") -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    colour = (value, 255 - value, 0) if mode == "RGB" else value
    Image.new(mode, (size, size), colour).save(path)


def customers(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    """A churn-like table: an id, numeric and categorical features and a yes/no label that depends on them."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "customer_id": np.arange(1000, 1000 + rows),
        "age": rng.integers(18, 80, rows),
        "monthly_fee": rng.normal(50, 15, rows).round(2),
        "plan": rng.choice(["basic", "plus", "premium"], rows),
        "tenure_months": rng.integers(1, 72, rows),
    })
    frame["churn"] = np.where(frame["tenure_months"] + rng.normal(0, 10, rows) < 20, "yes", "no")
    return frame


@pytest.fixture
def digest():
    """Here folders count too: perception must not create one in the user's data."""
    return partial(tree_digest, folders=True)


@pytest.fixture
def write_image():
    return write_png


@pytest.fixture
def make_customers():
    return customers
