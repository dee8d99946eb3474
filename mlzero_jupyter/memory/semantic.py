"""Semantic memory: which tool suits a task on this machine, and which knowledge snippets to show the coder."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from mlzero_jupyter.memory.environment import CHECKPOINT_VARIABLES, Environment
from mlzero_jupyter.memory.knowledge import KnowledgeBase, Snippet, Tool, load_knowledge
from mlzero_jupyter.perception.spec import Modality, ProblemType, TaskSpec

# Tool scores: a tool that cannot import here loses so much that it always ranks below every importable one.
SUITED_PROBLEM_TYPE = 100.0
SUITED_MODALITY = 30.0
NOT_IMPORTABLE = -1000.0
NO_GPU = -10.0
NO_DOWNLOADS = -60.0


@dataclass
class ToolChoice:
    name: str
    score: float
    importable: bool
    reasons: list[str] = field(default_factory=list)
    checkpoint: str | None = None  # local checkpoint folder to use instead of a hub download
    excluded_model_types: list[str] = field(default_factory=list)  # model families to exclude (hub unreachable)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _value(field_value: Any) -> str | None:
    value = getattr(field_value, "value", field_value)
    return getattr(value, "value", value)


def checkpoint_role(task: TaskSpec) -> str | None:
    """The kind of pretrained model a task would fine-tune: text, image, segmentation, or None."""
    if _value(task.problem_type) == ProblemType.SEMANTIC_SEGMENTATION:
        return "segmentation"
    modality = _value(task.modality)
    if modality == Modality.IMAGE or (modality == Modality.MULTIMODAL and task.files_with_role("image_folder")):
        return "image"
    if modality in (Modality.TEXT, Modality.MULTIMODAL):
        return "text"
    return None


# -- tool selection -------------------------------------------------------------------------------------------------
def select_tools(task: TaskSpec, environment: Environment, knowledge: KnowledgeBase | None = None) -> list[ToolChoice]:
    """Every known tool, best first, each with the reasons for its rank. An importable tool always ranks first
    when one exists; a suited tool that cannot import here is named in the first tool's reasons."""
    knowledge = knowledge or load_knowledge()
    choices = sorted((_assess(tool, task, environment) for tool in knowledge.tools.values()),
                     key=lambda c: (-c.score, c.name))
    if choices and choices[0].importable:
        problem_type, modality = _value(task.problem_type), _value(task.modality)
        for other in choices:
            tool = knowledge.tools[other.name]
            if not other.importable and problem_type in tool.problem_types and modality in tool.modalities:
                choices[0].reasons.append(f"{tool.name} would handle this task but is not installed here "
                                          f"(pip install {tool.pip!r})")
    return choices


def _assess(tool: Tool, task: TaskSpec, environment: Environment) -> ToolChoice:
    choice = ToolChoice(tool.name, float(tool.priority), _importable(tool, environment))
    if not choice.importable:
        choice.score += NOT_IMPORTABLE
        choice.reasons.append(f"{tool.import_name} is not installed here (pip install {tool.pip!r})")
    problem_type, modality = _value(task.problem_type), _value(task.modality)
    if problem_type in tool.problem_types:
        choice.score += SUITED_PROBLEM_TYPE
        choice.reasons.append(f"handles {problem_type}")
    elif problem_type:
        choice.reasons.append(f"does not handle {problem_type}")
    if modality in tool.modalities:
        choice.score += SUITED_MODALITY
        choice.reasons.append(f"handles {modality} data")
    if tool.needs.gpu and environment.gpu_count == 0:
        choice.score += NO_GPU
        choice.reasons.append("no GPU here: training is slow on CPU, keep models small")
    _assess_downloads(choice, tool, task, environment)
    return choice


def _importable(tool: Tool, environment: Environment) -> bool:
    return environment.can_import(tool.import_name) and (not tool.needs.torch or environment.can_import("torch"))


