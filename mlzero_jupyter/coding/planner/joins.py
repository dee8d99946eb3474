"""Multi-table tasks: auxiliary tables joined to the train and test tables on the detected keys."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.source import read_lines
from mlzero_jupyter.perception.spec import FileInfo, TaskSpec

AGGREGATE_HELPER = '''
def aggregate_by_key(table: pd.DataFrame, key: str, name: str) -> pd.DataFrame:
    """One row per key: the table itself when the key is unique, else numeric summaries and a row count."""
    if table[key].is_unique:
        return table
    groups = table.groupby(key)
    numeric = table.select_dtypes("number").columns.drop(key, errors="ignore")
    summary = groups[list(numeric)].agg(["mean", "min", "max", "sum"])
    summary.columns = [f"{name}_{column}_{statistic}" for column, statistic in summary.columns]
    summary[f"{name}_rows"] = groups.size()
    return summary.reset_index()
'''


def table_variable(label: str) -> str:
    """A Python name for an auxiliary table: ``orders`` for ``data/orders.csv`` or ``shop.xlsx:orders``."""
    path, _, table = label.partition(":")
    name = re.sub(r"\W+", "_", table or PurePosixPath(path).stem).strip("_").lower() or "table"
    return name if name[0].isalpha() else f"table_{name}"


def auxiliary_tables(task: TaskSpec) -> dict[str, str]:
    """Constant name -> path of each auxiliary table that a join key names (in the order of the keys)."""
    tables: dict[str, str] = {}
    for key in task.join_keys:
        tables.setdefault(f"{table_variable(key.right).upper()}_FILE", key.right)
    return tables


def auxiliary_file(task: TaskSpec, label: str) -> FileInfo:
    """The file a join key names: ``orders.csv``, or a sheet or SQLite table as ``shop.xlsx:orders``."""
    return next(f for f in task.files if label in (f.path, f"{f.path}:{f.table}"))


def load_lines(task: TaskSpec, plan: Plan) -> list[str]:
    """Lines that read every auxiliary table."""
    return [read_lines(table_variable(label), constant, auxiliary_file(task, label), plan)
            for constant, label in auxiliary_tables(task).items()]


def join_lines(task: TaskSpec, has_test: bool) -> str:
    """Lines that aggregate each auxiliary table by its key and merge it into train (and test)."""
    lines = ["# Auxiliary tables: one-to-many tables are summarised per key before the (left) join."]
    for key in task.join_keys:
        table = table_variable(key.right)
        source = table
        if key.right_column and key.right_column != key.column:
            source = f"{table}.rename(columns={{{key.right_column!r}: {key.column!r}}})"
        lines.append(f"{table}_by_key = aggregate_by_key({source}, {key.column!r}, {table!r})")
        for frame in ("train", "test") if has_test else ("train",):
            lines.append(f"{frame} = {frame}.merge({table}_by_key, on={key.column!r}, how=\"left\", "
                         f"suffixes=(\"\", \"_{table}\"))")
    return "\n".join(lines)
