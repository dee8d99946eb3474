"""Resolve what the user pointed at into a folder to inspect; archives are unpacked into a working folder."""

from __future__ import annotations

import gzip
import os
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from mlzero_jupyter.errors import DataError
from mlzero_jupyter.perception.files import read_head

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
    archives = [e for e in entries if e.is_file() and is_archive(e)]
    if not archives:
        return ResolvedInput(data_path, data_path)
    work = _work_folder(work_dir)
    for entry in entries:  # the folder's own files, linked (never copied or modified)
        os.symlink(entry, work / entry.name, target_is_directory=entry.is_dir())
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


def unpack(archive: Path, into: Path) -> None:
    """Unpack a zip, a tar (optionally compressed) or a single compressed file into ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    try:
        if zipfile.is_zipfile(archive):
            _unzip(archive, into)
        elif _is_tar(archive):
            with tarfile.open(archive, "r:*") as tar:
                tar.extractall(into, filter="data")
        else:
            _decompress_single(archive, into)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, zlib.error, ValueError) as error:
        raise DataError(f"{archive.name} is a damaged archive ({error}); download or create it again") from error


def _is_tar(archive: Path) -> bool:
    try:
        with tarfile.open(archive, "r:*") as tar:
            return tar.next() is not None
    except (tarfile.ReadError, zlib.error, EOFError):
        return False


def _unzip(archive: Path, into: Path) -> None:
    root = into.resolve()
    with zipfile.ZipFile(archive) as handle:
        bad = handle.testzip()
        if bad is not None:
            raise zipfile.BadZipFile(f"member {bad} is corrupt")
        for member in handle.namelist():
            if not (root / member).resolve().is_relative_to(root):
                raise zipfile.BadZipFile(f"member {member} points outside the archive")
        handle.extractall(into)


def _decompress_single(archive: Path, into: Path) -> None:
    import bz2
    import lzma

    openers = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    suffix = archive.suffix.lower()
    opener = openers.get(suffix, gzip.open)
    target = into / (archive.stem if suffix in openers else archive.name + ".out")
    with opener(archive, "rb") as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink)
