"""The REST endpoints of the MLZero panel, against a real Jupyter Server over HTTP, on run folders written by the
project's own record classes."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_server.utils import url_path_join
from tornado.httpclient import HTTPClientError

from mlzero_jupyter.memory.episodic import AttemptRecord, EpisodicMemory
from mlzero_jupyter.result import RunResult
from mlzero_jupyter.runs import RunFolder


def make_run(output: Path, label: str, *, finished: bool = True, score: float = 0.93) -> RunFolder:
    folder = RunFolder.create(output, label)
    folder.write_json("task.json", {"description": f"{label} task"})
    memory = EpisodicMemory(folder.events_path)
    memory.record("run_started", run_id=folder.run_id)
    first = AttemptRecord(1, "failed", summary="baseline", error="KeyError: 'label'", duration_s=3.5)
    second = AttemptRecord(2, "success", summary="fixed label", score=score, metric="roc_auc", duration_s=12.0,
                           input_tokens=1200, output_tokens=300, cost_usd=0.0123)
    memory.record_attempt(first)
    memory.record("guidance", text="use fewer features")
    memory.record_attempt(second)
    if finished:
        result = RunResult(folder.run_id, str(folder.path), "success", task=f"{label} task", metric="roc_auc",
                           validation_score=score, best_attempt=2, attempts=[first, second], cost_usd=0.0123)
        folder.write_json("result.json", result.to_dict())
        (folder.path / "solution.ipynb").write_text(json.dumps({"cells": []}), encoding="utf-8")
    return folder


async def get_json(jp_fetch, *parts: str, **params: str) -> dict:
    response = await jp_fetch("mlzero", "runs", *parts, params=params or None)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


async def test_lists_runs_below_root_newest_first(jp_fetch, jp_root_dir: Path) -> None:
    older = make_run(jp_root_dir / "mlzero-runs", "titanic")
    os.utime(older.path, (time.time() - 100, time.time() - 100))
    for name in ("events.jsonl", "result.json"):
        os.utime(older.path / name, (time.time() - 100, time.time() - 100))
    newer = make_run(jp_root_dir / "projects" / "house" / "mlzero-runs", "house prices", finished=False)
    make_run(jp_root_dir / "a" / "b" / "c" / "d" / "mlzero-runs", "too deep")

    runs = (await get_json(jp_fetch))["runs"]

    assert [r["run_id"] for r in runs] == [newer.run_id, older.run_id]
    assert runs[1] == {
        "run_id": older.run_id, "path": f"mlzero-runs/{older.run_id}", "status": "success", "metric": "roc_auc",
        "score": 0.93, "attempts": 2, "task": "titanic task", "modified": runs[1]["modified"],
        "solution_notebook": f"mlzero-runs/{older.run_id}/solution.ipynb", "attempts_notebook": None,
    }
    assert runs[0]["status"] == "interrupted" and runs[0]["path"] == f"projects/house/mlzero-runs/{newer.run_id}"


async def test_run_detail_carries_time_tokens_and_cost(jp_fetch, jp_root_dir: Path) -> None:
    run = make_run(jp_root_dir / "mlzero-runs", "titanic")

    detail = await get_json(jp_fetch, run.run_id)

    assert detail["best_attempt"] == 2 and detail["cost_usd"] == pytest.approx(0.0123)
    second = detail["attempt_records"][1]
    assert (second["status"], second["score"], second["duration_s"]) == ("success", 0.93, 12.0)
    assert (second["input_tokens"], second["output_tokens"], second["cost_usd"]) == (1200, 300, 0.0123)


async def test_running_run_detail_comes_from_events(jp_fetch, jp_root_dir: Path) -> None:
    run = make_run(jp_root_dir / "mlzero-runs", "live", finished=False)
    run.claim()  # as the agent running it does

    detail = await get_json(jp_fetch, run.run_id)
    run.release()

    assert detail["status"] == "running" and detail["best_attempt"] is None
    assert [a["number"] for a in detail["attempt_records"]] == [1, 2]
    assert detail["attempt_records"][0]["error"] == "KeyError: 'label'"


async def test_events_from_a_position(jp_fetch, jp_root_dir: Path) -> None:
    run = make_run(jp_root_dir / "mlzero-runs", "titanic")

    everything = await get_json(jp_fetch, run.run_id, "events")
    later = await get_json(jp_fetch, run.run_id, "events", since="2")

    assert [e["kind"] for e in everything["events"]] == ["run_started", "attempt_finished", "guidance",
                                                         "attempt_finished"]
    assert everything["next"] == 4
    assert later["events"] == everything["events"][2:] and later["events"][0]["text"] == "use fewer features"


async def test_export_writes_the_solution_notebook_and_answers_its_path(jp_fetch, jp_root_dir: Path,
                                                                      http_server_client, jp_base_url: str) -> None:
    run = make_run(jp_root_dir / "mlzero-runs", "titanic")
    (run.path / "solution.py").write_text("# -- load data --\nrows = 3\n# -- train --\nprint(rows)\n")
    unfinished = make_run(jp_root_dir / "mlzero-runs", "live", finished=False)
    (run.path / "solution.ipynb").unlink()

    with pytest.raises(HTTPClientError) as without_token:
        await http_server_client.fetch(url_path_join(jp_base_url, "mlzero", "runs", run.run_id, "export"),
                                       method="POST", body="", request_timeout=20)
    assert without_token.value.code == 403 and not (run.path / "solution.ipynb").exists()
    response = await jp_fetch("mlzero", "runs", run.run_id, "export", method="POST", body="")
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("mlzero", "runs", unfinished.run_id, "export", method="POST", body="")

    reply = json.loads(response.body)
    assert reply == {"run_id": run.run_id, "path": f"mlzero-runs/{run.run_id}/solution.ipynb"}
    notebook = nbformat.read(jp_root_dir / reply["path"], as_version=4)
    assert notebook.metadata["mlzero"] == {"run_id": run.run_id, "attempt": 2}
    assert [c.source for c in notebook.cells if c.cell_type == "code"][1:] == ["rows = 3", "print(rows)"]
    assert refused.value.code == 409
    assert json.loads(refused.value.response.body)["message"].startswith(f"{unfinished.path} has no result.json")


@pytest.mark.parametrize("tail", [(), ("RUN",), ("RUN", "events")])
async def test_requests_without_token_are_refused(jp_root_dir: Path, http_server_client, jp_base_url: str,
                                                  jp_serverapp, tail: tuple[str, ...]) -> None:
    run = make_run(jp_root_dir / "mlzero-runs", "titanic")
    url = url_path_join(jp_base_url, "mlzero", "runs", *(run.run_id if p == "RUN" else p for p in tail))

    with pytest.raises(HTTPClientError) as refused:
        await http_server_client.fetch(url, request_timeout=20)

    assert refused.value.code == 403


@pytest.mark.parametrize("run_id", ["..", "../../etc", "../secret", "a/../../b", "mlzero-runs/../x"])
async def test_traversal_is_refused(jp_fetch, jp_root_dir: Path, run_id: str) -> None:
    make_run(jp_root_dir / "mlzero-runs", "titanic")

    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("mlzero", "runs", run_id)

    assert refused.value.code in (403, 404)


async def test_links_out_of_the_root_are_not_followed(jp_fetch, jp_root_dir: Path, tmp_path: Path) -> None:
    outside = make_run(tmp_path / "outside" / "mlzero-runs", "secret")
    (jp_root_dir / "mlzero-runs").mkdir()
    (jp_root_dir / "mlzero-runs" / outside.run_id).symlink_to(outside.path)
    (jp_root_dir / "linked").mkdir()
    (jp_root_dir / "linked" / "mlzero-runs").symlink_to(outside.path.parent)

    runs = (await get_json(jp_fetch))["runs"]
    with pytest.raises(HTTPClientError) as missing:
        await jp_fetch("mlzero", "runs", outside.run_id)

    assert runs == [] and missing.value.code == 404


async def test_unknown_run_is_404_and_bad_since_is_400(jp_fetch, jp_root_dir: Path) -> None:
    run = make_run(jp_root_dir / "mlzero-runs", "titanic")
    with pytest.raises(HTTPClientError) as missing:
        await jp_fetch("mlzero", "runs", "20990101-nothing-000000")
    with pytest.raises(HTTPClientError) as bad:
        await jp_fetch("mlzero", "runs", run.run_id, "events", params={"since": "x"})
    assert (missing.value.code, bad.value.code) == (404, 400)


def test_attempt_records_round_trip_the_dataclass() -> None:
    record = AttemptRecord(3, "timeout", input_tokens=5)
    assert AttemptRecord(**dataclasses.asdict(record)) == record
