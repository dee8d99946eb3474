"""Read a table that perception described, honouring its format, encoding, delimiter and missing-value markers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from mlzero_jupyter.perception.spec import FileInfo

TEXT_TABLE_FORMATS = {"csv", "tsv", "txt"}


def read_table(path: Path | str, info: FileInfo, nrows: int | None = None) -> pd.DataFrame:
    """Load the table ``info`` describes from ``path`` (its absolute location), optionally only the first rows."""
    path = Path(path)
    markers = info.missing_markers or None
    if info.format in TEXT_TABLE_FORMATS:
        return pd.read_csv(
            path,
            sep=info.delimiter or ",",
            encoding=info.encoding or "utf-8",
            na_values=markers,
            nrows=nrows,
            low_memory=False,
        )
    if info.format == "parquet":
        frame = pd.read_parquet(path)
    elif info.format == "feather":
        frame = pd.read_feather(path)
    elif info.format == "excel":
        frame = pd.read_excel(path, sheet_name=info.table or 0, na_values=markers, nrows=nrows)
    elif info.format in ("json", "jsonl"):
        frame = pd.read_json(path, lines=info.format == "jsonl", encoding=info.encoding or "utf-8")
    elif info.format == "sqlite":
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            limit = f" LIMIT {int(nrows)}" if nrows else ""
            frame = pd.read_sql_query(f'SELECT * FROM "{info.table}"{limit}', connection)
    else:
        raise ValueError(f"{info.path} is a {info.format}, not a table")
    if markers:
        frame = frame.replace(markers, pd.NA)
    return frame.head(nrows) if nrows else frame
