"""Tables that list document files: a column of relative paths to PDF, DOCX, HTML, Markdown or text files is the
documents' text (the text family reads each file), as documents in class folders are.

A listed path is relative to the table's folder, else to the data folder (the generated script looks in the same
places). Files that are not there are counted in a warning and skipped by the script; when none is there, perception
stops with one line.
"""

from __future__ import annotations

from pathlib import Path

from mlzero_jupyter.errors import DataError
from mlzero_jupyter.perception.folders import TEXT_EXTENSIONS
from mlzero_jupyter.perception.samples import TableSample
from mlzero_jupyter.perception.spec import ColumnInfo


def names_documents(column: ColumnInfo) -> bool:
    """A path column whose examples name document files (by their extension)."""
    return column.kind == "path" and any(Path(str(e)).suffix.lower() in TEXT_EXTENSIONS for e in column.examples)


def document_columns(columns: list[ColumnInfo], skip: set[str | None] = frozenset()) -> list[str]:
    """The columns (not in ``skip``) that list document files."""
    return [c.name for c in columns if c.name not in skip and names_documents(c)]


def resolve(root: Path, table: str, name: str) -> Path | None:
    """Where a listed document is: beside the table, else under the data folder; None when it is in neither (or
    would be outside the data folder)."""
    base = root.resolve()
    for folder in (root / Path(table).parent, root):
        path = (folder / name).resolve()
        if path.is_relative_to(base) and path.is_file():
            return path
    return None


def check_listed(root: Path, tables: list[TableSample | None], columns: list[str]) -> list[str]:
    """Warnings for listed documents that are not there (in the rows perception sampled); one line, as a
    DataError, when none of a table's listed documents is there."""
    notes = []
    for table in (t for t in tables if t is not None):
        for column in (c for c in columns if c in table.frame):
            names = [str(v) for v in table.frame[column].dropna()]
            missing = [n for n in names if resolve(root, table.info.path, n) is None]
            if names and len(missing) == len(names):
                raise DataError(f"none of the {len(names)} documents listed in {table.info.path} column {column!r} "
                                f"exists (e.g. {missing[0]}); list paths relative to {table.info.path}'s folder")
            if missing:
                notes.append(f"documents listed in {table.info.path} column {column!r}: {len(missing)} of "
                             f"{len(names)} not found (e.g. {missing[0]}); those rows are skipped")
    return notes
