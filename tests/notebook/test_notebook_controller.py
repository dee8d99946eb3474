"""The notebook controller without a kernel: headless never waits, the terminal asks with a timeout,
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
from mlzero_jupyter.notebook.frontend import HEADLESS, TERMINAL, Frontend

FAILED_ATTEMPT = AttemptRecord(1, "failed", error="KeyError: 'x'")


def controller(kind: str, **options) -> NotebookController:
    return NotebookController(Frontend(kind), TextDisplay(), Inbox(), **{"wait_s": 30.0, **options})


def test_headless_runs_never_wait():
    headless = controller(HEADLESS, guide=True, confirm=True)
    began = time.monotonic()
    assert headless.between_attempts(FAILED_ATTEMPT).text is None
    assert headless.review(2, "print(1)", "s", []).action == "approve"
    assert headless.review(2, "import shutil", "s", ["deletes files"]).action == "skip"
    assert time.monotonic() - began < 1


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


def test_the_terminal_review_approves_skips_or_stops_and_times_out(typed):
    terminal = controller(TERMINAL, confirm=True, wait_s=0.5)
    typed("s")
    assert terminal.review(1, "print(1)", "s", []).action == "skip"
    typed("q")
    assert terminal.review(1, "print(1)", "s", []).action == "stop"
    began = time.monotonic()
    assert terminal.review(1, "print(1)", "s", []).action == "approve"  # nobody typed: clean code runs
    assert terminal.review(1, "import os", "s", ["writes outside"]).action == "skip"
    assert time.monotonic() - began < 3
