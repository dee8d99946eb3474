"""The environment an attempt runs with: a small allowlist of the kernel's variables, never a filtered copy.

Passed through, when set: the search path and locale (``PATH``, ``LANG``, ``LANGUAGE``, ``LC_*``, ``TZ``), the
Python installation (``PYTHONPATH``, ``PYTHONHASHSEED``, ``VIRTUAL_ENV``, ``CONDA_PREFIX``, ``LD_LIBRARY_PATH``),
thread counts (``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``NUMEXPR_*``, ...), GPU choice
(``CUDA_VISIBLE_DEVICES``), model caches and offline switches (``HF_HOME``, ``HF_HUB_OFFLINE``,
``TRANSFORMERS_OFFLINE``, ``TORCH_HOME``, ``MLZERO_*_CHECKPOINT``), certificate bundles, and the names the caller
adds (``extra_names``). Everything else is dropped (``MYSQL_PWD``, ``GH_PAT``, ``CI_JOB_JWT``, connection
strings...); an allowed name whose value still looks like a credential (a proxy URL with a password) is dropped
too. Then ``PYTHONUNBUFFERED=1`` (lines arrive as printed), ``PYTHONFAULTHANDLER=1`` (a crash prints the Python
stack), ``MPLBACKEND=Agg`` (no display) and ``MLZERO_ATTEMPT_DIR`` are set.

:func:`is_secret` is the naming rule used to flag and redact credential variables elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

SECRET_NAME = re.compile(
    r"^AWS_|_KEY$|API_?KEY|ACCESS_KEY|PRIVATE_KEY|TOKEN|SECRET|PASSW(OR)?D|_PWD$|_PAT$|JWT|CREDENTIAL|AUTH|"
    r"CONNECTION_?STRING|DSN$|WEBHOOK", re.IGNORECASE
)
PASSWORD_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@", re.IGNORECASE)
ALLOWED = {
    "PATH", "LANG", "LANGUAGE", "TZ", "TERM", "PYTHONPATH", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONNOUSERSITE",
    "PYTHONWARNINGS", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "LD_LIBRARY_PATH",
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS",
    "NUMBA_NUM_THREADS", "TORCH_NUM_THREADS", "KMP_DUPLICATE_LIB_OK", "KMP_AFFINITY", "CUDA_VISIBLE_DEVICES",
    "NVIDIA_VISIBLE_DEVICES", "HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE",
    "TRANSFORMERS_OFFLINE", "TRANSFORMERS_CACHE", "TORCH_HOME", "HF_HUB_DISABLE_TELEMETRY",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    "MLZERO_TEXT_CHECKPOINT", "MLZERO_IMAGE_CHECKPOINT", "MLZERO_SEGMENTATION_CHECKPOINT",
}
ALLOWED_PREFIXES = ("LC_", "NUMEXPR_", "AG_")
#: Variables naming files or folders an attempt may need to read (checkpoints, caches, certificates).
PATH_VARIABLES = ("HF_HOME", "HF_HUB_CACHE", "TRANSFORMERS_CACHE", "TORCH_HOME", "SSL_CERT_FILE", "SSL_CERT_DIR",
                  "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "MLZERO_TEXT_CHECKPOINT", "MLZERO_IMAGE_CHECKPOINT",
                  "MLZERO_SEGMENTATION_CHECKPOINT", "VIRTUAL_ENV", "CONDA_PREFIX")


def is_secret(name: str, value: str = "") -> bool:
    """Whether an environment variable looks like a credential (by its name, or a URL carrying a password)."""
    return bool(SECRET_NAME.search(name) or PASSWORD_URL.match(value))


def allowed(name: str, extra_names: Iterable[str] = ()) -> bool:
    return name in ALLOWED or name.startswith(ALLOWED_PREFIXES) or name in set(extra_names)


def attempt_environment(parent: Mapping[str, str], attempt_dir: Path, extra: Mapping[str, str] | None = None,
                        extra_names: Iterable[str] = ()) -> dict[str, str]:
    """The allowlisted part of ``parent`` without credentials, plus the attempt's own settings; ``extra`` is
    applied last, as given."""
    names = set(extra_names)
    env = {name: value for name, value in parent.items()
           if allowed(name, names) and not is_secret(name, value)}
    env.update(PYTHONUNBUFFERED="1", PYTHONFAULTHANDLER="1", MPLBACKEND="Agg", MLZERO_ATTEMPT_DIR=str(attempt_dir))
    env.update(extra or {})
    return env


def needed_paths(env: Mapping[str, str]) -> list[Path]:
    """Existing files and folders the environment's variables point to (read-only in the sandbox)."""
    found = [Path(env[name]) for name in PATH_VARIABLES if env.get(name)]
    return [p if p.is_dir() else p.parent for p in found if p.exists()]
