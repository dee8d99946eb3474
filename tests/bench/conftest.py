"""Fixtures for the benchmark tests: the development suite built once, and stand-ins for the two solvers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mlzero_jupyter.bench.baselines import BaselineRun
from mlzero_jupyter.bench.tasks import build_suite
from mlzero_jupyter.result import RunResult


@pytest.fixture(scope="session")
def suite(tmp_path_factory) -> Path:
    """Every task of the development suite, built once for the session (read-only for the tests)."""
    root = tmp_path_factory.mktemp("suite")
    build_suite(root)
    return root


def answers_of(task_dir: Path) -> pd.DataFrame:
    return pd.read_csv(task_dir / "truth" / "answers.csv")


Edit = Callable[[pd.DataFrame], pd.DataFrame]


class FakeSolve:
    """Stands in for ``mlzero_jupyter.solve``: submits the hidden answers passed through ``edit``.

    It records the options it was called with and reports ``execution_s`` as a share of its own wall time.
    """

    def __init__(self, edit: Edit = lambda frame: frame, status: str = "success", sleep_s: float = 0.0,
                 execution_share: float = 0.5, tokens: tuple[int, int] = (0, 0)) -> None:
        self.edit, self.status, self.sleep_s, self.share, self.tokens = edit, status, sleep_s, execution_share, tokens
        self.calls: list[dict] = []

    def __call__(self, data: Path, description: str, **options) -> RunResult:
        started = time.monotonic()
        self.calls.append({"data": Path(data), "description": description, **options})
        time.sleep(self.sleep_s)
        run_dir = Path(options["output_dir"]) / "fake-run"
        run_dir.mkdir(parents=True, exist_ok=True)
        predictions = run_dir / "predictions.csv"
        self.edit(answers_of(Path(data).parent)).to_csv(predictions, index=False)
        total = time.monotonic() - started
        return RunResult("fake", str(run_dir), self.status, predictions_path=str(predictions), total_s=total,
                         execution_s=total * self.share, input_tokens=self.tokens[0], output_tokens=self.tokens[1],
                         cost_usd=0.001 * sum(self.tokens))


def fake_baseline(edit: Edit = lambda frame: frame) -> Callable[[str, Path, Path, float], BaselineRun]:
    """Stands in for ``run_baseline``: writes the hidden answers passed through ``edit`` as its submission."""

    def run(name: str, input_dir: Path, scratch: Path, budget: float) -> BaselineRun:
        scratch.mkdir(parents=True, exist_ok=True)
        path = scratch / "submission.csv"
        edit(answers_of(Path(input_dir).parent)).to_csv(path, index=False)
        return BaselineRun(path, 1.5, 0)

    return run


@pytest.fixture
def fake_solve_class():
    return FakeSolve


@pytest.fixture
def make_fake_baseline():
    return fake_baseline
