"""Perception: turn a folder, file or archive into a TaskSpec. Never imports Jupyter."""

from mlzero_jupyter.perception.pipeline import perceive
from mlzero_jupyter.perception.spec import ColumnInfo, FileInfo, FileRole, Inferred, Modality, ProblemType, TaskSpec

__all__ = ["ColumnInfo", "FileInfo", "FileRole", "Inferred", "Modality", "ProblemType", "TaskSpec", "perceive"]
