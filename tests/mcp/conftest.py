"""Fixtures of this folder; shared helpers live in mcp_support.py, importable by a unique name."""

from mcp_support import iris_data  # noqa: F401
