"""Templates of the offline planner's scripts: ``<name>.py.tmpl`` files with ``${placeholders}``.

A template is plain Python with ``string.Template`` placeholders; every decision (which template, which values)
is taken by the planner, so the templates hold no logic and read like the scripts they produce.
"""

from __future__ import annotations

from importlib import resources
from string import Template


def render(name: str, **values: str) -> str:
    """The template ``name`` with every placeholder filled; a missing value raises KeyError."""
    text = resources.files(__package__).joinpath(f"{name}.py.tmpl").read_text(encoding="utf-8")
    return Template(text).substitute(values)
