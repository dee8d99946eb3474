"""The solution notebook: header, sections, earlier attempts, and a headless re-run that reproduces the predictions."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from mlzero_jupyter.errors import RunFolderError
from mlzero_jupyter.notebook.export import LABEL_AGREEMENT, export_notebook, split_sections


def test_code_is_split_on_its_section_comments(solution_code, iris_dir):
    titles = [title for title, _ in split_sections(solution_code(iris_dir))]
    assert titles == ["Set-up", "Load data", "Prepare", "Train", "Evaluate", "Predict and save"]


def test_code_without_sections_stays_one_cell():
    assert split_sections("x = 1\n\nprint(x)\n") == [("Set-up", "x = 1\n\nprint(x)")]


def test_an_indented_comment_does_not_split():
    code = "for i in range(2):\n    # -- not a section --\n    print(i)\n"
    assert len(split_sections(code)) == 1


def test_export_writes_a_header_and_readable_cells(finished_run):
    path = export_notebook(finished_run)
    assert path == finished_run / "solution.ipynb"
    notebook = nbformat.read(path, as_version=4)
    header = notebook.cells[0].source
    for fact in ("Predict the species of each flower.", "train.csv", "species", "scikit-learn", "accuracy",
                 "Validation score", "pandas", "How to re-run", "solution_outputs/", f"{LABEL_AGREEMENT:.0%}"):
        assert fact in header
    headings = [c.source for c in notebook.cells if c.cell_type == "markdown"][1:]
    assert headings == ["## Set-up", "## Load data", "## Prepare", "## Train", "## Evaluate", "## Predict and save"]
    assert "Earlier attempts" not in "".join(c.source for c in notebook.cells)


def test_export_with_all_attempts_adds_the_failed_one_without_running_it(finished_run, tmp_path):
    path = export_notebook(finished_run, tmp_path / "elsewhere" / "mine.ipynb", all_attempts=True)
    notebook = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "### Attempt 1: failed" in text and "KeyError: 'missing'" in text
    assert "### Attempt 2" not in text  # the final one is the solution itself
    assert "mine_outputs" in notebook.cells[1].source


def test_export_refuses_a_run_without_a_solution(finished_run):
    (finished_run / "solution.py").unlink()
    with pytest.raises(RunFolderError, match="no valid solution"):
        export_notebook(finished_run)
    with pytest.raises(RunFolderError, match="ipynb"):
        export_notebook(finished_run.parent / "missing", "x.txt")


def test_the_export_reexecutes_headlessly_and_reproduces_the_predictions(finished_run, tmp_path):
    from nbclient import NotebookClient

    target = tmp_path / "notebooks" / "iris.ipynb"
    export_notebook(finished_run, target)
    before = sorted(p.name for p in finished_run.rglob("*"))
    notebook = nbformat.read(target, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(target.parent)}}).execute()
    outputs = target.parent / "iris_outputs"
    rerun = pd.read_csv(outputs / "predictions.csv")
    pd.testing.assert_frame_equal(rerun, pd.read_csv(finished_run / "predictions.csv"))
    assert (outputs / "metrics.json").is_file()
    assert sorted(p.name for p in finished_run.rglob("*")) == before  # nothing written into the run folder
    assert Path.cwd() != outputs and os.path.isdir(outputs)
