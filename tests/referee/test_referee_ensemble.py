"""An ensemble of attempts wins on the held-out rows, is refit on the user's data, and its exported notebook
reproduces the published predictions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.coding.scripted import ScriptedCoder
from mlzero_jupyter.events import Unattended

#: A linear model whose predictions are shifted by OFFSET: two of them, shifted both ways, average to a better one.
SHIFTED = textwrap.dedent(
    """
    import json
    import time
    from pathlib import Path
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    DATA = Path({data!r})
    OFFSET = {offset}
    time.sleep({seconds})
    train = pd.read_csv(DATA / "train.csv")
    test = pd.read_csv(DATA / "test.csv")
    features = [c for c in test.columns if c != "patient"]
    model = LinearRegression().fit(train[features], train["progression"])
    pd.DataFrame({{"patient": test["patient"], "progression": model.predict(test[features]) + OFFSET}}).to_csv(
        "predictions.csv", index=False)
    json.dump({{"metric": "rmse", "validation_score": 50.0, "validation": "on a hold-out"}}, open("metrics.json", "w"))
    """
)


def shifted(offset: float, seconds: float = 0.0):
    return lambda context: SHIFTED.format(data=str(context.task.work_path), offset=offset, seconds=seconds)


def test_an_ensemble_that_wins_is_refit_published_and_exported(diabetes, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    from mlzero_jupyter.notebook.export import export_notebook

    options = RunOptions(output_dir=str(tmp_path / "runs"), time_limit=300, max_iterations=2, quick=False)
    agent = Agent(diabetes, "Predict the disease progression (rmse).", options,
                  coder=ScriptedCoder([shifted(40.0), shifted(-40.0)]), controller=Unattended())
    result = agent.run()
    assert [a.status for a in result.attempts] == ["success", "success"]
    best_single = min(a.score for a in result.attempts)
    assert set(result.ensemble) == {"1", "2"} and sum(result.ensemble.values()) == pytest.approx(1, abs=1e-3)
    assert result.validation_score < best_single  # rmse: the ensemble beat both attempts on the held-out rows
    assert 0 < result.validation_score_error < result.validation_score  # the ensemble's own standard error
    assert "greedy ensemble of attempts 1, 2" in result.published and "run again on every labelled row" in \
        result.published
    published = pd.read_csv(result.predictions_path)
    assert list(published["patient"]) == list(pd.read_csv(diabetes / "test.csv")["patient"])  # real rows only

    notebook_path = export_notebook(result.run_dir, tmp_path / "export" / "solution.ipynb")
    notebook = nbformat.read(notebook_path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook_path.parent)}}).execute()
    again = pd.read_csv(notebook_path.parent / "solution_outputs" / "predictions.csv")
    pd.testing.assert_frame_equal(again, published)


def test_an_ensemble_whose_members_cannot_run_again_gives_way_to_the_best_attempts_final_run(diabetes, tmp_path):
    """Attempt 1 is quick and the better one; attempt 2 takes 35 s: their ensemble wins on the held-out rows, but
    running both again does not fit in what is left, while attempt 1 alone does, on a fifth more rows."""
    options = RunOptions(output_dir=str(tmp_path / "runs"), time_limit=60, max_iterations=2, quick=False)
    agent = Agent(diabetes, "Predict the disease progression (rmse).", options,
                  coder=ScriptedCoder([shifted(30.0), shifted(-50.0, seconds=35)]), controller=Unattended())
    result = agent.run()
    assert [a.status for a in result.attempts] == ["success", "success"]
    assert result.ensemble == {} and result.best_attempt == 1
    assert result.validation_score == result.attempts[0].score
    assert result.published.startswith("attempt 1's script run again on every labelled row")
    assert "an ensemble of attempts 1, 2 scored" in result.published and "did not fit in the" in result.published


def test_a_single_valid_attempt_is_refit_alone_on_the_users_data(diabetes, tmp_path):
    options = RunOptions(output_dir=str(tmp_path / "runs"), time_limit=300, max_iterations=1, quick=False)
    agent = Agent(diabetes, "Predict the disease progression (rmse).", options,
                  coder=ScriptedCoder([shifted(0.0)]), controller=Unattended())
    result = agent.run()
    assert result.ensemble == {} and result.best_attempt == 1
    assert result.published.startswith("attempt 1's script run again on every labelled row")
    code = Path(result.solution_path).read_text()
    assert str(diabetes) in code and "referee_data" not in code  # reads the user's own files


#: A flat forecast (each series' last value) shifted by OFFSET, for every row test.csv asks for.
SHIFTED_FORECAST = textwrap.dedent(
    """
    import json
    from pathlib import Path
    import pandas as pd

    DATA = Path({data!r})
    OFFSET = {offset}
    history = pd.read_csv(DATA / "history.csv").sort_values("date")
    test = pd.read_csv(DATA / "test.csv")
    test["value"] = test["series"].map(history.groupby("series")["value"].last()) + OFFSET
    test.to_csv("predictions.csv", index=False)
    json.dump({{"metric": "mase", "validation_score": 1.0, "validation": "none"}}, open("metrics.json", "w"))
    """
)


def test_a_forecast_ensemble_is_published_from_its_members_run_on_the_users_data(tmp_path):
    """Two forecasts shifted both ways average to a better one on the referee's window; the ensemble's members run
    again on the user's history, so the published forecast is of the real horizon (the last values, unshifted)."""
    from mlzero_jupyter.bench.tasks import macro_forecast

    folder = macro_forecast(tmp_path / "suite") / "input"
    script = lambda offset: lambda context: SHIFTED_FORECAST.format(data=str(context.task.work_path), offset=offset)
    options = RunOptions(output_dir=str(tmp_path / "runs"), time_limit=300, max_iterations=2, quick=False)
    agent = Agent(folder, "Forecast each series for the next 8 quarters; MASE.", options,
                  coder=ScriptedCoder([script(5000.0), script(-5000.0)]), controller=Unattended())
    result = agent.run()
    assert [a.status for a in result.attempts] == ["success", "success"]
    assert set(result.ensemble) == {"1", "2"} and result.validation_score < min(a.score for a in result.attempts)
    assert "run again on every labelled row" in result.published
    published = pd.read_csv(result.predictions_path)
    history = pd.read_csv(folder / "history.csv").sort_values("date")
    wanted = pd.read_csv(folder / "test.csv")
    assert published[["series", "date"]].equals(wanted)
    shift = 5000.0 * (result.ensemble["1"] - result.ensemble["2"])
    expected = wanted["series"].map(history.groupby("series")["value"].last()) + shift
    assert published["value"].to_numpy() == pytest.approx(expected.to_numpy())
