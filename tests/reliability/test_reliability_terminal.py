"""The terminal controller of `mlzero run`: 'ask' findings wait for a typed answer, with a timeout."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from reliability_scenarios import good, make_iris

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.coding.scripted import ScriptedCoder
from mlzero_jupyter.events import Unattended
from mlzero_jupyter.terminal import TerminalController, controller_for

CONCERNS = ["line 1: imports urllib.request, which can open network connections [network]"]


@pytest.fixture
def typed():
    """A pipe standing for the keyboard: write answers into it, the controller reads them."""
    read_end, write_end = os.pipe()
    reader, writer = os.fdopen(read_end, "r"), os.fdopen(write_end, "w")
    yield reader, writer
    reader.close()
    writer.close()


def ask(typed, answer: str | None, timeout: float = 5.0) -> tuple[str, str]:
    reader, writer = typed
    if answer is not None:
        writer.write(answer)
        writer.flush()
    shown = io.StringIO()
    review = TerminalController(timeout, input=reader, output=shown).review(1, "code", "a summary", CONCERNS)
    return review.action, shown.getvalue()


@pytest.mark.parametrize("answer, action", [("y\n", "approve"), ("yes\n", "approve"), ("s\n", "skip"),
                                            ("\n", "skip"), ("q\n", "stop"), ("maybe\n", "skip")])
def test_the_typed_answer_decides(typed, answer, action):
    decided, shown = ask(typed, answer)
    assert decided == action
    assert CONCERNS[0] in shown and "[y]es, [s]kip, [q]uit" in shown


def test_no_answer_within_the_timeout_skips(typed):
    decided, shown = ask(typed, None, timeout=0.3)
    assert decided == "skip" and "no answer" in shown


def test_clean_code_runs_without_a_question(typed):
    reader, _ = typed
    shown = io.StringIO()
    assert TerminalController(0.1, input=reader, output=shown).review(1, "x = 1", "s", []).action == "approve"
    assert shown.getvalue() == ""


def test_a_terminal_gets_the_terminal_controller_and_a_pipe_runs_unattended(typed):
    primary, secondary = os.openpty()
    with os.fdopen(secondary, "r") as terminal:
        assert isinstance(controller_for(terminal, 5.0), TerminalController)
    os.close(primary)
    assert isinstance(controller_for(typed[0], 5.0), Unattended)


@pytest.mark.parametrize("answer, statuses", [("y\n", ["success"]), ("s\n", ["blocked", "success"])])
def test_the_agent_runs_network_code_only_after_a_yes(typed, tmp_path, answer, statuses):
    data = make_iris(tmp_path / "iris")
    reader, writer = typed
    writer.write(answer)
    writer.flush()
    flagged = "import urllib.request\n" + good(data)
    options = RunOptions(output_dir=str(tmp_path / "runs"), time_limit=120, max_iterations=2)
    controller = TerminalController(5.0, input=reader, output=io.StringIO())
    result = Agent(data, "Predict the species.", options, coder=ScriptedCoder([flagged, good(data)]),
                   controller=controller).run()
    assert [a.status for a in result.attempts] == statuses
    assert Path(result.run_dir, "attempt_1", "proposed_solution.py").read_text() == flagged
