"""Multilingual text: real Japanese conversations with Latin words in them (the chatterbot corpus) get character
n-grams, and only a multilingual checkpoint is fine-tuned on them; English text keeps its word n-grams."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from offline_support import context, run_script, spec, table

from mlzero_jupyter.bench.tasks import _conversations, _conversations_by_topic
from mlzero_jupyter.coding.planner import backbones, languages
from mlzero_jupyter.memory.episodic import SUCCESS, AttemptRecord

MIXED = re.compile(r"[A-Za-z]{3,}")


def _mixed_japanese() -> list[str]:
    """Japanese conversations that hold Latin words ("私はPythonで書かれています", "Lt Commander Dataの...")."""
    return [text for texts in _conversations_by_topic("japanese").values() for text in texts if MIXED.search(text)]


def test_mixed_script_text_is_read_as_written_without_spaces():
    mixed = _mixed_japanese()
    assert len(mixed) >= 30
    spaced = [text for text in mixed if " " in text]  # Latin words set off by spaces: the space rule alone misses
    assert spaced and all(languages.written_without_spaces(text) for text in spaced if len(text) >= 20)
    assert languages.needs_multilingual_model("\n".join(mixed))
    assert "CJK" in languages.describe("\n".join(mixed)) and "LATIN" in languages.describe("\n".join(mixed))
    english = "\n".join(text for texts in _conversations_by_topic("english").values() for text in texts[:3])
    assert not languages.written_without_spaces(english) and not languages.needs_multilingual_model(english)


def test_a_table_of_mixed_script_text_gets_character_ngrams(planner, tmp_path):
    rows = [{"conversation": text.replace("\n", " "), "topic": topic}
            for topic, texts in _conversations_by_topic("japanese").items() for text in texts if MIXED.search(text)]
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", range(1, len(frame) + 1))
    frame.to_csv(tmp_path / "train.csv", index=False)
    task = spec(tmp_path, [table(tmp_path, "train.csv", "train")], problem="multiclass", target="topic",
                metric="accuracy", id_column="id", modality="text")
    code = planner.write(context(task, tmp_path / "attempt_1")).code
    assert "def character_pairs(text: str) -> str:" in code


def _language_table(folder: Path, names: list[str]) -> Path:
    rows = [{"text": text.replace("\n", " "), "language": language} for language in names
            for text in _conversations(language)[:60]]
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=0)
    frame.insert(0, "id", range(1, len(frame) + 1))
    folder.mkdir()
    frame.to_csv(folder / "train.csv", index=False)
    return folder


@pytest.mark.fit
def test_after_the_first_model_the_search_tries_character_ngrams_of_spaced_text(planner, tmp_path):
    folder = _language_table(tmp_path / "data", ["english", "spanish", "portuguese", "italian"])
    task = spec(folder, [table(folder, "train.csv", "train")], problem="multiclass", target="language",
                metric="accuracy", id_column="id", modality="text")
    words = planner.write(context(task, tmp_path / "attempt_1"))
    assert words.candidate == "fast" and "def character_pairs" not in words.code
    first = AttemptRecord(1, SUCCESS, score=0.8, candidate="fast", summary=words.summary)
    ctx = context(task, tmp_path / "attempt_2", attempts=[first], improve=True, attempt=2)
    characters = planner.write(ctx)
    assert characters.candidate == "characters" and "def character_pairs(text: str) -> str:" in characters.code
    assert "character n-grams instead of words" in characters.summary
    metrics = run_script(characters.code, ctx.attempt_dir)
    assert metrics["validation_score"] > 0.5  # four languages: chance is a quarter


def test_text_written_without_spaces_has_no_separate_character_candidate(planner, tmp_path):
    folder = _language_table(tmp_path / "data", ["japanese", "chinese"])
    task = spec(folder, [table(folder, "train.csv", "train")], problem="multiclass", target="language",
                metric="accuracy", id_column="id", modality="text")
    first = AttemptRecord(1, SUCCESS, score=0.8, candidate="fast")
    draft = planner.write(context(task, tmp_path / "attempt_2", time_limit=60, attempts=[first], improve=True,
                                  attempt=2))
    assert draft.candidate == "bagged" and "def character_pairs" in draft.code  # characters all along


@pytest.fixture
def checkpoints(tmp_path) -> dict[str, str]:
    """Two checkpoint folders as MultiModalPredictor would find them: an English BERT-sized vocabulary and an
    XLM-R-sized one (their config.json as the models ship it, trimmed to the fields read)."""
    folders = {}
    for name, vocabulary in (("english", 30522), ("xlmr", 250002)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps({"model_type": "bert", "vocab_size": vocabulary}))
        folders[name] = str(folder)
    return folders


def _environment(*paths: str) -> dict:
    return {"modules": {"autogluon.multimodal": {"importable": True}}, "hub_reachable": False,
            "checkpoints": [{"role": "text", "path": p, "source": "$MLZERO_TEXT_CHECKPOINT"} for p in paths]}


def test_only_a_multilingual_checkpoint_is_fine_tuned_on_text_in_other_scripts(checkpoints):
    scripts = languages.describe("\n".join(_mixed_japanese()))
    english_only = backbones.resolve("text", _environment(checkpoints["english"]), time_limit=600, scripts=scripts)
    assert not english_only.pretrained and "English-only" in english_only.reason and "CJK" in english_only.reason
    both = _environment(checkpoints["english"], checkpoints["xlmr"])
    assert backbones.resolve("text", both, time_limit=600, scripts=scripts).checkpoint == checkpoints["xlmr"]
    assert backbones.resolve("text", both, time_limit=600).checkpoint == checkpoints["english"]
    assert Path(checkpoints["xlmr"]).is_dir()
