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
    attempts.ipynb     notebook runs: every attempt as a cell;  solution.ipynb: after an export
    run.lock           locked while a process runs the run (the operating system drops the lock when it dies)
```

Every other module asks a :class:`RunFolder` for these paths; what a run's status is, read from them, is
``run_views.run_status``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import time
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
ATTEMPTS_NOTEBOOK = "attempts.ipynb"
SOLUTION_NOTEBOOK = "solution.ipynb"
LOCK_FILE = "run.lock"
ATTEMPT_PREFIX = "attempt_"
#: How often :meth:`RunFolder.claim` tries the lock, 50 ms apart.
CLAIM_TRIES = 20
T = TypeVar("T")


def slugify(text: str, max_words: int = 3) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:max_words]) or "run"


class RunFolder:
    """A run's folder on disk; created fresh, never overwritten."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock: int | None = None  # the descriptor of run.lock while this process runs the run

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

    @property
    def attempts_notebook_path(self) -> Path:
        return self.path / ATTEMPTS_NOTEBOOK

    @property
    def solution_notebook_path(self) -> Path:
        return self.path / SOLUTION_NOTEBOOK

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
        path = self.path / f"{ATTEMPT_PREFIX}{number}"
        if create:
            path.mkdir(exist_ok=True)
        return path

    def attempt_file(self, number: int, name: str) -> Path:
        """``attempt_<number>/<name>`` (the folder is not created)."""
        return self.attempt_dir(number, create=False) / name

    # -- who runs it ----------------------------------------------------------------------------------------------
    def claim(self) -> None:
        """Mark the run as running in this process (until :meth:`release` or the process ends); a run that another
        process (or another agent of this one) is running is refused."""
        import fcntl

        if self._lock is not None:
            return
        descriptor = os.open(self.path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        for _ in range(CLAIM_TRIES):  # a reader's check holds the lock for an instant
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                time.sleep(0.05)
            except OSError:  # a file system without locks: the run goes on, its status read from its records
                os.close(descriptor)
                return
            else:
                self._lock = descriptor
                return
        os.close(descriptor)
        raise RunFolderError(f"run {self.run_id} is running in another process; stop it there first")

    def release(self) -> None:
        """This process no longer runs the run."""
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor drops the lock
            self._lock = None

    def is_running(self) -> bool:
        """Whether some process (this one included) holds the run's lock; read-only, never creates a file."""
        import fcntl

        if self._lock is not None:
            return True
        try:
            descriptor = os.open(self.path / LOCK_FILE, os.O_RDONLY)
        except OSError:  # no lock file: a run of an earlier version, or not started by an agent
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:  # a file system without locks
            return False
        finally:
            os.close(descriptor)  # also drops the shared lock just taken
        return False

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.release()

    # -- records ------------------------------------------------------------------------------------------------
    def write_json(self, name: str, data: Any) -> Path:
        """Write a record atomically, secret values masked."""
        target = self.path / name
        write_json_atomic(target, redact_data(json.loads(json.dumps(data, default=str))))
        return target

    def write_result(self, data: Any) -> Path:
        return self.write_json(RESULT_FILE, data)

    def write_task(self, data: Any) -> Path:
        return self.write_json(TASK_FILE, data)

    def read_task(self, build: Callable[[Any], T]) -> T:
        return self.read_record(TASK_FILE, build)

    def read_result(self, build: Callable[[Any], T]) -> T | None:
        """``build`` of result.json, or None before the first attempt finished."""
        return self.read_record(RESULT_FILE, build) if self.result_path.exists() else None

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
