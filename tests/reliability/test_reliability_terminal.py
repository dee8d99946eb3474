"""The terminal controller of `mlzero run`: code waits for a typed answer, nothing runs on its own unless the user
set an approval timeout, and every decision is recorded."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from reliability_scenarios import good, make_iris

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.approval import recorder
from mlzero_jupyter.coding.scripted import ScriptedCoder
from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.events import Unattended
from mlzero_jupyter.cli.terminal import TerminalController, controller_for

CONCERNS = ["line 1: imports urllib.request, which can open network connections [network]"]


@pytest.fixture
def typed():
    """A pipe standing for the keyboard: write answers into it, the controller reads them."""
    read_end, write_end = os.pipe()
    reader, writer = os.fdopen(read_end, "r"), os.fdopen(write_end, "w")
    yield reader, writer
    reader.close()
    if not writer.closed:
        writer.close()


def ask(typed, answer: str | None, concerns=CONCERNS, **options) -> tuple[str, str, list[dict]]:
    reader, writer = typed
    if answer is not None:
        writer.write(answer)
        writer.flush()
    shown, decisions = io.StringIO(), []
    controller = TerminalController(input=reader, output=shown, record=lambda **d: decisions.append(d), **options)
    review = controller.review(1, "print('the code')", "a summary", concerns)
    return review.action, shown.getvalue(), decisions


@pytest.mark.parametrize("answer, action", [("y\n", "approve"), ("yes\n", "approve"), ("s\n", "skip"),
                                            ("q\n", "stop"), ("maybe\n\ns\n", "skip")])
def test_the_typed_answer_decides_and_is_recorded(typed, answer, action):
    decided, shown, decisions = ask(typed, answer, confirm=True)
    assert decided == action
    assert CONCERNS[0] in shown and "print('the code')" in shown and "[y]es, [e]dit, [s]kip, [q]uit" in shown
    assert decisions == [{"attempt": 1, "action": action, "by": "terminal", "concerns": CONCERNS, "edited": False}]
    if answer.startswith("maybe"):
        assert "'maybe' is not an answer" in shown and shown.count("Run attempt 1?") == 3


def test_confirm_waits_for_an_answer_however_long_it_takes(typed):
    reader, writer = typed
    began = time.monotonic()
    controller = TerminalController(confirm=True, guidance_timeout=0.2, input=reader, output=io.StringIO())
    import threading

    threading.Timer(1.0, lambda: (writer.write("y\n"), writer.flush())).start()
    assert controller.review(1, "x = 1", "clean code", []).action == "approve"
    assert time.monotonic() - began >= 1.0  # the guidance timeout did not decide


def test_a_timeout_decides_only_when_the_user_set_one_and_says_so(typed):
    decided, shown, decisions = ask(typed, None, concerns=[], confirm=True, approval_timeout=0.3)
    assert decided == "approve" and "no answer within 0 s: approve" in shown
    assert decisions == [{"attempt": 1, "action": "approve", "by": "timeout", "concerns": [], "edited": False,
                          "timeout_s": 0.3}]
    decided, _, decisions = ask(typed, None, confirm=True, approval_timeout=0.3)
    assert decided == "skip" and decisions[0]["by"] == "timeout"  # code with concerns never runs on its own


def test_concerns_without_confirm_are_skipped_when_nobody_answers(typed):
    decided, shown, decisions = ask(typed, None, guidance_timeout=0.3)
    assert decided == "skip" and decisions[0]["by"] == "timeout"


def test_the_end_of_input_stops_the_run(typed):
    typed[1].close()
    decided, shown, decisions = ask(typed, None, confirm=True)
    assert decided == "stop" and "no more input" in shown and decisions[0]["reason"] == "end of input"


def test_clean_code_runs_without_a_question_unless_confirm(typed):
    decided, shown, decisions = ask(typed, None, concerns=[])
    assert decided == "approve" and shown == "" and decisions == []


def test_guidance_between_attempts(typed):
    from mlzero_jupyter.memory.episodic import AttemptRecord

    reader, writer = typed
    controller = TerminalController(guide=True, guidance_timeout=5, input=reader, output=io.StringIO())
    writer.write("use fewer features\nq\n")
    writer.flush()
    failed = AttemptRecord(1, "failed")
    assert controller.between_attempts(failed).text == "use fewer features"
    assert controller.between_attempts(failed).stop
    assert TerminalController(input=reader, output=io.StringIO()).between_attempts(failed).text is None


def test_a_terminal_gets_the_terminal_controller_and_a_pipe_runs_unattended_or_refuses(typed):
    primary, secondary = os.openpty()
    with os.fdopen(secondary, "r") as terminal:
        assert isinstance(controller_for(terminal, confirm=True), TerminalController)
    os.close(primary)
    assert isinstance(controller_for(typed[0]), Unattended)
    for flags in ({"confirm": True}, {"guide": True}):
        with pytest.raises(UserInputError, match="need someone at a terminal"):
            controller_for(typed[0], **flags)


@pytest.mark.parametrize("answer, statuses", [("y\n", ["success"]), ("s\n", ["blocked", "success"])])
def test_the_agent_runs_network_code_only_after_a_yes(typed, tmp_path, answer, statuses):
    data = make_iris(tmp_path / "iris")
    reader, writer = typed
    writer.write(answer)
    writer.flush()
    scripts = [lambda c: "import urllib.request\n" + good(c.task.work_path), lambda c: good(c.task.work_path)]
    options = RunOptions(output_dir=str(tmp_path / "runs"), time_limit=120, max_iterations=2, quick=True)
    controller = TerminalController(guidance_timeout=5.0, input=reader, output=io.StringIO())
    agent = Agent(data, "Predict the species.", options, coder=ScriptedCoder(scripts), controller=controller)
    controller.record = recorder(agent)
    result = agent.run()
    assert [a.status for a in result.attempts][:len(statuses)] == statuses
    assert Path(result.run_dir, "attempt_1", "proposed_solution.py").read_text().startswith("import urllib.request")
    events = [json.loads(line) for line in Path(result.run_dir, "events.jsonl").read_text().splitlines()]
    approvals = [(e["attempt"], e["action"], e["by"]) for e in events if e["kind"] == "approval"]
    assert approvals == [(1, "approve" if answer == "y\n" else "skip", "terminal")]
