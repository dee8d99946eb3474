"""Expert baselines: one short hand-written AutoGluon script per suite task, run in a subprocess.

``run_baseline(name, input_dir, scratch, budget)`` runs ``python -m mlzero_jupyter.bench.baselines.<name>`` with
``scratch`` as working directory, ``HF_HUB_OFFLINE=1``, credentials removed from the environment and a timeout of
the budget plus a margin (the whole process group is killed when it expires).
"""

from __future__ import annotations

import os
import pkgutil
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SUBMISSION = "submission.csv"  # written by every script into its working directory (see expert.py)
#: Seconds allowed on top of the budget, plus a share of it, before the script is killed.
MARGIN_SECONDS, MARGIN_SHARE = 30.0, 0.1
_SECRET = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL|SESSION)", re.IGNORECASE)


@dataclass
class BaselineRun:
    submission: Path | None  # None when the script wrote none
    wall_s: float
    returncode: int | None  # None when it was killed at the timeout
    message: str = ""


def available() -> list[str]:
    """Names of the tasks that have an expert script."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "expert")


def clean_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not _SECRET.search(k) and not k.startswith("AWS_")}
    env["HF_HUB_OFFLINE"] = "1"
    return env


def run_baseline(name: str, input_dir: Path, scratch: Path, budget: float) -> BaselineRun:
    """Run the expert script of task ``name`` on ``input_dir``; its outputs stay in ``scratch``."""
    if name not in available():
        raise KeyError(f"no expert baseline for task {name!r}; available: {', '.join(available())}")
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / SUBMISSION).unlink(missing_ok=True)  # a stale one must not pass for this run's
    command = [sys.executable, "-m", f"{__name__}.{name}", str(Path(input_dir).resolve()), str(budget)]
    timeout = budget * (1 + MARGIN_SHARE) + MARGIN_SECONDS
    started = time.monotonic()
    with open(scratch / "stdout.txt", "wb") as out, open(scratch / "stderr.txt", "wb") as err:
        process = subprocess.Popen(command, cwd=scratch, env=clean_environment(), stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            returncode: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            returncode = None
    wall_s = time.monotonic() - started
    submission = scratch / SUBMISSION
    return BaselineRun(submission if submission.exists() else None, wall_s, returncode,
                       _message(returncode, timeout, scratch / "stderr.txt"))


def _message(returncode: int | None, timeout: float, stderr: Path) -> str:
    if returncode is None:
        return f"killed after {timeout:.0f} s"
    if returncode == 0:
        return ""
    lines = [line for line in stderr.read_text(errors="replace").splitlines() if line.strip()]
    return f"exit code {returncode}: {lines[-1] if lines else 'no error output'}"
