"""The offline planner: deterministic, readable scripts from the TaskSpec, repaired by rules. No LLM needed.

It picks the script family from the task (tabular, forecasting, images), starts from the default plan, applies the
user's guidance, the repairs the previous failures call for and, with a valid result in hand, the next rung of the
improvement ladder, then renders the family's template.
"""

from __future__ import annotations

from collections.abc import Callable

from mlzero_jupyter.coding.base import CodeDraft, CodingContext
from mlzero_jupyter.coding.planner import forecasting, guidance, images, ladder, repairs, tabular
from mlzero_jupyter.coding.planner.common import tidy
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.perception.spec import TaskSpec

Builder = Callable[[CodingContext, Plan, str], str]
BUILDERS: dict[str, Builder] = {"tabular": tabular.build, "forecasting": forecasting.build, "image": images.build}


class OfflinePlanner:
    """A coder (provider ``offline``) made of templates and rules."""

    name = "offline"

    def write(self, context: CodingContext) -> CodeDraft:
        plan = Plan(family=family_of(context.task), tool=context.tool)
        images.choose_model(plan, context.environment)
        guidance.apply(plan, context)
        repairs.apply(plan, context)
        if context.improve:
            ladder.climb(plan, context)
        summary = describe(plan, context)
        return CodeDraft(code=tidy(BUILDERS[plan.family](context, plan, summary)), summary=summary)


def family_of(task: TaskSpec) -> str:
    """Which script family fits the task."""
    if task.problem_type.value == "forecasting":
        return "forecasting"
    if task.modality.value == "image" or images.image_source(task) is not None:
        return "image"
    return "tabular"


def describe(plan: Plan, context: CodingContext) -> str:
    """One line for the attempt's record: what the script does, then what changed and why."""
    task = context.task
    what = {"tabular": "TabularPredictor", "forecasting": "TimeSeriesPredictor",
            "image": "MultiModalPredictor" if plan.use_multimodal else "pixel features + TabularPredictor"}
    line = (f"{what[plan.family]} ({plan.presets}) for {task.problem_type.value or 'the task'} "
            f"on {task.target.value!r}, scored by {task.metric.value}")
    changes = plan.summary_changes
    return line + ("; " + "; ".join(changes) if changes else "")
