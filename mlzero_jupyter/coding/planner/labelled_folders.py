"""Where the labelled and the unlabelled examples of a folder task are: class sub-folders (images or documents), or
a table with a column of file paths. The image and text families, and the document readers, share it."""

from __future__ import annotations

from dataclasses import dataclass

from mlzero_jupyter.perception.spec import FileInfo, FileRole, TaskSpec


@dataclass
class LabelledSource:
    """Where the labelled and the unlabelled examples are."""

    train: FileInfo  # a folder with one sub-folder per class, or a table with a path column
    path_column: str | None  # the table's column of file paths (None for class folders)
    test: FileInfo | None  # a folder of files, or a table with a path column (the test or the sample submission)


def class_folders(task: TaskSpec, fmt: str) -> LabelledSource | None:
    """A folder of ``fmt`` (image_folder, text_folder) with class sub-folders, and the unlabelled one to predict."""
    folders = [f for f in task.files if f.format == fmt]
    labelled = next((f for f in folders if f.classes), None)
    if labelled is None:
        return None
    unlabelled = [f for f in folders if not f.classes]
    test = next((f for f in unlabelled if f.role == FileRole.TEST), None) or next(iter(unlabelled), None)
    return LabelledSource(labelled, None, test)
