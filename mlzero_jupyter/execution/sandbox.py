"""OS-level isolation of an attempt: which kind this machine offers, and the command line that applies it.

Kinds, strongest first, chosen once per process (``MLZERO_ISOLATION=bubblewrap|namespaces|none`` forces one):

- ``bubblewrap`` (``bwrap`` installed and able to create namespaces): a new mount, PID, IPC, UTS, cgroup and
  user namespace, and a new network namespace with only a loopback (unless the network is allowed). The file
  system inside is built from scratch: the system folders (``/usr``, ``/etc`` with its password and key files
  masked), the Python installation and the folders the caller names are read-only; the attempt folder is the
  only writable place besides a private ``/tmp``, ``/dev/shm`` and ``$HOME`` (memory file systems). ``/proc``
  shows only the attempt's own processes, so no other process's environment is readable. The sandbox dies with
  the process that started it, and every process in it (double forks and ``setsid`` included) dies with its
  first process.
- ``namespaces`` (``unshare`` with unprivileged user namespaces): new PID, mount (own ``/proc``) and network
  namespaces; the file system is not restricted (the policy and the fingerprints guard the input).
- ``none``: today's layers only (policy, environment allowlist, fingerprints, process-tree kill); said once.

When the caller does not name the readable folders (``readable=None``), the bubblewrap file system is the
whole machine read-only (the data may be anywhere), minus the usual credential files of the home folder and the
rest of the run folder; the private temporary folder and home are then under ``/dev/shm``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("mlzero_jupyter")

KINDS = ("bubblewrap", "namespaces", "none")
#: Files of /etc a program never needs and that hold secrets (hashes, host keys); masked when present.
ETC_SECRETS = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers", "/etc/ssh",
               "/etc/ssl/private", "/etc/security/opasswd")
#: Model caches of the home folder an attempt may read (the variable that points a library at each).
MODEL_CACHES = {"HF_HUB_CACHE": ".cache/huggingface/hub", "TORCH_HOME": ".cache/torch"}
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys", "/opt/conda")
#: Credential files and folders of the home folder, hidden in the whole-machine view.
HOME_SECRETS = (".ssh", ".aws", ".azure", ".config/gcloud", ".kube", ".docker", ".gnupg", ".netrc",
                ".git-credentials", ".pypirc", ".local/share/jupyter/runtime", ".bash_history", ".python_history",
                ".config/mlzero", ".jupyter")
#: Size of each private memory file system (/tmp, /dev/shm), so an attempt cannot fill the machine's memory
#: through them unseen; AutoGluon's models go to the attempt folder, not /tmp.
TMPFS_BYTES = 8 * 1024**3


@dataclass(frozen=True)
class Isolation:
    kind: str  # bubblewrap, namespaces or none
    why: str = ""  # for none: why nothing stronger is available

    def label(self) -> str:
        """``bubblewrap``, ``namespaces`` or ``none: <why>`` (the attempt record's ``isolation``)."""
        return f"none: {self.why}" if self.kind == "none" else self.kind


def isolation(requested: str | None = None) -> Isolation:
    """The isolation to use: ``requested`` (or ``MLZERO_ISOLATION``) when given, else the strongest that works."""
    wanted = (requested or os.environ.get("MLZERO_ISOLATION") or "auto").strip().lower()
    if wanted not in (*KINDS, "auto"):
        wanted = "auto"
    if wanted == "none":
        return Isolation("none", "turned off (MLZERO_ISOLATION=none)" if requested is None else "turned off")
    return _detected(wanted)


@functools.lru_cache(maxsize=None)
def _detected(wanted: str) -> Isolation:
    bwrap_why = _probe([*_bwrap_probe()]) if wanted in ("auto", "bubblewrap") else "not requested"
    if bwrap_why is None:
        return Isolation("bubblewrap")
    unshare_why = _probe(_unshare_probe()) if wanted in ("auto", "namespaces", "bubblewrap") else "not requested"
    if unshare_why is None:
        return Isolation("namespaces")
    why = f"bubblewrap {bwrap_why}; unshare {unshare_why}"
    log.warning("Attempts run without OS isolation (%s); install bubblewrap for a sandbox.", why)
    return Isolation("none", why)


def _bwrap_probe() -> list[str]:
    binary = shutil.which("bwrap")
    return [binary, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "true"] \
        if binary else []


def _unshare_probe() -> list[str]:
    binary = shutil.which("unshare")
    return [binary, "--user", "--map-root-user", "--pid", "--fork", "--mount-proc", "--net", "true"] \
        if binary else []


def _probe(command: list[str]) -> str | None:
    """None when ``command`` works; else why not, in a few words."""
    if not command:
        return "is not installed"
    try:
        done = subprocess.run(command, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"cannot start ({error})"
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        return f"cannot create namespaces ({reason[-1] if reason else f'exit code {done.returncode}'})"
    return None


def python_folders() -> list[Path]:
    """What the attempt's ``sys.executable`` needs to start and import: its installation and the folders of its
    own ``sys.path`` (asked once of a fresh interpreter: this process's path may hold a script's folder)."""
    found = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             *_fresh_path(sys.executable, os.environ.get("PYTHONPATH", ""))]
    return [Path(p) for p in dict.fromkeys(os.path.realpath(p) for p in found if p) if os.path.isdir(p)]


@functools.lru_cache(maxsize=8)
def _fresh_path(executable: str, pythonpath: str) -> tuple[str, ...]:
    probe = "import json, sys; print(json.dumps(sys.path[1:]))"
    env = {"PATH": os.environ.get("PATH", ""), **({"PYTHONPATH": pythonpath} if pythonpath else {})}
    try:
        done = subprocess.run([executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd="/",
                              env=env, stdin=subprocess.DEVNULL)
        return tuple(json.loads(done.stdout))
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return (*site.getsitepackages(), site.getusersitepackages())


def command(isolation: Isolation, argv: list[str], *, cwd: Path, readable: Sequence[Path] | None,
            network: bool, extra_readable: Sequence[Path] = ()) -> list[str]:
    """``argv`` wrapped in the isolation's launcher (``argv`` itself for none)."""
    if isolation.kind == "bubblewrap":
        return _bwrap(argv, cwd, readable, network, extra_readable)
    if isolation.kind == "namespaces":
        return [shutil.which("unshare") or "unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child",
                "--mount-proc", *([] if network else ["--net"]), "--", *argv]
    return argv


def _bwrap(argv: list[str], cwd: Path, readable: Sequence[Path] | None, network: bool,
           extra_readable: Sequence[Path]) -> list[str]:
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", *(["--share-net"] if network else []),
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "localhost"]
    if readable is None:  # the caller did not say: the whole machine, read-only
        args += ["--ro-bind", "/", "/"]
        visible = [Path("/")]
    else:
        for folder in SYSTEM_FOLDERS:
            if os.path.islink(folder):
                args += ["--symlink", os.readlink(folder), folder]
            elif os.path.isdir(folder):
                args += ["--ro-bind", folder, folder]
        visible = [Path(p) for p in SYSTEM_FOLDERS]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMPFS_BYTES), "--tmpfs", "/dev/shm"]
    if readable is not None:
        args += ["--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"]
    for secret in ETC_SECRETS:
        if os.path.isdir(secret):
            args += ["--tmpfs", secret]
        elif os.path.exists(secret):
            args += ["--ro-bind", "/dev/null", secret]
    mounts: list[tuple[Path, list[str]]] = []
    if readable is None:
        home = Path.home().resolve()
        for name in HOME_SECRETS:
            secret = home / name
            if secret.is_dir():
                mounts.append((secret, ["--tmpfs", str(secret)]))
            elif secret.exists():
                mounts.append((secret, ["--ro-bind", "/dev/null", str(secret)]))
    folders = [*python_folders(), *(Path(p).resolve() for p in [*(readable or ()), *extra_readable])]
    for folder in dict.fromkeys(folders):
        if folder.exists():
            mounts.append((folder, ["--ro-bind", str(folder), str(folder)]))
            visible.append(folder)
    hidden = cwd.parent if readable is None else _run_folder_cover(cwd, visible)
    if hidden is not None:
        mounts.append((hidden, ["--tmpfs", str(hidden)]))
    mounts.append((cwd, ["--bind", str(cwd), str(cwd)]))
    for _, mount in sorted(mounts, key=lambda item: len(item[0].parts)):  # parents first, children over them
        args += mount
    tmp = _private_tmp(readable)
    args += ["--dir", tmp, "--dir", f"{tmp}/home", "--chdir", str(cwd), "--"]
    return args + argv


