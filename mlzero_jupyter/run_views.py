"""A run's status, and compact JSON-ready views of runs and tasks, for every front end (CLI, notebook, MCP, the lab
server): the one reader of a run's status.

A view is a plain dict with short keys; it is built from the records of a run folder, so a run looks the same
whether it is running in this process, in another one, or was read back from disk after a restart.

A run's status is one of :data:`STATUSES`: ``running`` while a process runs it (it holds the run folder's lock),
else the finished status its result records (``success``, ``failed``, ``stopped``), else ``interrupted`` (the
process running it ended before it finished); ``damaged`` when its records cannot be read.
"""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.errors import RunFolderError
from mlzero_jupyter.memory.episodic import AttemptRecord, EpisodicMemory
from mlzero_jupyter.perception.spec import TaskSpec
from mlzero_jupyter.result import RunResult
from mlzero_jupyter.runs import RunFolder

RUNNING, SUCCESS, FAILED, STOPPED = "running", "success", "failed", "stopped"
INTERRUPTED, DAMAGED = "interrupted", "damaged"
#: Every status a run can have, in every front end.
STATUSES = (RUNNING, SUCCESS, FAILED, STOPPED, INTERRUPTED, DAMAGED)
#: Statuses a finished run records in its result; a recorded ``running`` with no process running it is interrupted.
FINISHED_STATUSES = (SUCCESS, FAILED, STOPPED)
#: Runs in these states can be continued with guidance (``Agent.resume``).
RESUMABLE_STATUSES = (FAILED, STOPPED, INTERRUPTED)


def _json_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    return data


def run_summary(folder: RunFolder) -> dict[str, Any]:
    """Status, whether it is resumable, metric, score, attempt count and task of a run, from its folder alone."""
    running = folder.is_running()
    summary: dict[str, Any] = {"status": DAMAGED, "resumable": False, "metric": None, "score": None, "attempts": 0,
                               "task": ""}
    try:
        task = folder.read_task(_json_object)
        result = folder.read_result(_json_object) or {}
    except RunFolderError:  # damaged, or a run still perceiving its data (no task record yet)
        return {**summary, "status": RUNNING} if running else summary
    recorded = str(result.get("status", ""))
    status = RUNNING if running else recorded if recorded in FINISHED_STATUSES else INTERRUPTED
    attempts, score = result.get("attempts", []), result.get("validation_score")
    return {
        "status": status,
        "resumable": status in RESUMABLE_STATUSES,
        "metric": str(result["metric"]) if result.get("metric") else None,
        "score": score if isinstance(score, (int, float)) else None,
        "attempts": len(attempts) if isinstance(attempts, list) else 0,
        "task": str(task.get("description") or ""),
    }


def run_status(folder: RunFolder) -> str:
    """The run's status, one of :data:`STATUSES`."""
    return str(run_summary(folder)["status"])


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
    """The run's recorded result, or None before the first attempt finished."""
    return folder.read_result(RunResult.from_dict)


PHASES = {RUNNING: "running in another process", INTERRUPTED: "interrupted (the process running it ended)"}


def disk_status(folder: RunFolder) -> dict[str, Any]:
    """The status of a run, from its folder alone (a run of this process adds what only its process knows)."""
    memory = EpisodicMemory.load(folder.events_path)
    result = read_result(folder)
    status = run_status(folder)
    task = folder.read_task(_json_object)
    best = result.validation_score if result else None
    return {
        "run_id": folder.run_id,
        "run_dir": str(folder.path),
        "status": status,
        "running": status == RUNNING,
        "resumable": status in RESUMABLE_STATUSES,
        "phase": PHASES.get(status, "finished"),
        "metric": (result.metric if result else None) or task_view(task)["metric"]["value"],
        "best_score": best,
        "attempts": [attempt_view(a) for a in memory.attempts],
        "guidance": memory.guidance,
        "task": task_view(task),
        "message": result.message if result and status in FINISHED_STATUSES else "",
    }
