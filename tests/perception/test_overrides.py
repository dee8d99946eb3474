"""--target, --metric and --problem-type: applied after perception at confidence 1.0, from perceive(), the CLI, the
magic's argument parser and solve(); a name that does not exist is one line listing the choices."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mlzero_jupyter.cli import main
from mlzero_jupyter.errors import ConfigError, UserInputError
from mlzero_jupyter.perception import TaskSpec, perceive
from mlzero_jupyter.perception.overrides import USER_REASON


@pytest.fixture
def films(tmp_path):
    """vega's cars renamed like a film table: `Rating` is categorical, `imdbRating` numeric."""
    from vega_datasets import local_data

    cars = local_data.cars().rename(columns={"Name": "Title", "Origin": "Rating", "Miles_per_Gallon": "imdbRating"})
    folder = tmp_path / "films"
    folder.mkdir()
    cars.to_csv(folder / "films.csv", index=False)
    return folder


def test_target_override_brings_its_own_problem_type_and_metric(films):
    guessed = perceive(films, "Estimate the IMDb rating")
    spec = perceive(films, "Estimate the IMDb rating", overrides={"target": "Rating", "metric": None})
    assert (spec.target.value, spec.target.confidence, spec.target.reason) == ("Rating", 1.0, USER_REASON)
    assert spec.target.alternatives[0] == guessed.target.value == "imdbRating"
    assert (spec.problem_type.value, spec.metric.value) == ("multiclass", "accuracy")
    assert "target" not in spec.ambiguous_fields


def test_problem_type_and_metric_overrides(films):
    spec = perceive(films, "predict the Cylinders", overrides={"problem_type": "regression", "metric": "mae"})
    assert spec.target.value == "Cylinders"
    assert (spec.problem_type.value, spec.problem_type.confidence, spec.problem_type.alternatives) == (
        "regression", 1.0, ["multiclass"])
    assert (spec.metric.value, spec.metric.reason, spec.higher_is_better) == ("mae", USER_REASON, False)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"target": "imdb_rating"}, "target 'imdb_rating' is not a column of films.csv; choose one of Title, "),
    ({"metric": "auc"}, "metric 'auc' is not known; choose one of accuracy, balanced_accuracy"),
    ({"problem_type": "ranking"}, "problem type 'ranking' is not known; choose one of binary, multiclass, regression"),
    ({"target": "Rating", "metric": "rmse"}, "metric 'rmse' is not a metric for a multiclass task; choose one of "
                                             "accuracy"),
    ({"problem_type": "forecasting"}, "problem type forecasting needs a date or time column"),
])
def test_wrong_names_are_one_line_with_the_choices(films, overrides, message):
    with pytest.raises(ConfigError) as raised:
        perceive(films, "Estimate the IMDb rating", overrides=overrides)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


def test_old_task_json_without_the_new_fields_still_loads(films):
    data = perceive(films, "How likely is each film to be rated USA?").to_dict()
    assert data["wants_probabilities"] is True
    del data["wants_probabilities"]
    assert TaskSpec.from_dict(data).wants_probabilities is False
    again = perceive(films, "How likely is each film to be rated USA?")
    assert TaskSpec.from_json(again.to_json()) == again


