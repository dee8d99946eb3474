"""A readable summary of a TaskSpec with rich: one table per file, then the task with confidences and warnings."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from mlzero_jupyter.perception.spec import FileInfo, Inferred, TaskSpec

_TASK_FIELDS = ("modality", "problem_type", "target", "id_column", "metric")


def render_summary(spec: TaskSpec) -> Group:
    """The summary as a rich renderable (print it with any rich Console)."""
    parts: list = [Text(f"Input: {spec.data_path}", style="bold")]
    if spec.work_path != spec.data_path:
        parts.append(Text(f"Working folder: {spec.work_path}", style="dim"))
    parts.extend(_file_table(f) for f in spec.files)
    parts.append(_task_table(spec))
    for warning in spec.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    return Group(*parts)


def summary_text(spec: TaskSpec, width: int = 120) -> str:
    """The summary as plain text."""
    console = Console(width=width, color_system=None)
    with console.capture() as capture:
        console.print(render_summary(spec))
    return capture.get()


def _file_title(info: FileInfo) -> str:
    name = f"{info.path}:{info.table}" if info.table else info.path or "."
    rows = ""
    if info.rows is not None:
        rows = f", {'~' if info.rows_estimated else ''}{info.rows:,} rows"
    elif info.file_count is not None:
        rows = f", {info.file_count:,} files"
    details = [info.format, info.encoding, f"delimiter {info.delimiter!r}" if info.delimiter else None]
    markers = f", missing markers {info.missing_markers}" if info.missing_markers else ""
    return f"{name} [{info.role}, {', '.join(d for d in details if d)}{rows}{markers}]"


def _file_table(info: FileInfo) -> Table | Text:
    if not info.columns:
        extra = f" classes: {', '.join(info.classes[:10])}" if info.classes else ""
        note = f" ({info.note})" if info.note else ""
        return Text(_file_title(info) + extra + note)
    table = Table(title=Text(_file_title(info), style="bold"), title_justify="left", show_edge=False, pad_edge=False)
    for header in ("column", "dtype", "kind", "missing", "distinct", "examples"):
        table.add_column(header, overflow="fold")
    for column in info.columns:
        table.add_row(column.name, column.dtype, column.kind, f"{column.missing_fraction:.0%}",
                      str(column.distinct_count), ", ".join(column.examples))
    return table


def _task_table(spec: TaskSpec) -> Table:
    table = Table(title=Text("Inferred task", style="bold"), title_justify="left", show_edge=False, pad_edge=False)
    for header in ("field", "value", "confidence", "alternatives", "reason"):
        table.add_column(header, overflow="fold")
    for name in _TASK_FIELDS:
        field: Inferred = getattr(spec, name)
        confidence = f"{field.confidence:.0%}" + (" AMBIGUOUS" if field.ambiguous else "")
        table.add_row(name, Text(str(field.value)), confidence, ", ".join(map(str, field.alternatives)), field.reason)
    table.add_row("higher is better", str(spec.higher_is_better), "", "", "")
    if spec.wants_probabilities:
        table.add_row("output", "class probabilities", "", "", "the request or the sample submission asks for them")
    series = spec.time_series
    if series is not None:
        season = f", season {series.seasonal_period} steps" if series.seasonal_period else ""
        table.add_row("series", f"item {series.item_id_column}, time {series.timestamp_column}", "", "",
                      f"frequency {series.frequency}, predict {series.prediction_length} steps "
                      f"({series.prediction_length_source}){season}")
    for key in spec.join_keys:
        right = f" = {key.right_column}" if key.right_column else ""
        table.add_row("join", f"{key.left} <-> {key.right}", "", "", f"on {key.column}{right}")
    return table
