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
    return RunOptions(**{k: v for k, v in values.items() if k in known})


def solve(data: Path | str, description: str | None = None, *, observers: list | None = None,
          controller: Any = None, coder: Any = None, **options: Any) -> RunResult:
    """Perceive ``data``, then write and run code until a validated result or the budget is spent.

    ``options`` are the fields of :class:`RunOptions` (``time_limit="5m"``, ``max_iterations``, ``provider``,
    ``model``, ``improve``, ``output_dir``...).
    """
    agent = Agent(data, description, make_options(**options), coder=coder, controller=controller,
                  observers=observers)
    return agent.run()