def _assess_downloads(choice: ToolChoice, tool: Tool, task: TaskSpec, environment: Environment) -> None:
    """Offline: prefer a local checkpoint, else exclude hub models or rank the tool down."""
    if tool.needs.model_downloads == "none" or environment.hub_reachable:
        return
    why = environment.hub_note or "model hub unreachable"
    if tool.needs.hub_model_types:
        choice.excluded_model_types = list(tool.needs.hub_model_types)
        choice.reasons.append(f"{why}: exclude hub models {', '.join(tool.needs.hub_model_types)} "
                              "(excluded_model_types)")
    if tool.needs.model_downloads != "required":
        return
    role = checkpoint_role(task)
    checkpoint = environment.checkpoint(role) if role in tool.needs.checkpoint_roles else None
    if checkpoint is not None:
        choice.checkpoint = checkpoint.path
        choice.reasons.append(f"{why}: uses the local {role} checkpoint {checkpoint.path} ({checkpoint.source})")
    else:
        choice.score += NO_DOWNLOADS
        variable = CHECKPOINT_VARIABLES.get(role or "", "a MLZERO_*_CHECKPOINT variable")
        choice.reasons.append(f"{why} and no local {role or 'model'} checkpoint: pretrained weights cannot be "
                              f"downloaded (set {variable} to a local checkpoint folder)")


# -- retrieval ------------------------------------------------------------------------------------------------------
FIELD_REPEATS = {"title": 3, "tags": 3, "body": 1}  # title and tag words count three times as much as body words
SELECTED_TOOL_BOOST = 1.0
OTHER_TOOL_FACTOR = 0.3
PROBLEM_TYPE_BOOST = 0.5
OTHER_PROBLEM_TYPE_FACTOR = 0.4
MODALITY_BOOST = 0.3
_STOPWORDS = frozenset("a an and are as at be by for from how i in into is it its of on or so that the this to use "
                       "what when with you your".split())
_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def tokenize(text: str) -> list[str]:
    """Lower-case words and their camel-case parts, a plural 's' dropped, stop words removed."""
    tokens = []
    for word in _WORD.findall(text):
        parts = {word, *_CAMEL.findall(word)}
        for part in parts:
            part = part.lower()
            if len(part) > 3 and part.endswith("s") and not part.endswith("ss"):
                part = part[:-1]
            if part not in _STOPWORDS:
                tokens.append(part)
    return tokens


def _index(knowledge: KnowledgeBase) -> Any:
    if knowledge._index is None:
        from rank_bm25 import BM25Okapi

        corpus = [tokenize(s.title) * FIELD_REPEATS["title"] + tokenize(" ".join(s.tags)) * FIELD_REPEATS["tags"]
                  + tokenize(s.text) * FIELD_REPEATS["body"] for s in knowledge.snippets]
        knowledge._index = BM25Okapi(corpus)
    return knowledge._index


def retrieve(task: TaskSpec | None, query: str, budget_tokens: int = 3000, tool: str | None = None,
             knowledge: KnowledgeBase | None = None) -> list[Snippet]:
    """The most relevant snippets, best first, whose token estimates add up to at most ``budget_tokens``.

    Ranking: BM25 over titles, tags and bodies (scaled to 0..1), plus boosts for the selected tool, the task's
    problem type and its modality; snippets of other tools or other problem types are scaled down.
    """
    knowledge = knowledge or load_knowledge()
    if not knowledge.snippets:
        return []
    scores = _index(knowledge).get_scores(tokenize(query)) if query.strip() else [0.0] * len(knowledge.snippets)
    top = max(max(scores), 1e-9)
    ranked = []
    for snippet, score in zip(knowledge.snippets, scores):
        final = _boosted(snippet, float(score) / top, task, tool)
        if final > 0:
            ranked.append(dataclasses.replace(snippet, score=round(final, 4)))
    ranked.sort(key=lambda s: (-s.score, s.tokens))
    chosen, remaining = [], budget_tokens
    for snippet in ranked:
        if snippet.tokens <= remaining:
            chosen.append(snippet)
            remaining -= snippet.tokens
    return chosen


def _boosted(snippet: Snippet, lexical: float, task: TaskSpec | None, tool: str | None) -> float:
    score = lexical
    if tool is not None:
        score = score + SELECTED_TOOL_BOOST if snippet.tool == tool else score * OTHER_TOOL_FACTOR
    if task is None or score <= 0:
        return score
    problem_type, modality = _value(task.problem_type), _value(task.modality)
    if problem_type and snippet.problem_types:
        if problem_type in snippet.problem_types:
            score += PROBLEM_TYPE_BOOST
        else:
            score *= OTHER_PROBLEM_TYPE_FACTOR
    if modality and modality in snippet.tags:
        score += MODALITY_BOOST
    return score
