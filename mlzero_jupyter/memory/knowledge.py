"""The knowledge base: one folder per tool, each with a ``tool.toml`` and short Markdown snippets.

Where knowledge comes from, in order (a later folder defining the same tool replaces the earlier one):

1. the built-in folder (``mlzero_jupyter/knowledge`` in a wheel, the repository's ``knowledge/`` in a checkout);
2. packages, through the entry point group ``mlzero_jupyter.knowledge`` (the object is a path or a callable
   returning one);
3. the environment variable ``MLZERO_KNOWLEDGE_PATH`` (folders separated by ``os.pathsep``);
4. the ``paths`` argument of :func:`load_knowledge`.

A knowledge folder either is a tool folder (it holds ``tool.toml``) or holds tool folders.
A snippet starts with TOML front matter between ``+++`` lines: ``title`` (required), ``tags``, ``problem_types``.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import math
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.perception.spec import Modality, ProblemType

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ENTRY_POINT_GROUP = "mlzero_jupyter.knowledge"
PATH_VARIABLE = "MLZERO_KNOWLEDGE_PATH"
TOOL_FILE = "tool.toml"

PROBLEM_TYPES = frozenset(p.value for p in ProblemType)
MODALITIES = frozenset(m.value for m in Modality)
MODEL_DOWNLOADS = ("none", "optional", "required")
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.DOTALL | re.MULTILINE)


def estimate_tokens(text: str) -> int:
    """Approximate LLM tokens as characters / 4 (rounded up): BPE tokenizers average 3.5-4.5 characters per
    token on English prose and Python code, so this errs slightly on the generous side for budgets."""
    return math.ceil(len(text) / 4)


@dataclass
class Needs:
    torch: bool = False
    gpu: bool = False  # True: impractically slow without a GPU
    model_downloads: str = "none"  # none, optional (some model families), required
    hub_model_types: list[str] = field(default_factory=list)  # model families that download weights from a hub
    checkpoint_roles: list[str] = field(default_factory=list)  # local checkpoint roles that replace downloads


@dataclass
class Tool:
    name: str
    import_name: str
    pip: str
    description: str = ""
    modalities: list[str] = field(default_factory=list)
    problem_types: list[str] = field(default_factory=list)
    strengths: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    needs: Needs = field(default_factory=Needs)
    priority: int = 0  # higher wins among equally suited tools
    folder: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class CodeBlock:
    """A fenced ```python block of a snippet; ``marks`` are the extra words of the fence info (e.g. ``fit``)."""

    snippet: str  # path of the snippet file
    index: int
    code: str
    marks: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{Path(self.snippet).parent.name}/{Path(self.snippet).stem}#{self.index}"


@dataclass
class Snippet:
    tool: str
    title: str
    path: str
    tags: list[str] = field(default_factory=list)
    problem_types: list[str] = field(default_factory=list)  # empty: applies to every problem type of the tool
    text: str = ""  # the body, without front matter
    tokens: int = 0
    score: float = 0.0

    def code_blocks(self) -> list[CodeBlock]:
        blocks = []
        for match in _FENCE.finditer(self.text):
            words = match.group(1).split()
            if words and words[0] == "python":
                blocks.append(CodeBlock(self.path, len(blocks), match.group(2), words[1:]))
        return blocks

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class KnowledgeBase:
    tools: dict[str, Tool]
    snippets: list[Snippet]
    folders: list[str]
    _index: Any = field(default=None, repr=False, compare=False)

    def snippets_of(self, tool: str) -> list[Snippet]:
        return [s for s in self.snippets if s.tool == tool]

    def code_blocks(self) -> list[CodeBlock]:
        return [block for snippet in self.snippets for block in snippet.code_blocks()]


# -- locating folders -----------------------------------------------------------------------------------------------
def builtin_folder() -> Path:
    """``mlzero_jupyter/knowledge`` inside an installed wheel, else the checkout's top-level ``knowledge/``."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "knowledge"
    return inside if inside.is_dir() else package.parent / "knowledge"


def entry_point_folders() -> list[Path]:
    folders = []
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        target = entry.load()
        folders.append(Path(target() if callable(target) else target))
    return folders


def knowledge_folders(paths: Iterable[str | os.PathLike[str]] | None = None) -> list[Path]:
    """Every knowledge folder in load order (see the module documentation)."""
    from_variable = [p for p in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if p.strip()]
    folders = [builtin_folder(), *entry_point_folders(), *map(Path, from_variable), *map(Path, paths or [])]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        raise ConfigError(f"knowledge folder not found: {', '.join(missing)}; fix ${PATH_VARIABLE} or knowledge_paths")
    return [f.resolve() for f in folders]


# -- loading --------------------------------------------------------------------------------------------------------
def load_knowledge(paths: Iterable[str | os.PathLike[str]] | None = None) -> KnowledgeBase:
    """The knowledge base from every folder, cached per set of folders (after editing: ``clear_knowledge_cache()``)."""
    return _load(tuple(str(f) for f in knowledge_folders(paths)))


@functools.lru_cache(maxsize=8)
def _load(folders: tuple[str, ...]) -> KnowledgeBase:
    tools: dict[str, Tool] = {}
    snippets: dict[str, list[Snippet]] = {}
    for folder in map(Path, folders):
        for tool_folder in _tool_folders(folder):
            tool = load_tool(tool_folder)
            tools[tool.name] = tool
            snippets[tool.name] = [load_snippet(p, tool) for p in sorted(tool_folder.glob("*.md"))]
    return KnowledgeBase(tools, [s for name in tools for s in snippets[name]], list(folders))


def clear_knowledge_cache() -> None:
    _load.cache_clear()


def _tool_folders(folder: Path) -> list[Path]:
    if (folder / TOOL_FILE).is_file():
        return [folder]
    return sorted(p for p in folder.iterdir() if (p / TOOL_FILE).is_file())


def _read_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error}); fix the file") from None


def _require(data: dict[str, Any], path: Path, names: Iterable[str]) -> None:
    missing = [n for n in names if not data.get(n)]
    if missing:
        raise ConfigError(f"{path}: missing {', '.join(missing)}; add them")


def _check_problem_types(values: list[str], path: Path) -> None:
    unknown = sorted(set(values) - PROBLEM_TYPES)
    if unknown:
        raise ConfigError(f"{path}: unknown problem types {unknown}; use some of {sorted(PROBLEM_TYPES)}")


def load_tool(folder: Path) -> Tool:
    path = folder / TOOL_FILE
    data = _read_toml(path.read_text(encoding="utf-8"), path)
    _require(data, path, ("name", "import_name", "pip", "modalities", "problem_types"))
    _check_problem_types(data["problem_types"], path)
    unknown = sorted(set(data["modalities"]) - MODALITIES)
    if unknown:
        raise ConfigError(f"{path}: unknown modalities {unknown}; use some of {sorted(MODALITIES)}")
    needs = Needs(**data.pop("needs", {}))
    if needs.model_downloads not in MODEL_DOWNLOADS:
        raise ConfigError(f"{path}: needs.model_downloads must be one of {MODEL_DOWNLOADS}")
    try:
        return Tool(**data, needs=needs, folder=str(folder))
    except TypeError as error:
        raise ConfigError(f"{path}: {error}; remove or rename the field") from None


def load_snippet(path: Path, tool: Tool) -> Snippet:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("+++\n") or "\n+++\n" not in text[3:]:
        raise ConfigError(f"{path}: a snippet must start with TOML front matter between '+++' lines")
    front, body = text[4:].split("\n+++\n", 1)
    data = _read_toml(front, path)
    _require(data, path, ("title",))
    extra = sorted(set(data) - {"title", "tags", "problem_types"})
    if extra:
        raise ConfigError(f"{path}: unknown front matter fields {extra}; use title, tags, problem_types")
    problem_types = list(data.get("problem_types", []))
    _check_problem_types(problem_types, path)
    body = body.strip() + "\n"
    return Snippet(tool.name, data["title"], str(path), list(data.get("tags", [])), problem_types, body,
                   estimate_tokens(body))
