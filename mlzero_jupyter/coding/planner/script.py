"""The one builder of the planner's scripts: a family states what its script holds (a ``Script``), and
``assemble`` lays it out in the sections every script shares (header, helpers, load data, prepare, train,
evaluate, predict and save), with the plan's notes at the top of their sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner.common import header, metrics_block
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.templates import render


@dataclass
class Script:
    """What one family's script holds: the header's facts and settings, then the source of each section."""

    title: str  # the docstring's first line
    tool: str  # the model path taken, and why
    validation: str  # how the script's own score is measured (a sentence)
    imports: list[str]  # modules or import statements beyond json, random, Path, numpy, pandas and the readers
    settings: dict[str, Any]  # NAME -> value (METRIC and HIGHER_IS_BETTER always); None values are left out
    load: str
    prepare: str
    fit: str  # the train section
    evaluate: str  # sets ``validation_score``; metrics.json is written after it
    predict: str
    comments: dict[str, str] = field(default_factory=dict)  # NAME -> a comment beside the setting
    helpers: str = ""  # functions and constants the sections use, below the settings


def assemble(context: CodingContext, plan: Plan, summary: str, script: Script) -> str:
    """The whole script: the header, then each section under its rule, the plan's notes first."""
    head = header(context, plan, title=script.title, tool=script.tool, validation=script.validation,
                  summary=summary, modules=script.imports, settings=script.settings, comments=script.comments)
    return render("script", header=head, helpers=script.helpers, metrics=metrics_block(),
                  **{name: getattr(script, name) for name in ("load", "prepare", "fit", "evaluate", "predict")},
                  **{f"{section}_comments": plan.comments(section) for section in ("load", "prepare", "train",
                                                                                    "predict")})
