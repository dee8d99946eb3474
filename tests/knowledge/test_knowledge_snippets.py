"""Every ```python block of the knowledge base runs against the installed libraries on tiny data.

Folders named by MLZERO_KNOWLEDGE_PATH when pytest starts are collected too, so a user's or a package's own
knowledge is checked by these same tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge_helpers import write_tiny_tool

from mlzero_jupyter.memory.environment import detect_environment
from mlzero_jupyter.memory.knowledge import CodeBlock, load_knowledge
from mlzero_jupyter.memory.snippet_check import run_block, skip_reason

KNOWLEDGE = load_knowledge()  # at collection time, with the caller's MLZERO_KNOWLEDGE_PATH


def _block_params() -> list:
    return [pytest.param(block, id=block.id, marks=[pytest.mark.fit] if "fit" in block.marks else [])
            for block in KNOWLEDGE.code_blocks()]


@pytest.mark.parametrize("block", _block_params())
def test_code_block_runs(block: CodeBlock, tmp_path: Path) -> None:
    reason = skip_reason(block, KNOWLEDGE, detect_environment(check_hub=False))
    if reason:
        pytest.skip(reason)
    run_block(block, tmp_path)


def test_extra_folder_from_environment_is_checked_the_same_way(tmp_path: Path, monkeypatch) -> None:
    folder = write_tiny_tool(tmp_path / "extra")
    monkeypatch.setenv("MLZERO_KNOWLEDGE_PATH", str(folder))
    knowledge = load_knowledge()
    assert "tinytool" in knowledge.tools and "autogluon.tabular" in knowledge.tools
    [block] = [b for b in knowledge.code_blocks() if b.id == "tinytool/averaging#0"]
    assert skip_reason(block, knowledge, detect_environment(check_hub=False)) is None
    run_block(block, tmp_path)
    assert (tmp_path / "numbers.json").exists()


def test_a_wrong_block_fails(tmp_path: Path) -> None:
    knowledge = load_knowledge([write_tiny_tool(tmp_path / "extra", expected=3)])
    [block] = [b for b in knowledge.code_blocks() if b.snippet.endswith("averaging.md")]
    with pytest.raises(AssertionError):
        run_block(block, tmp_path)


def test_blocks_of_uninstalled_tools_and_offline_downloads_are_skipped_with_the_reason() -> None:
    environment = detect_environment(check_hub=False)
    multimodal = [b for b in KNOWLEDGE.code_blocks() if "autogluon.multimodal" in b.snippet]
    assert multimodal
    for block in multimodal:
        reason = skip_reason(block, KNOWLEDGE, environment)
        if environment.can_import("autogluon.multimodal"):
            assert reason is None or "model hub" in reason
        else:
            assert reason == "autogluon.multimodal is not installed here (pip install 'autogluon.multimodal')"


def test_a_package_adds_knowledge_through_an_entry_point(tmp_path: Path, monkeypatch) -> None:
    folder = write_tiny_tool(tmp_path / "shipped")
    (tmp_path / "tiny_knowledge.py").write_text(f"def folder():\n    return {str(folder)!r}\n")
    info = tmp_path / "tiny_knowledge-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-knowledge\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[mlzero_jupyter.knowledge]\ntiny = tiny_knowledge:folder\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    knowledge = load_knowledge()
    assert str(folder.resolve()) in knowledge.folders
    [block] = [b for b in knowledge.code_blocks() if b.id == "tinytool/averaging#0"]
    run_block(block, tmp_path)
