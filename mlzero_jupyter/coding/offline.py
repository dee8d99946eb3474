"""The offline planner: deterministic, readable scripts from the TaskSpec, repaired by rules. No LLM needed.

It picks the script family from the task (tabular, forecasting, image, text, segmentation) and the pretrained
backbone this machine offers (``backbones.resolve``), takes the family's next candidate of the search
(``candidates``), applies the user's guidance and the repairs the previous failures call for, then has the family
state its script (``planner/script.py``: one builder lays out every family's sections). The summary and the
script's header say which model path was taken and why.
"""

from __future__ import annotations

from collections.abc import Callable

from mlzero_jupyter.coding.base import CodeDraft, CodingContext
from mlzero_jupyter.coding.contract import PROBABILITY_METRICS
from mlzero_jupyter.coding.planner import (
    backbones,
    candidates,
    forecasting,
    guidance,
    images,
    multilabel,
    repairs,
    retrieval,
    segmentation,
    tabular,
    texts,
)
from mlzero_jupyter.coding.planner.common import tidy
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.perception.spec import Modality, ProblemType, TaskSpec

Builder = Callable[[CodingContext, Plan, str], str]
BUILDERS: dict[str, Builder] = {"tabular": tabular.build, "forecasting": forecasting.build, "image": images.build,
                                "text": texts.build, "segmentation": segmentation.build,
                                "multilabel": multilabel.build,
                                "retrieval": retrieval.build}
#: The pretrained backbone each family may fine-tune.
ROLES = {"image": "image", "text": "text", "segmentation": "segmentation"}


class OfflinePlanner:
    """A coder (provider ``offline``) made of templates and rules."""

    name = "offline"

    def write(self, context: CodingContext) -> CodeDraft:
        task = context.task
        plan = Plan(family=family_of(task), tool=context.tool)
        choose_backbone(plan, context)
        candidate = candidates.choose(plan, context)
        candidate.apply(plan, context)
        candidates.apply(candidate, plan)
        guidance.apply(plan, context)
        repairs.apply(plan, context, candidate.name)
        plan.probabilities = task.metric.value in PROBABILITY_METRICS or task.wants_probabilities
        if plan.family == "text" and not plan.use_multimodal:
            plan.character_ngrams = texts.written_without_spaces(task)
            if texts.text_folders(task) is None and texts.listed_documents(task) is None:
                plan.family = "tabular"  # a table with text: TabularPredictor's n-gram features, no backbone needed
        summary = describe(plan, context)
        code = tidy(BUILDERS[plan.family](context, plan, summary))
        return CodeDraft(code=code, summary=summary, candidate=candidate.name)


def family_of(task: TaskSpec) -> str:
    """Which script family fits the task (before the backbone is known: text tables start as "text")."""
    if task.problem_type.value == ProblemType.FORECASTING:
        return "forecasting"
    if task.problem_type.value == ProblemType.SEMANTIC_SEGMENTATION:
        return "segmentation"
    if task.problem_type.value == ProblemType.MULTILABEL and task.label_sets is not None:
        return "multilabel"
    if task.problem_type.value == ProblemType.RETRIEVAL:
        return "retrieval"
    if images.image_source(task) is not None or (task.modality.value == Modality.IMAGE and task.train_file is None):
        return "image"
    if texts.text_folders(task) is not None or texts.text_columns(task) or texts.listed_documents(task):
        return "text"
    return "tabular"


def choose_backbone(plan: Plan, context: CodingContext) -> None:
    """Resolve the family's pretrained backbone; MultiModalPredictor when there is one."""
    role = ROLES.get(plan.family)
    if role is None:
        return
    scripts = texts.foreign_scripts(context.task) if plan.family == "text" else ""
    plan.backbone = backbones.resolve(role, context.environment, context.checkpoint, context.time_limit, scripts)
    plan.use_multimodal = plan.backbone.pretrained
    if plan.use_multimodal:
        plan.tool = "autogluon.multimodal"


FALLBACKS = {"image": "pixel features + TabularPredictor", "text": "text n-grams + TabularPredictor",
             "segmentation": "per-pixel gradient boosting (trained from scratch)"}


def describe(plan: Plan, context: CodingContext) -> str:
    """One line for the attempt's record: what the script does, which model path and why, what changed and why."""
    task = context.task
    what = {"tabular": "TabularPredictor", "forecasting": "TimeSeriesPredictor",
            "multilabel": "TabularPredictor per label",
            "retrieval": f"{plan.ranker} ranking",
            **({plan.family: candidates.BACKBONE_SUMMARY} if plan.use_multimodal else FALLBACKS)}
    presets = "" if plan.family in ("segmentation", "retrieval") or plan.use_multimodal else f" ({plan.presets})"
    line = (f"{what[plan.family]}{presets} for {task.problem_type.value or 'the task'} "
            f"on {task.target.value!r}, scored by {task.metric.value}")
    if plan.backbone is not None and plan.family in ROLES:
        backbone = plan.backbone
        if plan.use_multimodal:
            line += f"; model: {backbone.checkpoint} ({backbone.reason})"
        else:
            line += f"; no pretrained model: {'MultiModalPredictor failed before' if backbone.pretrained else backbone.reason}"
    changes = plan.summary_changes
    return line + ("; " + "; ".join(changes) if changes else "")
