"""mlzero-jupyter: a zero-code AutoML agent for notebooks, the command line and MCP.

Public names load lazily so that ``import mlzero_jupyter`` (and ``%load_ext mlzero_jupyter``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from mlzero_jupyter._version import __version__

_LAZY = {
    "TaskSpec": "mlzero_jupyter.perception.spec",
    "perceive": "mlzero_jupyter.perception",
    "solve": "mlzero_jupyter.api",
    "Agent": "mlzero_jupyter.agent",
    "RunOptions": "mlzero_jupyter.agent",
    "RunResult": "mlzero_jupyter.result",
}

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mlzero_jupyter' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mlzero_jupyter``: register the ``%%mlzero`` and ``%mlzero`` magics."""
    from mlzero_jupyter.notebook.magics import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext mlzero_jupyter``: stop the running runs and close the frontend channel."""
    from mlzero_jupyter.notebook.magics import unload

    unload(ipython)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Jupyter Server: the MLZero panel's REST endpoints live in ``mlzero_jupyter.server``."""
    return [{"module": "mlzero_jupyter.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """JupyterLab: the prebuilt frontend extension (``jupyter labextension develop`` links it)."""
    return [{"src": "labextension", "dest": "mlzero-jupyter"}]
