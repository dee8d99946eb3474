"""The demo notebooks run headlessly on the offline planner with real AutoGluon fits, and the tabular one's
exported solution reproduces its predictions (identical, or the stated share of labels the same: AutoGluon's neural
network is not bit-for-bit repeatable across processes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from mlzero_jupyter.notebook.export import LABEL_AGREEMENT

DEMOS = Path(__file__).resolve().parents[2] / "demo_notebooks"


def execute(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                     for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)


@pytest.mark.fit
@pytest.mark.parametrize("name, metric", [("tabular_wine", "accuracy"), ("timeseries_macro", "mase"),
                                          ("images_digits", "accuracy")])
def test_demo_notebook_solves_its_task(tmp_path, monkeypatch, name, metric):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = tmp_path / f"{name}.ipynb"
    shutil.copyfile(DEMOS / path.name, path)
    text = outputs(execute(path))
    assert f"success {metric} " in text and "Exported notebook: " in text
    (run_dir,) = [p for p in (tmp_path / "mlzero-runs").iterdir() if (p / "task.json").exists()]
    assert (run_dir / "attempts.ipynb").is_file()
    if name == "tabular_wine":  # the export reproduces the run: the same predictions, or nearly
        execute(run_dir / "solution.ipynb")
        rerun = pd.read_csv(run_dir / "solution_outputs" / "predictions.csv")
        original = pd.read_csv(run_dir / "predictions.csv")
        assert rerun.shape == original.shape and (rerun["wine_id"] == original["wine_id"]).all()
        assert (rerun["cultivar"] == original["cultivar"]).mean() >= LABEL_AGREEMENT
        assert json.loads((run_dir / "solution_outputs" / "metrics.json").read_text())["metric"] == "accuracy"
