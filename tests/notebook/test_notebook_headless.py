"""A notebook with %%mlzero cells run headlessly by nbclient, as papermill or CI would: it never waits, its outputs
hold the summary, the run leaves attempts.ipynb and solution.ipynb, and the exported notebook reproduces the
predictions when nbclient runs it again."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook


def execute(notebook, folder: Path, timeout: int = 240):
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    return client.execute()


def texts(cell) -> str:
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_a_headless_notebook_runs_to_the_end_and_its_export_reproduces_the_predictions(
        tmp_path, iris_dir, solution_code, failing_code):
    setup = ("%load_ext mlzero_jupyter\n"
             "from mlzero_jupyter.notebook.magics import REGISTRY\n"
             "from mlzero_jupyter.coding.scripted import ScriptedCoder\n"
             f"REGISTRY.coder_factory = lambda options: ScriptedCoder({[failing_code, solution_code(iris_dir)]!r})\n"
             "import pandas as pd\n"
             f"flowers = pd.read_csv({str(iris_dir / 'train.csv')!r})\n"
             "what = 'species'")
    notebook = new_notebook(cells=[
        new_code_cell(setup),
        new_code_cell(f"%%mlzero {iris_dir} --output runs --guide --time-limit 3m --quick\n"
                      "Predict the {what} of each flower."),
        new_code_cell("print(mlzero_result.status, mlzero_result.best_attempt, mlzero_result.predictions().shape)"),
        new_code_cell("REGISTRY.coder_factory = lambda options: ScriptedCoder(['raise SystemExit(1)'])"),
        new_code_cell("%%mlzero flowers --output runs --max-iterations 1 --name frame\nPredict the species."),
        new_code_cell("print(mlzero_result.status, len(flowers))"),
    ])
    began = time.monotonic()
    execute(notebook, tmp_path)
    assert time.monotonic() - began < 120  # --guide never waits without a frontend (--confirm is refused there)

    run_cell = texts(notebook.cells[1])
    for line in ("MLZero run ", "attempt 1: failed", "attempt 2: done", ": success", "accuracy = ",
                 "Leaderboard:", "Feature importance:", "Exported notebook: "):
        assert line in run_cell
    assert any("text/html" in o.get("data", {}) for o in notebook.cells[1].outputs)
    assert "success 2 (30, 2)" in texts(notebook.cells[2])

    runs = sorted((p for p in (tmp_path / "runs").iterdir() if (p / "task.json").exists()),
                  key=lambda p: p.stat().st_mtime)
    first, framed = runs
    task = json.loads((first / "task.json").read_text())
    assert task["description"] == "Predict the species of each flower."
    attempts = nbformat.read(first / "attempts.ipynb", as_version=4)
    assert [c.metadata["mlzero"]["attempt"] for c in attempts.cells if c.cell_type == "code"] == [1, 2]

    frame_task = json.loads((framed / "task.json").read_text())
    saved = Path(frame_task["data_path"])
    assert saved.suffix == ".parquet" and saved.parent.parent == (tmp_path / "runs" / "dataframes").resolve()
    assert len(pd.read_parquet(saved)) == 120 and "failed 120" in texts(notebook.cells[5])

    exported = nbformat.read(first / "solution.ipynb", as_version=4)
    execute(exported, first)
    reproduced = pd.read_csv(first / "solution_outputs" / "predictions.csv")
    pd.testing.assert_frame_equal(reproduced, pd.read_csv(first / "predictions.csv"))
