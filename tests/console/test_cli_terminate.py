"""`kill` (SIGTERM) stops `mlzero run` as Ctrl-C does: the running attempt dies with it and the run is recorded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_scenarios import attempt_processes


@pytest.mark.fit
@pytest.mark.timeout(240)
def test_sigterm_stops_the_run_and_its_attempt(iris_folder: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    command = subprocess.Popen([sys.executable, "-m", "mlzero_jupyter.cli", "run", str(iris_folder),
                                "Predict the species of each flower.", "--time-limit", "120", "--output",
                                str(runs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})
    deadline = time.monotonic() + 120
    while not attempt_processes(runs) and time.monotonic() < deadline and command.poll() is None:
        time.sleep(0.5)
    assert attempt_processes(runs), "no attempt started"
    command.send_signal(signal.SIGTERM)
    out, err = command.communicate(timeout=60)
    assert command.returncode in (0, 1, 130), err
    assert not attempt_processes(runs)  # nothing of the attempt is left running
    (run_dir,) = [p for p in runs.iterdir() if p.is_dir()]
    result = json.loads((run_dir / "result.json").read_text())
    assert result["status"] == "stopped" and result["message"] == "stopped by the user"
