"""Fixtures for the offline planner's tests: TaskSpecs built by hand over real data laid out raw, and a runner
that executes a rendered script for real in its attempt folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.offline import OfflinePlanner
from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS, ColumnInfo, FileInfo, Inferred, TaskSpec, TimeSeriesInfo
from mlzero_jupyter.perception.tables import read_table


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    text = series.dropna().astype(str)
    if text.str.contains(r"\.(?:png|jpe?g)$", regex=True).all():
        return "path"
    if text.str.contains(" ").mean() > 0.5 and text.nunique() > 0.5 * len(text):
        return "text"
    return "categorical"


def table(root: Path, path: str, role: str, fmt: str = "csv", **options) -> FileInfo:
    """A FileInfo for a table under ``root``, with its columns profiled the simple way."""
    info = FileInfo(path, role=role, format=fmt, **options)
    frame = read_table(root / path, info)
    info.rows = len(frame)
    info.columns = [ColumnInfo(str(name), str(frame[name].dtype), _kind(frame[name]),
                               examples=[str(v) for v in frame[name].dropna().head(3)]) for name in frame.columns]
    return info


def spec(root: Path, files: list[FileInfo], *, problem: str, target: str, metric: str, id_column: str | None = None,
         modality: str = "tabular", **fields) -> TaskSpec:
    return TaskSpec(data_path=str(root), work_path=str(root), files=files, modality=Inferred(modality, 1.0),
                    problem_type=Inferred(problem, 1.0), target=Inferred(target, 1.0),
                    id_column=Inferred(id_column, 1.0), metric=Inferred(metric, 1.0),
                    higher_is_better=METRIC_DIRECTIONS[metric], **fields)


def context(task: TaskSpec, attempt_dir: Path, time_limit: float = 30, tool: str = "autogluon.tabular",
            **fields) -> CodingContext:
    attempt_dir.mkdir(parents=True, exist_ok=True)
    return CodingContext(task=task, tool=tool, attempt=fields.pop("attempt", 1), attempt_dir=attempt_dir,
                         time_limit=time_limit, **fields)


def run_script(code: str, attempt_dir: Path, timeout: float = 150) -> dict:
    """Write and run the script in its folder; returns metrics.json (the run must succeed)."""
    compile(code, "solution.py", "exec")
    (attempt_dir / "solution.py").write_text(code)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "solution.py"], cwd=attempt_dir, timeout=timeout, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((attempt_dir / "metrics.json").read_text())


@pytest.fixture
def planner() -> OfflinePlanner:
    return OfflinePlanner()

