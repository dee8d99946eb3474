"""The LLM coder's prompts: a compact task rendering, and prompts that fit a token budget.

The budget is enforced before sending with a cheap estimate (characters / 4); when a prompt is too long the
retrieved knowledge is trimmed first (least relevant snippets last in the list go first), then the history
of earlier attempts (oldest lines first), then the previous code and the error (middle lines first).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlzero_jupyter.coding import contract
from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner import backbones
from mlzero_jupyter.coding.tree import DEBUG, DRAFT, IMPROVE, Node
from mlzero_jupyter.perception.spec import AMBIGUITY_THRESHOLD, FileInfo, TaskSpec
from mlzero_jupyter.redaction import redact

CHARS_PER_TOKEN = 4
MAX_COLUMNS_SHOWN = 60
#: Tokens kept back for the section headers and the estimate's error.
SAFETY_TOKENS = 200

CODE_SYSTEM = """You are an expert machine learning engineer. You write ONE complete, runnable Python script that \
solves the task below with the selected tool (AutoGluon unless told otherwise).

Rules:
- Read the input files from their absolute paths; never modify, move or delete them.
- Write every output in the current working directory (the attempt folder), nowhere else.
- No network access, no package installation, no shell commands, no interactive input.
- Keep the training inside the time limit: pass a time_limit to the fit call and leave margin for \
prediction and writing files.
- Hold out validation data (or use the tool's validation score) and report the score honestly.
- Print short progress messages; let real errors raise (no bare except that hides them).

What the script must leave in its folder:
{contract}
Answer with the whole script in a single ```python block, after at most two sentences saying what it does."""

ANALYSIS_SYSTEM = """You review a failed attempt of an AutoML script. In at most four sentences say why it \
failed (the root cause, not the symptom) and exactly what the next attempt must change. No code."""

REFINE_SYSTEM = """You settle uncertain fields of a machine learning task description. Answer with one JSON \
object only, using exactly the keys you were asked about."""

RANK_SYSTEM = """You choose the best tool for a machine learning task. Answer with the tool names, best first, \
one per line, nothing else."""


def estimate_tokens(text: str) -> int:
    """A cheap token estimate: characters / 4, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


# -- the task ---------------------------------------------------------------------------------------------------
def render_task(task: TaskSpec) -> str:
    """The TaskSpec in a few lines per file: what a coder needs, nothing it does not."""
    lines = [f"Goal: {task.description or '(no description given)'}",
             f"Problem type: {_inferred(task.problem_type)}; modality: {_inferred(task.modality)}",
             f"Target column: {_inferred(task.target)}; id column: {_inferred(task.id_column)}",
             f"Metric: {_inferred(task.metric)} ({'higher' if task.higher_is_better else 'lower'} is better)",
             f"Data folder (read-only): {task.work_path}", "Files:"]
    lines += [render_file(task, f) for f in task.files]
    if task.time_series is not None:
        ts = task.time_series
        lines.append(f"Time series: item id `{ts.item_id_column}`, timestamp `{ts.timestamp_column}`, frequency "
                     f"{ts.frequency}, prediction length {ts.prediction_length} (from {ts.prediction_length_source})"
                     + (f", known covariates: {', '.join(ts.known_covariates)}" if ts.known_covariates else ""))
    for key in task.join_keys:
        lines.append(f"Join: {key.left}.{key.column} -> {key.right}.{key.right_column or key.column}")
    lines += [f"Warning: {w}" for w in task.warnings]
    return "\n".join(lines)


def render_file(task: TaskSpec, info: FileInfo) -> str:
    facts = [info.role, info.format]
    if info.rows is not None:
        facts.append(f"{'~' if info.rows_estimated else ''}{info.rows:,} rows")
    if info.file_count is not None:
        facts.append(f"{info.file_count} files")
    if info.encoding and info.encoding.lower() not in ("utf-8", "ascii"):
        facts.append(f"encoding {info.encoding}")
    if info.delimiter and info.delimiter != ",":
        facts.append(f"delimiter {info.delimiter!r}")
    if info.table:
        facts.append(f"table {info.table}")
    if info.missing_markers:
        facts.append(f"missing markers {info.missing_markers}")
    if info.role_confidence < AMBIGUITY_THRESHOLD:
        facts.append(f"role uncertain ({info.role_confidence:.0%})")
    text = f"- {task.absolute(info)} [{', '.join(facts)}]"
    if info.classes:
        text += f" classes: {', '.join(info.classes[:20])}" + (" ..." if len(info.classes) > 20 else "")
    if info.columns:
        shown = [_column(c) for c in info.columns[:MAX_COLUMNS_SHOWN]]
        more = len(info.columns) - MAX_COLUMNS_SHOWN
        text += "\n    columns: " + "; ".join(shown) + (f"; ... and {more} more" if more > 0 else "")
    if info.note:
        text += f"\n    note: {info.note}"
    return text


def _column(column) -> str:
    extra = [column.kind]
    if column.missing_fraction:
        extra.append(f"{column.missing_fraction:.0%} missing")
    if column.examples and column.kind in ("categorical", "boolean", "text", "datetime", "id"):
        extra.append("e.g. " + ", ".join(str(e)[:20] for e in column.examples[:2]))
    return f"{column.name} ({', '.join(extra)})"


def _inferred(field) -> str:
    if field.value is None:
        return "unknown"
    text = f"`{field.value}`"
    if field.confidence < AMBIGUITY_THRESHOLD:
        others = ", ".join(f"`{a}`" for a in field.alternatives[:3])
        text += f" (uncertain, {field.confidence:.0%}" + (f"; alternatives {others}" if others else "") + ")"
    return text


# -- the code prompt --------------------------------------------------------------------------------------------
@dataclass
class Prompt:
    system: str
    user: str
    trimmed: list[str]  # what was cut to fit the budget, for the saved prompt file

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.system) + estimate_tokens(self.user)


def code_system() -> str:
    return CODE_SYSTEM.format(contract=(contract.__doc__ or "").split("\n\n", 1)[-1].strip())


def code_prompt(context: CodingContext, budget_tokens: int, node: Node | None = None) -> Prompt:
    """The prompt that asks for attempt ``context.attempt``, within ``budget_tokens``: a new draft, a debug of the
    failed parent (its code and error), or an improvement of the best node (its code and referee score)."""
    system = code_system()
    knowledge = list(context.knowledge)
    history = context.history.strip()
    node = node or Node(DEBUG)
    previous, error = context.previous_code or "", context.last_error or ""
    if node.operation == IMPROVE:
        previous, error = context.best_code or "", ""
    elif node.operation == DRAFT:
        previous, error = "", ""
    trimmed: list[str] = []
    available = budget_tokens - estimate_tokens(system) - SAFETY_TOKENS
    while True:
        user = _code_user(context, knowledge, history, previous, error, node)
        excess = estimate_tokens(user) - available
        if excess <= 0:
            return Prompt(system, redact(user), trimmed)
        if knowledge:
            trimmed.append(f"knowledge snippet {len(knowledge)} ({estimate_tokens(knowledge[-1])} tokens)")
            knowledge.pop()
        elif history:
            history, cut = _keep_tail(history, excess)
            trimmed.append(f"{cut} characters of the oldest history")
        elif len(previous) > 2000 or len(error) > 1000:
            previous, error = _cut_middle(previous, 2000), _cut_middle(error, 1000)
            trimmed.append("the middle of the previous code and of the error")
        else:
            user = _cut_middle(user, available * CHARS_PER_TOKEN)
            trimmed.append("the middle of the task description")
            return Prompt(system, redact(user), trimmed)


def _code_user(context: CodingContext, knowledge: list[str], history: str, previous: str, error: str,
               node: Node) -> str:
    sections = [("Task", render_task(context.task)),
                ("Tool", f"{context.tool}\n\n" + "\n\n".join(knowledge) if knowledge else context.tool),
                ("Time limit", f"The whole script must finish within {context.time_limit:.0f} seconds; give "
                               f"training at most {0.75 * context.time_limit:.0f} s. Use random seed "
                               f"{context.seed}.")]
    if context.environment:
        facts = ", ".join(f"{k}: {v}" for k, v in context.environment.items() if not isinstance(v, (dict, list)))
        sections.append(("Machine", facts))
        sections.append(("Pretrained models (use these; nothing can be downloaded unless the hub is reachable)",
                         "\n".join(f"- {line}" for line in model_facts(context))))
    if history:
        sections.append(("Earlier attempts (what was tried, how it ended, the analysis)", history))
    if error:
        sections.append(("Error of the previous attempt (essential lines)", error.strip()))
    if previous and error:
        sections.append(("Code of the previous attempt (fix it; keep what worked)", f"```python\n{previous}\n```"))
    if node.operation == IMPROVE and node.parent is not None:
        sections.append((f"Improve attempt {node.parent.number}",
                         f"It is the best so far: {node.parent.metric} {node.parent.score:.5g}, measured by the "
                         "agent on labelled rows hidden in the test set. Change one thing likely to beat it (better "
                         "presets, bagging, more training time, a feature, another model family), keep the rest, "
                         "stay within the time limit." + (f"\n```python\n{previous}\n```" if previous else "")))
    elif node.operation == DRAFT and context.attempts:
        sections.append(("Draft", "Write a new solution that takes a different approach from the failed attempts "
                                  "above."))
    if context.guidance:
        sections.append(("Guidance from the user (follow it; newest last)",
                         "\n".join(f"- {g}" for g in context.guidance)))
    sections.append(("Answer", f"Write attempt {context.attempt}: the complete script in one ```python block."))
    return "\n\n".join(f"## {title}\n{body}" for title, body in sections)


def model_facts(context: CodingContext) -> list[str]:
    """Where pretrained weights can come from here, and the checkpoint tool selection chose."""
    lines = backbones.facts(context.environment)
    if context.checkpoint:
        lines.append(f"chosen checkpoint: {context.checkpoint} (pass it as the checkpoint_name of the model)")
    if context.excluded_model_types:
        lines.append(f"excluded model types (need the hub): {', '.join(context.excluded_model_types)}")
    return lines


def _keep_tail(text: str, excess_tokens: int) -> tuple[str, int]:
    """``text`` without its oldest part, at least ``excess_tokens`` shorter (whole lines)."""
    cut = max(excess_tokens * CHARS_PER_TOKEN, 200)
    if cut >= len(text):
        return "", len(text)
    kept = text[cut:]
    kept = kept[kept.find("\n") + 1:] if "\n" in kept else kept
    return "...\n" + kept, len(text) - len(kept)


def _cut_middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = max(limit // 2 - 20, 0)
    return text[:half] + "\n... (cut) ...\n" + text[-half:]


# -- the other prompts ------------------------------------------------------------------------------------------
def analysis_prompt(context: CodingContext, code: str, error: str) -> str:
    return redact("\n\n".join([
        f"## Task\n{render_task(context.task)}",
        f"## Tool\n{context.tool}",
        f"## The script of attempt {context.attempt}\n```python\n{_cut_middle(code, 12000)}\n```",
        f"## How it failed\n{_cut_middle(error.strip(), 4000)}",
        "## Answer\nWhy did it fail, and what must the next attempt change?",
    ]))


def refine_prompt(task: TaskSpec, questions: dict[str, str]) -> str:
    asked = "\n".join(f'- "{key}": {question}' for key, question in questions.items())
    return redact(f"## Task\n{render_task(task)}\n\n## Settle these fields\n{asked}\n\nAnswer with one JSON object.")


def rank_prompt(task: TaskSpec, names: list[str], reasons: dict[str, str]) -> str:
    listed = "\n".join(f"- {name}" + (f": {reasons[name]}" if reasons.get(name) else "") for name in names)
    return redact(f"## Task\n{render_task(task)}\n\n## Candidate tools\n{listed}\n\nList them best first, one "
                  "per line.")
