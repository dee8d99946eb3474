"""Execution: the code policy, the sandboxed executor, input fingerprints and the deterministic validator.

The validator (which needs pandas) loads lazily, so that modules such as ``redaction``, used by every record write,
stay light.
"""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.execution.environment import attempt_environment, is_secret
from mlzero_jupyter.execution.essentials import essential_error_lines
from mlzero_jupyter.execution.executor import ExecutionResult, execute
from mlzero_jupyter.execution.fingerprint import changes, fingerprint
from mlzero_jupyter.execution.policy import DEFAULT_RULES, PolicyReport, check_code

__all__ = [
    "DEFAULT_RULES",
    "ExecutionResult",
    "PolicyReport",
    "attempt_environment",
    "Validation",
    "changes",
    "check_code",
    "essential_error_lines",
    "execute",
    "fingerprint",
    "is_secret",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name in ("Validation", "validate"):
        from mlzero_jupyter.execution import validator

        return getattr(validator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
