"""One status for one run folder, whoever reads it: the CLI, the lab server's catalog and the MCP server.

The folders are written with the project's own record classes, as the agent leaves them; a run is running while
a process holds its folder's lock (here this test, or a child process that is then killed)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlzero_jupyter import cli
from mlzero_jupyter.errors import RunFolderError
from mlzero_jupyter.memory.episodic import AttemptRecord, EpisodicMemory
from mlzero_jupyter.perception.spec import Inferred, TaskSpec
from mlzero_jupyter.result import RunResult
from mlzero_jupyter.run_views import RESUMABLE_STATUSES, run_status
from mlzero_jupyter.runs import RunFolder

#: label -> (the status recorded in its result, None for no result yet; held by a live process; expected status)
FOLDERS = {
    "succeeded": ("success", False, "success"),
    "all attempts failed": ("failed", False, "failed"),
    "stopped by the user": ("stopped", False, "stopped"),
    "died mid run": ("running", False, "interrupted"),
    "died before an attempt": (None, False, "interrupted"),
    "resumed and running": ("failed", True, "running"),
    "running its first attempt": (None, True, "running"),
    "result edited by hand": ("damaged", False, "damaged"),
}


def make_folder(root: Path, label: str, recorded: str | None) -> RunFolder:
    folder = RunFolder.create(root, label)
    task = TaskSpec(str(root), str(root), label, problem_type=Inferred("binary", 0.9), target=Inferred("label", 0.9),
                    metric=Inferred("accuracy", 0.8))
    folder.write_task(task.to_dict())
    EpisodicMemory(folder.events_path).record("run_started", data=str(root), description=label)
    if recorded == "damaged":
        folder.result_path.write_text('{"status": "succ', encoding="utf-8")
    elif recorded is not None:
        attempt = AttemptRecord(1, "success" if recorded == "success" else "failed", score=0.9, metric="accuracy")
        result = RunResult(folder.run_id, str(folder.path), recorded, task=label, metric="accuracy",
                           attempts=[attempt], validation_score=0.9 if recorded == "success" else None)
        folder.write_result(result.to_dict())
    return folder


@pytest.fixture
def folders(tmp_path: Path):
    """The run folders under ``<tmp>/mlzero-runs``, by expected status; the running ones held by this process."""
    root = tmp_path / "mlzero-runs"
    made = {}
    for label, (recorded, held, expected) in FOLDERS.items():
        made[label] = folder = make_folder(root, label, recorded)
        if held:
            folder.claim()
    yield root, {made[label].run_id: expected for label, (_, _, expected) in FOLDERS.items()}
    for folder in made.values():
        folder.release()


def cli_show(run_dir: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["show", str(run_dir), "--json"])
    return code, out.getvalue() if code == 0 else err.getvalue()


async def mcp_statuses(root: Path) -> tuple[list[dict], dict[str, dict | str]]:
    """list_runs, and run_status of each run (its one-line error when it fails), through an MCP client."""
    from mcp import Client

    from mlzero_jupyter.mcp.manager import RunManager
    from mlzero_jupyter.mcp.server import build_server

    async with Client(build_server(RunManager(root))) as client:
        listed = await client.call_tool("list_runs", {})
        statuses = {}
        for run in listed.structured_content["runs"]:
            answer = await client.call_tool("run_status", {"run_id": run["run_id"]})
            statuses[run["run_id"]] = answer.content[0].text if answer.is_error else answer.structured_content
            if run["status"] == "running":  # held by another process: neither resumed nor stopped from here
                for tool, arguments in (("send_guidance", {"text": "try more"}), ("stop_run", {})):
                    refused = await client.call_tool(tool, {"run_id": run["run_id"], **arguments})
                    assert refused.is_error and "running in another process" in refused.content[0].text
    return listed.structured_content["runs"], statuses


def test_cli_server_catalog_and_mcp_report_the_same_status(folders) -> None:
    pytest.importorskip("mcp")
    from mlzero_jupyter.server.catalog import describe_run, find_run_folders, run_detail

    root, expected = folders
    listed = subprocess.run([sys.executable, "-m", "mlzero_jupyter.cli", "list", "--output", str(root), "--json"],
                            capture_output=True, text=True, timeout=120, check=True)  # another process
    cli_list = {run["run_id"]: (run["status"], run["resumable"]) for run in json.loads(listed.stdout)}
    catalog = {run.run_id: describe_run(root.parent, run)["status"] for run in find_run_folders(root.parent)}
    details = {run.run_id: run_detail(root.parent, run)["status"] for run in find_run_folders(root.parent)}
    mcp_list, mcp_status = asyncio.run(mcp_statuses(root))

    assert cli_list == {run_id: (status, status in RESUMABLE_STATUSES) for run_id, status in expected.items()}
    assert catalog == details == expected
    assert {run["run_id"]: (run["status"], run["resumable"]) for run in mcp_list} == cli_list
    for run_id, status in expected.items():
        code, shown = cli_show(root / run_id)
        if status == "damaged":  # one line naming the damaged record, from both
            assert code == 2 and "is damaged" in shown and len(shown.strip().splitlines()) == 1
            assert "is damaged" in mcp_status[run_id] and "\n" not in mcp_status[run_id]
            continue
        assert code == 0 and json.loads(shown)["status"] == status
        answer = mcp_status[run_id]
        assert (answer["status"], answer["running"], answer["resumable"]) == \
            (status, status == "running", status in RESUMABLE_STATUSES)


HOLDER = """
import sys, time
from mlzero_jupyter.runs import RunFolder
folder = RunFolder(sys.argv[1])
folder.claim()
print("held", flush=True)
time.sleep(120)
"""


def test_a_run_is_running_while_its_process_lives_and_interrupted_once_it_is_killed(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "mlzero-runs", "a notebook's run", "running")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert run_status(folder) == "running"
        with pytest.raises(RunFolderError, match="is running in another process") as refused:
            RunFolder.open(folder.path).claim()  # a second resume of it, elsewhere
        assert "\n" not in str(refused.value)
    finally:
        holder.kill()
        holder.wait()
    assert run_status(folder) == "interrupted"
    again = RunFolder.open(folder.path)
    again.claim()
    assert run_status(RunFolder.open(folder.path)) == "running"
    again.release()
    assert run_status(folder) == "interrupted"


TREE = """
import json
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

