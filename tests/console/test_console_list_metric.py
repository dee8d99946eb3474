"""`mlzero list` at 80 columns with a long metric name: the metric is shortened, the task column stays."""

from __future__ import annotations

import console_support
from console_support import CLI, in_terminal, make_runs, quiet_env, screen_lines
from rich.cells import cell_len

from mlzero_jupyter.cli.commands.list import COLUMNS
from mlzero_jupyter.cli.tables import table_lines

LONG_METRIC = "f1_macro_multilabel"


def test_a_long_metric_is_shortened_so_that_the_task_keeps_its_column(tmp_path, monkeypatch):
    monkeypatch.setattr(console_support, "RUNS", [
        ("Which functions does each yeast gene have?", LONG_METRIC, "success", 0.6123, 3),
        ("Price of each house", "rmse", "failed", None, 2)])
    shown, running = make_runs(tmp_path / "runs")
    try:
        lines = screen_lines(in_terminal([*CLI, "list", "--output", str(tmp_path / "runs")], quiet_env(tmp_path), 80))
    finally:
        running.release()
    assert lines[0].split() == list(COLUMNS)
    assert all(cell_len(line) <= 80 for line in lines), [cell_len(line) for line in lines]
    task_at = lines[0].index("task")
    for run_id, fields in shown.items():
        [line] = [line for line in lines if line.startswith(run_id + " ")]
        task = line[task_at:]
        assert task == fields["task"] or (task.endswith("…") and fields["task"].startswith(task[:-1])), line
        if fields["metric"] == LONG_METRIC:
            metric = line[lines[0].index("metric"):lines[0].index("score")].split()[0]
            assert metric.endswith("…") and LONG_METRIC.startswith(metric[:-1]), line
    assert any(fields["task"] and fields["metric"] == LONG_METRIC for fields in shown.values())


def test_the_metric_gives_up_only_the_cells_the_task_needs_or_none():
    row = ("20261201-which-functions-do-0a1b2c", "success", LONG_METRIC, "0.6123", "3", "Which functions?")
    wide, narrow, tight = ([line.plain for line in table_lines(COLUMNS, [row], width, right=(3, 4), shrink=(2,))]
                           for width in (120, 80, 60))
    assert LONG_METRIC in wide[1] and wide[1].endswith("  Which functions?")
    assert len(narrow[1]) == 80 and narrow[1].endswith("  Which…"), narrow  # the task gets MIN_LAST_WIDTH cells
    assert f"  {LONG_METRIC[:8]}…  " in narrow[1], narrow  # the metric gives up what the task needs, no more
    assert tight[0].split() == list(COLUMNS[:-1]) and LONG_METRIC in tight[1]  # not enough even so: metric whole
