"""Fixtures of the reliability tests: no model hub, no ambient MLZERO_* settings, the scenarios importable."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in [n for n in os.environ if n.startswith("MLZERO_")]:
        monkeypatch.delenv(name, raising=False)
