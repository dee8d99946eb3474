"""One-click overrides in the notebook: perception's uncertain target, problem type or metric, with a button per
alternative that runs the task again with that choice (the same as ``--target``, ``--problem-type``, ``--metric``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from mlzero_jupyter.perception.overrides import TASK_FIELDS
from mlzero_jupyter.perception.spec import Inferred

#: Buttons shown per uncertain field.
MAX_CHOICES = 5


def uncertain_fields(task: dict[str, Any]) -> dict[str, Inferred]:
    """The overridable fields of a perceived task (``TaskSpec.to_dict()``) that perception is unsure of."""
    found = {}
    for name in TASK_FIELDS:
        field = Inferred(**(task.get(name) or {}))
        if field.ambiguous:
            found[name] = field
    return found


def flag(name: str, value: str) -> str:
    """The flag that makes the same choice: ``--problem-type regression``."""
    return f"--{name.replace('_', '-')} {value}"


def choice_widget(task: dict[str, Any], on_choose: Callable[[str, str], None]) -> Any | None:
    """A line per uncertain field with a button per alternative; a click calls ``on_choose(field, value)`` once
    (then every button is disabled and the line says what happens). None when nothing is uncertain."""
    fields = uncertain_fields(task)
    if not fields:
        return None
    import ipywidgets as widgets

    note = widgets.HTML()
    buttons: list[Any] = []

    def chosen(name: str, value: str) -> None:
        for button in buttons:
            button.disabled = True
        note.value = f"Running again with <code>{html.escape(flag(name, value))}</code>..."
        on_choose(name, value)

    rows = []
    for name, field in fields.items():
        label = widgets.HTML(f"<b>{name.replace('_', ' ')}</b> is uncertain: <code>{html.escape(str(field.value))}"
                             f"</code> ({field.confidence:.0%}); run again with")
        row = []
        for value in [str(v) for v in field.alternatives[:MAX_CHOICES]]:
            button = widgets.Button(description=value, tooltip=f"stop this run and start one with {flag(name, value)}")
            button.on_click(lambda _button, name=name, value=value: chosen(name, value))
            row.append(button)
        buttons.extend(row)
        rows.append(widgets.HBox([label, *row]))
    return widgets.VBox([*rows, note])
