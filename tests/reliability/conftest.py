"""Fixtures of the reliability tests: no model hub, no ambient MLZERO_* settings. The scenarios they run are
benchmarks/reliability_*.py, shared with benchmarks/reliability.py."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in [n for n in os.environ if n.startswith("MLZERO_")]:
        monkeypatch.delenv(name, raising=False)
