"""Resource limits of an attempt: kernel rlimits set by ``prlimit`` before the code starts, and the default
memory cap (watched by the executor, see its module).

=================  =========================  ============================================================
limit              default                    why
=================  =========================  ============================================================
processes          4096 (RLIMIT_NPROC)         a fork bomb stops there; torch and AutoGluon use a few hundred
file size          64 GiB (RLIMIT_FSIZE)       one runaway file cannot fill the disk
open files         8192 (RLIMIT_NOFILE)        enough for Ray and joblib, not for a descriptor leak to bite
core dumps         0 (RLIMIT_CORE)             a crash leaves no memory image (with data) behind
memory             75% of the machine's RAM    the kernel and the notebook keep room (``--memory-limit``,
                                               ``c.MLZero.memory_limit_mb``)
=================  =========================  ============================================================

A limit is never raised above the kernel's own hard limit. ``prlimit`` runs inside the sandbox, after its user
namespace exists: there ``RLIMIT_NPROC`` counts the attempt's processes only (outside one it counts all of the
user's processes, and root ignores it).
"""

from __future__ import annotations

import ctypes
import functools
import resource
import shutil

import psutil

LIMITS = {"nproc": (resource.RLIMIT_NPROC, 4096), "fsize": (resource.RLIMIT_FSIZE, 64 * 1024**3),
          "nofile": (resource.RLIMIT_NOFILE, 8192), "core": (resource.RLIMIT_CORE, 0)}
MEMORY_SHARE = 0.75
PR_SET_CHILD_SUBREAPER = 36


def default_memory_limit_mb() -> int:
    """The memory cap of an attempt when none is configured: a share of the machine's physical memory."""
    return int(psutil.virtual_memory().total * MEMORY_SHARE / 1024**2)


def values() -> dict[str, int]:
    """Each limit, lowered to the current hard limit where that is lower."""
    found = {}
    for name, (number, wanted) in LIMITS.items():
        hard = resource.getrlimit(number)[1]
        found[name] = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    return found


def command(argv: list[str]) -> list[str]:
    """``argv`` started under the limits (unchanged when util-linux's prlimit is missing)."""
    binary = shutil.which("prlimit")
    if binary is None:
        return argv
    return [binary, *(f"--{name}={value}:{value}" for name, value in values().items()), "--", *argv]


@functools.lru_cache(maxsize=1)
def become_subreaper() -> bool:
    """Make this process adopt the orphans of its descendants (Linux), so a process that double-forked out of
    an attempt's tree is still found among our children and killed; without isolation this is the last net."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
