"""Parts every script shares: the header (docstring, imports, settings, seed), time limits and metric facts."""

from __future__ import annotations

import re
import textwrap
from string import Template
from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.source import Raw, constants, imports, literal, reader_modules
from mlzero_jupyter.coding.templates import render
from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS, TaskSpec

#: The shortest training time a script is given, whatever the budget says.
MIN_TRAINING_SECONDS = 5
#: Of the margin each family keeps beside TIME_LIMIT, the seconds for what follows training (scoring, predicting,
#: saving); the rest is the start's allowance (importing AutoGluon, reading the data, building features).
TAIL_SECONDS = 5
#: However slow the start, training keeps at least this share of TIME_LIMIT: on a loaded machine a model cut
#: shorter scores far worse than an attempt that runs a little long.
MIN_TRAINING_SHARE = 0.5
#: The expression scripts pass to ``fit(time_limit=...)``: the seconds left until training must end.
TRAINING_SECONDS_LEFT = "training_seconds_left()"
#: The top of every script with a TIME_LIMIT, above the other imports so that their seconds count.
CLOCK = """import time

SCRIPT_START = time.monotonic()  # training is sized to end in time however long the imports and reading take

"""
#: Below the settings: how many seconds training gets when it starts.
DEADLINE = '''
STARTUP_SECONDS = ${startup}  # of the ${kept} s kept beside TIME_LIMIT, those for imports, reading and features
MIN_TRAINING_SECONDS = max(${least}, ${share} * TIME_LIMIT)  # however slow the start


def ${function}() -> float:
    """Seconds until training must end, at SCRIPT_START + STARTUP_SECONDS + TIME_LIMIT: a start slower than
    STARTUP_SECONDS shortens training instead of overrunning the attempt (a quicker one lengthens it)."""
    return max(MIN_TRAINING_SECONDS, SCRIPT_START + STARTUP_SECONDS + TIME_LIMIT - time.monotonic())

'''


def deadline_lines(context: CodingContext, plan: Plan, time_limit: int) -> str:
    """The settings and function that size training to the time left (``time_limit``: the script's TIME_LIMIT)."""
    kept = max(0, round(context.time_limit * plan.time_share - time_limit))
    return Template(DEADLINE).substitute(startup=max(0, kept - TAIL_SECONDS), kept=kept, least=MIN_TRAINING_SECONDS,
                                         share=MIN_TRAINING_SHARE, function=TRAINING_SECONDS_LEFT.removesuffix("()"))


def metric_name(task: TaskSpec, default: str) -> str:
    """The task's canonical metric name, or ``default`` when perception found none we know."""
    value = task.metric.value
    return value if value in METRIC_DIRECTIONS else default


def higher_is_better(metric: str) -> bool:
    return METRIC_DIRECTIONS[metric]


def training_seconds(context: CodingContext, plan: Plan, margin: float) -> int:
    """Seconds of training: the plan's share of the attempt's limit, minus ``margin`` for imports, loading and
    predicting."""
    return max(MIN_TRAINING_SECONDS, int(context.time_limit * plan.time_share - margin))


def time_limit_comment(context: CodingContext, plan: Plan, margin: float) -> str:
    return (f"seconds of training: {plan.time_share:.0%} of the attempt's {context.time_limit:.0f} s, "
            f"less {margin:.0f} s for loading and predicting")


def data_line(task: TaskSpec) -> str:
    """``/abs/folder: train.csv (426 rows), test.csv`` for the docstring."""
    parts = []
    for info in task.files:
        if info.role in ("ignored", "description"):
            continue
        size = f" ({info.rows} rows)" if info.rows else f" ({info.file_count} files)" if info.file_count else ""
        parts.append(f"{info.path}{size}")
    return f"{task.work_path}: " + ", ".join(parts[:6]) + (", ..." if len(parts) > 6 else "")


def header(context: CodingContext, plan: Plan, *, title: str, tool: str, validation: str, summary: str,
           modules: list[str], settings: dict[str, Any], comments: dict[str, str]) -> str:
    """The top of a script: docstring, imports, settings (always with DATA_DIR first and SEED), set seed."""
    metric = settings["METRIC"]
    timed = settings.get("TIME_LIMIT") is not None
    direction = "higher is better" if settings["HIGHER_IS_BETTER"] else "lower is better"
    values = {"DATA_DIR": Raw(f"Path({literal(context.task.work_path)})"), **settings, "VALIDATION": validation,
              "SEED": context.seed + plan.seed_offset}
    notes = {"DATA_DIR": "read-only: nothing is ever written there", **comments}
    return render(
        "header",
        title=_docstring(title, 0),
        data=_docstring(data_line(context.task), 8),
        tool=_docstring(tool, 8),
        metric=_docstring(f"{metric} ({direction}), {validation[0].lower()}{validation[1:]}", 8),
        attempt=str(context.attempt),
        summary=_docstring(summary, 0),
        clock=CLOCK if timed else "",
        imports=imports("json", "random", "from pathlib import Path", "numpy", "pandas",
                        *[module for module in modules if not (timed and module == "time")],
                        *reader_modules(context.task.files)),
        settings_comments=plan.comments("settings"),
        settings=constants(values, notes),
        deadline=deadline_lines(context, plan, settings["TIME_LIMIT"]) if timed else "",
    )


def metrics_block() -> str:
    """Lines that write metrics.json from METRIC, validation_score, HIGHER_IS_BETTER, VALIDATION and MODEL_DIR."""
    return render("metrics")


def _docstring(text: str, indent: int) -> str:
    """Text safe inside a triple-quoted docstring, wrapped to the line width with a hanging indent."""
    safe = text.replace("\\", "/").replace('"""', "'''")
    return textwrap.fill(safe, width=110, subsequent_indent=" " * indent, break_long_words=False,
                         break_on_hyphens=False)


def tidy(code: str) -> str:
    """No runs of blank lines longer than two, no blank line right under a section rule, one final newline."""
    code = re.sub(r"(# -- [^\n]*-\n)\n+", r"\1", code)
    code = re.sub(r"\n{4,}", "\n\n\n", code)
    return code.strip() + "\n"
