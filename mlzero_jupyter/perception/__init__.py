"""Perception: turn a folder, file or archive into a TaskSpec. Never imports Jupyter.

Names are imported on first use, so that the light modules (spec, overrides) load without pandas.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"perceive": "pipeline", **{name: "spec" for name in ("ColumnInfo", "FileInfo", "FileRole", "Inferred",
                                                                 "Modality", "ProblemType", "TaskSpec")}}

__all__ = ["ColumnInfo", "FileInfo", "FileRole", "Inferred", "Modality", "ProblemType", "TaskSpec", "perceive"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
