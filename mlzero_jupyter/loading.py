"""Load a trained AutoGluon predictor from a model folder, whichever kind it is."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

_PREDICTORS = (
    ("autogluon.tabular", "TabularPredictor"),
    ("autogluon.timeseries", "TimeSeriesPredictor"),
    ("autogluon.multimodal", "MultiModalPredictor"),
)


def load_predictor(path: Path) -> Any:
    """Try each AutoGluon predictor class that imports here; the first that loads the folder wins."""
    problems = []
    for module_name, class_name in _PREDICTORS:
        try:
            predictor_class = getattr(importlib.import_module(module_name), class_name)
            return predictor_class.load(str(path))
        except Exception as error:  # each class rejects the others' folders in its own way
            problems.append(f"{class_name}: {type(error).__name__}")
    raise FileNotFoundError(f"no AutoGluon predictor could load {path} ({'; '.join(problems)})")
