"""The built-in knowledge base is well formed: tool.toml fields, snippet front matter, sizes, code blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge_helpers import write_tiny_tool

from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.memory.knowledge import PROBLEM_TYPES, builtin_folder, load_knowledge

EXPECTED_TOOLS = {"autogluon.tabular", "autogluon.timeseries", "autogluon.multimodal", "sklearn"}


def test_builtin_tools_are_complete() -> None:
    knowledge = load_knowledge()
    assert set(knowledge.tools) == EXPECTED_TOOLS
    for tool in knowledge.tools.values():
        assert tool.import_name and tool.pip and tool.strengths and tool.limits, tool.name
        assert set(tool.problem_types) <= PROBLEM_TYPES
        assert Path(tool.folder).name == tool.name
        assert len(knowledge.snippets_of(tool.name)) >= 4, tool.name


def test_every_snippet_has_valid_front_matter_and_size() -> None:
    knowledge = load_knowledge()
    for snippet in knowledge.snippets:
        tool = knowledge.tools[snippet.tool]
        assert snippet.title and snippet.tags, snippet.path
        assert set(snippet.problem_types) <= set(tool.problem_types), snippet.path
        words = len(snippet.text.split())
        assert 100 <= words <= 400, f"{snippet.path}: {words} words"
        assert snippet.code_blocks(), f"{snippet.path} has no python block"
        assert "+++" not in snippet.text


def test_titles_are_unique() -> None:
    titles = [s.title for s in load_knowledge().snippets]
    assert len(titles) == len(set(titles))


def test_builtin_folder_is_the_checkout_knowledge() -> None:
    assert builtin_folder() == Path(__file__).resolve().parents[2] / "knowledge"


@pytest.mark.parametrize("front, message", [
    ('title = "x"\nproblem_types = ["clustering"]', "unknown problem types"),
    ('tags = ["a"]', "missing title"),
    ('title = "x"\nauthor = "me"', "unknown front matter fields"),
    ('title = "x', "invalid TOML"),
])
def test_bad_front_matter_is_a_clear_error(tmp_path: Path, front: str, message: str) -> None:
    write_tiny_tool(tmp_path)
    (tmp_path / "tinytool" / "bad.md").write_text(f"+++\n{front}\n+++\nbody\n")
    with pytest.raises(ConfigError, match=message):
        load_knowledge([tmp_path])


def test_snippet_without_front_matter_is_rejected(tmp_path: Path) -> None:
    write_tiny_tool(tmp_path)
    (tmp_path / "tinytool" / "plain.md").write_text("# just markdown\n")
    with pytest.raises(ConfigError, match="front matter"):
        load_knowledge([tmp_path])


def test_bad_tool_toml_is_a_clear_error(tmp_path: Path) -> None:
    write_tiny_tool(tmp_path)
    toml = tmp_path / "tinytool" / "tool.toml"
    toml.write_text(toml.read_text().replace('modalities = ["tabular"]', 'modalities = ["audio"]'))
    with pytest.raises(ConfigError, match="unknown modalities"):
        load_knowledge([tmp_path])


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="knowledge folder not found"):
        load_knowledge([tmp_path / "nowhere"])
