"""The notebook's task lines name a multi-label task's labels and their layout."""

from __future__ import annotations

from mlzero_jupyter.events import AgentEvent
from mlzero_jupyter.notebook.display import RunProgress


def _lines(label_sets: dict) -> list[str]:
    progress = RunProgress()
    progress.apply(AgentEvent("task_perceived", "r1", None, {"task": {
        "files": [{"path": "train.csv", "role": "train"}], "target": {"value": "genres", "confidence": 0.9},
        "problem_type": {"value": "multilabel", "confidence": 0.95},
        "metric": {"value": "f1_macro_multilabel", "confidence": 0.6}, "label_sets": label_sets}}))
    return progress.task_lines()


def test_delimited_labels_and_zero_one_columns_are_named():
    delimited = _lines({"columns": ["genres"], "labels": ["comedy", "drama"], "delimiter": "|"})
    assert "labels: comedy, drama (separated by '|' in genres); a row may have several" in delimited
    columns = _lines({"columns": [f"c{n}" for n in range(14)], "labels": [f"c{n}" for n in range(14)],
                      "delimiter": None})
    assert any(line.startswith("labels: c0, c1") and "c11, ... (one 0/1 column each)" in line for line in columns)
