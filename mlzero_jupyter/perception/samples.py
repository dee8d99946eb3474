"""Bounded samples of tables of every format, with row counts that are exact when cheap and estimated otherwise."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mlzero_jupyter.errors import DataError
from mlzero_jupyter.perception.files import TextSniff, csv_rows, sniff_delimiter, sniff_text
from mlzero_jupyter.perception.profile import clean_sample, profile_columns
from mlzero_jupyter.perception.spec import FileInfo

#: Rows read from each table to profile it.
SAMPLE_ROWS = 5000
#: Wider tables are refused with one line (pandas' parser slows down quadratically with the width).
MAX_COLUMNS = 50_000
#: Text files up to this size get an exact line count.
EXACT_COUNT_BYTES = 64 * 1024 * 1024


@dataclass
class TableSample:
    """A table of the input: its description and a typed sample of its first rows."""

    info: FileInfo
    frame: pd.DataFrame


def sample_tables(path: Path, rel: str, fmt: str, head: bytes) -> list[TableSample]:
    """Every table in the file at ``path`` (several for workbooks and databases)."""
    size = path.stat().st_size
    if fmt in ("csv", "tsv", "txt"):
        return [_text_table(path, rel, fmt, size, head)]
    if fmt == "jsonl":
        return [_json_lines(path, rel, size, head)]
    try:
        if fmt == "json":
            return [_finish(FileInfo(rel, format=fmt, size_bytes=size), _read_json(path, size))]
        if fmt == "parquet":
            return [_parquet(path, rel, size)]
        if fmt == "feather":
            frame = pd.read_feather(path)
            return [_finish(FileInfo(rel, format=fmt, size_bytes=size, rows=len(frame)), frame.head(SAMPLE_ROWS))]
        if fmt == "excel":
            return _excel(path, rel, size)
        if fmt == "sqlite":
            return _sqlite(path, rel, size)
    except DataError:
        raise
    except Exception as error:  # every reader has its own exception types for damaged files
        raise DataError(f"cannot read {rel} as {fmt} ({_first_line(error)}); re-export or remove the file") from error
    raise DataError(f"{rel} is an old .xls workbook; save it as .xlsx or .csv")


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:160] if text else type(error).__name__


def _finish(info: FileInfo, raw: pd.DataFrame, markers: list[str] | None = None) -> TableSample:
    if raw.columns.empty:
        raise DataError(f"{info.path} has no columns; check that it is a table")
    if raw.empty:
        raise DataError(f"{info.path} has a header but no rows; add the data rows")
    frame, found = clean_sample(raw)
    info.columns = profile_columns(frame)
    info.missing_markers = sorted(set(found) | set(markers or []))
    if info.rows is None:
        info.rows = len(raw)
    return TableSample(info, frame)


def _text_table(path: Path, rel: str, fmt: str, size: int, head: bytes) -> TableSample:
    sniff = sniff_text(path, head)
    if not sniff.text.strip():
        raise DataError(f"{rel} is empty; put a header line and data rows in it")
    delimiter = sniff_delimiter(sniff.text) or ","
    _check_width(path, rel, delimiter)
    _check_ragged(rel, sniff, delimiter)
    try:
        raw = pd.read_csv(path, sep=delimiter, encoding=sniff.encoding, nrows=SAMPLE_ROWS, dtype=str,
                          keep_default_na=False, na_filter=False, skipinitialspace=True)
    except pd.errors.ParserError as error:
        raise DataError(f"{rel} has ragged rows ({_first_line(error)}); make every row have the header's fields") from error
    except (UnicodeDecodeError, ValueError) as error:
        raise DataError(f"cannot read {rel} as a {sniff.encoding} table ({_first_line(error)}); save it as UTF-8 CSV") from error
    info = FileInfo(rel, format=fmt, size_bytes=size, encoding=sniff.encoding, delimiter=delimiter)
    info.rows, info.rows_estimated = _count_rows(path, sniff, size, len(raw))
    return _finish(info, raw)


def _check_width(path: Path, rel: str, delimiter: str) -> None:
    """Refuse a header with more than MAX_COLUMNS fields (counted on the file's first line, in chunks)."""
    needle, fields = delimiter.encode(), 1
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            line = chunk.split(b"\n", 1)[0]
            fields += line.count(needle)
            if fields > MAX_COLUMNS:
                raise DataError(f"{rel} has more than {MAX_COLUMNS:,} columns; keep the columns that matter (or "
                                "transpose the table) and try again")
            if len(line) < len(chunk):
                return


def _check_ragged(rel: str, sniff: TextSniff, delimiter: str) -> None:
    rows = [row for row in csv_rows(sniff.text, delimiter) if any(cell.strip() for cell in row)]
    width = len(rows[0]) if rows else 0
    checked = rows[1:] if sniff.complete else rows[1:-1]  # the sample may end inside a quoted field
    for number, row in enumerate(checked, start=2):
        if len(row) != width:
            raise DataError(f"{rel} has ragged rows: row {number} has {len(row)} fields but the header has {width}; "
                            "fix the row or quote fields that contain the delimiter")


def _count_rows(path: Path, sniff: TextSniff, size: int, sampled: int) -> tuple[int, bool]:
    if sniff.complete and sampled < SAMPLE_ROWS:
        return sampled, False
    newline = "\n".encode(sniff.encoding.replace("-sig", ""))[-2:] if "16" in sniff.encoding else b"\n"
    if size <= EXACT_COUNT_BYTES:
        with open(path, "rb") as handle:
            lines = sum(chunk.count(newline) for chunk in iter(lambda: handle.read(1 << 20), b""))
        return max(lines - 1, sampled), False
    head_bytes = len(sniff.text.encode(sniff.encoding, "replace"))
    lines_in_head = max(sniff.text.count("\n"), 1)
    return max(int(size / (head_bytes / lines_in_head)) - 1, sampled), True


def _json_lines(path: Path, rel: str, size: int, head: bytes) -> TableSample:
    sniff = sniff_text(path, head)
    try:
        raw = pd.read_json(path, lines=True, nrows=SAMPLE_ROWS, encoding=sniff.encoding, dtype=False)
    except ValueError as error:
        raise DataError(f"{rel} is not valid JSON Lines ({_first_line(error)}); fix or remove it") from error
    info = FileInfo(rel, format="jsonl", size_bytes=size, encoding=sniff.encoding)
    info.rows, info.rows_estimated = _count_rows(path, sniff, size, len(raw))
    return _finish(info, _stringify_nested(raw))


def _read_json(path: Path, size: int) -> pd.DataFrame:
    if size > EXACT_COUNT_BYTES:
        raise DataError(f"{path.name} is a {size >> 20} MB JSON document; convert it to JSON Lines or Parquet")
    import json

    data = json.loads(path.read_bytes())
    if isinstance(data, dict):  # {"data": [...]} or {"column": [...]}
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 and lists[0] and isinstance(lists[0][0], dict) else data
    return _stringify_nested(pd.DataFrame(data)).head(SAMPLE_ROWS)


def _stringify_nested(frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame.columns:
        if frame[name].map(lambda v: isinstance(v, (list, dict))).any():
            frame[name] = frame[name].astype(str)
    return frame


def _parquet(path: Path, rel: str, size: int) -> TableSample:
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    batch = next(handle.iter_batches(batch_size=SAMPLE_ROWS), None)
    frame = batch.to_pandas() if batch is not None else handle.schema_arrow.empty_table().to_pandas()
    return _finish(FileInfo(rel, format="parquet", size_bytes=size, rows=handle.metadata.num_rows), frame)


def _excel(path: Path, rel: str, size: int) -> list[TableSample]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        tables = []
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(max_row=SAMPLE_ROWS + 1, values_only=True))
            rows = [r for r in rows if any(v is not None for v in r)]
            if len(rows) < 2:
                continue  # an empty or notes-only sheet
            header = [str(v) if v is not None else f"column_{i}" for i, v in enumerate(rows[0])]
            info = FileInfo(rel, format="excel", size_bytes=size, table=sheet.title)
            info.rows = max((sheet.max_row or len(rows)) - 1, len(rows) - 1)
            frame = pd.DataFrame(rows[1:], columns=header).astype(object)
            tables.append(_finish(info, frame.where(frame.notna(), None)))
    finally:
        book.close()
    if not tables:
        raise DataError(f"{rel} has no sheet with a header and rows; put the data in the first sheet")
    return tables


def _sqlite(path: Path, rel: str, size: int) -> list[TableSample]:
    tables = []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                                  "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for name in names:
            count = connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            if count == 0:
                continue
            frame = pd.read_sql_query(f'SELECT * FROM "{name}" LIMIT {SAMPLE_ROWS}', connection)
            tables.append(_finish(FileInfo(rel, format="sqlite", size_bytes=size, table=name, rows=count), frame))
    if not tables:
        raise DataError(f"{rel} has no table with rows; check the database")
    return tables
