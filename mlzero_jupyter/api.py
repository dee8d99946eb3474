"""The Python API: ``solve(data, description, **options) -> RunResult``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.result import RunResult


def make_options(**options: Any) -> RunOptions:
    """RunOptions from keyword arguments, with durations like "10m" accepted and unknown names refused."""
    from mlzero_jupyter.config import parse_duration

    known = {f.name for f in dataclasses.fields(RunOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(f"unknown option {', '.join(unknown)}; valid options are {', '.join(sorted(known))}")
    values = {k: v for k, v in options.items() if v is not None}
    if "time_limit" in values:
        values["time_limit"] = parse_duration(values["time_limit"])
    if int(values.get("max_iterations", 1)) < 1:
        raise ConfigError("max_iterations must be at least 1")
    if "output_dir" in values:
        values["output_dir"] = str(values["output_dir"])
    return RunOptions(**values)


def solve(data: Path | str, description: str | None = None, *, observers: list | None = None,
          controller: Any = None, coder: Any = None, **options: Any) -> RunResult:
    """Perceive ``data``, then write and run code until a validated result or the budget is spent.

    ``options`` are the fields of :class:`RunOptions` (``time_limit="5m"``, ``max_iterations``, ``provider``,
    ``model``, ``improve``, ``output_dir``...).
    """
    agent = Agent(data, description, make_options(**options), coder=coder, controller=controller,
                  observers=observers)
    return agent.run()
