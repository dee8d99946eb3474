"""Everything the input holds, sorted into tables (with samples), media folders and other files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlzero_jupyter.errors import DataError
from mlzero_jupyter.perception.archives import ResolvedInput
from mlzero_jupyter.perception.documents import DOCUMENT_CHARS, document_kind, read_document
from mlzero_jupyter.perception.files import TABLE_EXTENSIONS, detect_format, read_head
from mlzero_jupyter.perception.folders import walk
from mlzero_jupyter.perception.profile import name_words
from mlzero_jupyter.perception.samples import TableSample, sample_tables
from mlzero_jupyter.perception.spec import FileInfo, FileRole

TABLE_FORMATS = {"csv", "tsv", "txt", "parquet", "feather", "excel", "xls", "json", "jsonl", "sqlite"}
ARCHIVE_FORMATS = {"zip", "tar", "gzip", "bzip2", "xz"}
#: Plain-text files named like these are prose about the task, even when their commas look like a delimiter.
DOCUMENT_NAMES = {"readme", "description", "instructions", "overview", "about", "notes"}


@dataclass
class Inventory:
    tables: list[TableSample] = field(default_factory=list)
    folders: list[FileInfo] = field(default_factory=list)  # image, mask and text folders
    others: list[FileInfo] = field(default_factory=list)  # documents, nested archives, ignored files
    readme: str = ""  # text of the description files (capped), read for the target, metric and format
    notes: list[str] = field(default_factory=list)  # description files that could not be read, and why


def take_inventory(resolved: ResolvedInput) -> Inventory:
    inventory = Inventory()
    if resolved.only is not None:
        paths = [resolved.only]
    else:
        found = walk(resolved.work_path)
        paths, inventory.folders = found.files, found.folders
    for path in paths:
        _add_file(inventory, path, path.relative_to(resolved.work_path).as_posix())
    if not inventory.tables and not inventory.folders:
        where = resolved.data_path.name
        raise DataError(f"no table, image folder or text folder found in {where}; point at the folder with the "
                        "data files (CSV, Parquet, Excel, SQLite, JSON, images or text)")
    return inventory


def _add_file(inventory: Inventory, path: Path, rel: str) -> None:
    head = read_head(path)
    fmt = detect_format(path, head)
    if fmt in ("txt", "csv") and path.suffix.lower() in ("", ".txt") and \
            next(iter(name_words(path.stem)), "") in DOCUMENT_NAMES:
        fmt = "document"
    size = path.stat().st_size
    tabular_name = path.suffix.lower() in TABLE_EXTENSIONS
    if fmt in TABLE_FORMATS:
        inventory.tables.extend(sample_tables(path, rel, fmt, head))
    elif (kind := document_kind(path, fmt)) is not None:
        info = FileInfo(rel, role=FileRole.DESCRIPTION, format="docx" if kind == "docx" else fmt,
                        size_bytes=size)
        inventory.others.append(info)
        room = DOCUMENT_CHARS - len(inventory.readme)
        if room > 0:
            document = read_document(path, kind, head, room)
            inventory.readme += document.text + "\n" if document.text else ""
            info.note = document.note or f"read for the task ({len(document.text):,} characters)"
            inventory.notes += [document.note] if document.note else []
    elif fmt in ARCHIVE_FORMATS and not tabular_name:
        inventory.others.append(FileInfo(rel, role=FileRole.ARCHIVE, format=fmt, size_bytes=size,
                                         note="archive inside the input; unpacked only at the top level"))
    elif tabular_name:
        problem = "is empty" if fmt == "empty" else "is not a readable table (binary content)"
        raise DataError(f"{rel} {problem}; replace it with the real file or remove it")
    else:
        inventory.others.append(FileInfo(rel, role=FileRole.IGNORED, format=fmt, size_bytes=size))
