"""Secrets out of text: what prompts, saved records and attempt outputs must never contain.

Two kinds of secret are masked with ``***``:

- values of environment variables whose name or value looks like a credential (the rule of
  ``execution.environment.is_secret``: ``*_API_KEY``, ``*TOKEN*``, ``AWS_*``, ``*_PWD``, URLs with a
  password...), also in base64 (any alignment). Values shorter than :data:`MIN_SECRET_CHARS` are left alone:
  ``AWS_PROFILE=default`` is no secret, and masking short strings would mangle ordinary words. The environment
  is read at every call, so a key set after import is still masked;
- the common shapes of a secret wherever they appear (:data:`SHAPES`): PEM private keys, JWTs, the password of a
  connection URL, Azure ``AccountKey=``/``SharedAccessKey=``/``Password=`` fields, Slack webhook URLs, Sentry
  DSN keys, and the prefixed keys of OpenAI, Anthropic, GitHub, GitLab, Slack, AWS access key ids, Hugging Face
  and Google.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlzero_jupyter.execution.environment import is_secret

MASK = "***"
MIN_SECRET_CHARS = 8
#: Base64 of a secret is masked from this many characters of encoded text on.
MIN_ENCODED_CHARS = 12
SHAPES = [
    re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.DOTALL),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),  # JWT
    re.compile(r"(?<=://)[^/@\s:]*:[^/@\s]+(?=@)"),  # user:password@ of a URL
    re.compile(r"(?<=://)[0-9a-f]{24,}(?=@)"),  # Sentry DSN key
    re.compile(r"(?i)(?<=AccountKey=)[^;\s\"']+|(?<=SharedAccessKey=)[^;\s\"']+|(?<=SharedAccessSignature=)"
               r"[^;\s\"']+|(?<=Password=)[^;\s\"']+|(?<=Pwd=)[^;\s\"']+"),
    re.compile(r"https://hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9/_-]+"),
    re.compile(r"\b(sk-(ant-|proj-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|"
               r"glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|(AKIA|ASIA)[0-9A-Z]{16}|hf_[A-Za-z0-9]{30,}|"
               r"AIza[0-9A-Za-z_-]{35})\b"),
]
#: Text files of an attempt folder larger than this are not rewritten (the capture caps stdout at 20 MiB).
REDACT_FILE_BYTES = 64 * 1024 * 1024
BINARY_PROBE_BYTES = 8192


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The secret-looking variables' values and their base64 forms, longest first (a value containing another
    is masked whole)."""
    environ = os.environ if environ is None else environ
    found = {value for name, value in environ.items() if len(value) >= MIN_SECRET_CHARS and is_secret(name, value)}
    found |= {encoded for value in list(found) for encoded in _base64_forms(value)}
    return sorted(found, key=len, reverse=True)


def _base64_forms(value: str) -> set[str]:
    """The part of ``value``'s base64 that does not depend on the bytes around it, for each of the 3 offsets."""
    raw = value.encode()
    forms = set()
    for skip in range(3):
        whole = (len(raw) - skip) // 3 * 3
        encoded = base64.b64encode(raw[skip:skip + whole]).decode()
        if len(encoded) >= MIN_ENCODED_CHARS:
            forms.add(encoded)
    return forms


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """``text`` with every secret value and secret shape replaced by ``***``."""
    return _masked_text(text, secret_values(environ))


def redact_data(data: Any, environ: Mapping[str, str] | None = None) -> Any:
    """A copy of JSON-like ``data`` (dicts, lists, strings, numbers) with secrets masked in every string."""
    return _masked(data, secret_values(environ))


def redact_folder(folder: Path, environ: Mapping[str, str] | None = None) -> list[Path]:
    """Mask secrets in the text files under ``folder`` (not following symbolic links), in place and atomically;
    the files changed. Binary files (a NUL byte in the first 8 KB) and files over 64 MiB are left as they are."""
    from mlzero_jupyter.atomic import write_bytes_atomic

    values = secret_values(environ)
    changed = []
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory, name)
            text = _text_of(path)
            if text is None:
                continue
            masked = _masked_text(text, values)
            if masked != text:
                write_bytes_atomic(path, masked.encode("utf-8", "surrogateescape"))
                changed.append(path)
    return changed


def _text_of(path: Path) -> str | None:
    """The file's text, or None for links, binary files (a NUL byte in the first 8 KB) and files over 64 MiB."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > REDACT_FILE_BYTES:
            return None
        with open(path, "rb") as handle:
            head = handle.read(BINARY_PROBE_BYTES)
            if b"\0" in head:
                return None
            data = head + handle.read()
    except OSError:
        return None
    return data.decode("utf-8", "surrogateescape")


def _masked_text(text: str, values: list[str]) -> str:
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    for shape in SHAPES:
        text = shape.sub(MASK, text)
    return text


def _masked(data: Any, values: list[str]) -> Any:
    if isinstance(data, str):
        return _masked_text(data, values)
    if isinstance(data, Mapping):
        return {_masked(key, values): _masked(item, values) for key, item in data.items()}
    if isinstance(data, (list, tuple)):
        return [_masked(item, values) for item in data]
    return data
