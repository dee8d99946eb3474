"""The planner fixture; shared helpers live in offline_support.py, importable by a unique name."""

from offline_support import planner  # noqa: F401
