"""The offline planner: deterministic, readable scripts from the TaskSpec, repaired by rules. No LLM needed.

It picks the script family from the task (the first of ``FAMILIES`` that serves it: each family module declares its
``FAMILY``, ``planner/family.py``) and the pretrained backbone this machine offers (``backbones.resolve``), takes
the family's next candidate of the search (``candidates``), applies the user's guidance and the repairs the previous
failures call for, then has the family state its script (``planner/script.py``: one builder lays out every family's
sections). The summary and the script's header say which model path was taken and why.
"""

from __future__ import annotations

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
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.perception.spec import TaskSpec

#: The script families by name, in the order they claim a task: the first whose ``serves`` holds writes its scripts.
FAMILIES: dict[str, Family] = {family.name: family for family in (
    forecasting.FAMILY, segmentation.FAMILY, multilabel.FAMILY, retrieval.FAMILY, images.FAMILY, texts.FAMILY,
    tabular.FAMILY)}
#: Seconds of a quick run's attempt kept back from fine-tuning a backbone while nothing is valid: weights that learn
#: nothing give a constant answer the referee rejects, and the fallback features then still have time to run.
FALLBACK_SECONDS = 60.0


class OfflinePlanner:
    """A coder (provider ``offline``) made of templates and rules."""

    name = "offline"

    def write(self, context: CodingContext) -> CodeDraft:
        task = context.task
        plan = Plan(family=family_of(task), tool=context.tool)
        choose_backbone(plan, context)
        candidate = candidates.choose(FAMILIES[plan.family].candidates, plan, context)
        candidate.apply(plan, context)
        candidates.apply(candidate, plan)
        guidance.apply(plan, context)
        repairs.apply(plan, context, candidate.name)
        plan.probabilities = task.metric.value in PROBABILITY_METRICS or task.wants_probabilities
        if plan.family == "text" and not plan.use_multimodal:
            plan.character_ngrams = plan.character_ngrams or texts.written_without_spaces(task)
            if texts.text_folders(task) is None and texts.listed_documents(task) is None:
                plan.family = "tabular"  # a table with text: TabularPredictor's n-gram features, no backbone needed
        summary = describe(plan, context)
        code = tidy(FAMILIES[plan.family].build(context, plan, summary))
        return CodeDraft(code=code, summary=summary, candidate=candidate.name)


def family_of(task: TaskSpec) -> str:
    """Which script family fits the task (before the backbone is known: text tables start as "text")."""
    return next(family.name for family in FAMILIES.values() if family.serves(task))


def choose_backbone(plan: Plan, context: CodingContext) -> None:
    """Resolve the family's pretrained backbone; MultiModalPredictor when there is one. A quick run's first valid
    result may be its only one: its fine-tune keeps ``FALLBACK_SECONDS`` of the attempt for the fallback features."""
    family = FAMILIES[plan.family]
    if family.backbone is None:
        return
    kept = FALLBACK_SECONDS if context.quick and not any(a.succeeded for a in context.attempts) else 0.0
    plan.backbone = backbones.resolve(family.backbone, context.environment, context.checkpoint, context.time_limit,
                                      family.scripts(context.task), kept_s=kept)
    plan.use_multimodal = plan.backbone.pretrained
    if plan.use_multimodal:
        plan.tool = "autogluon.multimodal"
        plan.time_share *= (context.time_limit - kept) / context.time_limit


def describe(plan: Plan, context: CodingContext) -> str:
    """One line for the attempt's record: what the script does, which model path and why, what changed and why."""
    task = context.task
    family = FAMILIES[plan.family]
    what = candidates.BACKBONE_SUMMARY if plan.use_multimodal else family.model.format(plan=plan)
    presets = f" ({plan.presets})" if family.names_presets and not plan.use_multimodal else ""
    line = (f"{what}{presets} for {task.problem_type.value or 'the task'} "
            f"on {task.target.value!r}, scored by {task.metric.value}")
    if plan.backbone is not None and family.backbone is not None:
        backbone = plan.backbone
        if plan.use_multimodal:
            line += f"; model: {backbone.checkpoint} ({backbone.reason})"
        else:
            line += f"; no pretrained model: {'MultiModalPredictor failed before' if backbone.pretrained else backbone.reason}"
    changes = plan.summary_changes
    return line + ("; " + "; ".join(changes) if changes else "")