train = pd.read_csv({data!r} + "/train.csv")
test = pd.read_csv({data!r} + "/test.csv")
model = DecisionTreeClassifier(random_state=0).fit(train[["a", "b"]], train["label"])
pd.DataFrame({{"id": test["id"], "label": model.predict(test[["a", "b"]])}}).to_csv("predictions.csv", index=False)
json.dump({{"metric": "accuracy", "validation_score": model.score(train[["a", "b"]], train["label"]),
           "higher_is_better": True, "validation": "accuracy on the training rows"}}, open("metrics.json", "w"))
"""


def test_the_agent_holds_its_run_while_it_runs(tmp_path: Path) -> None:
    from mlzero_jupyter.agent import Agent, RunOptions
    from mlzero_jupyter.coding.scripted import ScriptedCoder
    from mlzero_jupyter.events import ATTEMPT_STARTED

    data = tmp_path / "data"
    data.mkdir()
    rows = [(n, n % 7, n % 3, "yes" if n % 3 else "no") for n in range(1, 81)]
    (data / "train.csv").write_text("id,a,b,label\n" + "".join(f"{n},{a},{b},{y}\n" for n, a, b, y in rows[:60]))
    (data / "test.csv").write_text("id,a,b\n" + "".join(f"{n},{a},{b}\n" for n, a, b, _ in rows[60:]))
    seen = []

    def look(event) -> None:
        if event.kind == ATTEMPT_STARTED:
            folder = RunFolder.open(tmp_path / "runs" / event.run_id)  # as another reader opens it
            try:
                folder.claim()
                seen.append("claimed by another")
            except RunFolderError:
                seen.append(run_status(folder))

    coder = ScriptedCoder([lambda context: TREE.format(data=str(context.task.work_path))])
    options = RunOptions(output_dir=str(tmp_path / "runs"), time_limit=120, max_iterations=1, quick=True)
    result = Agent(data, "Predict the label of each row.", options, coder=coder, observers=[look]).run()

    assert seen == ["running"] and result.status == "success"
    assert run_status(RunFolder.open(result.run_dir)) == "success"
