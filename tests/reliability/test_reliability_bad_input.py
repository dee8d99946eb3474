"""Malformed inputs across the CLI, the magic and the Python API: one line that says what to do, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
import reliability_bad_inputs as bad


def test_there_are_at_least_thirty_cases_over_the_three_front_ends():
    assert len(bad.BAD_INPUTS) >= 30
    assert {case.front for case in bad.BAD_INPUTS} == {"cli", "magic", "api"}


@pytest.mark.parametrize("case", bad.BAD_INPUTS, ids=[f"{c.front}: {c.what}" for c in bad.BAD_INPUTS])
def test_a_bad_input_gets_one_line_that_says_what_to_do(case, tmp_path):
    verdict = bad.check(case, tmp_path)
    assert verdict.ok, verdict.text
    assert "Traceback" not in verdict.text


def test_a_refused_data_file_leaves_no_run_folder_behind(tmp_path):
    verdict = bad.cli_verdict(["run", str(bad.bad_data(tmp_path, "empty csv")), "Predict.",
                               "--output", str(tmp_path / "runs")])
    assert verdict.ok
    assert not any((tmp_path / "runs").iterdir())


def test_the_installed_command_exits_2_with_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mlzero_jupyter.cli", "run", str(tmp_path / "nowhere"), "Predict.",
                           "--time-limit", "banana"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "mlzero run: error: option: invalid time_limit 'banana': a duration is like 90s, 10m or 1h; got 'banana'"]
    assert done.stdout == ""
