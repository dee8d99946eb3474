"""What a ``%%mlzero`` cell does, apart from IPython's magic machinery: the run registry, the data and
description from the user's namespace, and one run wired to the display, the cell channel and the controller."""

from __future__ import annotations

import re
import secrets
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlzero_jupyter.errors import UserInputError

#: The user-namespace name that receives the last run's RunResult.
RESULT_NAME = "mlzero_result"
#: Folder (inside the run output area) that receives DataFrames given by name.
FRAMES_FOLDER = "dataframes"


class RunRegistry:
    """The runs of this kernel (each has ``run_id`` and ``stop()``), so that ``%mlzero stop``, ``%mlzero wait``
    and the frontend's Stop reach the right one.

    ``coder_factory`` is the hook for a custom coder (tests register a ScriptedCoder here before running a cell):
    a callable ``(RunOptions) -> Coder``; None means the coder the options ask for.
    ``settings`` holds ``%mlzero config key=value`` values for this session.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: list[Any] = []
        self._started: list[Any] = []  # every run of this kernel, oldest first
        self.coder_factory: Callable[[Any], Any] | None = None
        self.settings: dict[str, Any] = {}

    def coder_for(self, options: Any) -> Any:
        return self.coder_factory(options) if self.coder_factory is not None else None

    def add(self, agent: Any) -> None:
        with self._lock:
            self._active.append(agent)
            self._started.append(agent)

    def remove(self, agent: Any) -> None:
        with self._lock:
            if agent in self._active:
                self._active.remove(agent)

    def running(self) -> list[Any]:
        with self._lock:
            return list(self._active)

    def find(self, run: str | None = None) -> Any:
        """The latest run of this kernel whose id starts with ``run`` (the latest of all without it)."""
        with self._lock:
            started = list(self._started)
        matches = [r for r in started if run is None or (r.run_id or "").startswith(run)]
        if not matches:
            which = f"named {run!r} " if run else ""
            raise UserInputError(f"no run {which}was started in this kernel; `%mlzero list` shows the runs")
        if run is not None and len({r.run_id for r in matches}) > 1:
            raise UserInputError(f"{len(matches)} runs start with {run!r}; give more of the run id")
        return matches[-1]

    def stop(self, run: str | None = None) -> list[str]:
        """Stop the run whose id starts with ``run`` (every running run without it); the ids stopped."""
        targets = [a for a in self.running() if run is None or (a.run_id or "").startswith(run)]
        if run is not None and len(targets) > 1:
            raise UserInputError(f"{len(targets)} running runs start with {run!r}; give more of the run id")
        for agent in targets:
            agent.stop()
        return [a.run_id for a in targets]

    @property
    def output_dir(self) -> str:
        from mlzero_jupyter.runs import DEFAULT_OUTPUT_DIR

        return self.settings.get("output_dir") or str(DEFAULT_OUTPUT_DIR)


REGISTRY = RunRegistry()

_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill_description(text: str, namespace: dict[str, Any]) -> str | None:
    """The cell body with ``{name}`` replaced by the notebook variable's value (``{{`` and ``}}`` are braces)."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        name = match.group(1)
        if name not in namespace:
            raise UserInputError(f"the description uses {{{name}}}, which is not defined in the notebook; "
                                 f"define it or write {{{{{name}}}}} for literal braces")
        return str(namespace[name])

    filled = _FIELD.sub(replace, text).strip()
    return filled or None


def resolve_data(data: str | None, namespace: dict[str, Any], output_dir: str | None) -> Path:
    """A path to perceive: DATA itself, or a DataFrame of the notebook saved as parquet in the output area."""
    if not data:
        raise UserInputError("give the data: %%mlzero PATH_OR_DATAFRAME, then the task in the cell body")
    if data.isidentifier() and data in namespace:
        value = namespace[data]
        if _is_data_frame(value):
            return save_frame(value, data, output_dir)
        if isinstance(value, (str, Path)):
            data = str(value)
        else:
            raise UserInputError(f"{data} is a {type(value).__name__}; give a path or the name of a pandas DataFrame")
    path = Path(data).expanduser()
    if not path.exists():
        raise UserInputError(f"no file or folder {data!r} and no DataFrame of that name in the notebook; "
                             "give a path or a DataFrame's name")
    return path.resolve()


def _is_data_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")


def save_frame(frame: Any, name: str, output_dir: str | None) -> Path:
    """Save a DataFrame as ``<output>/dataframes/<name>-<stamp>/<name>.parquet`` (never in the user's folder)."""
    from mlzero_jupyter.runs import DEFAULT_OUTPUT_DIR

    if frame.empty:
        raise UserInputError(f"the DataFrame {name} is empty; give one with rows and columns")
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"
    folder = Path(output_dir or DEFAULT_OUTPUT_DIR) / FRAMES_FOLDER / f"{name}-{stamp}"
    folder.mkdir(parents=True)
    table = frame.reset_index() if any(n is not None for n in frame.index.names) else frame
    table = table.set_axis([str(c) for c in table.columns], axis=1)
    path = folder / f"{name}.parquet"
    table.to_parquet(path, index=False)
    return path.resolve()


def session_config(arguments: dict[str, Any] | None = None) -> Any:
    """The MLZero settings: config files < ``MLZERO_*`` variables < ``%mlzero config`` < the cell's options."""
    from mlzero_jupyter.config import load_config

    given = {k: v for k, v in (arguments or {}).items() if v is not None}
    return load_config({**REGISTRY.settings, **given})


def session_options(arguments: dict[str, Any]) -> Any:
    """RunOptions for a run: the session's settings overlaid with the cell's options (``name`` and the task
    overrides are per run)."""
    from mlzero_jupyter.api import make_options
    from mlzero_jupyter.perception.overrides import TASK_FIELDS

    arguments = dict(arguments)
    per_run = {"name": arguments.pop("name", None), **{k: arguments.pop(k) for k in TASK_FIELDS if k in arguments}}
    return make_options(**session_config(arguments).run_options(), **per_run)


def check_settings(settings: dict[str, str]) -> dict[str, Any]:
    """Typed values for ``key=value`` pairs, checked against the MLZero settings (a bad one is a one-line error);
    a key is a setting's name or its flag's spelling (``output`` for ``output_dir``)."""
    from mlzero_jupyter.config import MLZero, setting_from_text
    from mlzero_jupyter.options import SETTINGS

    traits = MLZero.class_traits(config=True)
    aliases = {option.dest: option.name for option in SETTINGS if option.dest != option.name}
    typed: dict[str, Any] = {}
    for key, text in settings.items():
        name = aliases.get(key, key)
        if name not in traits:
            raise UserInputError(f"unknown setting {key!r}; settings are {', '.join(sorted(traits))}")
        typed[name] = setting_from_text(traits[name], text, key)
    session_config(typed)  # every value validated with the others, before any is kept
    return typed


def print_error(error: BaseException) -> None:
    """A user mistake as one line on stderr."""
    print(f"mlzero: error: {error}", file=sys.stderr)
