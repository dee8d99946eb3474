"""The notebook's Controller: guidance between attempts (``--guide``) and approval of code (``--confirm``).

Answers come from the display's buttons or from the JupyterLab extension over the ``mlzero`` comm; both land in
one :class:`Inbox`. While the cell runs, the controller waits on that inbox and lets pending comm messages through
(see :mod:`mlzero_jupyter.notebook.frontend`). Headless runs (nbclient, papermill) never wait, and every wait ends
after ``wait_s`` seconds: guidance then continues, review approves clean code and skips code with concerns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from mlzero_jupyter.events import Guidance, Review
from mlzero_jupyter.memory.episodic import AttemptRecord
from mlzero_jupyter.notebook.frontend import INTERACTIVE, TERMINAL, Frontend, ShellPump, timed_input, wait_until

GUIDANCE_ACTIONS = ("continue", "skip", "stop")
REVIEW_ACTIONS = ("approve", "edit", "skip", "stop")


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
                 wait_s: float = 60.0) -> None:
        self.frontend = frontend
        self.display = display
        self.inbox = inbox
        self.channel = channel
        self.pump = pump
        self.guide = guide
        self.confirm = confirm
        self.wait_s = wait_s

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
        return self._uses_inbox or self.frontend.kind == TERMINAL

    def _wait(self) -> dict[str, Any] | None:
        """The first answer within the time limit, or None."""
        answered = wait_until(lambda: not self.inbox.answers.empty(), self.wait_s, self.pump)
        return self.inbox.answers.get_nowait() if answered else None

    def _ask(self, phase: str, make_widget: Callable[[], Any], **data: Any) -> dict[str, Any] | None:
        self.inbox.clear()
        self.inbox.asking.set()  # before the question goes out: an answer may come back at once, on another thread
        if self.channel is not None:
            self.channel.send_state(phase, timeout_s=self.wait_s, **data)
        self.display.ask(make_widget)
        try:
            return self._wait()
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
        answer = self._ask("waiting_guidance", lambda: self._guidance_widget(question), attempt=record.number,
                           next_attempt=record.number + 1, question=question)
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
        default = Review("skip") if concerns else Review("approve")
        if not self.can_ask:
            return default
        if not self._uses_inbox:
            return self._review_by_input(attempt, code, concerns, default)
        answer = self._ask("waiting_review", lambda: self._review_widget(attempt, code, summary, concerns),
                           attempt=attempt, code=code, summary=summary, concerns=concerns)
        if answer is None:
            return default
        if answer.get("type") == "stop":
            return Review("stop")
        action = answer.get("action")
        if action not in REVIEW_ACTIONS:
            return default
        return Review(action, answer.get("code") if action == "edit" else None)

    def _review_by_input(self, attempt: int, code: str, concerns: list[str], default: Review) -> Review:
        print(f"--- attempt {attempt} ---\n{code}\n---")
        for concern in concerns:
            print(f"concern: {concern}")
        typed = timed_input(f"Run attempt {attempt}? [y]es, [s]kip, [q]uit ({self.wait_s:.0f} s) ", self.wait_s)
        choice = (typed or "").strip().lower()[:1]
        return {"y": Review("approve"), "s": Review("skip"), "q": Review("stop")}.get(choice, default)

    # -- widgets -------------------------------------------------------------------------------------------------
    def _buttons(self, actions: tuple[str, ...], kind: str, payload: Any) -> Any:
        import ipywidgets as widgets

        buttons = []
        for action in actions:
            button = widgets.Button(description=action.capitalize(),
                                    button_style="danger" if action == "stop" else "")
            button.on_click(lambda _b, a=action: self.inbox.put({"type": kind, "action": a, **payload()}))
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
        lines.append(f"(after {self.wait_s:.0f} s: {'skip' if concerns else 'approve'})")
        return widgets.VBox([widgets.HTML("<br>".join(lines)), editor, buttons])
