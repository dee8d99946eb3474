"""The LLM coder: prompts from the task, knowledge, history, error and guidance; code out of the reply.

Every prompt and reply is saved, readable, in the attempt folder (``prompt_<n>.md``, ``reply_<n>.md``). The
deterministic validator, not the model, decides whether an attempt succeeded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlzero_jupyter.atomic import write_text_atomic
from mlzero_jupyter.coding import prompts, tree
from mlzero_jupyter.coding.base import Answer, CodeDraft, CodingContext, LLMCall
from mlzero_jupyter.coding.contract import CODE_FILE
from mlzero_jupyter.coding.extract import extract_code
from mlzero_jupyter.perception.overrides import USER_REASON
from mlzero_jupyter.perception.spec import (
    AMBIGUITY_THRESHOLD,
    METRIC_DIRECTIONS,
    FileRole,
    Inferred,
    ProblemType,
    TaskSpec,
)
from mlzero_jupyter.providers.base import ChatMessage, ChatResponse, Provider

DEFAULT_BUDGET_TOKENS = 12000
#: Confidence given to a field the LLM settled: above the ambiguity threshold, below certainty.
REFINED_CONFIDENCE = 0.75


class LLMCoder:
    """Writes each attempt with a chat model (a ``Coder``) and takes the optional roles of ``coding.base`` too: it
    refines the task, ranks the tools and analyses failures over the same provider."""

    def __init__(self, provider: Provider, model: str | None = None, budget_tokens: int = DEFAULT_BUDGET_TOKENS,
                 *, max_reply_tokens: int = 4096, temperature: float = 0.2) -> None:
        self.provider = provider
        if model:
            provider.model = model
        self.name = provider.name
        self.budget_tokens = budget_tokens
        self.max_reply_tokens = max_reply_tokens
        self.temperature = temperature

    @property
    def model(self) -> str:
        return self.provider.model

    def write(self, context: CodingContext) -> CodeDraft:
        """Expand the next node of the search tree (``coding.tree``): debug, improve or draft."""
        node = tree.next_node(context)
        prompt = prompts.code_prompt(context, self.budget_tokens, node)
        response, call = self._ask("code", prompt.system, prompt.user, context.attempt_dir, prompt.trimmed,
                                   temperature=self.temperature)
        code = extract_code(response.text)
        return CodeDraft(code=code, summary=_summary(response.text, context), calls=[call], candidate=node.name)

    def analyse_failure(self, context: CodingContext, error: str) -> Answer[str]:
        """Why the attempt failed and what to change, in a few sentences (the agent stores it in memory)."""
        code_path = context.attempt_dir / CODE_FILE
        code = code_path.read_text(encoding="utf-8") if code_path.exists() else (context.previous_code or "")
        response, call = self._ask("error_analysis", prompts.ANALYSIS_SYSTEM,
                                   prompts.analysis_prompt(context, code, error), context.attempt_dir,
                                   temperature=0.0, max_tokens=600)
        return Answer(" ".join(response.text.split())[:1200], [call])

    def refine_task(self, task: TaskSpec, record_dir: Path | None = None) -> Answer[TaskSpec]:
        return refine_task(task, self.provider, record_dir=record_dir)

    def rank_tools(self, task: TaskSpec, choices: Sequence[Any], record_dir: Path | None = None
                   ) -> Answer[list[Any]]:
        return rank_tools(task, choices, self.provider, record_dir=record_dir)

    def _ask(self, purpose: str, system: str, user: str, folder: Path | None, trimmed: Sequence[str] = (),
             *, temperature: float, max_tokens: int | None = None) -> tuple[ChatResponse, LLMCall]:
        return ask(self.provider, purpose, system, user, folder, trimmed, temperature=temperature,
                   max_tokens=max_tokens or self.max_reply_tokens)


def ask(provider: Provider, purpose: str, system: str, user: str, folder: Path | None,
        trimmed: Sequence[str] = (), *, temperature: float = 0.0,
        max_tokens: int = 1000) -> tuple[ChatResponse, LLMCall]:
    """One call, with its prompt and reply saved in ``folder`` (when given) and its accounting record."""
    number = _next_number(folder) if folder is not None else 0
    if folder is not None:
        text = _prompt_markdown(number, purpose, provider, system, user, trimmed)
        write_text_atomic(folder / f"prompt_{number}.md", text)
    response = provider.chat(system, [ChatMessage("user", user)], max_tokens=max_tokens, temperature=temperature)
    if folder is not None:
        write_text_atomic(folder / f"reply_{number}.md", _reply_markdown(number, purpose, response))
    call = LLMCall(purpose=purpose, model=response.model, input_tokens=response.input_tokens,
                   output_tokens=response.output_tokens, cost_usd=response.cost_usd, latency_s=response.latency_s)
    return response, call


def refine_task(task: TaskSpec, provider: Provider, *, record_dir: Path | None = None) -> Answer[TaskSpec]:
    """A new TaskSpec whose low-confidence target, metric, problem type and file roles the LLM settled.

    Answers that do not fit the data (a column that does not exist, an unknown metric or role) are ignored.
    Without uncertain fields the task is returned unchanged and no call is made.
    """
    questions = _questions(task)
    if not questions:
        return Answer(task)
    response, call = ask(provider, "perception", prompts.REFINE_SYSTEM, prompts.refine_prompt(task, questions),
                         record_dir, max_tokens=500)
    answer = _json_object(response.text)
    refined = TaskSpec.from_dict(task.to_dict())
    _apply_answer(refined, answer)
    return Answer(refined, [call])


def rank_tools(task: TaskSpec, choices: Sequence[Any], provider: Provider, *,
               record_dir: Path | None = None) -> Answer[list[Any]]:
    """``choices`` (names, or objects with ``.name``) reordered best first by the LLM; unnamed ones keep
    their order after the named ones."""
    names = [getattr(c, "name", c) for c in choices]
    if len(names) < 2:
        return Answer(list(choices))
    reasons = {getattr(c, "name", c): "; ".join(getattr(c, "reasons", []) or []) for c in choices}
    response, call = ask(provider, "tool_ranking", prompts.RANK_SYSTEM, prompts.rank_prompt(task, names, reasons),
                         record_dir, max_tokens=200)
    mentioned = sorted((response.text.find(name), name) for name in set(names) if name in response.text)
    order = [name for _, name in mentioned] + [n for n in names if n not in response.text]
    return Answer(sorted(choices, key=lambda c: order.index(getattr(c, "name", c))), [call])


# -- helpers ----------------------------------------------------------------------------------------------------
def _questions(task: TaskSpec) -> dict[str, str]:
    train = task.train_file
    columns = ", ".join(train.column_names) if train else ""
    questions: dict[str, str] = {}
    if task.target.ambiguous or task.target.value is None:
        questions["target"] = f"the column to predict, one of: {columns}"
    if task.problem_type.ambiguous:
        questions["problem_type"] = "one of " + ", ".join(p.value for p in ProblemType)
    if task.metric.ambiguous or task.metric.value is None:
        questions["metric"] = "the evaluation metric, one of " + ", ".join(METRIC_DIRECTIONS)
    uncertain = [f.path for f in task.files if f.role_confidence < AMBIGUITY_THRESHOLD]
    if uncertain:
        questions["file_roles"] = ("an object mapping each of " + ", ".join(uncertain) + " to one of "
                                   + ", ".join(r.value for r in FileRole))
    return questions


def _apply_answer(task: TaskSpec, answer: dict[str, Any]) -> None:
    train = task.train_file
    valid = {
        "target": set(train.column_names) if train else set(),
        "problem_type": {p.value for p in ProblemType},
        "metric": set(METRIC_DIRECTIONS),
    }
    for name, allowed in valid.items():
        value = answer.get(name)
        field: Inferred = getattr(task, name)
        if field.reason == USER_REASON:  # the user's own choice is never refined away
            continue
        if isinstance(value, str) and value in allowed:
            alternatives = [a for a in [field.value, *field.alternatives] if a is not None and a != value]
            setattr(task, name, Inferred(value, REFINED_CONFIDENCE, alternatives, f"settled by the LLM; "
                                                                                 f"perception said {field.value}"))
    if isinstance(answer.get("metric"), str) and answer["metric"] in METRIC_DIRECTIONS:
        task.higher_is_better = METRIC_DIRECTIONS[answer["metric"]]
    roles = answer.get("file_roles") if isinstance(answer.get("file_roles"), dict) else {}
    known_roles = {r.value for r in FileRole}
    for info in task.files:
        role = roles.get(info.path)
        if info.role_confidence < AMBIGUITY_THRESHOLD and role in known_roles:
            info.role, info.role_confidence = role, REFINED_CONFIDENCE
            info.note = (info.note + "; " if info.note else "") + "role settled by the LLM"


def _json_object(text: str) -> dict[str, Any]:
    """The first JSON object in ``text`` (fenced or not); {} when there is none."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        return {}
    try:
        value = json.loads(match.group(0))
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _summary(reply: str, context: CodingContext) -> str:
    """The model's own one-line description (the prose before the code), else a generic line."""
    prose = reply.split("```", 1)[0].strip()
    first = prose.splitlines()[0].strip() if prose else ""
    if first and not first.startswith(("import ", "from ")):
        return first[:200]
    return f"LLM attempt {context.attempt}" + (" (fixing the previous error)" if context.last_error else "")


def _next_number(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    taken = [int(m.group(1)) for p in folder.glob("prompt_*.md") if (m := re.fullmatch(r"prompt_(\d+)\.md", p.name))]
    return max(taken, default=0) + 1


def _prompt_markdown(number: int, purpose: str, provider: Provider, system: str, user: str,
                     trimmed: Sequence[str]) -> str:
    estimate = prompts.estimate_tokens(system) + prompts.estimate_tokens(user)
    head = f"# Prompt {number}: {purpose}\n\nProvider {provider.name}, model {provider.model}, ~{estimate} tokens"
    if trimmed:
        head += "\n\nTrimmed to fit the budget: " + "; ".join(trimmed)
    return f"{head}\n\n# System\n\n{system}\n\n# User\n\n{user}\n"


def _reply_markdown(number: int, purpose: str, response: ChatResponse) -> str:
    return (f"# Reply {number}: {purpose}\n\nModel {response.model}: {response.input_tokens} input and "
            f"{response.output_tokens} output tokens, ${response.cost_usd:.4f}, {response.latency_s:.1f} s\n\n"
            f"{response.text}\n")
