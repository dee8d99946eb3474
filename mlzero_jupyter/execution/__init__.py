"""Execution: the code policy, the sandboxed executor, input fingerprints and the deterministic validator."""

from mlzero_jupyter.execution.environment import is_secret, scrubbed_environment
from mlzero_jupyter.execution.essentials import essential_error_lines
from mlzero_jupyter.execution.executor import ExecutionResult, execute
from mlzero_jupyter.execution.fingerprint import changes, fingerprint
from mlzero_jupyter.execution.policy import DEFAULT_RULES, PolicyReport, check_code
from mlzero_jupyter.execution.validator import Validation, validate

__all__ = [
    "DEFAULT_RULES",
    "ExecutionResult",
    "PolicyReport",
    "Validation",
    "changes",
    "check_code",
    "essential_error_lines",
    "execute",
    "fingerprint",
    "is_secret",
    "scrubbed_environment",
    "validate",
]
