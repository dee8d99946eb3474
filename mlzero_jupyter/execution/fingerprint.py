"""Fingerprints of the input folder, taken before and after each attempt to prove it was not touched.

Each file is recorded with its size, modification time, status-change time (``ctime``) and a sha256: of its whole
content when smaller than ``hash_below_bytes`` (8 MB), else of a sample (the first and last 64 KB and 64 blocks
of 4 KB spread evenly, with the size).

The guarantee: a small file counts as modified exactly when its bytes changed (a touch that rewrote the same
bytes is not a change). A large file counts as modified when its size, modification time, ``ctime`` or a
sampled block changed. Any write to a file sets its ``ctime`` to the current time, and no unprivileged call can
set it back (``os.utime`` moves it forward too), so a same-size edit with the modification time restored is
still seen; only root changing the clock or the disk under the file system would pass. Under bubblewrap the
input is read-only anyway. Symbolic links are recorded (their target path), never followed.
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
HASH_BELOW_BYTES = 8 * 1024 * 1024
SAMPLE_EDGE = 64 * 1024
SAMPLE_BLOCK = 4096
SAMPLE_BLOCKS = 64


@dataclass(frozen=True)
class FileStamp:
    size: int
    mtime_ns: int
    sha256: str | None = None  # of the whole content (small files)
    ctime_ns: int = 0
    sample: str | None = None  # sha256 of sampled blocks (large files)

    def same_as(self, other: FileStamp) -> bool:
        if self.size != other.size:
            return False
        if self.sha256 is not None and other.sha256 is not None:
            return self.sha256 == other.sha256
        return (self.mtime_ns, self.ctime_ns, self.sample) == (other.mtime_ns, other.ctime_ns, other.sample)


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


def fingerprint(folder: Path, hash_below_bytes: int = HASH_BELOW_BYTES, exclude: Iterable[Path] = ()) -> Fingerprint:
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
        regular = path.is_file() and not path.is_symlink()
        small = regular and stat.st_size < hash_below_bytes
        name = path.name if path == root else path.relative_to(root).as_posix()
        found.files[name] = FileStamp(stat.st_size, stat.st_mtime_ns, _sha256(path) if small else None,
                                      stat.st_ctime_ns, _sampled(path, stat.st_size) if regular and not small
                                      else None)
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


def _sampled(path: Path, size: int) -> str | None:
    """sha256 of the size, the first and last 64 KB and 64 blocks of 4 KB spread evenly."""
    digest = hashlib.sha256(str(size).encode())
    offsets = [size * i // SAMPLE_BLOCKS for i in range(SAMPLE_BLOCKS)]
    try:
        with open(path, "rb") as handle:
            digest.update(handle.read(SAMPLE_EDGE))
            for offset in offsets:
                handle.seek(offset)
                digest.update(handle.read(SAMPLE_BLOCK))
            handle.seek(max(0, size - SAMPLE_EDGE))
            digest.update(handle.read(SAMPLE_EDGE))
    except OSError:
        return None
    return digest.hexdigest()
