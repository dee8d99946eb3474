"""Run the code blocks of knowledge snippets, so that knowledge cannot go stale silently.

Each block runs on its own: a fresh namespace, the working directory set to a given scratch folder.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from mlzero_jupyter.memory.environment import Environment
from mlzero_jupyter.memory.knowledge import CodeBlock, KnowledgeBase


#: Fence mark of a block that downloads pretrained weights (```python fit download).
DOWNLOAD_MARK = "download"


def skip_reason(block: CodeBlock, knowledge: KnowledgeBase, environment: Environment) -> str | None:
    """Why ``block`` cannot run here (its tool does not import, or it needs the unreachable hub), or None."""
    tool = next((t for t in knowledge.tools.values() if Path(block.snippet).parent == Path(t.folder)), None)
    if tool is None:
        return f"{block.snippet} belongs to no known tool"
    if not environment.can_import(tool.import_name):
        return f"{tool.import_name} is not installed here (pip install {tool.pip!r})"
    if DOWNLOAD_MARK in block.marks and not environment.hub_reachable:
        return f"needs pretrained weights from the model hub, which is unreachable here ({environment.hub_note})"
    return None


def run_block(block: CodeBlock, workdir: Path) -> None:
    """Execute one block inside ``workdir``; its exceptions propagate with the block id as file name."""
    code = compile(block.code, f"<{block.id}>", "exec")
    with _chdir(workdir):
        exec(code, {"__name__": "__snippet__"})  # noqa: S102 - our own knowledge, run on purpose


@contextlib.contextmanager
def _chdir(path: Path) -> Iterator[None]:  # contextlib.chdir needs Python 3.11
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)
