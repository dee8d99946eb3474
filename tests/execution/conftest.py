"""Fixtures for the execution tests: scripts written into an attempt folder and run for real."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def attempt_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "attempt_1"
    folder.mkdir()
    return folder


@pytest.fixture
def write_script(attempt_dir: Path):
    """Write dedented source as solution.py in the attempt folder; returns its path."""

    def write(source: str, name: str = "solution.py") -> Path:
        path = attempt_dir / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path

    return write
