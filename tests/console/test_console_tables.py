"""`mlzero list` and `mlzero show` in an 80-column terminal, a 200-column one and piped: one line per row, the run
id, status, metric, score and attempts whole, the task shortened to what is left of the line; `--json` for
scripts."""

from __future__ import annotations

import json

import pytest
from console_support import CLI, ESCAPES, in_terminal, make_runs, piped, quiet_env, screen_lines
from rich.cells import cell_len


@pytest.fixture
def runs(tmp_path):
    shown, running = make_runs(tmp_path / "runs")
    yield shown
    running.release()


def listed(tmp_path, columns: int | None) -> list[str]:
    """The lines `mlzero list` prints in a terminal ``columns`` wide, or piped (None)."""
    args = [*CLI, "list", "--output", str(tmp_path / "runs")]
    env = quiet_env(tmp_path)
    if columns is None:
        done = piped(args, env)
        assert done.returncode == 0, done.stderr
        assert not ESCAPES.search(done.stdout) and "\r" not in done.stdout
        return done.stdout.splitlines()
    return screen_lines(in_terminal(args, env, columns))


@pytest.mark.parametrize("columns", [80, 200, None], ids=["80-columns", "200-columns", "piped"])
def test_list_gives_each_run_one_line_with_its_fields_whole(tmp_path, runs, columns):
    lines = listed(tmp_path, columns)
    width = columns or 80  # rich's width for a pipe
    assert lines[0].split() == ["run", "status", "metric", "score", "attempts", "task"]
    assert len(lines) == 1 + len(runs), lines
    assert all(cell_len(line) <= width for line in lines), [cell_len(line) for line in lines]
    for run_id, fields in runs.items():
        [line] = [line for line in lines if line.startswith(run_id + " ")]
        cells = line[len(run_id):].split()
        assert cells[0] == fields["status"]
        for name in ("metric", "score", "attempts"):
            assert not fields[name] or f" {fields[name]} " in line + " ", (name, line)
        task = line[lines[0].index("task"):]
        if task.endswith("…"):  # shortened: a true beginning of the task
            assert width < 200 or cell_len(line) == width
            assert fields["task"].startswith(task[:-1])
        else:
            assert task == fields["task"]
    if columns == 200:  # wide enough: every task whole but the longest
        assert sum(line.endswith("…") for line in lines) == 1


def test_list_json_is_for_scripts(tmp_path, runs):
    done = piped([*CLI, "list", "--output", str(tmp_path / "runs"), "--json"], quiet_env(tmp_path))
    assert done.returncode == 0, done.stderr
    rows = {row["run_id"]: row for row in json.loads(done.stdout)}
    assert set(rows) == set(runs)
    for run_id, row in rows.items():
        assert row["status"] == runs[run_id]["status"] and row["attempts"] == int(runs[run_id]["attempts"])
        assert " ".join(row["task"].split()) == runs[run_id]["task"]
        assert (tmp_path / "runs" / run_id).resolve() == (tmp_path / "runs" / row["run_dir"]).resolve()
    assert [rows[r]["score"] for r in runs][:3] == [0.912345, None, 0.3141592]
    empty = piped([*CLI, "list", "--output", str(tmp_path / "none"), "--json"], quiet_env(tmp_path))
    assert json.loads(empty.stdout) == []


@pytest.mark.parametrize("columns", [80, 200, None], ids=["80-columns", "200-columns", "piped"])
def test_show_gives_each_attempt_one_line(tmp_path, runs, columns):
    run_id = next(r for r, fields in runs.items() if fields["attempts"] == "5")
    args = [*CLI, "show", run_id, "--output", str(tmp_path / "runs")]
    env = quiet_env(tmp_path)
    if columns is None:
        done = piped(args, env)
        assert done.returncode == 0 and not ESCAPES.search(done.stdout), done.stderr
        lines = done.stdout.splitlines()
    else:
        lines = screen_lines(in_terminal(args, env, columns))
    header = next(i for i, line in enumerate(lines) if line.split()[:4] == ["#", "status", "score", "time"])
    rows = lines[header + 1:]
    assert [row.split()[0] for row in rows] == ["1", "2", "3", "4", "5"]
    assert all(cell_len(row) <= (columns or 80) for row in rows)
    assert [row.split()[1] for row in rows] == ["failed"] * 5
    assert rows[1].split()[2:4] == ["24", "s"]
    if columns == 200:  # the error's last line follows what the attempt tried
        assert rows[0].endswith("tabular predictor, preset 1: KeyError: 'label'")
    assert lines[0] == f"Run {run_id}: failed"


def test_show_json_prints_the_result_record_or_the_started_run(tmp_path, runs):
    env = quiet_env(tmp_path)
    for run_id, fields in runs.items():
        if fields["status"] == "damaged":
            continue
        done = piped([*CLI, "show", run_id, "--output", str(tmp_path / "runs"), "--json"], env)
        assert done.returncode == 0, done.stderr
        record = json.loads(done.stdout)
        assert record["run_id"] == run_id and record["status"] == fields["status"]
        assert len(record["attempts"]) == int(fields["attempts"])
