"""Keys that join auxiliary tables to the main table: same column name (up to case and separators), values shared."""

from __future__ import annotations

from mlzero_jupyter.perception.profile import name_words
from mlzero_jupyter.perception.samples import TableSample
from mlzero_jupyter.perception.spec import JoinKey

#: Fraction of the auxiliary table's sampled key values that must also appear in the main table's sample.
MIN_OVERLAP = 0.3
_KEY_KINDS = {"id", "categorical", "numeric", "boolean"}


def find_join_keys(main: TableSample, auxiliary: list[TableSample]) -> list[JoinKey]:
    keys = []
    spelled = {"_".join(name_words(c.name)): c for c in main.info.columns if c.kind in _KEY_KINDS}
    for table in auxiliary:
        best: tuple[float, JoinKey] | None = None
        for column in table.info.columns:
            left = spelled.get("_".join(name_words(column.name)))
            if left is None or column.kind not in _KEY_KINDS:
                continue
            overlap = _overlap(main, left.name, table, column.name)
            if overlap >= MIN_OVERLAP and (best is None or overlap > best[0]):
                right_column = column.name if column.name != left.name else None
                best = (overlap, JoinKey(_label(main), _label(table), left.name, right_column))
        if best is not None:
            keys.append(best[1])
    return keys


def _label(table: TableSample) -> str:
    return f"{table.info.path}:{table.info.table}" if table.info.table else table.info.path


def _overlap(main: TableSample, left: str, other: TableSample, right: str) -> float:
    ours = set(main.frame[left].dropna().astype(str))
    theirs = set(other.frame[right].dropna().astype(str))
    if not theirs or len(theirs) < 2:
        return 0.0
    return len(ours & theirs) / min(len(theirs), len(ours) or 1)
