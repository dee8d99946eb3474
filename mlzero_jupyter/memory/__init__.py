"""Memories: episodic (what happened in a run), semantic (knowledge and tool selection), environment (this machine)."""

from mlzero_jupyter.memory.environment import Checkpoint, Environment, ModuleStatus, detect_environment
from mlzero_jupyter.memory.knowledge import (
    CodeBlock,
    KnowledgeBase,
    Snippet,
    Tool,
    clear_knowledge_cache,
    estimate_tokens,
    knowledge_folders,
    load_knowledge,
)
from mlzero_jupyter.memory.semantic import ToolChoice, retrieve, select_tools

__all__ = [
    "Checkpoint",
    "CodeBlock",
    "Environment",
    "KnowledgeBase",
    "ModuleStatus",
    "Snippet",
    "Tool",
    "ToolChoice",
    "clear_knowledge_cache",
    "detect_environment",
    "estimate_tokens",
    "knowledge_folders",
    "load_knowledge",
    "retrieve",
    "select_tools",
]
