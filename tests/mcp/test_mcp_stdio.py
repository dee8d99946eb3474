"""An MCP client of the official SDK drives a full offline run over stdio: tools, inspection, start, status
polling, guidance, result, export, one-line errors; then a restarted server finds the run on disk."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from mcp_support import IRIS_DESCRIPTION, TOOLS, Session, with_stdio

pytestmark = pytest.mark.fit

GUIDANCE = "keep it fast: a single gradient boosting model is enough"


@pytest.fixture(scope="module")
def finished_run(iris_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One run driven end to end over MCP; what the client saw along the way."""
    output_dir = tmp_path_factory.mktemp("runs")

    async def scenario(session: Session) -> dict:
        tools = {tool.name for tool in (await session.client.list_tools()).tools}
        inspected = await session.call("inspect_data", path=str(iris_data), description=IRIS_DESCRIPTION)
        started = await session.call("start_run", data=str(iris_data), description=IRIS_DESCRIPTION,
                                     options={"time_limit": "60s", "max_iterations": 2})
        guided = await session.call("send_guidance", run_id=started["run_id"], text=GUIDANCE)
        final, seen = await session.poll(started["run_id"])
        result = await session.call("get_result", run_id=started["run_id"])
        exported = await session.call("export_notebook", run_id=started["run_id"])
        listed = await session.call("list_runs")
        return {"tools": tools, "inspected": inspected, "started": started, "guided": guided, "final": final,
                "seen": seen, "result": result, "exported": exported, "listed": listed}

    return {"output_dir": output_dir, **with_stdio(output_dir, iris_data.parent, scenario)}


def test_tools_are_listed(finished_run: dict) -> None:
    assert finished_run["tools"] == TOOLS


def test_inspect_data_reports_the_task(finished_run: dict) -> None:
    inspected = finished_run["inspected"]
    assert inspected["problem_type"]["value"] == "multiclass"
    assert inspected["target"]["value"] == "species"
    assert inspected["metric"]["value"] == "accuracy"
    assert any(f["role"] == "train" for f in inspected["files"])
    assert "species" in inspected["summary"]


def test_start_returns_a_running_run_with_its_task(finished_run: dict) -> None:
    started = finished_run["started"]
    assert started["status"] == "running" and started["running"]
    assert started["task"]["target"]["value"] == "species"
    assert Path(started["run_dir"]).parent == finished_run["output_dir"].resolve()


def test_guidance_reaches_the_running_run(finished_run: dict) -> None:
    assert finished_run["guided"]["resumed"] is False
    assert finished_run["guided"]["guidance"] == [GUIDANCE]
    assert finished_run["final"]["guidance"] == [GUIDANCE]


def test_polling_shows_progress_then_success(finished_run: dict) -> None:
    seen, final = finished_run["seen"], finished_run["final"]
    assert any(status["running"] and status["phase"].startswith("attempt") for status in seen)
    assert final["status"] == "success" and not final["resumable"]
    best = [a for a in final["attempts"] if a["status"] == "success"]
    assert best and 0.8 <= best[0]["score"] <= 1.0
    assert final["best_score"] == max(a["score"] for a in best)


def test_result_names_metric_score_and_files(finished_run: dict) -> None:
    result = finished_run["result"]
    assert result["status"] == "success" and result["metric"] == "accuracy"
    assert result["score"] == finished_run["final"]["best_score"]
    for name in ("predictions_path", "solution_path", "model_path"):
        assert Path(result[name]).exists(), name


def test_export_writes_a_valid_notebook(finished_run: dict) -> None:
    notebook = Path(finished_run["exported"]["notebook"])
    nbformat.validate(nbformat.read(notebook, as_version=4))
    assert notebook.parent == Path(finished_run["result"]["run_dir"])


def test_list_runs_has_the_run(finished_run: dict) -> None:
    [run] = finished_run["listed"]["runs"]
    assert run["run_id"] == finished_run["started"]["run_id"] and run["status"] == "success"


def test_a_restarted_server_reads_the_run_from_disk(finished_run: dict) -> None:
    run_id = finished_run["started"]["run_id"]

    async def scenario(session: Session) -> tuple:
        return (await session.call("list_runs"), await session.call("run_status", run_id=run_id[:20]),
                await session.call("get_result", run_id=run_id))

    listed, status, result = with_stdio(finished_run["output_dir"], Path.cwd(), scenario)
    assert [run["run_id"] for run in listed["runs"]] == [run_id]
    assert status["status"] == "success" and not status["running"]
    assert status["guidance"] == [GUIDANCE]
    assert result["score"] == finished_run["result"]["score"]
