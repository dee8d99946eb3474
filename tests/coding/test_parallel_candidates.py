"""A parallel search: the LLM tree expands the next node beside the running ones (status running), not a copy.
The offline planner's side: ``test_offline_rules.py``."""

from __future__ import annotations

from offline_support import context, spec

from mlzero_jupyter.coding import tree
from mlzero_jupyter.memory.episodic import FAILED, RUNNING, SUCCESS, AttemptRecord


def test_the_tree_does_not_debug_a_failure_twice_at_once(tmp_path):
    task = spec(tmp_path, [], problem="binary", target="y", metric="accuracy")
    failed = AttemptRecord(1, FAILED, candidate="draft", error="KeyError: 'x'")
    debugging = AttemptRecord(2, RUNNING, candidate="debug:1")
    assert tree.next_node(context(task, tmp_path, attempts=[failed])).name == "debug:1"
    beside = tree.next_node(context(task, tmp_path, attempts=[failed, debugging]))
    assert beside.name == "draft"  # nothing valid yet: a new draft beside the debugging
    valid = AttemptRecord(3, SUCCESS, candidate="draft", score=0.9)
    assert tree.next_node(context(task, tmp_path, attempts=[valid, failed, debugging])).name == "improve:3"
