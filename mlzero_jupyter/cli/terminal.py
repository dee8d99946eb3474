"""The controller of `mlzero run` in a terminal: approval of code (``--confirm``) and guidance (``--guide``).

With ``--confirm`` every attempt's code waits for an answer; without it only code the policy marks 'ask' does,
and is skipped when nobody answers within the guidance timeout. The code is shown (through ``$PAGER`` when it is
longer than the screen) and the user answers ``y`` (run it), ``e`` (edit it in ``$EDITOR``, then run the edit),
``s`` (skip it) or ``q`` (stop the run). Nothing runs without an answer: only an ``approval_timeout`` the user
set decides alone (clean code runs), and the run's record says what it decided; the end of input stops the run. ``--guide`` asks for
guidance between attempts (Enter continues). Without a terminal, ``--confirm`` and ``--guide`` are refused at once
(:func:`controller_for`) and code with concerns is skipped (the Unattended controller).
"""

from __future__ import annotations

import os
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from typing import TextIO

from mlzero_jupyter.approval import TIMEOUT, Recorder, on_timeout, record_decision
from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.events import Controller, Guidance, Review, Unattended
from mlzero_jupyter.memory.episodic import AttemptRecord

ANSWERS = {"y": "approve", "yes": "approve", "e": "edit", "edit": "edit", "s": "skip", "skip": "skip",
           "n": "skip", "no": "skip", "q": "stop", "quit": "stop", "stop": "stop"}
BY = "terminal"


class TerminalController:
    """Asks on ``output`` and reads answers from ``input``; ``record`` receives every approval decision."""

    def __init__(self, *, confirm: bool = False, guide: bool = False, approval_timeout: float | None = None,
                 guidance_timeout: float = 60.0, input: TextIO | None = None, output: TextIO | None = None,
                 record: Recorder | None = None) -> None:
        self.confirm = confirm
        self.guide = guide
        self.approval_timeout = approval_timeout
        self.guidance_timeout = guidance_timeout
        self.input = input or sys.stdin
        self.output = output or sys.stderr
        self.record = record

    # -- approval ------------------------------------------------------------------------------------------------
    def review(self, attempt: int, code: str, summary: str, concerns: list[str]) -> Review:
        if not (self.confirm or concerns):
            return Review("approve")
        self._show(attempt, code, summary, concerns)
        timeout = self.approval_timeout if self.confirm else (self.approval_timeout or self.guidance_timeout)
        while True:
            wait = f" (decided alone in {timeout:.0f} s)" if timeout else ""
            try:
                answer = self._ask(f"Run attempt {attempt}? [y]es, [e]dit, [s]kip, [q]uit the run{wait}: ", timeout)
            except EOFError:
                self._say("\nno more input: the run stops")
                record_decision(self.record, attempt, Review("stop"), BY, concerns, reason="end of input")
                return Review("stop")
            if answer is None:
                return self._timed_out(attempt, concerns, timeout)
            action = ANSWERS.get(answer.strip().lower())
            if action is None:
                self._say(f"{answer.strip()!r} is not an answer; type y, e, s or q")
                continue
            review = self._edit(code) if action == "edit" else Review(action)
            if review is None:
                continue
            record_decision(self.record, attempt, review, BY, concerns)
            return review

    def _show(self, attempt: int, code: str, summary: str, concerns: list[str]) -> None:
        text = f"--- attempt {attempt}: {summary} ---\n{code.rstrip()}\n--- end of attempt {attempt} ---\n"
        if len(text.splitlines()) > shutil.get_terminal_size().lines - 4 and os.environ.get("PAGER", "less") != "":
            import pydoc

            pydoc.pager(text)
        else:
            self._say(text.rstrip("\n"))
        for concern in concerns:
            self._say(f"concern: {concern}")

    def _edit(self, code: str) -> Review | None:
        """The code as the user left it in ``$VISUAL``/``$EDITOR``; None when the editor failed or emptied it."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.TemporaryDirectory(prefix="mlzero-edit-") as folder:
            path = os.path.join(folder, "solution.py")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(code)
            try:
                failed = subprocess.call([*shlex.split(editor), path]) != 0
            except OSError as error:
                self._say(f"cannot start the editor {editor!r} ({error}); set $EDITOR")
                return None
            with open(path, encoding="utf-8") as handle:
                edited = handle.read()
        if failed or not edited.strip():
            self._say("the editor failed or left no code; answer again")
            return None
        return Review("edit", edited)

    def _timed_out(self, attempt: int, concerns: list[str], timeout: float) -> Review:
        review = on_timeout(concerns)
        self._say(f"\nno answer within {timeout:.0f} s: {review.action}")
        record_decision(self.record, attempt, review, TIMEOUT, concerns, timeout_s=timeout)
        return review

    # -- guidance ------------------------------------------------------------------------------------------------
    def between_attempts(self, record: AttemptRecord) -> Guidance:
        if not self.guide:
            return Guidance()
        try:
            text = self._ask(f"Attempt {record.number} {record.status}. Guidance for attempt {record.number + 1} "
                             f"(Enter continues, q stops; {self.guidance_timeout:.0f} s): ", self.guidance_timeout)
        except EOFError:
            text = None
        if text is None:
            self._say("")
            return Guidance()
        if text.strip().lower() in ("q", "quit", "stop"):
            return Guidance(stop=True)
        return Guidance(text=text.strip() or None)

    # -- the terminal --------------------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.output.write(text + "\n")
        self.output.flush()

    def _ask(self, prompt: str, timeout: float | None) -> str | None:
        """A line typed within ``timeout`` seconds (None: no limit); None on timeout, EOFError at end of input.

        Read byte by byte from the descriptor, not through the stream's buffer, so that lines typed ahead stay
        visible to the next ``select``."""
        self.output.write(prompt)
        self.output.flush()
        descriptor = self.input.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        line = bytearray()
        while not line.endswith(b"\n"):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([descriptor], [], [], left)
            if not ready:
                return None
            byte = os.read(descriptor, 1)
            if not byte:
                if not line:
                    raise EOFError
                break
            line += byte
        return line.decode("utf-8", errors="replace").rstrip("\r\n")


def controller_for(stream: TextIO, *, confirm: bool = False, guide: bool = False,
                   approval_timeout: float | None = None, guidance_timeout: float = 60.0,
                   record: Recorder | None = None) -> Controller:
    """A TerminalController when ``stream`` is an interactive terminal; else the Unattended controller, and a
    one-line refusal when the user asked to be asked (``--confirm``, ``--guide``)."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        interactive = False
    if not interactive:
        asked = [flag for flag, on in (("--confirm", confirm), ("--guide", guide)) if on]
        if asked:
            raise UserInputError(f"{' and '.join(asked)} need someone at a terminal to answer, and standard input "
                                 "is not one; run it in a terminal, or leave the option out")
        return Unattended()
    return TerminalController(confirm=confirm, guide=guide, approval_timeout=approval_timeout,
                              guidance_timeout=guidance_timeout, input=stream, record=record)