def test_cli_inspect_applies_and_shows_the_overrides(films, capsys, digest):
    before = digest(films)
    assert main(["inspect", str(films), "-d", "Estimate the IMDb rating", "--target", "Rating",
                 "--problem-type", "multiclass", "--metric", "f1_macro", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(data[k]["value"], data[k]["confidence"], data[k]["reason"]) for k in ("target", "problem_type",
                                                                                 "metric")] == [
        ("Rating", 1.0, USER_REASON), ("multiclass", 1.0, USER_REASON), ("f1_macro", 1.0, USER_REASON)]
    assert main(["inspect", str(films), "--target", "Rating"]) == 0
    assert "set by the user" in capsys.readouterr().out
    assert digest(films) == before


def test_cli_refuses_a_missing_column_in_one_line(films, capsys):
    assert main(["inspect", str(films), "--target", "stars"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mlzero inspect: error: target 'stars' is not a column of films.csv; choose one of")
    assert "imdbRating" in err and len(err.splitlines()) == 1


def test_cli_run_checks_names_before_starting_and_refuses_them_on_resume(films, tmp_path, capsys):
    assert main(["run", str(films), "x", "--metric", "rmsle2", "--output", str(tmp_path / "runs")]) == 2
    assert "metric 'rmsle2' is not known" in capsys.readouterr().err
    assert main(["run", "--resume", str(tmp_path / "runs"), "--target", "Rating"]) == 2
    assert "a resumed run keeps its task" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_cli_run_passes_the_overrides_as_run_options():
    import argparse

    from mlzero_jupyter.cli.commands.run import add_arguments, options_from

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    given = options_from(parser.parse_args(["data", "--target", "imdbRating", "--problem-type", "regression"]))
    assert (given["target"], given["problem_type"]) == ("imdbRating", "regression") and "metric" not in given
    assert "target" not in options_from(parser.parse_args(["data"]))


def test_magic_arguments_take_the_same_flags():
    from mlzero_jupyter.notebook.arguments import help_text, parse_run_line

    arguments = parse_run_line("films/ --target imdbRating --metric mae --problem-type regression --time-limit 1m")
    assert (arguments.target, arguments.metric, arguments.problem_type) == ("imdbRating", "mae", "regression")
    assert {k: arguments.options()[k] for k in ("target", "metric", "problem_type")} == {
        "target": "imdbRating", "metric": "mae", "problem_type": "regression"}
    assert "target" not in parse_run_line("films/").options()
    with pytest.raises(UserInputError, match="problem type 'regresion' is not known; choose one of"):
        parse_run_line("films/ --problem-type regresion").options()
    assert all(flag in help_text() for flag in ("--target", "--metric", "--problem-type"))


def _run_options_take_overrides() -> bool:
    from mlzero_jupyter.agent import RunOptions

    return {"target", "metric", "problem_type"} <= {f.name for f in dataclasses.fields(RunOptions)}


@pytest.mark.skipif(not _run_options_take_overrides(), reason="RunOptions has no target/metric/problem_type yet")
def test_solve_override_reaches_task_json(films, tmp_path):
    from mlzero_jupyter.api import solve
    from mlzero_jupyter.notebook.session import session_options

    assert session_options({"target": "Rating", "metric": None}).target == "Rating"
    result = solve(films, "Estimate the IMDb rating", target="Rating", metric="balanced_accuracy",
                   time_limit="5s", output_dir=str(tmp_path / "runs"))  # too short for an attempt: perception only
    task = json.loads((Path(result.run_dir) / "task.json").read_text())
    assert (task["target"]["value"], task["target"]["reason"]) == ("Rating", USER_REASON)
    assert (task["problem_type"]["value"], task["metric"]["value"]) == ("multiclass", "balanced_accuracy")


def test_widget_offers_each_uncertain_fields_alternatives_and_one_click_chooses(films):
    from mlzero_jupyter.notebook.choices import choice_widget

    task = perceive(films, "Train a model on this table").to_dict()
    assert "target" in TaskSpec.from_dict(task).ambiguous_fields
    chosen = []
    widget = choice_widget(task, lambda name, value: chosen.append((name, value)))
    row = widget.children[0]
    buttons = {b.description: b for b in row.children[1:]}
    assert "uncertain" in row.children[0].value and "imdbRating" in buttons
    buttons["imdbRating"].click()
    assert chosen == [("target", "imdbRating")] and all(b.disabled for b in buttons.values())
    assert "--target imdbRating" in widget.children[-1].value
    assert choice_widget(perceive(films, "Estimate the IMDb rating").to_dict(), chosen.append) is None


def test_a_click_in_the_run_display_starts_the_run_again_with_that_choice(films, tmp_path, monkeypatch, caplog):
    """%%mlzero in a widget frontend: the live display's button stops the run and runs the cell's task again with
    --target (5 s budgets: too short for an attempt, perception only)."""
    from IPython.core.interactiveshell import InteractiveShell

    from mlzero_jupyter.notebook import choices, magics
    from mlzero_jupyter.notebook.frontend import INTERACTIVE, Frontend

    shown, real = [], choices.choice_widget

    def click_imdb_rating(task, on_choose):
        widget = real(task, on_choose)
        shown.append(widget)
        if len(shown) == 1:
            next(b for b in widget.children[0].children[1:] if b.description == "imdbRating").click()
        return widget

    monkeypatch.setattr(magics, "detect", lambda shell: Frontend(INTERACTIVE, shell))
    monkeypatch.setattr(choices, "choice_widget", click_imdb_rating)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "mlzero_jupyter")
    try:
        shell.run_cell_magic("mlzero", f"{films} --time-limit 5s --quick --output {tmp_path / 'runs'}",
                             "Train a model on this table")
    finally:
        shell.run_line_magic("unload_ext", "mlzero_jupyter")
    runs = {run.name: json.loads((run / "task.json").read_text()) for run in (tmp_path / "runs").iterdir()}
    second = runs[Path(shell.user_ns["mlzero_result"].run_dir).name]  # the cell's result is the new run's
    (first,) = [task for task in runs.values() if task is not second]
    assert first["target"]["value"] != "imdbRating" and first["target"]["confidence"] < 0.6
    assert (second["target"]["value"], second["target"]["reason"]) == ("imdbRating", USER_REASON)
    assert second["problem_type"]["value"] == "regression" and shown[1] is None  # nothing uncertain is left
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
