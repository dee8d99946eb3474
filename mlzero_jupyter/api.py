"""The Python API: ``solve(data, description, **options) -> RunResult``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.result import RunResult


def make_options(**options: Any) -> RunOptions:
    """RunOptions from keyword arguments over the configuration (files < MLZERO_* variables < these).

    Durations like "10m" are accepted; unknown names and bad values are refused with one line.
    """
    from mlzero_jupyter.config import MLZero, load_config

    known = {f.name for f in dataclasses.fields(RunOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(f"unknown option {', '.join(unknown)}; valid options are {', '.join(sorted(known))}")
    configurable = set(MLZero.class_own_traits(config=True))
    if options.get("output_dir") is not None:
        options["output_dir"] = str(options["output_dir"])
    settings = load_config({k: v for k, v in options.items() if k in configurable})
    values = {**settings.run_options(), **{k: v for k, v in options.items() if k not in configurable and v is not None}}
    _check_numbers(values)
    return RunOptions(**{k: v for k, v in values.items() if k in known})


def _check_numbers(values: dict[str, Any]) -> None:
    """Options outside the configuration that must be whole numbers (memory cap and retrieval budget positive)."""
    for name, minimum in (("memory_limit_mb", 1), ("knowledge_budget_tokens", 0), ("seed", None)):
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
            wanted = "a whole number" + (f" of at least {minimum}" if minimum is not None else "")
            raise ConfigError(f"option {name} must be {wanted}; got {value!r}")


def solve(data: Path | str, description: str | None = None, *, observers: list | None = None,
          controller: Any = None, coder: Any = None, **options: Any) -> RunResult:
    """Perceive ``data``, then write and run code until a validated result or the budget is spent.

    ``options`` are the fields of :class:`RunOptions` (``time_limit="5m"``, ``max_iterations``, ``provider``,
    ``model``, ``quick``, ``output_dir``...).
    """
    agent = Agent(data, description, make_options(**options), coder=coder, controller=controller,
                  observers=observers)
    return agent.run()
