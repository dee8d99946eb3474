"""The Agent: perceive, select a tool, then write, check, execute, validate and record attempts until done.

The agent receives its coder, executor and controller from outside, so each is tested alone and the loop is
tested with a scripted coder. It never imports Jupyter: the notebook, the CLI and the MCP server observe its
events and answer its controller calls.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlzero_jupyter.atomic import disk_full_error, is_disk_full, write_text_atomic
from mlzero_jupyter.coding.base import (
    CodeDraft,
    Coder,
    CodingContext,
    Exhausted,
    FailureAnalyst,
    LLMCall,
    TaskRefiner,
    ToolRanker,
)
from mlzero_jupyter.coding.contract import CODE_FILE, METRICS_FILE
from mlzero_jupyter.events import (
    ATTEMPT_FINISHED,
    ATTEMPT_OUTPUT,
    ATTEMPT_STARTED,
    ATTEMPT_VALIDATING,
    RUN_FINISHED,
    RUN_STARTED,
    TASK_PERCEIVED,
    TOOL_SELECTED,
    AgentEvent,
    Controller,
    Observer,
    Unattended,
    notify,
)
from mlzero_jupyter.errors import ProviderError, UserInputError
from mlzero_jupyter.execution import check_code, fingerprint, validate
from mlzero_jupyter.execution.executors import RemoteReaper, make_executor, slots_of
from mlzero_jupyter.execution.fingerprint import changes
from mlzero_jupyter.memory.episodic import (
    BLOCKED,
    FAILED,
    RUNNING,
    SKIPPED,
    STOPPED,
    SUCCESS,
    TIMEOUT,
    AttemptRecord,
    EpisodicMemory,
)
from mlzero_jupyter.options import RunOptions  # declared by the options table
from mlzero_jupyter.perception.spec import TaskSpec
from mlzero_jupyter.publishing import Publication, PublishingContext, onto_referee, publish, refit_seconds
from mlzero_jupyter.result import RunResult
from mlzero_jupyter.runs import REFEREE_TASK_FILE, TASK_FILE, RunFolder

if TYPE_CHECKING:  # the referee needs pandas: imported when a run sets rows aside, not with the agent
    from mlzero_jupyter.referee import Referee

#: An attempt is not started with less time than this left; it could not train anything useful.
MIN_ATTEMPT_SECONDS = 10.0
#: Seconds kept back from each attempt's budget for validation and record keeping.
RESERVE_SECONDS = 2.0
#: In a search, the first (fast, safe) attempt gets this share of the budget; later ones at most half of what is
#: left, so that the chosen one can still be refit on every labelled row.
FIRST_SHARE = 0.3
#: A later attempt gets at least this many seconds (at most half of what is left) even when the best attempt then
#: has no time for its final run on every labelled row: a stronger candidate such as bagging gains more than a
#: quarter more training rows do. Beyond that the final run keeps its time: on the benchmark's small tables a third
#: attempt in its place scored lower on the hidden rows (wine 0.934 against 0.953, iris 0.956 against 0.978). Not
#: for forecasts: without their final run there is no forecast of the real horizon.
STRONGER_ATTEMPT_SECONDS = 40.0
#: Once a valid result exists, an attempt may run this much longer than its slice (its script sizes its training
#: to the slice) before it is killed, plus a few seconds for imports; until then it may use the whole budget.
OVERRUN_SHARE, OVERRUN_SECONDS = 0.25, 10.0
#: The code's own score and the referee's may differ by this share before the record points it out.
REPORTED_TOLERANCE = 0.05
#: The attempts of a parallel search that are running: each one's record, context and start time.
Running = dict[Future[None], tuple[AttemptRecord, CodingContext, float]]
#: Longest description accepted: a sentence or a paragraph, not a document.
MAX_DESCRIPTION_CHARS = 20_000


def later_attempt_seconds(remaining: float, refit_s: float, final_run_needed: bool) -> float:
    """A search's slice for an attempt after a valid one: at most half of the ``remaining`` seconds, keeping back the
    ``refit_s`` the best attempt's final run needs, but at least ``STRONGER_ATTEMPT_SECONDS`` (or half, if less)
    unless the final run is needed (a forecast of the real horizon)."""
    half = remaining / 2
    share = min(half, remaining - refit_s)
    return share if final_run_needed else max(share, min(half, STRONGER_ATTEMPT_SECONDS))


class Agent:
    """One run of the agent over one data folder and one description."""

    def __init__(
        self,
        data: Path | str,
        description: str | None,
        options: RunOptions | None = None,
        *,
        coder: Coder | None = None,
        controller: Controller | None = None,
        observers: list[Observer] | None = None,
        executor: Callable[..., Any] | None = None,
        folder: RunFolder | None = None,
    ) -> None:
        self.data = Path(data).expanduser()
        self.description = check_description(description)
        self.options = options or RunOptions()
        self.coder = coder or build_coder(self.options)
        self.controller = controller or Unattended()
        self.observers = list(observers or [])
        self.executor = executor or make_executor(self.options, self.data)
        self.folder = folder
        self.memory: EpisodicMemory | None = None
        self.task: TaskSpec | None = None
        self._stop = threading.Event()
        self._tool: str | None = None
        self._knowledge: list[str] = []
        self._environment: dict[str, Any] = {}
        self._choice: Any = None  # the selected ToolChoice
        self.referee: Referee | None = None
        self._held_out: dict[int, Any] = {}  # attempt -> its held-out predictions (pandas), for ensembles
        self._scripts: dict[str, int] = {}  # sha256 of a script that ran -> the attempt that ran it
        self._deadline = 0.0
        self._calls: list[LLMCall] = []  # model calls before the first attempt (refining, ranking): counted with it

    @classmethod
    def resume(cls, run_dir: Path | str, guidance: str | None = None, overrides: dict[str, Any] | None = None,
               **kwargs: Any) -> Agent:
        """Continue a run from its folder (after a stop, a failure or a dead kernel), numbering attempts on."""
        folder = RunFolder.open(run_dir)
        task = folder.read_record(TASK_FILE, TaskSpec.from_dict)
        memory = EpisodicMemory.load(folder.events_path)
        started = memory.of_kind("run_started")
        stored = started[0].get("options", {}) if started else {}
        known = {f.name for f in dataclasses.fields(RunOptions)}
        stored = {k: v for k, v in stored.items() if k in known} if isinstance(stored, dict) else {}
        options = RunOptions(**{**stored, **(overrides or {})})
        agent = cls(task.data_path, task.description, options, folder=folder, **kwargs)
        agent.task, agent.memory = task, memory
        folder.claim()  # refused while another process runs it: its attempts are not orphans
        killed = kill_orphans(folder.path)
        if isinstance(agent.executor, RemoteReaper):  # attempts on other machines (a Ray cluster)
            killed += agent.executor.kill_orphans(folder.path)
        memory.record("resumed", overrides=overrides or {}, orphans_killed=killed)
        agent._set_up_referee()
        agent._recall_attempts()
        if guidance:
            agent.add_guidance(guidance)
        return agent

    # -- control ------------------------------------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return self.folder.run_id if self.folder else ""

    def stop(self) -> None:
        """Stop the run: the running attempt is killed, no new attempt starts. Safe from any thread."""
        self._stop.set()

    def add_guidance(self, text: str) -> None:
        """Guidance for the next attempt, recorded in episodic memory."""
        if self.memory is not None and text.strip():
            self.memory.record("guidance", text=text.strip())

    def _emit(self, kind: str, number: int | None = None, **data: Any) -> None:
        notify(self.observers, AgentEvent(kind, self.run_id, number, data))

    # -- the run ------------------------------------------------------------------------------------------------
    def run(self) -> RunResult:
        """Run to the end (success, budget spent, or stopped) and return the result."""
        try:
            return self._run()
        except OSError as error:  # a full disk under the run folder: one line, records stay whole (atomic writes)
            if is_disk_full(error):
                raise disk_full_error(self.folder.path if self.folder else self.options.output_dir, error) from None
            raise
        finally:
            if self.folder is not None:
                self.folder.release()

    def _run(self) -> RunResult:
        started = time.monotonic()
        deadline = self._deadline = started + self.options.time_limit
        if self.folder is None:
            self._prepare()
        else:
            self._emit(RUN_STARTED, run_dir=str(self.folder.path), first_attempt=self._next_number())
        self._select_tool()
        message = ""
        try:
            message = self._loop(deadline)
        except KeyboardInterrupt:
            self._stop.set()
            message = "interrupted by the user"
        result = self._finish(started, message)
        self._emit(RUN_FINISHED, result=result.to_dict())
        return result

    def _prepare(self) -> None:
        from mlzero_jupyter.perception import perceive

        label = self.options.name or self.description or self.data.stem
        self.folder = RunFolder.create(self.options.output_dir, label)
        self.folder.claim()
        self.memory = EpisodicMemory(self.folder.events_path)
        self.memory.record("run_started", data=str(self.data), description=self.description,
                           options=dataclasses.asdict(self.options))
        self._emit(RUN_STARTED, run_dir=str(self.folder.path), first_attempt=self._next_number())
        try:
            overrides = {name: getattr(self.options, name) for name in ("target", "metric", "problem_type")}
            self.task = perceive(self.data, self.description, work_dir=self.folder.input_dir, overrides=overrides)
        except UserInputError:  # unusable data: no run happened, leave no half-made run folder behind
            shutil.rmtree(self.folder.path, ignore_errors=True)
            raise
        if isinstance(self.coder, TaskRefiner) and self.task.ambiguous_fields:
            refined = self.coder.refine_task(self.task, record_dir=self.folder.path)
            self.task = refined.value
            self._calls += refined.calls
        self.folder.write_json(TASK_FILE, self.task.to_dict())
        self.memory.record("perception", problem_type=self.task.problem_type.value, target=self.task.target.value,
                           metric=self.task.metric.value, warnings=self.task.warnings)
        self._emit(TASK_PERCEIVED, task=self.task.to_dict())
        self._set_up_referee()

    def _set_up_referee(self) -> None:
        """Set labelled rows aside in a derived copy of the data (kept as it is on resume), or say why not."""
        from mlzero_jupyter.referee import derive

        began = time.monotonic()
        try:
            self.referee = derive(self.task, self.folder.referee_data_dir, self.options.seed)
            reason = "" if self.referee else "too few labelled rows to set any aside, or a layout it does not know"
        except Exception as error:  # data the referee cannot copy leaves the run on the code's own scores
            self.referee, reason = None, f"{type(error).__name__}: {error}"
        if self.referee is None:
            self.memory.record("referee", rows=0, reason=reason)
            return
        if self.folder.referee_task_path.exists():
            self.referee.task = self.folder.read_record(REFEREE_TASK_FILE, TaskSpec.from_dict)
        else:
            self.folder.write_json(REFEREE_TASK_FILE, self.referee.task.to_dict())
        self.memory.record("referee", rows=self.referee.answers.rows, unit=self.referee.unit,
                           description=self.referee.description(self.task.metric.value),
                           seconds=round(time.monotonic() - began, 2))

    def _recall_attempts(self) -> None:
        """After a resume: the scripts that already ran and the held-out predictions of the valid attempts."""
        import pandas as pd

        for record in self.memory.attempts:
            code = self.folder.attempt_dir(record.number, create=False) / CODE_FILE
            if code.is_file() and record.execution_s:
                self._scripts.setdefault(_digest(code.read_text()), record.number)
            held = self.folder.held_out_path(record.number)
            if record.succeeded and held.is_file():
                self._held_out[record.number] = pd.read_csv(held, index_col=0, dtype={0: str})

    @property
    def _attempt_task(self) -> TaskSpec:
        """The task the attempts solve: the referee's derived task, or the user's when there is no referee."""
        return self.referee.task if self.referee else self.task

    def _select_tool(self) -> None:
        from mlzero_jupyter.memory.environment import detect_environment
        from mlzero_jupyter.memory.semantic import retrieve, select_tools

        environment = detect_environment()
        self._environment = environment.to_dict()
        choices = select_tools(self.task, environment)
        importable = [choice for choice in choices if choice.importable]
        if isinstance(self.coder, ToolRanker) and len(importable) > 1:
            ranked = self.coder.rank_tools(self.task, importable, record_dir=self.folder.path)
            choices = ranked.value
            self._calls += ranked.calls
        self._tool = choices[0].name
        self._choice = choices[0]
        query = " ".join(filter(None, [self.task.description, self.task.problem_type.value, self.task.modality.value]))
        snippets = retrieve(self.task, query, budget_tokens=self.options.knowledge_budget_tokens, tool=self._tool)
        self._knowledge = [s.text for s in snippets]
        reasons = choices[0].reasons
        self.memory.record("tool_selected", tool=self._tool, reasons=reasons, snippets=[s.title for s in snippets])
        self._emit(TOOL_SELECTED, tool=self._tool, reasons=reasons)

    def _loop(self, deadline: float) -> str:
        slots = 1 if self.options.quick else slots_of(self.executor)
        if slots > 1:
            return self._loop_in_parallel(deadline, slots)
        first = number = self._next_number()
        while True:
            end = self._reason_to_end(deadline, number - first)
            if end:
                return end
            try:
                record = self._attempt(number, self._attempt_budget(deadline), deadline)
            except Exhausted as error:
                return f"the search is over: {error}"
            except KeyboardInterrupt:  # Kernel > Interrupt: the executor killed the attempt on its way out
                self._stop.set()
                record = AttemptRecord(number, STOPPED, error="interrupted by the user")
            end = self._settle(record)
            if end:
                return end
            number += 1

    def _loop_in_parallel(self, deadline: float, slots: int) -> str:
        """The search with up to ``slots`` attempts at once (the free slots of a Ray cluster; docs/search.md).

        Attempts are written, reviewed and recorded here, one after another, as in ``_loop``; each runs and is judged
        in a thread of its own, within the run's one wall clock.
        """
        first, end = self._next_number(), ""
        running: Running = {}
        with ThreadPoolExecutor(slots, thread_name_prefix="mlzero-attempt") as pool:
            try:
                while True:
                    end = end or self._fill(pool, running, slots, deadline, first)
                    if not running:
                        return end
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for job in done:
                        end = self._settle_running(job, *running.pop(job)) or end
            except KeyboardInterrupt:  # Kernel > Interrupt: the running attempts are stopped, then recorded
                self._stop.set()
                for job, attempt in running.items():
                    self._settle_running(job, *attempt)
                return "stopped by the user"
            except BaseException:  # nothing outlives the run: the running attempts stop before the error goes on
                self._stop.set()
                raise

    def _fill(self, pool: ThreadPoolExecutor, running: Running, slots: int, deadline: float, first: int) -> str:
        """Start attempts until every slot is busy; why no further attempt will start, or ''. The coder sees the
        running attempts (status ``running``) and writes the next candidate beside them; when it has nothing new
        until one of them ends, the loop waits for that."""
        while len(running) < slots:
            number = max([self._next_number(), *(record.number + 1 for record, _, _ in running.values())])
            end = self._reason_to_end(deadline, number - first)
            if end:
                return end
            began = time.monotonic()
            try:
                record, context, timeout = self._prepare_attempt(number, self._attempt_budget(deadline), deadline,
                                                                 [record for record, _, _ in running.values()])
            except Exhausted as error:
                return "" if running else f"the search is over: {error}"
            if timeout is not None:
                running[pool.submit(self._execute_and_validate, record, context.attempt_dir, timeout)] = \
                    (record, context, began)
                continue
            record.duration_s = time.monotonic() - began  # not run: blocked, skipped, a repeat, no code
            end = self._settle(record)
            if end:
                return end
        return ""

    def _settle_running(self, job: Future[None], record: AttemptRecord, context: CodingContext, began: float) -> str:
        job.result()  # waits; an error of the thread is raised here
        self._analyse(record, context)
        record.duration_s = time.monotonic() - began
        return self._settle(record)

    def _next_number(self) -> int:
        """The number of the next attempt: after every finished one (in a parallel search they end out of order)."""
        return max((attempt.number for attempt in self.memory.attempts), default=0) + 1

    def _reason_to_end(self, deadline: float, started: int) -> str:
        """Why no further attempt starts (the iteration limit, the user stopped the run, too little time), or ''."""
        if started >= self.options.max_iterations:
            return f"iteration limit reached ({self.options.max_iterations})"
        if self._stop.is_set():
            return "stopped by the user"
        if self._attempt_budget(deadline) < MIN_ATTEMPT_SECONDS:
            return f"time budget spent ({max(0.0, deadline - time.monotonic()):.0f} s left)"
        return ""

    def _settle(self, record: AttemptRecord) -> str:
        """Record a finished attempt and hear the controller; why the run ends now, or ''."""
        self.memory.record_attempt(record)
        self._emit(ATTEMPT_FINISHED, record.number, attempt=dataclasses.asdict(record))
        self._write_result("running", 0.0, "")
        if record.status == STOPPED:
            return "stopped by the user"
        if self.options.quick and self._best() is not None:
            return "valid result (quick mode: no search)"
        guidance = self.controller.between_attempts(record)
        if guidance.text:
            self.add_guidance(guidance.text)
        if guidance.stop:
            self._stop.set()
            return "stopped by the user"
        return ""

    def _best(self) -> AttemptRecord | None:
        return self.memory.best(self.task.higher_is_better)

    def _attempt_budget(self, deadline: float) -> float:
        """Seconds for the next attempt: everything in quick mode; in a search a first share for a fast, safe
        result, then at most half of what is left, keeping the time the best attempt needs to be refit, but at
        least ``STRONGER_ATTEMPT_SECONDS`` or half (forecasts excepted)."""
        remaining = deadline - time.monotonic() - RESERVE_SECONDS
        if self.options.quick:
            return remaining
        best = self._best()
        if best is None:
            return remaining if self.memory.attempts else max(MIN_ATTEMPT_SECONDS, FIRST_SHARE * remaining)
        if self.referee is None:
            return remaining
        return later_attempt_seconds(remaining, refit_seconds(best), self.referee.answers.kind == "forecast")

    def _attempt(self, number: int, time_limit: float, deadline: float) -> AttemptRecord:
        began = time.monotonic()
        record, context, timeout = self._prepare_attempt(number, time_limit, deadline)
        if timeout is not None:
            self._execute_and_validate(record, context.attempt_dir, timeout)
            self._analyse(record, context)
        record.duration_s = time.monotonic() - began
        return record

    def _prepare_attempt(self, number: int, time_limit: float, deadline: float, running: Sequence[AttemptRecord] = ()
                         ) -> tuple[AttemptRecord, CodingContext, float | None]:
        """Write, review and save the attempt's script; its record, its context and its timeout, or None for a
        timeout when it is not to run (the record says why). ``running``: attempts running beside it."""
        attempt_dir = self.folder.attempt_dir(number)
        context = self._context(number, attempt_dir, time_limit)
        context.attempts += [dataclasses.replace(attempt, status=RUNNING) for attempt in running]
        self.memory.record("attempt_started", number=number)
        try:
            draft = self.coder.write(context)
        except ProviderError as error:
            if isinstance(error, UserInputError):  # missing or rejected credentials: the user must act
                raise
            return AttemptRecord(number, FAILED, summary="no code: the LLM call failed",
                                 error=f"LLM error: {error}"), context, None
        record = AttemptRecord(number, FAILED, summary=draft.summary, guidance=list(context.guidance),
                               candidate=draft.candidate)
        _add_calls(record, [*self._calls, *draft.calls])
        self._calls = []
        code = self._review(number, draft, attempt_dir, record)
        if code is None:
            return record, context, None
        if self.referee is not None:  # code that names the user's folder reads the referee's copy instead
            code = onto_referee(code, self.referee, self.task)
        digest = _digest(code)
        if digest in self._scripts:
            record.status = SKIPPED
            record.error = (f"the script is identical to attempt {self._scripts[digest]}'s, so it was not run again; "
                            "the next attempt must try something else")
            return record, context, None
        self._scripts[digest] = number
        write_text_atomic(attempt_dir / CODE_FILE, code)
        timeout = self._attempt_timeout(time_limit, deadline)
        self._emit(ATTEMPT_STARTED, number, code=code, summary=draft.summary, time_limit=timeout)
        return record, context, timeout

    def _attempt_timeout(self, time_limit: float, deadline: float) -> float:
        """When the attempt is killed: a little after its slice once something is valid; before that, at the end of
        the budget (a forecast's at half of what is left, so its final run still fits)."""
        timeout = deadline - time.monotonic()
        if self._best() is not None:
            return min(timeout, time_limit * (1 + OVERRUN_SHARE) + OVERRUN_SECONDS)
        if self.referee is not None and self.referee.answers.kind == "forecast":
            return min(timeout, max(time_limit * (1 + OVERRUN_SHARE) + OVERRUN_SECONDS, timeout / 2))
        return timeout

    def _context(self, number: int, attempt_dir: Path, time_limit: float) -> CodingContext:
        attempts = self.memory.attempts
        previous = attempts[-1] if attempts else None
        best = self._best()
        previous_code_path = self.folder.attempt_dir(previous.number, create=False) / CODE_FILE if previous else None
        best_code_path = self.folder.attempt_dir(best.number, create=False) / CODE_FILE if best else None
        return CodingContext(
            task=self._attempt_task,
            tool=self._tool,
            attempt=number,
            attempt_dir=attempt_dir,
            time_limit=time_limit,
            knowledge=self._knowledge,
            history=self.memory.summary(),
            last_error=previous.error if previous and not previous.succeeded else None,
            previous_code=previous_code_path.read_text() if previous_code_path and previous_code_path.exists() else None,
            attempts=attempts,
            best_code=best_code_path.read_text() if best_code_path and best_code_path.exists() else None,
            guidance=self.memory.guidance,
            improve=best is not None,
            quick=self.options.quick,
            best_score=best.score if best else None,
            environment=self._environment,
            seed=self.options.seed,
            checkpoint=self._choice.checkpoint if self._choice else None,
            excluded_model_types=list(self._choice.excluded_model_types) if self._choice else [],
        )

    def _review(self, number: int, draft: CodeDraft, attempt_dir: Path, record: AttemptRecord) -> str | None:
        """Apply the code policy and the controller's review; the code to run, or None (record says why)."""
        report = check_code(draft.code, attempt_dir=attempt_dir, input_dir=self._attempt_root(),
                            rules=self.options.policy)
        write_text_atomic(attempt_dir / f"proposed_{CODE_FILE}", draft.code)
        if report.blocked:
            record.status, record.error = BLOCKED, "Blocked by the code policy:\n" + report.describe("block")
            return None
        review = self.controller.review(number, draft.code, draft.summary, report.messages("ask"))
        if review.action == "stop":
            self._stop.set()
            record.status = STOPPED
            return None
        if review.action == "skip":
            record.status = SKIPPED if not report.messages("ask") else BLOCKED
            record.error = "Skipped at review" + (":\n" + report.describe("ask") if report.messages("ask") else "")
            return None
        if review.action == "edit" and review.code:
            record.summary += " (edited by the user)"
            return review.code
        return draft.code

    def _execute_and_validate(self, record: AttemptRecord, attempt_dir: Path, timeout: float) -> None:
        before = self._fingerprints()
        outcome = self.executor(
            attempt_dir / CODE_FILE,
            cwd=attempt_dir,
            timeout=max(1.0, timeout),
            on_output=lambda stream, line: self._emit(ATTEMPT_OUTPUT, record.number, stream=stream, line=line),
            stop=self._stop,
            memory_limit_mb=self.options.memory_limit_mb,
            readable=[self._attempt_root()],
        )
        self._emit(ATTEMPT_VALIDATING, record.number)
        record.execution_s = outcome.duration_s
        record.isolation, record.node = outcome.isolation, outcome.node
        touched = [change for old, new in zip(before, self._fingerprints()) for change in changes(old, new)]
        if outcome.stopped:
            record.status, record.error = STOPPED, "stopped by the user"
        elif touched:
            record.error = "The code changed the input data, which is forbidden: " + ", ".join(touched[:10])
        elif outcome.timed_out:
            record.status, record.error = TIMEOUT, f"killed at the time limit after {outcome.duration_s:.0f} s"
        else:
            self._validate(record, attempt_dir, outcome)

    def _fingerprints(self) -> list[Any]:
        """The user's data, and the referee's derived copy that every attempt reads."""
        prints = [fingerprint(self._input_root(), exclude=[self.folder.path])]
        return prints + ([fingerprint(self.referee.root)] if self.referee else [])

    def _validate(self, record: AttemptRecord, attempt_dir: Path, outcome: Any) -> None:
        """The validator checks the layout; the referee scores the held-out rows (the code's score is a diagnostic)."""
        verdict = validate(self._attempt_task, attempt_dir, outcome)
        record.metric, record.reported_score = verdict.metric, verdict.score
        if not verdict.ok:
            record.error = "\n".join(verdict.problems)
            return
        record.predictions = str(Path(verdict.predictions_path).relative_to(self.folder.path))
        if self.referee is None:
            record.status, record.score = SUCCESS, verdict.score
            record.validation = f"{verdict.how} (reported by the attempt's code: the referee could not set rows aside)"
            return
        from mlzero_jupyter.referee import judge

        judgement = judge(self.referee.answers, Path(verdict.predictions_path), self.task.metric.value)
        if not judgement.ok:
            record.error = "\n".join(judgement.problems)
            return
        record.status, record.score, record.score_error = SUCCESS, judgement.score, judgement.error
        record.metric = self.task.metric.value
        record.validation = self.referee.description(record.metric)
        record.note = "; ".join(filter(None, [_gap_note(judgement.score, verdict.score), judgement.note]))
        if judgement.held_out is not None:  # masks are not ensembled
            judgement.held_out.to_csv(self.folder.held_out_path(record.number))
            self._held_out[record.number] = judgement.held_out

    def _analyse(self, record: AttemptRecord, context: CodingContext) -> None:
        if (isinstance(self.coder, FailureAnalyst) and record.error and not record.succeeded
                and record.status != STOPPED):
            analysis = self.coder.analyse_failure(context, record.error)
            record.analysis = analysis.value
            _add_calls(record, analysis.calls)

    def _input_root(self) -> Path:
        path = Path(self.task.data_path)
        return path if path.is_dir() else path.parent

    def _attempt_root(self) -> Path:
        """The folder of data the attempts read: the referee's derived copy, else the user's data."""
        return self.referee.root if self.referee else Path(self.task.work_path)

    # -- the end ------------------------------------------------------------------------------------------------
    def _finish(self, started: float, message: str) -> RunResult:
        best = self._best()
        if best is not None:
            status = "success"
        else:
            status = "stopped" if self._stop.is_set() else "failed"
        publication = None
        if best is not None:
            publication = publish(self._publishing_context(best))
            self.memory.record("published", **publication.to_dict())
        result = self._write_result(status, time.monotonic() - started, message, publication)
        self.memory.record("run_finished", status=status, message=message, best_attempt=result.best_attempt)
        return result

    def _publishing_context(self, best: AttemptRecord) -> PublishingContext:
        return PublishingContext(task=self.task, referee=self.referee, folder=self.folder, best=best,
                                 valid=[a for a in self.memory.attempts if a.succeeded], held_out=self._held_out,
                                 deadline=self._deadline, executor=self.executor, stop=self._stop,
                                 memory_limit_mb=self.options.memory_limit_mb, search=not self.options.quick)

    def _write_result(self, status: str, total_s: float, message: str,
                      publication: Publication | None = None) -> RunResult:
        attempts = self.memory.attempts
        best = self._best()
        result = RunResult(
            run_id=self.run_id,
            run_dir=str(self.folder.path),
            status=status,
            task=self.task.description or "",
            tool=self._tool,
            provider=self.options.provider,
            model=self.options.model,
            metric=self.task.metric.value,
            higher_is_better=self.task.higher_is_better,
            attempts=attempts,
            total_s=total_s,
            execution_s=sum(a.execution_s for a in attempts),
            input_tokens=sum(a.input_tokens for a in attempts),
            output_tokens=sum(a.output_tokens for a in attempts),
            cost_usd=sum(a.cost_usd for a in attempts),
            message=message,
        )
        if best is not None:
            self._fill_best(result, best, publication)
        self.folder.write_result(result.to_dict())
        return result

    def _fill_best(self, result: RunResult, best: AttemptRecord, publication: Publication | None) -> None:
        attempt_dir = self.folder.attempt_dir(best.number, create=False)
        result.best_attempt = best.number
        result.metric = best.metric or result.metric
        result.validation_score, result.validation_score_error = best.score, best.score_error
        result.validation = best.validation
        result.predictions_path = str(self.folder.path / best.predictions)
        result.solution_path = str(attempt_dir / CODE_FILE)
        metrics = _read_metrics(attempt_dir / METRICS_FILE)
        if metrics.get("model_path"):
            result.model_path = str((attempt_dir / metrics["model_path"]).resolve())
        if publication is not None:
            publication.fill(result)


def build_coder(options: RunOptions) -> Coder:
    """The coder the options ask for: the offline planner, or an LLM coder over a configured provider."""
    if options.provider == "offline":
        from mlzero_jupyter.coding.offline import OfflinePlanner

        return OfflinePlanner()
    from mlzero_jupyter.coding.llm import LLMCoder
    from mlzero_jupyter.config import load_config
    from mlzero_jupyter.providers.registry import get_provider

    settings = load_config({"provider": options.provider, "model": options.model, "base_url": options.base_url})
    provider = get_provider(settings.provider, **settings.provider_options())
    return LLMCoder(provider, budget_tokens=settings.prompt_budget_tokens)


def kill_orphans(run_dir: Path) -> int:
    """Kill attempt processes of ``run_dir`` still running (their kernel died); how many were killed.

    Attempt processes and their descendants carry ``MLZERO_ATTEMPT_DIR`` (set by the executor); nothing else is
    touched, not even a shell whose working directory is the run folder.
    """
    import psutil

    root = Path(run_dir).resolve()
    killed = 0
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            attempt_dir = process.environ().get("MLZERO_ATTEMPT_DIR")
            if process.pid != os.getpid() and attempt_dir and Path(attempt_dir).resolve().is_relative_to(root):
                process.kill()
                killed += 1
    return killed


def check_description(text: str | None) -> str | None:
    """The description as given (None: inferred from the data); empty, binary or huge text is refused."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise UserInputError(f"the description must be text, not {type(text).__name__}; describe the goal in a "
                             "sentence")
    if not text.strip():
        raise UserInputError("the description is empty; describe the goal in a sentence, or leave it out to let "
                             "the agent infer it from the data")
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise UserInputError(f"the description has {len(text):,} characters (at most {MAX_DESCRIPTION_CHARS:,}); "
                             "describe the goal in a few sentences and put documents in the data folder")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text) or "\ufffd" in text:
        raise UserInputError("the description contains binary data (control characters); describe the goal in "
                             "plain words")
    return text


def _add_calls(record: AttemptRecord, calls: Sequence[LLMCall]) -> None:
    for call in calls:
        record.input_tokens += call.input_tokens
        record.output_tokens += call.output_tokens
        record.cost_usd += call.cost_usd


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _gap_note(referee: float, reported: float | None) -> str:
    """A note when the code's own score is far from the referee's (it measured itself on other rows, or wrongly)."""
    if reported is None or abs(referee - reported) <= REPORTED_TOLERANCE * max(abs(referee), abs(reported), 1e-9):
        return ""
    return (f"the code reported {reported:.5g} for itself, the referee measured {referee:.5g} on the held-out rows "
            f"(more than {REPORTED_TOLERANCE:.0%} apart)")


def _read_metrics(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
