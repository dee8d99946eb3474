"""Attempts as cells: header comments, outputs, attempts.ipynb, and the display's model and final summary."""

from __future__ import annotations

import io
import os
import time

import nbformat

from mlzero_jupyter.events import AgentEvent
from mlzero_jupyter.notebook.cells import attempt_cell, header_comment, stream_outputs, write_attempts_notebook
from mlzero_jupyter.memory.episodic import AttemptRecord
from mlzero_jupyter.notebook.display import (DONE, FAILED, RUNNING, VALIDATING, FinalSummary, RunProgress,
                                             scores_over_time)
from mlzero_jupyter.notebook.frontend import TERMINAL, detect, timed_input
from mlzero_jupyter.result import RunResult


def test_header_comment_names_run_attempt_status_score_and_final():
    assert header_comment("r1", 2, "success", 0.912346, "roc_auc", final=True) == \
        "# mlzero run r1 | attempt 2 | success | roc_auc = 0.91235 | final"
    assert header_comment("r1", 1, "failed") == "# mlzero run r1 | attempt 1 | failed"


def test_stream_outputs_merge_consecutive_lines_of_a_stream():
    outputs = stream_outputs([("stdout", "a"), ("stdout", "b\n"), ("stderr", "c"), ("stdout", "d")])
    assert [(o["name"], o["text"]) for o in outputs] == [("stdout", "a\nb\n"), ("stderr", "c\n"), ("stdout", "d\n")]


def test_attempt_cell_carries_metadata_and_outputs():
    cell = attempt_cell("r1", {"number": 3, "status": "success", "score": 0.5, "metric": "accuracy"}, "x = 1\n",
                        [("stdout", "hello")], final=True)
    assert cell["source"].splitlines() == ["# mlzero run r1 | attempt 3 | success | accuracy = 0.5 | final", "x = 1"]
    assert cell["metadata"] == {"mlzero": {"run_id": "r1", "attempt": 3, "status": "success", "score": 0.5,
                                           "final": True}}
    assert cell["outputs"][0]["text"] == "hello\n"


def test_attempts_notebook_holds_every_attempt_in_order_with_the_best_marked(finished_run):
    path = write_attempts_notebook(finished_run)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert [c.metadata["mlzero"]["attempt"] for c in code] == [1, 2]
    assert [c.metadata["mlzero"]["final"] for c in code] == [False, True]
    assert code[0].source.startswith("# mlzero run 20260101-iris-abc123 | attempt 1 | failed\n")
    assert "KeyError" in "".join(o.get("text", "") for o in code[0].outputs)
    assert "accuracy" in code[1].outputs[0].text and code[1].source.splitlines()[0].endswith("| final")


def _events(run_dir: str) -> list[AgentEvent]:
    record = {"number": 1, "status": "success", "score": 0.9, "metric": "accuracy", "summary": "fit",
              "input_tokens": 100, "output_tokens": 20, "cost_usd": 0.001, "error": ""}
    return [AgentEvent("run_started", "r1", None, {"run_dir": run_dir}),
            AgentEvent("task_perceived", "r1", None, {"task": {
                "files": [{"path": "train.csv", "role": "train"}], "target": {"value": "y", "confidence": 0.9},
                "problem_type": {"value": "binary", "confidence": 1},
                "metric": {"value": "accuracy", "confidence": 0.5},
                "warnings": ["column leak copies the target"]}}),
            AgentEvent("tool_selected", "r1", None, {"tool": "autogluon.tabular", "reasons": []}),
            AgentEvent("attempt_started", "r1", 1, {"code": "x", "summary": "fit", "time_limit": 60.0}),
            AgentEvent("attempt_output", "r1", 1, {"stream": "stdout", "line": "training\n"}),
            AgentEvent("attempt_finished", "r1", 1, {"attempt": record})]


def test_progress_follows_an_attempt_through_its_states():
    progress = RunProgress()
    events = _events("/tmp/r1")
    for event in events[:4]:
        progress.apply(event)
    assert progress.attempts[1].state == RUNNING and progress.attempts[1].budget_s == 60.0
    assert progress.task_lines()[-1] == "warning: column leak copies the target"
    assert "tool: autogluon.tabular" in progress.task_lines()
    progress.apply(events[4])
    assert list(progress.attempts[1].tail) == [("stdout", "training")]
    assert progress.apply(AgentEvent("attempt_validating", "r1", 1)).state == VALIDATING
    row = progress.apply(events[5])
    assert row.state == DONE and row.score == 0.9 and row.tokens == 120
    assert "accuracy = 0.9" in row.line() and "of 60 s" in row.line() and "$0.0010" in row.line()
    failed = progress.apply(AgentEvent("attempt_finished", "r1", 2, {"attempt": {
        "number": 2, "status": "failed", "error": "Traceback\nValueError: bad", "summary": ""}}))
    assert failed.state == FAILED and "ValueError: bad" in failed.line()


def test_final_summary_has_leaderboard_importance_plot_and_export_link(finished_run):
    result = RunResult.from_dict(__import__("json").loads((finished_run / "result.json").read_text()))
    summary = FinalSummary(result, finished_run / "solution.ipynb")
    text = summary.text()
    assert "success" in text and "LogisticRegression" in text and "petal" in text and "solution.ipynb" in text
    assert summary.importance_png().startswith(b"\x89PNG")
    html = summary._repr_mimebundle_()["text/html"]
    assert "<table" in html and "data:image/png;base64," in html and 'href="' in html
    assert summary.progress_png() is None and "Score over time" not in html  # one valid attempt: nothing to compare


def test_final_summary_plots_the_score_over_time_of_a_search(finished_run):
    result = RunResult.from_dict(__import__("json").loads((finished_run / "result.json").read_text()))
    result.attempts[0].duration_s, result.attempts[1].duration_s = 10.0, 20.0
    result.attempts.append(AttemptRecord(3, "success", score=0.5, duration_s=30.0))
    result.attempts.append(AttemptRecord(4, "success", score=0.99, duration_s=15.0))
    first = result.attempts[1].score
    assert scores_over_time(result) == [(30.0, first, first), (60.0, 0.5, first), (75.0, 0.99, max(first, 0.99))]
    result.higher_is_better = False
    assert [best for _, _, best in scores_over_time(result)] == [first, 0.5, 0.5]
    summary = FinalSummary(result, None)
    assert summary.progress_png().startswith(b"\x89PNG")
    assert "Score over time" in summary._repr_mimebundle_()["text/html"]


def test_terminal_ipython_is_detected_and_timed_input_times_out():
    from IPython.core.interactiveshell import InteractiveShell

    assert detect(InteractiveShell.instance()).kind == TERMINAL
    read, write = os.pipe()
    with os.fdopen(read) as stream, os.fdopen(write, "w") as writer:
        began = time.monotonic()
        assert timed_input("? ", 0.3, stream) is None
        assert 0.25 < time.monotonic() - began < 2
        writer.write("use more trees\n")
        writer.flush()
        assert timed_input("? ", 5, stream) == "use more trees"


def test_timed_input_without_a_selectable_stream_gives_up_at_once():
    assert timed_input("? ", 30, io.StringIO("typed\n")) is None
