"""Progress while an attempt runs, as `mlzero run` shows it: a live rich line in a terminal (the attempt's time
against its budget, the run's against the run's, the best score so far), plain periodic lines without control
characters when piped (period shortened here through the documented MLZERO_PROGRESS_INTERVAL), and a summary
whose lines are never repeated. Scripted attempts on iris (progress_driver.py); attempt 2 lasts SECONDS."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from console_support import ESCAPES, in_terminal, make_iris, piped, quiet_env

DRIVER = Path(__file__).with_name("progress_driver.py")
SECONDS = 3.5
FIRST = re.compile(r"  attempt 1: valid, accuracy = ([0-9.]+) \(")


@pytest.fixture
def command(tmp_path):
    return [sys.executable, str(DRIVER), str(make_iris(tmp_path / "iris")), str(tmp_path / "runs"), str(SECONDS)]


def assert_summary_once(lines: list[str]) -> None:
    summary = lines[next(i for i, line in enumerate(lines) if line.startswith("Run ")):]
    assert summary[0].endswith(": success") and any(line.lstrip().startswith("note:") for line in summary)
    repeated = [line for line, count in Counter(lines).items() if count > 1]
    assert not repeated
    message = next(line for line in summary if line.lstrip().startswith("note:")).split(":", 1)[1].strip()
    assert sum(message in line for line in lines) == 1, lines  # no `success: <message>` before the summary


def test_a_terminal_shows_a_live_progress_line(tmp_path, command):
    screen = in_terminal(command, quiet_env(tmp_path), columns=120)
    frames = [ESCAPES.sub("", frame) for frame in re.split(r"\r\n|\r|\n", screen)]
    best = next(m.group(1) for m in map(FIRST.match, frames) if m)
    live = [re.search(rf"  attempt 2 [━╸╺]+ (\d+) s of (\d+) s, run (\d+) s of 120 s, best accuracy {best}", frame)
            for frame in frames]
    seconds = [(int(m.group(1)), int(m.group(3))) for m in live if m]
    assert len({attempt for attempt, _ in seconds}) >= 3, frames  # the line moves while the attempt runs
    assert seconds == sorted(seconds) and seconds[-1][1] >= seconds[-1][0]  # whole seconds: the run began first
    assert screen.count("\x1b[?25l") == screen.count("\x1b[?25h") >= 2  # the cursor comes back after each line
    lines = [line for line in frames if line.strip() and not any(live_line in line for live_line in ("━", "╸"))]
    assert any(line.startswith("  attempt 2: valid, accuracy = ") for line in lines)
    assert_summary_once(lines)


def test_a_pipe_gets_a_plain_line_every_interval(tmp_path, command):
    done = piped(command, quiet_env(tmp_path, MLZERO_PROGRESS_INTERVAL="1"))
    assert done.returncode == 0, done.stderr
    for text in (done.stdout, done.stderr):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)  # no escapes, no carriage returns
    lines = done.stderr.splitlines()
    best = next(m.group(1) for m in map(FIRST.match, lines) if m)
    ticks = [re.fullmatch(rf"  attempt 2: (\d+) s of (\d+) s, run (\d+) s of 120 s, best accuracy {best}", line)
             for line in lines]
    seconds = [int(m.group(1)) for m in ticks if m]
    assert 2 <= len(seconds) <= SECONDS + 1 and seconds == sorted(set(seconds)), lines
    started = lines.index("  attempt 2: nearest centroid, slowly (budget "
                          f"{int(ticks[[bool(t) for t in ticks].index(True)].group(2))} s)")
    assert all(i > started for i, tick in enumerate(ticks) if tick)
    assert_summary_once(lines + done.stdout.splitlines())
