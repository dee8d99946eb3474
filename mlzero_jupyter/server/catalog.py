"""The runs a Jupyter server can show: run folders in ``mlzero-runs/`` folders below the server root.

Only folders inside the root are read: symbolic links are not followed while searching, every path is checked
against the resolved root, and run ids are plain folder names (no separators, no ``..``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlzero_jupyter.errors import RunFolderError, UserInputError
from mlzero_jupyter.memory.episodic import EpisodicMemory
from mlzero_jupyter.run_views import run_summary
from mlzero_jupyter.runs import DEFAULT_OUTPUT_DIR, RunFolder

#: How many folders deep below the root an ``mlzero-runs`` folder is looked for (0: only ``<root>/mlzero-runs``).
SEARCH_DEPTH = 3
#: At most this many folders are looked into per search (a server started in a home folder stays responsive).
MAX_FOLDERS = 5000
#: Folders never searched.
SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "AutogluonModels"})
RUNS_FOLDER = DEFAULT_OUTPUT_DIR.name
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


class OutsideRootError(UserInputError):
    """A path that resolves outside the server root."""


def _inside(root: Path, path: Path) -> Path:
    """``path`` resolved, refused unless it lies inside the (resolved) root."""
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise OutsideRootError(f"{path} is outside the server root")
    return resolved


def _runs_folders(root: Path, depth: int) -> Iterator[Path]:
    """``mlzero-runs`` folders at most ``depth`` levels below ``root``, breadth first, links not followed."""
    level, visited = [root], 0
    for _ in range(depth + 1):
        below: list[Path] = []
        for folder in level:
            visited += 1
            if visited > MAX_FOLDERS:
                return
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or entry.name in SKIPPED or not entry.is_dir(follow_symlinks=False):
                    continue
                if entry.name == RUNS_FOLDER:
                    yield Path(entry.path)
                else:
                    below.append(Path(entry.path))
        level = below


def find_run_folders(root: Path | str, depth: int = SEARCH_DEPTH) -> list[RunFolder]:
    """Every run folder below ``root`` (newest first)."""
    root = Path(root).resolve()
    runs = []
    for folder in _runs_folders(root, depth):
        for entry in os.scandir(folder):
            run = RunFolder(Path(entry.path))
            if entry.is_dir(follow_symlinks=False) and run.task_path.is_file():
                runs.append(RunFolder(_inside(root, run.path)))
    return sorted(runs, key=lambda run: run.path.stat().st_mtime, reverse=True)


def find_run(root: Path | str, run_id: str, depth: int = SEARCH_DEPTH) -> RunFolder | None:
    """The run folder named ``run_id`` below ``root``; a name that is not a plain folder name is refused."""
    if not _RUN_ID.match(run_id) or ".." in run_id:
        raise OutsideRootError(f"{run_id!r} is not a run id")
    return next((run for run in find_run_folders(root, depth) if run.run_id == run_id), None)


def _relative(root: Path, path: Path) -> str:
    return _inside(root, path).relative_to(root).as_posix()


def _notebook(root: Path, path: Path) -> str | None:
    return _relative(root, path) if path.is_file() else None


def describe_run(root: Path | str, run: RunFolder) -> dict[str, Any]:
    """What ``GET /mlzero/runs`` lists about a run: its summary and paths relative to the root."""
    root = Path(root).resolve()
    summary = run_summary(run)
    return {
        "run_id": run.run_id,
        "path": _relative(root, run.path),
        "status": summary["status"],
        "metric": summary["metric"],
        "score": summary["score"],
        "attempts": summary["attempts"],
        "task": summary["task"],
        "modified": max(run.path.stat().st_mtime, _mtime(run.events_path), _mtime(run.result_path)),
        "solution_notebook": _notebook(root, run.solution_notebook_path),
        "attempts_notebook": _notebook(root, run.attempts_notebook_path),
    }


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def run_detail(root: Path | str, run: RunFolder) -> dict[str, Any]:
    """A run's description with every attempt record, from its result, or its events while it has none."""
    detail = describe_run(root, run)
    result = _read_result(run)
    if result is not None:
        attempts = result.get("attempts", [])
    else:
        attempts = [dict(event["attempt"]) for event in read_events(run) if event.get("kind") == "attempt_finished"]
    return {**detail, "best_attempt": (result or {}).get("best_attempt"), "attempt_records": attempts,
            "total_s": (result or {}).get("total_s"), "cost_usd": (result or {}).get("cost_usd")}


def _read_result(run: RunFolder) -> dict[str, Any] | None:
    try:
        return run.read_result(dict)
    except RunFolderError:
        return None


def read_events(run: RunFolder, since: int = 0) -> list[dict[str, Any]]:
    """The run's episodic memory from event number ``since`` on (a torn last line is left out)."""
    if not run.events_path.is_file():
        return []
    return EpisodicMemory.load(run.events_path).events[since:]
