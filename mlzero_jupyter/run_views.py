"""Compact, JSON-ready views of runs and tasks for front ends that talk to machines (MCP, the lab server).

A view is a plain dict with short keys; it is built from the records of a run folder, so a run looks the same
whether it is running in this process or was read back from disk after a restart.
"""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.memory.episodic import AttemptRecord, EpisodicMemory
from mlzero_jupyter.perception.spec import TaskSpec
from mlzero_jupyter.result import RunResult
from mlzero_jupyter.runs import RunFolder

#: Statuses a finished run records in result.json; anything else on disk means the process died mid-run.
FINISHED_STATUSES = ("success", "failed", "stopped")
#: Runs in these states can be continued with guidance (``Agent.resume``).
RESUMABLE_STATUSES = ("failed", "stopped", "interrupted")


def task_view(task: TaskSpec | dict[str, Any]) -> dict[str, Any]:
    """What perception understood: the inferred fields with confidences, files and roles, warnings."""
    data = task.to_dict() if isinstance(task, TaskSpec) else task

    def inferred(name: str) -> dict[str, Any]:
        value = data.get(name) or {}
        return {"value": value.get("value"), "confidence": round(float(value.get("confidence") or 0.0), 3),
                "alternatives": value.get("alternatives", [])}

    return {
        "data_path": data.get("data_path"),
        "description": data.get("description"),
        **{name: inferred(name) for name in ("modality", "problem_type", "target", "id_column", "metric")},
        "higher_is_better": data.get("higher_is_better", True),
        "files": [{"path": f.get("path"), "role": f.get("role"), "format": f.get("format"), "rows": f.get("rows")}
                  for f in data.get("files", [])],
        "warnings": data.get("warnings", []),
    }


def attempt_view(attempt: AttemptRecord) -> dict[str, Any]:
    """One attempt: status, score, what it did, and the last line of its error."""
    error_lines = attempt.error.strip().splitlines()
    return {
        "number": attempt.number,
        "status": attempt.status,
        "score": attempt.score,
        "metric": attempt.metric,
        "summary": attempt.summary,
        "duration_s": round(attempt.duration_s, 1),
        "error": error_lines[-1] if error_lines else "",
    }


def result_view(result: RunResult) -> dict[str, Any]:
    """How a run ended (or stands): metric, score, where the predictions, code and model are."""
    return {
        "run_id": result.run_id,
        "run_dir": result.run_dir,
        "status": result.status,
        "metric": result.metric,
        "higher_is_better": result.higher_is_better,
        "score": result.validation_score,
        "validation": result.validation,
        "best_attempt": result.best_attempt,
        "attempts": len(result.attempts),
        "predictions_path": result.predictions_path,
        "solution_path": result.solution_path,
        "model_path": result.model_path,
        "total_s": round(result.total_s, 1),
        "message": result.message,
    }


def read_result(folder: RunFolder) -> RunResult | None:
    """The run's result.json, or None before the first attempt finished."""
    if not folder.result_path.exists():
        return None
    return RunResult.from_dict(folder.read_json("result.json"))


def stored_status(folder: RunFolder) -> str:
    """The status recorded on disk: a finished status, or ``interrupted`` when the run never finished."""
    result = read_result(folder)
    return result.status if result is not None and result.status in FINISHED_STATUSES else "interrupted"


def disk_status(folder: RunFolder) -> dict[str, Any]:
    """The status of a run that is not running in this process, from its folder alone."""
    memory = EpisodicMemory.load(folder.events_path)
    result = read_result(folder)
    status = stored_status(folder)
    task = folder.read_json("task.json")
    best = result.validation_score if result else None
    return {
        "run_id": folder.run_id,
        "run_dir": str(folder.path),
        "status": status,
        "running": False,
        "resumable": status in RESUMABLE_STATUSES,
        "phase": "finished" if status in FINISHED_STATUSES else "interrupted (the process running it ended)",
        "metric": (result.metric if result else None) or task_view(task)["metric"]["value"],
        "best_score": best,
        "attempts": [attempt_view(a) for a in memory.attempts],
        "guidance": memory.guidance,
        "task": task_view(task),
        "message": result.message if result and status in FINISHED_STATUSES else "",
    }
