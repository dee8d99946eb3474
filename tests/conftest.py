"""Settings for the whole suite.

Runs stop at their first valid result here (``MLZERO_QUICK``, read by the configuration like any ``MLZERO_*``
variable, and inherited by the CLI, kernels and servers the tests start), so a test that is not about the search
does not spend its whole time budget. Tests of the search ask for it explicitly (``quick=False``).

The small real data folders that several test folders use are fixtures here, built by fixtures_data.py (whose
builders support modules import by that name).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from fixtures_data import make_diabetes, make_iris, tree_digest

os.environ.setdefault("MLZERO_QUICK", "true")
# A suite started in the background by a non-interactive shell inherits SIGINT ignored, and Python then keeps it
# ignored; the tests of Ctrl-C and Kernel > Interrupt (both SIGINT) need Python's own handler.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist's ``--dist loadgroup`` (the README's test command) a test file runs whole on one worker,
    so its module fixtures are built once, and the Ray tests share one worker, so one Ray cluster is started."""
    for item in items:
        path = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group("ray" if path.startswith("tests/ray/") else path))


@pytest.fixture
def digest():
    """``digest(folder)``: every file under it with its sha256, to show a folder was left untouched."""
    return tree_digest


@pytest.fixture
def iris_folder(tmp_path: Path) -> Path:
    """Iris as train.csv / test.csv / sample_submission.csv, scikit-learn's column names, ``flower_id``."""
    return make_iris(tmp_path / "iris")


@pytest.fixture
def iris_dir(tmp_path: Path) -> Path:
    """Iris as train.csv / test.csv only, tidy column names (``sepal_length``), ``flower_id``."""
    return make_iris(tmp_path / "iris", tidy_names=True, sample_submission=False)


@pytest.fixture
def iris_csv(tmp_path: Path) -> Path:
    """Iris as train.csv / test.csv / sample_submission.csv, scikit-learn's column names, another test split."""
    return make_iris(tmp_path / "iris_csv", seed=1)


@pytest.fixture
def diabetes(tmp_path: Path) -> Path:
    """scikit-learn's diabetes as train.csv / test.csv, ``patient`` ids, the label ``progression``."""
    return make_diabetes(tmp_path / "diabetes")
