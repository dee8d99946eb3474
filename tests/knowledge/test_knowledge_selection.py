"""Tool selection: importable tools first, suited tools preferred, offline facts and checkpoints in the reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from knowledge_helpers import make_task

from mlzero_jupyter.bench.tasks import TaskInfo, build_suite
from mlzero_jupyter.memory.environment import Checkpoint, Environment, ModuleStatus, detect_environment
from mlzero_jupyter.memory.semantic import select_tools
from mlzero_jupyter.perception import perceive

MULTIMODAL_MISSING = "autogluon.multimodal would handle this task but is not installed here"


@pytest.fixture
def here() -> Environment:
    return detect_environment(check_hub=False)


def machine(multimodal: bool, checkpoints: list[Checkpoint] | None = None, hub: bool = False) -> Environment:
    """A hand-built machine: everything but (optionally) autogluon.multimodal imports, no GPU."""
    names = ["autogluon.tabular", "autogluon.timeseries", "autogluon.multimodal", "sklearn", "torch"]
    modules = {name: ModuleStatus(name != "autogluon.multimodal" or multimodal, "1.0") for name in names}
    return Environment("3.11", "Linux", modules, hub_reachable=hub, hub_note="HF_HUB_OFFLINE is set",
                       hub_offline=not hub, checkpoints=checkpoints or [])


@pytest.mark.parametrize("problem_type, modality, expected", [
    ("binary", "tabular", "autogluon.tabular"),
    ("regression", "tabular", "autogluon.tabular"),
    ("forecasting", "time_series", "autogluon.timeseries"),
    ("time_series_classification", "time_series", "autogluon.tabular"),
])
def test_tabular_and_forecasting_tasks(here: Environment, problem_type: str, modality: str, expected: str) -> None:
    choices = select_tools(make_task(problem_type, modality), here)
    first = choices[0]
    assert first.name == expected and first.importable
    assert f"handles {problem_type}" in first.reasons
    assert [c.score for c in choices] == sorted((c.score for c in choices), reverse=True)


@pytest.mark.parametrize("problem_type, modality, expected", [
    ("multiclass", "image", "autogluon.tabular"),
    ("binary", "text", "autogluon.tabular"),
    ("semantic_segmentation", "image", "sklearn"),
])
def test_without_multimodal_an_importable_fallback_says_why(problem_type, modality, expected) -> None:
    choices = select_tools(make_task(problem_type, modality), machine(multimodal=False))
    assert choices[0].name == expected and choices[0].importable
    assert any(r.startswith(MULTIMODAL_MISSING) for r in choices[0].reasons)
    multimodal = next(c for c in choices if c.name == "autogluon.multimodal")
    assert not multimodal.importable and choices[-1] is multimodal
    assert "autogluon.multimodal is not installed here (pip install 'autogluon.multimodal')" in multimodal.reasons


def test_offline_multimodal_uses_a_local_checkpoint() -> None:
    checkpoint = Checkpoint("text", "/models/minilm", "$MLZERO_TEXT_CHECKPOINT")
    choices = select_tools(make_task("binary", "text"), machine(multimodal=True, checkpoints=[checkpoint]))
    assert choices[0].name == "autogluon.multimodal"
    assert choices[0].checkpoint == "/models/minilm"
    assert any("uses the local text checkpoint /models/minilm" in r for r in choices[0].reasons)


def test_offline_multimodal_without_checkpoint_ranks_below_the_fallback() -> None:
    choices = select_tools(make_task("semantic_segmentation", "image"), machine(multimodal=True))
    assert choices[0].name == "sklearn"
    multimodal = next(c for c in choices if c.name == "autogluon.multimodal")
    assert any("set MLZERO_SEGMENTATION_CHECKPOINT" in r for r in multimodal.reasons)


def test_online_multimodal_wins_image_tasks() -> None:
    choices = select_tools(make_task("multiclass", "image"), machine(multimodal=True, hub=True))
    assert choices[0].name == "autogluon.multimodal"
    assert "no GPU here: training is slow on CPU, keep models small" in choices[0].reasons


def test_offline_forecasting_excludes_hub_models(here: Environment) -> None:
    first = select_tools(make_task("forecasting", "time_series"), here)[0]
    assert {"Chronos", "Chronos2", "Toto", "Toto2"} <= set(first.excluded_model_types)
    assert any("HF_HUB_OFFLINE is set: exclude hub models" in r for r in first.reasons)
    assert json.loads(json.dumps(first.to_dict()))["name"] == "autogluon.timeseries"


def test_the_development_suite_gets_importable_tools_with_reasons(tmp_path: Path, here: Environment) -> None:
    # Text goes to MultiModalPredictor where it imports and a local text checkpoint exists (the MiniLM package).
    text_tool = ("autogluon.multimodal" if here.can_import("autogluon.multimodal") and here.checkpoint("text")
                 else "autogluon.tabular")
    expected = {"macro_forecast": "autogluon.timeseries", "digits_images": "autogluon.tabular",
                "chatter_languages": text_tool, "diabetes_sqlite": "autogluon.tabular"}
    for folder in build_suite(tmp_path):
        info = TaskInfo.load(folder)
        task = perceive(folder / "input", info.description, work_dir=tmp_path / "work" / folder.name)
        first = select_tools(task, here)[0]
        assert first.importable and first.reasons, folder.name
        assert f"handles {task.problem_type.value}" in first.reasons, folder.name
        assert first.name == expected.get(folder.name, first.name), folder.name
