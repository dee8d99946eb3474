"""The script families' registry: every family module is in it, once, and the last one takes any task."""

from __future__ import annotations

import importlib
import pkgutil

from mlzero_jupyter.coding import planner
from mlzero_jupyter.coding.offline import FAMILIES
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.perception.spec import TaskSpec


def test_every_family_module_is_registered_once_and_the_last_family_takes_any_task():
    declared = {}
    for module in pkgutil.iter_modules(planner.__path__):
        family = getattr(importlib.import_module(f"{planner.__name__}.{module.name}"), "FAMILY", None)
        if isinstance(family, Family):
            declared[family.name] = family
    assert declared == FAMILIES, "a family module's FAMILY missing from coding/offline.py's FAMILIES"
    last = list(FAMILIES.values())[-1]
    assert last.serves(TaskSpec(data_path="data", work_path="work"))
    for family in FAMILIES.values():
        names = [candidate.name for candidate in family.candidates]
        assert names and len(names) == len(set(names)), f"{family.name}: {names}"
