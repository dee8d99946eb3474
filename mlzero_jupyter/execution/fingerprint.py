"""Fingerprints of the input folder, taken before and after each attempt to prove it was not touched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: path -> (size, mtime in ns, sha256 or "" for files too large to hash cheaply)
Fingerprint = dict[str, tuple[int, int, str]]


def fingerprint(root: Path, hash_below_bytes: int = 1_000_000) -> Fingerprint:
    """Size, modification time and, for small files, a content hash of every file under ``root``."""
    root = Path(root)
    paths = [root] if root.is_file() else [Path(d) / f for d, _, files in os.walk(root) for f in files]
    prints: Fingerprint = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.st_size < hash_below_bytes else ""
        prints[str(path.relative_to(root) if path != root else path.name)] = (stat.st_size, stat.st_mtime_ns, digest)
    return prints


def changes(before: Fingerprint, after: Fingerprint) -> list[str]:
    """Human-readable differences: added, removed and modified files."""
    found = [f"added {p}" for p in sorted(after.keys() - before.keys())]
    found += [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    found += [f"modified {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return found
