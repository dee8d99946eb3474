"""The magics through an IPython InteractiveShell: one-line errors, sub-commands, DataFrames and {var}."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

from mlzero_jupyter.notebook.session import REGISTRY, fill_description, resolve_data


@pytest.fixture
def shell(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ipython = InteractiveShell.instance()
    ipython.run_line_magic("load_ext", "mlzero_jupyter")
    REGISTRY.settings.clear()
    yield ipython
    REGISTRY.settings.clear()
    REGISTRY.coder_factory = None
    ipython.run_line_magic("unload_ext", "mlzero_jupyter")


def one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("mlzero: error: ") and "Traceback" not in captured.out + captured.err
    return lines[0]


@pytest.mark.parametrize("cell, expected", [
    ("%mlzero frobnicate", "unknown sub-command"),
    ("%mlzero show", "required: run"),
    ("%mlzero stop", "no run is running"),
    ("%mlzero stop 2026", "no run named '2026' is running"),
    ("%mlzero show nowhere", "no run named 'nowhere'"),
    ("%mlzero export nowhere", "no run named 'nowhere'"),
    ("%mlzero config frobs=1", "unknown setting 'frobs'"),
    ("%mlzero config max_iterations=many", "max_iterations='many' is invalid"),
    ("%mlzero config max_iterations=0", "must be at least 1"),
    ("%mlzero config time_limit=soon", "time_limit"),
    ("%mlzero config provider=nobody", "unknown provider 'nobody'"),
    ("%%mlzero\nPredict y.", "give the data"),
    ("%%mlzero no/such/folder\nPredict y.", "no file or folder 'no/such/folder'"),
    ("%%mlzero number\nPredict y.", "number is a int"),
    ("%%mlzero . --max-iterations lots\nPredict y.", "invalid int value"),
    ("%%mlzero .\nPredict {undefined_name}.", "{undefined_name}, which is not defined"),
])
def test_mistakes_are_one_line_errors_without_traceback(shell, capsys, cell, expected):
    shell.user_ns["number"] = 3
    shell.run_cell(cell)
    assert expected in one_line_error(capsys)


def test_help_lists_the_commands(shell, capsys):
    shell.run_cell("%mlzero help")
    out = capsys.readouterr().out
    assert "%%mlzero [DATA] [options]" in out and "export RUN [PATH] [--all-attempts]" in out


def test_show_and_export_find_a_run_under_the_configured_output(shell, capsys, finished_run, tmp_path):
    runs = tmp_path / "elsewhere"
    shutil.copytree(finished_run, runs / finished_run.name)
    shell.run_cell(f"%mlzero config output={runs}")
    shell.run_cell("%mlzero show 2026")
    out = capsys.readouterr().out
    assert f"Run {finished_run.name}: success" in out
    shell.run_cell("%mlzero export 20260101 nb/out.ipynb --all-attempts")
    assert f"to {tmp_path / 'nb' / 'out.ipynb'}" in capsys.readouterr().out
    assert (tmp_path / "nb" / "out.ipynb").is_file()


def test_description_variables_are_filled_from_the_namespace():
    assert fill_description("Predict {target} by {{week}}.\n", {"target": "price"}) == "Predict price by {week}."
    assert fill_description("  \n", {}) is None


def test_a_dataframe_is_saved_in_the_output_area_not_the_users_folder(tmp_path, iris_dir):
    frame = pd.read_csv(iris_dir / "train.csv").set_index("flower_id")
    path = resolve_data("flowers", {"flowers": frame}, str(tmp_path / "runs"))
    assert path.suffix == ".parquet" and path.parent.parent == (tmp_path / "runs" / "dataframes").resolve()
    saved = pd.read_parquet(path)
    assert list(saved.columns) == ["flower_id", *frame.columns] and len(saved) == len(frame)
    assert sorted(p.name for p in iris_dir.iterdir()) == ["test.csv", "train.csv"]
    assert resolve_data("where", {"where": str(iris_dir)}, None) == iris_dir.resolve()


def test_config_sets_session_values_that_runs_use(shell, capsys):
    shell.run_cell("%mlzero config time_limit=5m max_iterations=2 quick=true")
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "300.0" in lines["time_limit"] and "(set in this session)" in lines["time_limit"]
    assert "2" in lines["max_iterations"] and "True" in lines["quick"]
    assert "(set in this session)" not in lines["provider"]
    from mlzero_jupyter.notebook.session import session_options

    options = session_options({"max_iterations": 4, "name": "x"})
    assert (options.time_limit, options.max_iterations, options.quick, options.name) == (300.0, 4, True, "x")


def test_providers_knowledge_and_list_run_the_cli_commands(shell, capsys, finished_run):
    shell.run_cell("%mlzero providers")
    assert "offline" in capsys.readouterr().out
    shell.run_cell("%mlzero knowledge time series frequency")
    assert "autogluon.timeseries" in capsys.readouterr().out
    shell.run_cell(f"%mlzero config output={finished_run.parent}")
    capsys.readouterr()
    shell.run_cell("%mlzero list")
    assert "20260101-iris" in capsys.readouterr().out


def test_a_run_in_terminal_ipython_prints_progress_and_leaves_its_result(shell, capsys, tmp_path, iris_dir,
                                                                           solution_code, failing_code):
    from mlzero_jupyter.coding.scripted import ScriptedCoder

    REGISTRY.coder_factory = lambda options: ScriptedCoder([failing_code, solution_code(iris_dir)])
    shell.user_ns["goal"] = "species"
    shell.run_cell(f"%%mlzero {iris_dir} --output runs --time-limit 2m\nPredict the {{goal}} of each flower.")
    out = capsys.readouterr().out
    assert "attempt 1: failed" in out and "attempt 2: done" in out and "Leaderboard:" in out
    result = shell.user_ns["mlzero_result"]
    assert result.status == "success" and result.task == "Predict the species of each flower."
    assert len(result.predictions()) == 30
    run_dir = Path(result.run_dir)
    assert (run_dir / "attempts.ipynb").is_file() and (run_dir / "solution.ipynb").is_file()
    assert f"All attempts, one cell each: {run_dir / 'attempts.ipynb'}" in out


def test_stop_from_another_thread_reaches_the_running_run(shell, capsys, iris_dir):
    import threading
    import time

    from mlzero_jupyter.coding.scripted import ScriptedCoder

    forever = "import time\nwhile True:\n    time.sleep(0.1)\n"
    REGISTRY.coder_factory = lambda options: ScriptedCoder([forever])
    stopped = []

    def stop_when_running():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not stopped:
            runs = REGISTRY.running()
            memory = runs[0].agent.memory if runs else None
            if memory is not None and memory.of_kind("attempt_started"):
                time.sleep(0.5)
                shell.run_line_magic("mlzero", f"stop {runs[0].run_id[:12]}")
                stopped.append(time.monotonic())
            time.sleep(0.1)

    threading.Thread(target=stop_when_running, daemon=True).start()
    shell.run_cell(f"%%mlzero {iris_dir} --output runs --time-limit 2m\nPredict the species.")
    assert stopped and time.monotonic() - stopped[0] < 20
    assert shell.user_ns["mlzero_result"].status == "stopped"
    assert "Stopping 20" in capsys.readouterr().out
    assert REGISTRY.running() == []