def _private_tmp(readable: Sequence[Path] | None) -> str:
    return "/tmp" if readable is not None else "/dev/shm/tmp"


def _run_folder_cover(cwd: Path, visible: list[Path]) -> Path | None:
    """The folder to hide so that nothing of the run folder but the attempt folder shows: the topmost ancestor of
    ``cwd`` below the deepest visible folder that contains it (the run folder's parent when it is visible)."""
    holders = [v for v in visible if cwd.is_relative_to(v) and v != cwd]
    if not holders:
        return None
    deepest = max(holders, key=lambda v: len(v.parts))
    below = cwd.relative_to(deepest).parts
    return deepest / below[0] if len(below) > 1 else None


def environment(isolation: Isolation, readable: Sequence[Path] | None,
                env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Variables the sandbox sets: the private home and temporary folder, and the model caches of the real home
    (read-only: offline fits load their checkpoints from there) unless ``env`` already names them."""
    if isolation.kind != "bubblewrap":
        return {}
    tmp = _private_tmp(readable)
    found = {"HOME": f"{tmp}/home", "TMPDIR": tmp, "JOBLIB_TEMP_FOLDER": tmp, "RAY_TMPDIR": tmp,
             "XDG_CACHE_HOME": f"{tmp}/home/.cache", "MPLCONFIGDIR": f"{tmp}/home/.config/matplotlib"}
    for name, folder in MODEL_CACHES.items():
        cache = Path.home() / folder
        if not (env or {}).get(name) and not (name == "HF_HUB_CACHE" and (env or {}).get("HF_HOME")) \
                and cache.is_dir():
            found[name] = str(cache)
    return found


def exit_signal(isolation: Isolation, returncode: int | None) -> int | None:
    """The returncode as Popen reports it; the launchers report a child killed by signal N as 128 + N."""
    if isolation.kind != "none" and returncode is not None and 128 < returncode < 128 + 32:
        return -(returncode - 128)
    return returncode
