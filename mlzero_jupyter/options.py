"""The run options, declared once: every front end takes its options from :data:`OPTIONS`.

An option's name is a keyword of ``solve()``, a field of :class:`RunOptions` and a key of the MCP tool
``start_run``'s ``options``. An option with a ``flag`` is a flag of ``mlzero run`` and ``%%mlzero`` (the settings
among them of ``mlzero demo`` too). A *setting* is also a trait of the ``MLZero`` configurable (config.py): it can be
set in config files, as ``MLZERO_<NAME>`` and with ``%mlzero config``; the other options belong to one run.

Options of one front end only (``--guide``, ``--confirm``, ``--background``, ``--wait``, ``--verbose``, MCP's
``confirm``) are declared by that front end. This module imports nothing heavy: the CLI builds its parser from it.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


def _metrics() -> str:
    from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS

    return f"the metric to optimise: {', '.join(METRIC_DIRECTIONS)}"


def _problem_types() -> str:
    from mlzero_jupyter.perception.spec import ProblemType

    return f"the kind of task: {', '.join(p.value for p in ProblemType)}"


@dataclass(frozen=True)
class Option:
    """One run option: its type, default, help and where it can be given."""

    name: str
    type: type  # str, int, float, bool or dict; None is allowed when the default is None
    default: Any
    help: str | Callable[[], str]  # a callable for help that lists choices known elsewhere
    setting: bool = True  # also a setting (config files, MLZERO_<NAME>, %mlzero config)
    flag: str | None = None  # the flag of mlzero run and %%mlzero; None: a keyword of solve() and MCP only
    metavar: str | None = None
    duration: bool = False  # seconds, also given as text like 90s, 10m, 1h
    minimum: int | None = None  # the smallest whole number allowed
    choices: tuple[str, ...] | None = None  # the flag's choices

    @property
    def text(self) -> str:
        return self.help() if callable(self.help) else self.help

    @property
    def dest(self) -> str:
        """The attribute of a parsed command line that holds the flag's value."""
        return (self.flag or self.name).lstrip("-").replace("-", "_")

    @property
    def shown_default(self) -> str | None:
        """The default as a user writes it (None when there is nothing to show)."""
        if self.default is None or self.type is bool:
            return None
        if self.duration:
            seconds = int(self.default)
            return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"
        return str(self.default)


OPTIONS: tuple[Option, ...] = (
    Option("time_limit", float, 600.0, "budget of a whole run: seconds or 90s, 10m, 1h", flag="--time-limit",
           duration=True),
    Option("max_iterations", int, 20, "at most this many attempts", flag="--max-iterations", minimum=1),
    Option("quick", bool, False, "stop at the first valid result instead of searching the whole budget for better "
           "candidates", flag="--quick"),
    Option("provider", str, "offline", "offline (no LLM), bedrock, openai, ollama, anthropic, or a plugin",
           flag="--provider"),
    Option("model", str, None, "model id for the provider (default: the provider's)", flag="--model"),
    Option("base_url", str, None, "endpoint of an OpenAI-compatible server", flag="--base-url"),
    Option("output_dir", str, None, "parent of run folders (default ./mlzero-runs)", flag="--output"),
    Option("name", str, None, "a label for the run folder", setting=False, flag="--name"),
    Option("memory_limit_mb", int, None, "memory cap per attempt in MB (default: 75% of the machine's memory)",
           flag="--memory-limit", metavar="MB", minimum=1),
    Option("policy", dict, None, "code policy: category -> block, ask or allow"),
    Option("knowledge_budget_tokens", int, 3000, "at most this many tokens of knowledge snippets per prompt",
           setting=False, minimum=0),
    Option("seed", int, 0, "seed of the rows set aside for the referee and of the generated code", setting=False),
    Option("target", str, None, "the column to predict, when perception picked another", setting=False,
           flag="--target"),
    Option("metric", str, None, _metrics, setting=False, flag="--metric"),
    Option("problem_type", str, None, _problem_types, setting=False, flag="--problem-type"),
    Option("executor", str, "local", "where attempts run: local, or ray: a Ray cluster, docs/ray.md",
           flag="--executor", choices=("local", "ray")),
    Option("ray_address", str, None, "the Ray cluster's HOST:PORT (or auto) for executor ray", flag="--ray-address"),
)
BY_NAME = {option.name: option for option in OPTIONS}
SETTINGS = tuple(option for option in OPTIONS if option.setting)

#: The value object of a run's options: one field per option, with its default (``mlzero_jupyter.RunOptions``).
RunOptions = dataclasses.make_dataclass(
    "RunOptions",
    [(o.name, o.type if o.default is not None else f"{o.type.__name__} | None", dataclasses.field(default=o.default))
     for o in OPTIONS],
    namespace={"__doc__": "The options of one run (fields: mlzero_jupyter.options.OPTIONS)."},
)
RunOptions.__module__ = __name__


def add_flags(parser: argparse.ArgumentParser, names: Iterable[str]) -> None:
    """The flags of the options ``names`` (each must have a flag), with help from the table."""
    for option in (BY_NAME[name] for name in names):
        assert option.flag, f"option {option.name} has no flag"
        shown = option.shown_default
        help_text = option.text + (f" (default {shown})" if shown else "")
        extra: dict[str, Any] = {"action": argparse.BooleanOptionalAction, "default": None} if option.type is bool \
            else {"type": int} if option.type is int else {}
        parser.add_argument(option.flag, dest=option.dest, metavar=option.metavar, choices=option.choices,
                            help=help_text.replace("%", "%%"), **extra)


def flagged(*, settings_only: bool = False) -> tuple[str, ...]:
    """The names of the options with a flag (only the settings among them with ``settings_only``)."""
    return tuple(o.name for o in OPTIONS if o.flag and (o.setting or not settings_only))


def given(source: Any, names: Iterable[str]) -> dict[str, Any]:
    """The values of the options ``names`` in a parsed command line (None where not given)."""
    return {name: getattr(source, BY_NAME[name].dest, None) for name in names}


def json_schema(extra: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A JSON schema of an object holding run options (and the ``extra`` properties of one front end)."""
    types = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object"}
    properties = {o.name: {"type": ["number", "string"] if o.duration else types[o.type], "description": o.text}
                  for o in OPTIONS}
    return {"type": "object", "properties": {**properties, **(extra or {})}}
