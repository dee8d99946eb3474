"""Every ```python block of the knowledge base runs against the installed libraries on tiny data."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlzero_jupyter.memory.environment import detect_environment
from mlzero_jupyter.memory.knowledge import CodeBlock, load_knowledge
from mlzero_jupyter.memory.snippet_check import run_block, skip_reason


def _block_params() -> list:
    knowledge = load_knowledge()
    params = []
    for block in knowledge.code_blocks():
        marks = [pytest.mark.fit] if "fit" in block.marks else []
        params.append(pytest.param(block, id=block.id, marks=marks))
    return params


@pytest.mark.parametrize("block", _block_params())
def test_code_block_runs(block: CodeBlock, tmp_path: Path) -> None:
    reason = skip_reason(block, load_knowledge(), detect_environment(check_hub=False))
    if reason:
        pytest.skip(reason)
    run_block(block, tmp_path)
