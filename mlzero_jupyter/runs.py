"""The run folder: the one place that knows the layout of a run on disk.

```
mlzero-runs/<date>-<slug>-<short id>/
    task.json          the TaskSpec
    events.jsonl       episodic memory, append-only
    input/             archives unpacked, data frames saved (never the user's folder)
    referee_data/      the referee's derived copy of the data: labelled rows set aside, without labels, in the test set
    referee_task.json  the TaskSpec of that copy, which the attempts solve
    attempt_<n>/       solution.py, stdout.txt, stderr.txt, metrics.json, predictions.<ext>, prompts,
                       heldout_predictions.csv (its predictions of the set-aside rows, kept for ensembles)
    final/             the chosen solution run again on the user's data, every labelled row (when time allows)
    result.json        the RunResult, written at the end (and after every attempt, for live readers)
    solution.py        the published solution's code, reading the user's own files
    predictions.<ext>  the published predictions (the real test rows only)
```
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mlzero_jupyter.atomic import write_json_atomic
from mlzero_jupyter.errors import RunFolderError
from mlzero_jupyter.redaction import redact_data

DEFAULT_OUTPUT_DIR = Path("mlzero-runs")
TASK_FILE = "task.json"
EVENTS_FILE = "events.jsonl"
RESULT_FILE = "result.json"
SOLUTION_FILE = "solution.py"
REFEREE_TASK_FILE = "referee_task.json"
HELD_OUT_FILE = "heldout_predictions.csv"
T = TypeVar("T")


def slugify(text: str, max_words: int = 3) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:max_words]) or "run"


class RunFolder:
    """A run's folder on disk; created fresh, never overwritten."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def run_id(self) -> str:
        return self.path.name

    @classmethod
    def create(cls, output_dir: Path | str | None = None, label: str = "run") -> RunFolder:
        """Make a new folder ``<output_dir>/<date>-<slug>-<short id>``; refuses to reuse an existing one."""
        output_dir = Path(output_dir or DEFAULT_OUTPUT_DIR).expanduser()
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunFolderError(f"cannot create the output folder {output_dir} ({error.strerror}); choose another with --output") from None
        name = f"{dt.date.today():%Y%m%d}-{slugify(label)}-{secrets.token_hex(3)}"
        path = output_dir / name
        try:
            path.mkdir()
        except FileExistsError:
            raise RunFolderError(f"run folder {path} already exists; runs are never overwritten, try again") from None
        except OSError as error:
            raise RunFolderError(f"cannot create the run folder {path} ({error.strerror}); "
                                 "choose another with --output") from None
        return cls(path.resolve())

    @classmethod
    def open(cls, path: Path | str) -> RunFolder:
        """An existing run folder, checked enough to resume or show it."""
        path = Path(path).expanduser()
        if not path.is_dir():
            raise RunFolderError(f"no run folder at {path}; `mlzero list` shows the runs")
        if not (path / TASK_FILE).is_file() or not (path / EVENTS_FILE).is_file():
            raise RunFolderError(f"{path} is not a complete run folder (task.json or events.jsonl is missing)")
        return cls(path.resolve())

    # -- locations ----------------------------------------------------------------------------------------------
    @property
    def task_path(self) -> Path:
        return self.path / TASK_FILE

    @property
    def events_path(self) -> Path:
        return self.path / EVENTS_FILE

    @property
    def result_path(self) -> Path:
        return self.path / RESULT_FILE

    @property
    def solution_path(self) -> Path:
        return self.path / SOLUTION_FILE

    @property
    def input_dir(self) -> Path:
        return self.path / "input"

    @property
    def referee_data_dir(self) -> Path:
        return self.path / "referee_data"

    @property
    def referee_task_path(self) -> Path:
        return self.path / REFEREE_TASK_FILE

    def held_out_path(self, number: int) -> Path:
        return self.attempt_dir(number, create=False) / HELD_OUT_FILE

    def final_dir(self) -> Path:
        """A new folder for the final run on the user's data (``final``, ``final_2`` after a resume...)."""
        path, count = self.path / "final", 1
        while path.exists():
            count += 1
            path = self.path / f"final_{count}"
        path.mkdir()
        return path

    def attempt_dir(self, number: int, create: bool = True) -> Path:
        path = self.path / f"attempt_{number}"
        if create:
            path.mkdir(exist_ok=True)
        return path

    # -- records ------------------------------------------------------------------------------------------------
    def write_json(self, name: str, data: Any) -> Path:
        """Write a record atomically, secret values masked."""
        target = self.path / name
        write_json_atomic(target, redact_data(json.loads(json.dumps(data, default=str))))
        return target

    def write_result(self, data: Any) -> Path:
        return self.write_json(RESULT_FILE, data)

    def read_json(self, name: str) -> Any:
        target = self.path / name
        try:
            return json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RunFolderError(f"{target} is missing; the run folder is incomplete") from None
        except json.JSONDecodeError as error:
            raise RunFolderError(f"{target} is damaged ({error.msg} at line {error.lineno}); restore it or start a new run") from None
        except (UnicodeDecodeError, OSError) as error:
            raise RunFolderError(f"{target} cannot be read ({error}); restore it or start a new run") from None

    def read_record(self, name: str, build: Callable[[Any], T]) -> T:
        """``build(data)`` of a JSON record; a record that does not fit (edited by hand) is a RunFolderError."""
        data = self.read_json(name)
        try:
            return build(data)
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            raise RunFolderError(f"{self.path / name} is damaged ({type(error).__name__}: {error}); restore it or "
                                 "start a new run") from None


def find_runs(root: Path | str = DEFAULT_OUTPUT_DIR) -> list[RunFolder]:
    """Run folders under ``root`` (newest first; a run missing its task.json is listed, as damaged), skipping
    anything that is not a run."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [RunFolder(p) for p in root.iterdir() if (p / TASK_FILE).is_file() or (p / EVENTS_FILE).is_file()]
    return sorted(runs, key=lambda run: run.path.stat().st_mtime, reverse=True)


def locate_run(name: Path | str, root: Path | str = DEFAULT_OUTPUT_DIR) -> RunFolder:
    """A run given as a folder path or as a run id (or unique prefix) under ``root``."""
    if Path(name).is_dir():
        return RunFolder.open(name)
    matches = [run for run in find_runs(root) if run.run_id.startswith(str(name))]
    if len(matches) != 1:
        found = "no run" if not matches else f"{len(matches)} runs"
        raise RunFolderError(f"{found} named {name!r} under {root}; `mlzero list --output {root}` shows them")
    return RunFolder.open(matches[0].path)


def run_summary(folder: RunFolder) -> dict[str, Any]:
    """Status, metric, score, attempt count and task of a run, from its records; a damaged run says so."""
    damaged = {"status": "damaged", "metric": None, "score": None, "attempts": 0, "task": ""}
    try:
        result = folder.read_json(RESULT_FILE) if folder.result_path.exists() else {}
        task = folder.read_json(TASK_FILE)
    except RunFolderError:
        return damaged
    if not isinstance(result, dict) or not isinstance(task, dict):
        return damaged
    attempts, score = result.get("attempts", []), result.get("validation_score")
    return {
        "status": str(result.get("status", "started")),
        "metric": str(result["metric"]) if result.get("metric") else None,
        "score": score if isinstance(score, (int, float)) else None,
        "attempts": len(attempts) if isinstance(attempts, list) else 0,
        "task": str(task.get("description") or ""),
    }
