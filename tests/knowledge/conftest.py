"""Fixtures of the knowledge tests: an offline hub, no extra knowledge folders, a fresh knowledge cache."""

from __future__ import annotations

import pytest

from mlzero_jupyter.memory.knowledge import clear_knowledge_cache


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("MLZERO_KNOWLEDGE_PATH", raising=False)
    for role in ("TEXT", "IMAGE", "SEGMENTATION"):
        monkeypatch.delenv(f"MLZERO_{role}_CHECKPOINT", raising=False)
    clear_knowledge_cache()
