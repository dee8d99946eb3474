"""The Jupyter Server extension of mlzero-jupyter: REST endpoints for the MLZero panel (see ``handlers``)."""

from __future__ import annotations

from typing import Any


def _load_jupyter_server_extension(server_app: Any) -> None:
    from mlzero_jupyter.server.handlers import setup_handlers

    setup_handlers(server_app.web_app)
    server_app.log.info("mlzero_jupyter: /mlzero/runs endpoints registered")
