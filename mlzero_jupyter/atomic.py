"""Atomic writes: a record is either the old version or the new one, never half of each.

A full disk (``ENOSPC``) or an exceeded quota (``EDQUOT``) becomes one :class:`RunFolderError` that says what to
do; the temporary file is removed, so nothing half-written is left behind.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlzero_jupyter.errors import RunFolderError

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS


def disk_full_error(folder: Path | str, error: OSError) -> RunFolderError:
    """The one-line error for a full disk under ``folder``."""
    return RunFolderError(f"no space left for the run folder {folder} ({error.strerror}); free some disk space or "
                          "choose another folder with --output, then resume the run with --resume")


def _replace_atomic(path: Path, fill: Callable[[Any], None]) -> None:
    """Let ``fill`` write a temporary file beside ``path`` (binary handle), then move it over ``path``."""
    path = Path(path)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise disk_full_error(path.parent, error) if is_disk_full(error) else error from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if is_disk_full(error):
            raise disk_full_error(path.parent, error) from None
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    _replace_atomic(path, lambda handle: handle.write(data))


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: Path, data: Any) -> None:
    write_text_atomic(path, json.dumps(data, indent=2, default=str) + "\n")


def copy_file_atomic(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target``: the target is the old file or the whole copy, never a part."""
    def fill(handle: Any) -> None:
        with open(source, "rb") as original:
            shutil.copyfileobj(original, handle)

    _replace_atomic(target, fill)
