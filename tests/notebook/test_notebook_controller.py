"""The notebook controller without a kernel: headless never waits (and a run that asked to confirm stops), the
terminal asks, approval decides alone only after a timeout the user set, the first answer wins and is recorded,
and guidance sent while no question is open is kept for the next attempt."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from mlzero_jupyter.memory.episodic import AttemptRecord
from mlzero_jupyter.notebook.controller import Inbox, NotebookController
from mlzero_jupyter.notebook.display import TextDisplay
from mlzero_jupyter.notebook.frontend import HEADLESS, INTERACTIVE, TERMINAL, Frontend

FAILED_ATTEMPT = AttemptRecord(1, "failed", error="KeyError: 'x'")


def controller(kind: str, **options) -> NotebookController:
    return NotebookController(Frontend(kind), TextDisplay(), Inbox(), **{"wait_s": 30.0, **options})


def test_headless_runs_never_wait_and_never_run_code_that_asked_for_a_yes(capsys):
    decisions = []
    headless = controller(HEADLESS, guide=True, confirm=True, record=lambda **d: decisions.append(d))
    began = time.monotonic()
    assert headless.between_attempts(FAILED_ATTEMPT).text is None
    assert headless.review(2, "print(1)", "s", []).action == "stop"
    assert "--confirm needs someone to answer" in capsys.readouterr().out
    assert decisions == [{"attempt": 2, "action": "stop", "by": "nobody", "concerns": [], "edited": False,
                          "reason": "no front end can answer"}]
    unconfirmed = controller(HEADLESS)
    assert unconfirmed.review(2, "print(1)", "s", []).action == "approve"
    assert unconfirmed.review(2, "import shutil", "s", ["deletes files"]).action == "skip"
    assert time.monotonic() - began < 1


def answering(inbox: Inbox, *answers: dict, after: float = 0.3) -> None:
    """Put ``answers`` into the inbox from another thread, as the comm and the widgets do."""

    def later():
        time.sleep(after)
        for answer in answers:
            inbox.put(answer)

    threading.Thread(target=later, daemon=True).start()


class Widgets(TextDisplay):
    interactive = True


def test_the_first_answer_wins_and_approval_waits_past_the_guidance_timeout():
    decisions = []
    asked = controller(INTERACTIVE, confirm=True, wait_s=0.1, record=lambda **d: decisions.append(d))
    asked.display = Widgets()
    answering(asked.inbox, {"type": "review", "action": "edit", "code": "x = 2", "by": "panel"},
              {"type": "review", "action": "approve", "by": "widget"}, after=0.5)
    review = asked.review(1, "x = 1", "s", [])
    assert (review.action, review.code) == ("edit", "x = 2")
    assert decisions == [{"attempt": 1, "action": "edit", "by": "panel", "concerns": [], "edited": True}]


def test_a_stop_ends_the_wait_and_a_timeout_decides_only_when_set():
    stopping = threading.Event()
    asked = controller(INTERACTIVE, confirm=True, stopped=stopping.is_set)
    asked.display = Widgets()
    threading.Timer(0.3, stopping.set).start()
    assert asked.review(1, "x = 1", "s", []).action == "stop"
    decisions = []
    timed = controller(INTERACTIVE, confirm=True, approval_timeout=0.3, record=lambda **d: decisions.append(d))
    timed.display = Widgets()
    assert timed.review(1, "x = 1", "s", []).action == "approve"
    assert timed.review(2, "import os", "s", ["reads the environment"]).action == "skip"
    assert [(d["action"], d["by"], d["timeout_s"]) for d in decisions] == [("approve", "timeout", 0.3),
                                                                         ("skip", "timeout", 0.3)]


def test_without_guide_nothing_is_asked_but_sent_guidance_reaches_the_next_attempt():
    quiet = controller(TERMINAL)
    quiet.inbox.put({"type": "guidance", "action": "continue", "text": "drop the id column"})
    assert quiet.between_attempts(FAILED_ATTEMPT).text == "drop the id column"
    assert quiet.between_attempts(FAILED_ATTEMPT).text is None


@pytest.fixture
def typed(monkeypatch):
    """sys.stdin replaced by a pipe; the returned function types a line into it."""
    read, write = os.pipe()
    reader, writer = os.fdopen(read), os.fdopen(write, "w")
    monkeypatch.setattr(sys, "stdin", reader)

    def type_line(text: str, after: float = 0.2) -> None:
        def later():
            time.sleep(after)
            writer.write(text + "\n")
            writer.flush()

        threading.Thread(target=later, daemon=True).start()

    yield type_line
    reader.close()
    writer.close()


def test_the_terminal_asks_for_guidance_and_stop(typed):
    terminal = controller(TERMINAL, guide=True)
    typed("use a smaller learning rate")
    assert terminal.between_attempts(FAILED_ATTEMPT).text == "use a smaller learning rate"
    typed("stop")
    assert terminal.between_attempts(FAILED_ATTEMPT).stop


def test_the_terminal_review_approves_skips_or_stops_and_times_out_only_when_set(typed):
    terminal = controller(TERMINAL, confirm=True, wait_s=0.1)
    typed("s")
    assert terminal.review(1, "print(1)", "s", []).action == "skip"
    typed("q", after=0.5)  # later than the guidance wait: approval waits for the answer
    assert terminal.review(1, "print(1)", "s", []).action == "stop"
    timed = controller(TERMINAL, confirm=True, approval_timeout=0.5)
    began = time.monotonic()
    assert timed.review(1, "print(1)", "s", []).action == "approve"  # the user's timeout: clean code runs
    assert timed.review(1, "import os", "s", ["writes outside"]).action == "skip"
    assert time.monotonic() - began < 3
