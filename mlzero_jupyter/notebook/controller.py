"""The notebook's Controller: guidance between attempts (``--guide``) and approval of code (``--confirm``).

Answers come from the display's buttons or from the JupyterLab extension over the ``mlzero`` comm (every open
side panel and notebook tab); all land in one :class:`Inbox` and the first answer wins: the others are told with a
``review_answered`` state. While the cell runs, the controller waits on that inbox and lets pending comm messages
through (see :mod:`mlzero_jupyter.notebook.frontend`). Headless runs (nbclient, papermill) never wait.

Guidance waits ``wait_s`` seconds, then the run goes on. Approval never decides alone: it waits for an answer or
the run's stop, unless the user set ``approval_timeout`` (then clean code runs and code with concerns is skipped).
With nobody who could answer, a run that asked to confirm stops before its first attempt runs. Every approval
decision is recorded (see :mod:`mlzero_jupyter.approval`).
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable
from typing import Any

from mlzero_jupyter.approval import REVIEW_ACTIONS, TIMEOUT, Recorder, on_timeout, record_decision
from mlzero_jupyter.events import Guidance, Review
from mlzero_jupyter.memory.episodic import AttemptRecord
from mlzero_jupyter.notebook.frontend import INTERACTIVE, TERMINAL, Frontend, ShellPump, timed_input, wait_until

GUIDANCE_ACTIONS = ("continue", "skip", "stop")
#: Who answered, when a message does not say (``by``): the extension's panel or cell prompt.
BY_NOTEBOOK = "notebook"
#: A wait without a limit, for select(), which takes no infinity.
NO_LIMIT_S = 10.0 ** 7


class Inbox:
    """Answers from the frontend, from any thread.

    Guidance that arrives while no question is open (sent during a running attempt) is kept for the next one.
    """

    def __init__(self) -> None:
        self.answers: queue.Queue[dict[str, Any]] = queue.Queue()
        self.asking = threading.Event()
        self._guidance: list[str] = []
        self._lock = threading.Lock()

    def put(self, message: dict[str, Any]) -> None:
        if message.get("type") == "guidance" and not self.asking.is_set():
            with self._lock:
                self._guidance.append(str(message.get("text") or ""))
            return
        self.answers.put(message)

    def clear(self) -> None:
        while not self.answers.empty():
            self.answers.get_nowait()

    def take_guidance(self) -> list[str]:
        with self._lock:
            taken, self._guidance = [t for t in self._guidance if t.strip()], []
        return taken


class NotebookController:
    """Asks the person at the notebook, by the best means the frontend offers, and never waits for nobody."""

    def __init__(self, frontend: Frontend, display: Any, inbox: Inbox, *, channel: Any = None,
                 pump: ShellPump | None = None, guide: bool = False, confirm: bool = False,
                 wait_s: float = 60.0, approval_timeout: float | None = None,
                 stopped: Callable[[], bool] = lambda: False, record: Recorder | None = None,
                 background: bool = False) -> None:
        self.frontend = frontend
        self.display = display
        self.inbox = inbox
        self.channel = channel
        self.pump = pump
        self.guide = guide
        self.confirm = confirm
        self.wait_s = wait_s
        self.approval_timeout = approval_timeout
        self.stopped = stopped
        self.record = record
        self.background = background  # the run is in a thread: input() cannot ask, the kernel reads the comm

    # -- how to wait ---------------------------------------------------------------------------------------------
    @property
    def _acknowledged(self) -> bool:
        return self.channel is not None and self.channel.acknowledged

    @property
    def _uses_inbox(self) -> bool:
        """Answers arrive as messages: from the extension over the comm, or from the display's buttons."""
        clickable = self.frontend.kind == INTERACTIVE and getattr(self.display, "interactive", False)
        return self._acknowledged or clickable

    @property
    def can_ask(self) -> bool:
        """Someone may answer: a frontend acknowledged the comm, widgets are shown, or a terminal waits."""
        return self._uses_inbox or (self.frontend.kind == TERMINAL and not self.background)

    def _wait(self, timeout: float | None) -> dict[str, Any] | None:
        """The first answer within ``timeout`` seconds (None: until the run stops), or None."""
        answered = wait_until(lambda: not self.inbox.answers.empty() or self.stopped(),
                              math.inf if timeout is None else timeout, self.pump)
        return self.inbox.answers.get_nowait() if answered and not self.inbox.answers.empty() else None

    def _ask(self, phase: str, make_widget: Callable[[], Any], timeout: float | None,
             **data: Any) -> dict[str, Any] | None:
        self.inbox.clear()
        self.inbox.asking.set()  # before the question goes out: an answer may come back at once, on another thread
        if self.channel is not None:
            self.channel.send_state(phase, timeout_s=timeout, **data)
        self.display.ask(make_widget)
        try:
            return self._wait(timeout)
        finally:
            self.inbox.asking.clear()
            self.display.close_prompt()

    # -- Controller ----------------------------------------------------------------------------------------------
    def between_attempts(self, record: AttemptRecord) -> Guidance:
        given = self.inbox.take_guidance()
        guidance = Guidance(text="\n".join(given) or None)
        if self.guide and self.can_ask:
            guidance = self._merge(given, self._ask_guidance(record))
        if not guidance.stop:
            self.display.writing(record.number + 1)
        return guidance

    def _ask_guidance(self, record: AttemptRecord) -> Guidance:
        question = f"Attempt {record.number} {record.status}. Guidance for attempt {record.number + 1}?"
        if not self._uses_inbox:
            text = timed_input(f"{question} (Enter continues, 'stop' stops; {self.wait_s:.0f} s) ", self.wait_s)
            if text is not None and text.strip().lower() == "stop":
                return Guidance(stop=True)
            return Guidance(text=(text or "").strip() or None)
        answer = self._ask("waiting_guidance", lambda: self._guidance_widget(question), self.wait_s,
                           attempt=record.number, next_attempt=record.number + 1, question=question)
        if answer is None:
            return Guidance()
        action = answer.get("action", "continue")
        if action == "stop" or answer.get("type") == "stop":
            return Guidance(stop=True)
        text = str(answer.get("text") or "").strip()
        return Guidance(text=text or None) if action == "continue" else Guidance()

    @staticmethod
    def _merge(given: list[str], asked: Guidance) -> Guidance:
        texts = [*given, *([asked.text] if asked.text else [])]
        return Guidance(text="\n".join(texts) or None, stop=asked.stop)

    def review(self, attempt: int, code: str, summary: str, concerns: list[str]) -> Review:
        if not (self.confirm or concerns):
            return Review("approve")
        if not self.can_ask:
            return self._nobody(attempt, concerns)
        if not self._uses_inbox:
            review, by = self._review_by_input(attempt, code, concerns)
        else:
            answer = self._ask("waiting_review", lambda: self._review_widget(attempt, code, summary, concerns),
                               self.approval_timeout, attempt=attempt, code=code, summary=summary,
                               concerns=concerns)
            review, by = self._review_from(answer, concerns)
            if self.channel is not None:
                self.channel.send_state("review_answered", attempt=attempt, action=review.action, by=by)
        extra = {"timeout_s": self.approval_timeout} if by == TIMEOUT else {}
        record_decision(self.record, attempt, review, by, concerns, **extra)
        return review

    def _nobody(self, attempt: int, concerns: list[str]) -> Review:
        """No one could answer: code with concerns is skipped; a run that asked to confirm stops, saying why."""
        if not self.confirm:
            return Review("skip")
        print(f"mlzero: --confirm needs someone to answer and nothing here can (no side panel, no widgets); "
              f"the run stops before attempt {attempt} runs")
        record_decision(self.record, attempt, Review("stop"), "nobody", concerns, reason="no front end can answer")
        return Review("stop")

    def _review_from(self, answer: dict[str, Any] | None, concerns: list[str]) -> tuple[Review, str]:
        """The decision and who took it, from an answer message (None: stopped, or the user's timeout)."""
        if answer is None:
            return (Review("stop"), "stop") if self.stopped() else (on_timeout(concerns), TIMEOUT)
        by = str(answer.get("by") or BY_NOTEBOOK)
        if answer.get("type") == "stop":
            return Review("stop"), by
        action = answer.get("action")
        if action not in REVIEW_ACTIONS or (action == "edit" and not str(answer.get("code") or "").strip()):
            return Review("skip"), by  # a malformed answer never runs code
        return Review(action, answer.get("code") if action == "edit" else None), by

    def _review_by_input(self, attempt: int, code: str, concerns: list[str]) -> tuple[Review, str]:
        print(f"--- attempt {attempt} ---\n{code}\n---")
        for concern in concerns:
            print(f"concern: {concern}")
        timeout = self.approval_timeout
        while True:
            typed = timed_input(f"Run attempt {attempt}? [y]es, [s]kip, [q]uit"
                                + (f" ({timeout:.0f} s) " if timeout else " "), NO_LIMIT_S if timeout is None else timeout)
            if typed is None:
                return (on_timeout(concerns), TIMEOUT) if timeout is not None else (Review("stop"), "terminal")
            choice = {"y": "approve", "s": "skip", "q": "stop"}.get(typed.strip().lower()[:1])
            if choice is not None:
                return Review(choice), "terminal"

    # -- widgets -------------------------------------------------------------------------------------------------
    def _buttons(self, actions: tuple[str, ...], kind: str, payload: Any) -> Any:
        import ipywidgets as widgets

        buttons = []
        for action in actions:
            button = widgets.Button(description=action.capitalize(),
                                    button_style="danger" if action == "stop" else "")
            button.on_click(lambda _b, a=action: self.inbox.put({"type": kind, "action": a, "by": "widget",
                                                                 **payload()}))
            buttons.append(button)
        return widgets.HBox(buttons)

    def _guidance_widget(self, question: str) -> Any:
        import ipywidgets as widgets

        text = widgets.Textarea(placeholder="e.g. use fewer features, try a longer time limit",
                                layout=widgets.Layout(width="100%"))
        buttons = self._buttons(GUIDANCE_ACTIONS, "guidance", lambda: {"text": text.value})
        note = widgets.HTML(f"<b>{question}</b> (continues by itself after {self.wait_s:.0f} s)")
        return widgets.VBox([note, text, buttons])

    def _review_widget(self, attempt: int, code: str, summary: str, concerns: list[str]) -> Any:
        import html

        import ipywidgets as widgets

        editor = widgets.Textarea(value=code, layout=widgets.Layout(width="100%", height="20em"))
        buttons = self._buttons(REVIEW_ACTIONS, "review", lambda: {"code": editor.value, "attempt": attempt})
        lines = [f"<b>Run attempt {attempt}?</b> {html.escape(summary)}"]
        lines += [f'<span style="color:#c00">concern: {html.escape(c)}</span>' for c in concerns]
        if self.approval_timeout is not None:
            lines.append(f"(after {self.approval_timeout:.0f} s: {'skip' if concerns else 'approve'})")
        return widgets.VBox([widgets.HTML("<br>".join(lines)), editor, buttons])
