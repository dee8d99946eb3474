"""Full flows through a real kernel: a scripted frontend on the ``mlzero`` comm (with and without subshells),
guidance and approval reaching the agent's records, Stop and Kernel > Interrupt, and the no-frontend fallback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

FOREVER = "import time\nprint('started', flush=True)\nwhile True:\n    time.sleep(0.1)\n"


def setup_code(scripts: list[str] | dict[str, list[str]], data: Path | None = None) -> str:
    """Load the extension and register a scripted coder on the magic's registry (the documented test hook).

    Scripts that name ``data`` read, instead, the folder the agent gives its attempts (``task.work_path``). With a
    dict, each run gets the scripts under its ``--name``."""
    pick = "[options.name]" if isinstance(scripts, dict) else ""
    return (
        "%load_ext mlzero_jupyter\n"
        "from mlzero_jupyter.notebook.magics import REGISTRY\n"
        "from mlzero_jupyter.coding.scripted import ScriptedCoder\n"
        "def reading_work_path(scripts):\n"
        f"    return [lambda c, s=s: s.replace({str(data or '/no data named')!r}, c.task.work_path) for s in scripts]\n"
        f"REGISTRY.coder_factory = lambda options: ScriptedCoder(reading_work_path({scripts!r}{pick}))\n"
    )


def magic(data: Path, flags: str = "") -> str:
    return (f"%%mlzero {data} --output runs --max-iterations 3 --time-limit 3m {flags}\n"
            "Predict the species of each flower.\n")


def mlzero_messages(kernel, kind: str | None = None) -> list[dict]:
    messages = [m for m in kernel.comms if m["kind"] == "comm_msg" and "type" in m]
    return [m for m in messages if kind is None or m["type"] == kind]


def events(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]


def only_run(tmp_path: Path) -> Path:
    (run_dir,) = [p for p in (tmp_path / "runs").iterdir() if (p / "task.json").exists()]
    return run_dir


class ScriptedFrontend:
    """Answers the mlzero comm like the JupyterLab extension: ready, then the given answers to each question."""

    def __init__(self, on_subshell: bool, reviews: list[dict] = (), guidance: list[dict] = ()) -> None:
        self.on_subshell = on_subshell
        self.reviews = list(reviews)
        self.guidance = list(guidance)
        self.comm_id: str | None = None

    def __call__(self, kernel, message: dict) -> None:
        content = message["content"]
        if message["msg_type"] == "comm_open" and content.get("target_name") == "mlzero":
            self.comm_id = content["comm_id"]
            kernel.reply(self.comm_id, {"type": "ready", "protocol": 1, "subshells": self.on_subshell},
                         self.on_subshell)
            return
        data = content.get("data", {})
        if data.get("type") != "run_state" or content["comm_id"] != self.comm_id:
            return
        answers = {"waiting_review": self.reviews, "waiting_guidance": self.guidance}.get(data["phase"])
        if answers:
            answer = answers.pop(0)
            if callable(answer):
                answer = answer(kernel)
            kernel.reply(self.comm_id, answer, self.on_subshell)


def test_a_frontend_on_a_subshell_gets_the_cells_and_its_guidance_and_approval_reach_the_agent(
        kernel, tmp_path, iris_dir, solution_code, failing_code):
    kernel.create_subshell()
    kernel.execute(setup_code([failing_code, failing_code]))
    frontend = ScriptedFrontend(on_subshell=True, reviews=[
        {"type": "review", "action": "approve"},
        {"type": "review", "action": "edit", "code": solution_code(iris_dir)},
    ], guidance=[{"type": "guidance", "action": "continue", "text": "read the right column"}])
    reply = kernel.execute(magic(iris_dir, "--guide --confirm --wait 30"), cell_id="cell-7", frontend=frontend)
    assert reply["status"] == "ok"

    opened = [m for m in kernel.comms if m["kind"] == "comm_open" and m["target"] == "mlzero"]
    assert len(opened) == 1 and opened[0]["cell_id"] == "cell-7" and opened[0]["protocol"] == 1
    cells = [m for m in mlzero_messages(kernel) if m["type"] in ("insert_cell", "update_cell")]
    assert [(m["type"], m["attempt"], m["metadata"]["mlzero"]["status"], m["metadata"]["mlzero"]["final"])
            for m in cells] == [("insert_cell", 1, "running", False), ("update_cell", 1, "failed", False),
                                ("insert_cell", 2, "running", False), ("update_cell", 2, "success", False),
                                ("update_cell", 2, "success", True)]
    assert {m["cell_id"] for m in cells} == {"cell-7"}
    run_dir = only_run(tmp_path)
    assert {m["run_id"] for m in cells} == {run_dir.name} == {m["metadata"]["mlzero"]["run_id"] for m in cells}
    assert cells[1]["source"].startswith(f"# mlzero run {run_dir.name} | attempt 1 | failed\n")
    assert "missing" in cells[1]["source"]
    assert {o["name"] for o in cells[1]["outputs"]} == {"stdout", "stderr"}
    assert "reading" in "".join(o["text"] for o in cells[1]["outputs"] if o["name"] == "stdout")
    assert "LogisticRegression" in cells[4]["source"] and cells[4]["source"].splitlines()[0].endswith("| final")
    assert cells[4]["metadata"]["mlzero"]["score"] > 0.8

    record = events(run_dir)
    assert [e["text"] for e in record if e["kind"] == "guidance"] == ["read the right column"]
    second = [e["attempt"] for e in record if e["kind"] == "attempt_finished"][1]
    assert second["guidance"] == ["read the right column"]
    assert second["summary"].endswith("(edited by the user)") and second["status"] == "success"
    states = [m["phase"] for m in mlzero_messages(kernel, "run_state")]
    assert states.count("waiting_review") == 2 and states.count("waiting_guidance") == 1 and states[-1] == "finished"
    assert not reply.get("payload")  # a frontend inserts the cells: no set_next_input
    kernel.execute("print(mlzero_result.status, mlzero_result.best_attempt, len(mlzero_result.predictions()))")
    assert "success 2 30" in kernel.text()


def test_answers_on_the_main_shell_are_read_while_the_cell_runs_and_queued_cells_keep_their_order(
        kernel, tmp_path, iris_dir, failing_code):
    kernel.execute(setup_code([failing_code]))

    def stop_after_queueing(session):
        session.client.execute("queued = 41 + 1")  # a cell run while the magic waits: it must run after it
        return {"type": "guidance", "action": "stop"}

    frontend = ScriptedFrontend(on_subshell=False, guidance=[stop_after_queueing])
    began = time.monotonic()
    kernel.execute(magic(iris_dir, "--guide --wait 60"), frontend=frontend)
    assert time.monotonic() - began < 50, kernel.text()  # the stop was read at once, not after the 60 s wait
    run_dir = only_run(tmp_path)
    result = json.loads((run_dir / "result.json").read_text())
    assert result["status"] == "stopped" and len(result["attempts"]) == 1
    kernel.execute("print('queued is', queued)")
    assert "queued is 42" in kernel.text()


def test_without_a_frontend_the_final_solution_becomes_the_next_input(kernel, tmp_path, iris_dir, solution_code,
                                                                       failing_code):
    kernel.execute(setup_code([failing_code, solution_code(iris_dir)], iris_dir))
    reply = kernel.execute(magic(iris_dir, "--guide --wait 1"))
    (payload,) = [p for p in reply["payload"] if p["source"] == "set_next_input"]
    run_dir = only_run(tmp_path)
    first = payload["text"].splitlines()[0]
    assert first.startswith(f"# mlzero run {run_dir.name} | attempt 2 | success | accuracy = ")
    assert first.endswith(" | final") and "LogisticRegression" in payload["text"]
    assert f"All attempts, one cell each: {run_dir / 'attempts.ipynb'}" in kernel.text()
    assert (run_dir / "attempts.ipynb").is_file() and (run_dir / "solution.ipynb").is_file()


@pytest.mark.parametrize("how", ["stop message on a subshell", "kernel interrupt"])
def test_stop_and_interrupt_end_the_run_cleanly_and_it_can_be_resumed(kernel, tmp_path, iris_dir, solution_code, how):
    kernel.create_subshell()
    kernel.execute(setup_code([FOREVER]))
    frontend = ScriptedFrontend(on_subshell=True)
    stopped_at = []

    def stop_when_running(session, message):
        frontend(session, message)
        data = message["content"].get("data", {})
        if data.get("type") == "run_state" and data.get("phase") == "attempt_running" and not stopped_at:
            stopped_at.append(time.monotonic())
            time.sleep(1.0)
            if how == "kernel interrupt":
                session.manager.interrupt_kernel()
            else:
                session.reply(frontend.comm_id, {"type": "stop"}, on_subshell=True)

    kernel.execute(magic(iris_dir), frontend=stop_when_running)
    assert stopped_at and time.monotonic() - stopped_at[0] < 30
    run_dir = only_run(tmp_path)
    result = json.loads((run_dir / "result.json").read_text())
    assert result["status"] == "stopped"
    kernel.execute(f"from mlzero_jupyter.notebook.magics import REGISTRY\n"
                   f"from mlzero_jupyter.coding.scripted import ScriptedCoder\n"
                   "REGISTRY.coder_factory = lambda options: ScriptedCoder(reading_work_path("
                   f"{[solution_code(iris_dir)]!r}))\n"
                   f"%mlzero resume runs/{run_dir.name} \"finish it\"\n"
                   f"print('resumed', mlzero_result.status, mlzero_result.best_attempt)")
    assert "resumed success" in kernel.text()


class WidgetClicker:
    """A widget frontend (no mlzero extension): types guidance into the display's text box and clicks Continue."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.textarea: str | None = None

    def __call__(self, kernel, message: dict) -> None:
        content = message["content"]
        if message["msg_type"] != "comm_open" or content.get("target_name") != "jupyter.widget":
            return
        state = content["data"]["state"]
        if state.get("_model_name") == "TextareaModel" and "fewer features" in state.get("placeholder", ""):
            self.textarea = content["comm_id"]
        elif state.get("_model_name") == "ButtonModel" and state.get("description") == "Continue":
            kernel.reply(self.textarea, {"method": "update", "state": {"value": self.text}, "buffer_paths": []})
            kernel.reply(content["comm_id"], {"method": "custom", "content": {"event": "click"}})


def test_widget_buttons_answer_while_the_cell_runs(kernel, tmp_path, iris_dir, solution_code, failing_code):
    kernel.execute(setup_code([failing_code, solution_code(iris_dir)], iris_dir))
    began = time.monotonic()
    kernel.execute(magic(iris_dir, "--guide --wait 60"), frontend=WidgetClicker("mind the missing column"))
    assert time.monotonic() - began < 50  # answered by the click, not by the 60 s timeout
    run_dir = only_run(tmp_path)
    second = [e["attempt"] for e in events(run_dir) if e["kind"] == "attempt_finished"][1]
    assert second["guidance"] == ["mind the missing column"] and second["status"] == "success"
    final = [o for o in kernel.outputs if o["type"] == "update_display_data"][-1]["data"]
    assert "MLZero run" in final["text/html"] and "Leaderboard" in final["text/plain"]
