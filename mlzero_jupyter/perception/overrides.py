"""The user's word over perception's guess: target, metric and problem type set by one flag or keyword.

The same three names are ``--target``, ``--metric`` and ``--problem-type`` on ``mlzero run``/``mlzero inspect`` and
``%%mlzero``, and keywords of ``solve()``. Each is applied where perception infers that field (so a new target
gets its own problem type and metric), with confidence 1.0 and the reason "set by the user". A name that does not
exist is a one-line error listing the choices.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from typing import Any

from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.perception.spec import METRIC_DIRECTIONS, Inferred, ProblemType

TASK_FIELDS = ("target", "metric", "problem_type")
USER_REASON = "set by the user"
_MAX_LISTED = 40


def add_override_arguments(parser: argparse.ArgumentParser) -> None:
    """--target, --metric and --problem-type (declared with the other run options), for every front end that
    perceives data."""
    from mlzero_jupyter.options import add_flags

    add_flags(parser, TASK_FIELDS)


def task_overrides(source: Mapping[str, Any] | Any) -> dict[str, str]:
    """The overrides given in a mapping or an object with those attributes (argparse namespace, RunOptions);
    fields left unset (None) are skipped, names are checked."""
    get = source.get if isinstance(source, Mapping) else lambda name: getattr(source, name, None)
    given = {name: str(get(name)).strip() for name in TASK_FIELDS if get(name) is not None}
    check_names(given)
    return given


def check_names(overrides: Mapping[str, str]) -> None:
    """Refuse an unknown metric or problem type (columns are checked against the data by perception)."""
    if "metric" in overrides:
        one_of("metric", overrides["metric"], METRIC_DIRECTIONS)
    if "problem_type" in overrides:
        one_of("problem type", overrides["problem_type"], [p.value for p in ProblemType])


def one_of(what: str, value: str, choices: Iterable[str], where: str = "") -> str:
    """``value`` when it is one of ``choices``; else a one-line error listing them."""
    choices = list(dict.fromkeys(str(c) for c in choices))
    if value in choices:
        return value
    listed = ", ".join(choices[:_MAX_LISTED]) + (", ..." if len(choices) > _MAX_LISTED else "")
    raise ConfigError(f"{what} {value!r} is not {where or 'known'}; choose one of {listed}")


def set_by_user(inferred: Inferred, value: str) -> Inferred:
    """The user's value at confidence 1.0; perception's guess and its alternatives stay as alternatives."""
    others = [v for v in [inferred.value, *inferred.alternatives] if v is not None and v != value]
    return Inferred(value, 1.0, list(dict.fromkeys(others)), USER_REASON)
