"""What a script family declares about itself: the tasks it serves, its candidates in search order, its builder and
how an attempt's record names its model. Each family module ends with its ``FAMILY``; ``coding/offline.py`` lists
them in the order they claim a task."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner.candidates import Candidate
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.perception.spec import TaskSpec


def _latin_only(task: TaskSpec) -> str:
    return ""


@dataclass(frozen=True)
class Family:
    name: str  # the plan's family, as records and tests name it
    serves: Callable[[TaskSpec], bool]  # whether its scripts fit the task (asked in the registry's order)
    build: Callable[[CodingContext, Plan, str], str]  # the script for a plan, given the attempt's summary line
    candidates: tuple[Candidate, ...]  # the search, in order (docs/search.md says why)
    model: str  # what the record says the script trains without a backbone; "{plan.ranker}" and the like filled in
    backbone: str | None = None  # the role of the pretrained backbone it may fine-tune (backbones.resolve)
    scripts: Callable[[TaskSpec], str] = _latin_only  # writing systems beyond Latin the backbone must read
    names_presets: bool = True  # whether the record names the presets (those of AutoGluon's predictors)
