"""The environment an attempt runs with: the kernel's, minus anything that looks like a credential.

Rule (by variable name, case-insensitive), a variable is dropped when its name
- starts with ``AWS_`` (keys, session tokens, profiles and config files that lead to them),
- ends with ``_KEY`` or contains ``API_KEY``/``APIKEY``/``ACCESS_KEY``/``PRIVATE_KEY``,
- contains ``TOKEN``, ``SECRET``, ``PASSWORD``, ``PASSWD``, ``CREDENTIAL`` or ``AUTH`` (``SSH_AUTH_SOCK`` too:
  the SSH agent socket signs with the user's keys),
- or its value is a URL carrying a password (``scheme://user:password@host``).

Everything else passes: PATH, HOME, LANG/LC_*, PYTHONPATH, TMPDIR, HF_HUB_OFFLINE, proxy settings without
passwords and so on. Then ``PYTHONUNBUFFERED=1`` (lines arrive as printed), ``PYTHONFAULTHANDLER=1`` (a crash
prints the Python stack), ``MPLBACKEND=Agg`` (no display in an attempt; a kernel's inline backend would be
inherited otherwise) and ``MLZERO_ATTEMPT_DIR`` are set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

SECRET_NAME = re.compile(
    r"^AWS_|_KEY$|API_?KEY|ACCESS_KEY|PRIVATE_KEY|TOKEN|SECRET|PASSW(OR)?D|CREDENTIAL|AUTH", re.IGNORECASE
)
PASSWORD_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@", re.IGNORECASE)


def is_secret(name: str, value: str = "") -> bool:
    """Whether an environment variable looks like a credential (see the module's rule)."""
    return bool(SECRET_NAME.search(name) or PASSWORD_URL.match(value))


def scrubbed_environment(parent: Mapping[str, str], attempt_dir: Path,
                         extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """``parent`` without credentials, plus the attempt's own settings; ``extra`` is applied last, unscrubbed."""
    env = {name: value for name, value in parent.items() if not is_secret(name, value)}
    env.update(PYTHONUNBUFFERED="1", PYTHONFAULTHANDLER="1", MPLBACKEND="Agg", MLZERO_ATTEMPT_DIR=str(attempt_dir))
    env.update(extra or {})
    return env
