"""Resolve what the user pointed at into a folder to inspect; archives are unpacked into a working folder.

Unpacking is capped (a zip bomb or a mistaken dump must not fill the disk): at most ``MLZERO_ARCHIVE_MAX_BYTES``
bytes (default 20 GB) and ``MLZERO_ARCHIVE_MAX_FILES`` files (default 100,000) per archive, and a compression
ratio of at most ``MLZERO_ARCHIVE_MAX_RATIO`` (default 200) once past 100 MB. Sizes are counted while writing, not
taken from the archive's own claims.
"""

from __future__ import annotations

import gzip
import os
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlzero_jupyter.errors import DataError
from mlzero_jupyter.perception.files import read_head
from mlzero_jupyter.perception.folders import LINKED_MARKER

DEFAULT_LIMITS = {"MLZERO_ARCHIVE_MAX_BYTES": 20 * 10**9, "MLZERO_ARCHIVE_MAX_FILES": 100_000,
                  "MLZERO_ARCHIVE_MAX_RATIO": 200}
RATIO_FROM_BYTES = 100 * 10**6
CHUNK = 1024 * 1024
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip", ".gz", ".bz2", ".xz")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")


@dataclass
class ResolvedInput:
    data_path: Path  # what the user gave, absolute
    work_path: Path  # the folder that file paths are relative to
    only: Path | None = None  # a single file to perceive instead of the whole folder


def is_archive(path: Path) -> bool:
    """A zip, tar or compressed file by content (an .xlsx is a zip too, so it is excluded by name)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return False
    head = read_head(path, 512)
    return head.startswith(_ARCHIVE_MAGIC) or (len(head) > 262 and head[257:262] == b"ustar")


def resolve_input(path: Path | str, work_dir: Path | str | None) -> ResolvedInput:
    """Check that ``path`` exists and decide the folder to inspect, unpacking archives outside the user's folder."""
    data_path = Path(path).expanduser().resolve()
    if not data_path.exists():
        raise DataError(f"no such file or folder: {path}; check the path")
    if data_path.is_file():
        if is_archive(data_path):
            work = _work_folder(work_dir)
            unpack(data_path, work)
            return ResolvedInput(data_path, work)
        return ResolvedInput(data_path, data_path.parent, only=data_path)
    entries = _visible(data_path)
    if not entries:
        raise DataError(f"{data_path} is empty; put the data files in it")
    inside = os.path.realpath(data_path) + os.sep
    entries = [e for e in entries if os.path.realpath(e).startswith(inside)]  # no link out of the folder
    archives = [e for e in entries if e.is_file() and is_archive(e)]
    if not archives:
        return ResolvedInput(data_path, data_path)
    work = _work_folder(work_dir)
    for entry in entries:  # the folder's own files, linked (never copied or modified)
        os.symlink(entry, work / entry.name, target_is_directory=entry.is_dir())
    (work / LINKED_MARKER).touch()
    for archive in archives:
        unpack(archive, work / _unpacked_name(archive, work))
    return ResolvedInput(data_path, work)


def _visible(folder: Path) -> list[Path]:
    return sorted(Path(e.path) for e in os.scandir(folder) if not e.name.startswith((".", "__MACOSX")))


def _work_folder(work_dir: Path | str | None) -> Path:
    if work_dir is None:
        return Path(tempfile.mkdtemp(prefix="mlzero-input-"))
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    return work


def _unpacked_name(archive: Path, work: Path) -> str:
    name = archive.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name if not (work / name).exists() else f"{name}_unpacked"


class _Budget:
    """Bytes and files unpacked from one archive so far; a one-line DataError past a cap."""

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self.size = max(archive.stat().st_size, 1)
        self.max_bytes, self.max_files, self.max_ratio = (_limit(name) for name in DEFAULT_LIMITS)
        self.bytes = 0
        self.files = 0

    def add(self, count: int = 0, files: int = 0) -> None:
        self.bytes += count
        self.files += files
        what = None
        if self.bytes > self.max_bytes:
            what = f"more than {self.max_bytes / 1e9:g} GB (MLZERO_ARCHIVE_MAX_BYTES)"
        elif self.files > self.max_files:
            what = f"more than {self.max_files} files (MLZERO_ARCHIVE_MAX_FILES)"
        elif self.bytes > RATIO_FROM_BYTES and self.bytes / self.size > self.max_ratio:
            what = f"over {self.max_ratio} times its own size (MLZERO_ARCHIVE_MAX_RATIO), like a zip bomb"
        if what:
            raise DataError(f"{self.archive.name} unpacks to {what}; unpack it yourself and point at the folder, "
                            "or raise the limit")

    def copy(self, source: Any, target: Path) -> None:
        with open(target, "wb") as sink:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                self.add(len(chunk))
                sink.write(chunk)


def _limit(name: str) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return DEFAULT_LIMITS[name]
    try:
        return int(float(text))
    except ValueError:
        raise DataError(f"{name} must be a number; got {text!r}") from None


def unpack(archive: Path, into: Path) -> None:
    """Unpack a zip, a tar (optionally compressed) or a single compressed file into ``into``, within the caps."""
    into.mkdir(parents=True, exist_ok=True)
    budget = _Budget(archive)
    try:
        if zipfile.is_zipfile(archive):
            _unzip(archive, into, budget)
        elif _is_tar(archive):
            _untar(archive, into, budget)
        else:
            _decompress_single(archive, into, budget)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, zlib.error, ValueError) as error:
        raise DataError(f"{archive.name} is a damaged archive ({error}); download or create it again") from error


def _is_tar(archive: Path) -> bool:
    try:
        with tarfile.open(archive, "r:*") as tar:
            return tar.next() is not None
    except (tarfile.ReadError, zlib.error, EOFError):
        return False


def _unzip(archive: Path, into: Path, budget: _Budget) -> None:
    """Member by member, counting what is written (a member's CRC is checked as it is read)."""
    root = into.resolve()
    with zipfile.ZipFile(archive) as handle:
        members = handle.infolist()
        for member in members:
            if not (root / member.filename).resolve().is_relative_to(root):
                raise zipfile.BadZipFile(f"member {member.filename} points outside the archive")
        budget.add(files=len(members))
        for member in members:
            target = root / member.filename
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with handle.open(member) as source:
                budget.copy(source, target)


def _untar(archive: Path, into: Path, budget: _Budget) -> None:
    """A tar's member sizes are what is read from it, so they are counted before anything is written."""
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            budget.add(member.size if member.isfile() else 0, files=1)
        tar.extractall(into, filter="data")


def _decompress_single(archive: Path, into: Path, budget: _Budget) -> None:
    import bz2
    import lzma

    openers = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    suffix = archive.suffix.lower()
    opener = openers.get(suffix, gzip.open)
    target = into / (archive.stem if suffix in openers else archive.name + ".out")
    with opener(archive, "rb") as source:
        budget.copy(source, target)
