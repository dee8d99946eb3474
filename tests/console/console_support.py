"""Running a command the way a person does: in a pseudo-terminal of a given size, or with its output piped."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import textwrap
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # fixtures_data, for scripts run directly
from fixtures_data import make_iris  # noqa: E402,F401 (the iris folder, for the console and UI tests)

#: ANSI escape sequences (colours, cursor moves) as a terminal receives them.
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
CLI = [sys.executable, "-m", "mlzero_jupyter.cli"]


def quiet_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a child: no ambient MLZERO_* settings or config files, no model hub, no COLUMNS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLZERO_") and k not in ("COLUMNS", "LINES")}
    env.update(IPYTHONDIR=str(home / "ipython"), JUPYTER_CONFIG_DIR=str(home / "jupyter"), HF_HUB_OFFLINE="1",
               TERM="xterm-256color", **extra)
    env.pop("NO_COLOR", None)
    return env


def in_terminal(args: list[str], env: dict[str, str], columns: int, timeout: float = 120) -> str:
    """Everything the command wrote to a pseudo-terminal ``columns`` wide (stdout and stderr, as a screen gets
    them: escape sequences included, ``\\r\\n`` line ends)."""
    primary, secondary = os.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    process = subprocess.Popen(args, stdin=secondary, stdout=secondary, stderr=secondary, env=env,
                               start_new_session=True)
    os.close(secondary)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: every writer of the terminal has closed it
                break
            if not chunk:
                break
            chunks.append(chunk)
        else:
            raise TimeoutError(f"{args} did not finish within {timeout} s")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(primary)
    return b"".join(chunks).decode("utf-8", errors="replace")


def screen_lines(output: str) -> list[str]:
    """The lines of a terminal's output with escape sequences removed."""
    return [ESCAPES.sub("", line) for line in output.replace("\r\n", "\n").split("\n") if line.strip()]


def piped(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)


#: Runs of every shape ``mlzero list`` meets: (description, metric, status, score, attempts). Their run ids are
#: 29 to 31 characters long, as the agent names them from the description's first three words.
RUNS = [
    ("Will a flight be late?\nUse the weather, the carrier's history of delays over the last three years, airport "
     "by airport and hour by hour, the planes' ages, and the crews' schedules on the day before the flight.",
     "roc_auc", "success", 0.912345, 3),
    ("Price of each house, from its surface and its neighbourhood", "accuracy", "failed", None, 5),
    ("Is it malignant? 悪性腫瘍を予測する", "log_loss", "stopped", 0.3141592, 1),
]


def make_runs(root: Path) -> tuple[dict[str, dict], Any]:
    """Run folders as the agent leaves them (task.json, events.jsonl, result.json), plus one that has only
    started (running: this process holds it until the caller releases the folder returned) and one whose
    task.json was damaged; by run id, what ``mlzero list`` should show of each."""
    from mlzero_jupyter.memory.episodic import AttemptRecord
    from mlzero_jupyter.perception.spec import Inferred, TaskSpec
    from mlzero_jupyter.result import RunResult
    from mlzero_jupyter.runs import RunFolder

    shown = {}
    for description, metric, status, score, count in RUNS:
        folder = RunFolder.create(root, description)
        task = TaskSpec(str(root), str(root), description, problem_type=Inferred("binary", 0.9),
                        target=Inferred("label", 0.9), metric=Inferred(metric, 0.8))
        folder.write_json("task.json", task.to_dict())
        folder.events_path.write_text("")
        attempts = [AttemptRecord(n, "failed", summary=f"tabular predictor, preset {n}", duration_s=12.0 * n,
                                  error="Traceback (most recent call last):\nKeyError: 'label'")
                    for n in range(1, count)]
        attempts.append(AttemptRecord(count, status if score is not None else "failed", score=score, metric=metric,
                                      summary="tabular predictor, best quality with bagging", duration_s=61.4))
        result = RunResult(folder.run_id, str(folder.path), status, task=description, metric=metric,
                           validation_score=score, attempts=attempts, best_attempt=count if score else None)
        folder.write_json("result.json", result.to_dict())
        shown[folder.run_id] = {"status": status, "metric": metric, "score": "" if score is None else f"{score:.5g}",
                                "attempts": str(count), "task": " ".join(description.split())}
    started = RunFolder.create(root, "a run that has only started")
    started.write_json("task.json", TaskSpec(str(root), str(root), "A run that has only started").to_dict())
    started.events_path.write_text("")
    started.claim()
    shown[started.run_id] = {"status": "running", "metric": "", "score": "", "attempts": "0",
                             "task": "A run that has only started"}
    damaged = RunFolder.create(root, "damaged by hand")
    (damaged.path / "task.json").write_text("{not json")
    shown[damaged.run_id] = {"status": "damaged", "metric": "", "score": "", "attempts": "0", "task": ""}
    return shown, started


#: An attempt on iris in plain Python (no pandas, so that it starts at once): it prints a line every quarter
#: second for ``seconds``, then classifies by the nearest species centroid and writes what the contract asks.
IRIS_SOLUTION = textwrap.dedent(
    """
    import csv, json, math, time

    with open({data!r} + "/train.csv") as handle:
        train = list(csv.DictReader(handle))
    with open({data!r} + "/test.csv") as handle:
        test = list(csv.DictReader(handle))
    started = time.monotonic()
    while time.monotonic() - started < {seconds}:
        print(f"training, {{time.monotonic() - started:.1f}} s", flush=True)
        time.sleep(0.25)
    features = [name for name in test[0] if name != "flower_id"]

    def centroids(rows):
        by_species = {{}}
        for row in rows:
            by_species.setdefault(row["species"], []).append([float(row[f]) for f in features])
        return {{s: [sum(column) / len(column) for column in zip(*points)] for s, points in by_species.items()}}

    def predict(model, row):
        point = [float(row[f]) for f in features]
        return min(model, key=lambda species: math.dist(model[species], point))

    fit, holdout = train[::2], train[1::2]
    score = sum(predict(centroids(fit), row) == row["species"] for row in holdout) / len(holdout)
    model = centroids(train)
    with open("predictions.csv", "w", newline="") as handle:
        csv.writer(handle).writerows([["flower_id", "species"], *([r["flower_id"], predict(model, r)] for r in test)])
    json.dump({{"metric": "accuracy", "validation_score": score, "higher_is_better": True,
               "validation": "accuracy on every other training row"}}, open("metrics.json", "w"))
    """
)
