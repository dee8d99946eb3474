"""Fingerprints of the input folder, taken before and after each attempt to prove it was not touched.

Each file is recorded with its size, modification time and, when smaller than ``hash_below_bytes``, a sha256 of
its content. A small file counts as modified when its size or content changed (a touch that rewrote the same
bytes is not a change); a large file, whose content is not hashed, when its size or modification time changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileStamp:
    size: int
    mtime_ns: int
    sha256: str | None = None  # None for files too large to hash on every attempt

    def same_as(self, other: FileStamp) -> bool:
        if self.size != other.size:
            return False
        if self.sha256 is not None and other.sha256 is not None:
            return self.sha256 == other.sha256
        return self.mtime_ns == other.mtime_ns


@dataclass
class Fingerprint:
    """Every file under ``root`` (paths relative to it, with forward slashes) and its stamp."""

    root: str
    files: dict[str, FileStamp] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fingerprint:
        return cls(data["root"], {path: FileStamp(**stamp) for path, stamp in data["files"].items()})


def fingerprint(folder: Path, hash_below_bytes: int = 1_000_000, exclude: Iterable[Path] = ()) -> Fingerprint:
    """The fingerprint of ``folder`` (or of a single file), skipping the folders in ``exclude`` (a run folder
    that lives inside the input, say). Symbolic links are recorded, not followed."""
    root = Path(folder).resolve()
    skipped = {Path(p).resolve() for p in exclude}
    found = Fingerprint(str(root))
    for path in _files(root, skipped):
        try:
            stat = path.lstat()
        except OSError:  # vanished while walking
            continue
        small = stat.st_size < hash_below_bytes and path.is_file() and not path.is_symlink()
        name = path.name if path == root else path.relative_to(root).as_posix()
        found.files[name] = FileStamp(stat.st_size, stat.st_mtime_ns, _sha256(path) if small else None)
    return found


def changes(before: Fingerprint, after: Fingerprint) -> list[str]:
    """What changed, one line per file: ``added x``, ``removed x``, ``modified x``; sorted, empty when nothing."""
    old, new = before.files, after.files
    found = [f"added {p}" for p in sorted(new.keys() - old.keys())]
    found += [f"removed {p}" for p in sorted(old.keys() - new.keys())]
    found += [f"modified {p}" for p in sorted(old.keys() & new.keys()) if not old[p].same_as(new[p])]
    return found


def _files(root: Path, skipped: set[Path]) -> list[Path]:
    if not root.is_dir():
        return [root] if root.exists() else []
    paths = []
    for directory, folders, names in os.walk(root):
        here = Path(directory)
        folders[:] = sorted(d for d in folders if here / d not in skipped)
        paths += [here / name for name in sorted(names)]
    return paths


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(HASH_CHUNK), b""):
                digest.update(chunk)
    except OSError:  # unreadable: size and time still count
        return None
    return digest.hexdigest()
