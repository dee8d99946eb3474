"""Secret values out of text: what prompts and saved records must never contain.

A secret value is the value of an environment variable whose name or value looks like a credential (the rule of
``execution.environment.is_secret``: ``*_API_KEY``, ``*TOKEN*``, ``AWS_*``, URLs with a password...). Values
shorter than :data:`MIN_SECRET_CHARS` are left alone: ``AWS_PROFILE=default`` or a flag like ``1`` is no secret,
and masking such short strings would mangle ordinary words. The environment is read at every call, so a key set
after import is still masked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from mlzero_jupyter.execution.environment import is_secret

MASK = "***"
MIN_SECRET_CHARS = 8


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The secret-looking variables' values, longest first (so a value containing another is masked whole)."""
    environ = os.environ if environ is None else environ
    found = {value for name, value in environ.items() if len(value) >= MIN_SECRET_CHARS and is_secret(name, value)}
    return sorted(found, key=len, reverse=True)


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """``text`` with every secret value replaced by ``***``."""
    for value in secret_values(environ):
        if value in text:
            text = text.replace(value, MASK)
    return text


def redact_data(data: Any, environ: Mapping[str, str] | None = None) -> Any:
    """A copy of JSON-like ``data`` (dicts, lists, strings, numbers) with secret values masked in every string."""
    values = secret_values(environ)
    if not values:
        return data
    return _masked(data, values)


def _masked(data: Any, values: list[str]) -> Any:
    if isinstance(data, str):
        for value in values:
            if value in data:
                data = data.replace(value, MASK)
        return data
    if isinstance(data, Mapping):
        return {_masked(key, values): _masked(item, values) for key, item in data.items()}
    if isinstance(data, (list, tuple)):
        return [_masked(item, values) for item in data]
    return data
