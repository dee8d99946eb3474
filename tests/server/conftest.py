"""An in-process Jupyter Server with the mlzero_jupyter extension, from pytest-jupyter's fixtures."""

from __future__ import annotations

import pytest

pytest.importorskip("jupyter_server", reason="jupyter-server is not installed")
pytest.importorskip("pytest_jupyter", reason="pytest-jupyter is not installed")

from pytest_jupyter.jupyter_server import *  # noqa: E402,F403  (fixtures and the tornado test hooks)
from traitlets.config import Config  # noqa: E402


@pytest.fixture
def jp_server_config() -> Config:
    return Config({"ServerApp": {"jpserver_extensions": {"mlzero_jupyter": True}}})
