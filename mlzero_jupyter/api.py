"""The Python API: ``solve(data, description, **options) -> RunResult``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlzero_jupyter.agent import Agent
from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.options import BY_NAME, OPTIONS, RunOptions
from mlzero_jupyter.result import RunResult


def make_options(**options: Any) -> RunOptions:
    """RunOptions from keyword arguments over the configuration (files < MLZERO_* variables < these).

    The keywords are the options of mlzero_jupyter/options.py. Durations like "10m" are accepted; unknown names and
    bad values are refused with one line.
    """
    from mlzero_jupyter.config import load_config

    unknown = sorted(set(options) - set(BY_NAME))
    if unknown:
        raise ConfigError(f"unknown option {', '.join(unknown)}; valid options are {', '.join(sorted(BY_NAME))}")
    if options.get("output_dir") is not None:
        options["output_dir"] = str(options["output_dir"])
    settings = load_config({k: v for k, v in options.items() if BY_NAME[k].setting})
    per_run = {k: v for k, v in options.items() if not BY_NAME[k].setting and v is not None}
    values = {**settings.run_options(), **per_run}
    _check_numbers(values)
    return RunOptions(**values)


def _check_numbers(values: dict[str, Any]) -> None:
    """The whole-number options must be whole numbers, at least their minimum (the settings are checked by their
    traits too)."""
    for option in OPTIONS:
        value = values.get(option.name)
        if option.type is not int or value is None:
            continue
        minimum = option.minimum
        if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
            wanted = "a whole number" + (f" of at least {minimum}" if minimum is not None else "")
            raise ConfigError(f"option {option.name} must be {wanted}; got {value!r}")


def solve(data: Path | str, description: str | None = None, *, observers: list | None = None,
          controller: Any = None, coder: Any = None, **options: Any) -> RunResult:
    """Perceive ``data``, then write and run code until a validated result or the budget is spent.

    ``options`` are the run options of mlzero_jupyter/options.py, the fields of :class:`RunOptions`
    (``time_limit="5m"``, ``max_iterations``, ``provider``, ``model``, ``quick``, ``output_dir``...).
    """
    agent = Agent(data, description, make_options(**options), coder=coder, controller=controller,
                  observers=observers)
    return agent.run()
