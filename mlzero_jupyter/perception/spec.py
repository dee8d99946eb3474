"""The TaskSpec: everything perception learned about a data folder, as plain dataclasses that round-trip JSON."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar


class DomainValue(str, Enum):
    """A named value of the domain: equal to its string, and printed and serialised as that string."""

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class FileRole(DomainValue):
    TRAIN = "train"
    TEST = "test"
    SAMPLE_SUBMISSION = "sample_submission"
    VALIDATION = "validation"
    DESCRIPTION = "description"
    AUXILIARY = "auxiliary"
    IMAGE_FOLDER = "image_folder"
    MASK_FOLDER = "mask_folder"
    TEXT_CORPUS = "text_corpus"
    ARCHIVE = "archive"
    IGNORED = "ignored"


class Modality(DomainValue):
    TABULAR = "tabular"
    TEXT = "text"
    IMAGE = "image"
    TIME_SERIES = "time_series"
    MULTIMODAL = "multimodal"


class ProblemType(DomainValue):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"
    FORECASTING = "forecasting"
    TIME_SERIES_CLASSIFICATION = "time_series_classification"
    SEMANTIC_SEGMENTATION = "semantic_segmentation"
    MULTILABEL = "multilabel"
    RETRIEVAL = "retrieval"


#: Canonical metric names (AutoGluon's spelling where it has one) and whether higher is better.
METRIC_DIRECTIONS: dict[str, bool] = {
    "accuracy": True,
    "balanced_accuracy": True,
    "f1": True,
    "f1_macro": True,
    "roc_auc": True,
    "log_loss": False,
    "rmse": False,
    "rmsle": False,
    "mae": False,
    "r2": True,
    "mape": False,
    "mase": False,
    "wql": False,
    "mean_iou": True,
    "f1_macro_multilabel": True,  # F1 of each label over the rows, averaged over the labels
    "ndcg": True,  # nDCG@10
    "mrr": True,  # mean reciprocal rank of the first relevant item in the top 10
}


#: Below this confidence an inferred field with alternatives is ambiguous: shown to the user with its override.
AMBIGUITY_THRESHOLD = 0.6


V = TypeVar("V")


@dataclass
class Inferred(Generic[V]):
    """One inferred field: its value, how sure we are (0..1), what else was considered, and why."""

    value: V | None = None
    confidence: float = 0.0
    alternatives: list[V] = field(default_factory=list)
    reason: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.value is not None and self.confidence < AMBIGUITY_THRESHOLD and bool(self.alternatives)

    def typed(self, kind: type[DomainValue]) -> Inferred:
        """The same field with its value and alternatives as members of ``kind`` (from their strings)."""
        value = None if self.value is None else kind(self.value)
        return Inferred(value, self.confidence, [kind(a) for a in self.alternatives], self.reason)


class EnumFields:
    """A dataclass whose fields named in ``ENUMS`` hold members of their enum whoever sets them (perception, the
    user, the LLM, a task.json read back): an ``Inferred`` field's value and alternatives, or the field itself."""

    ENUMS: ClassVar[dict[str, type[DomainValue]]] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        kind = self.ENUMS.get(name)
        if kind is not None:
            value = value.typed(kind) if isinstance(value, Inferred) else kind(value)
        object.__setattr__(self, name, value)


@dataclass
class ColumnInfo:
    name: str
    dtype: str
    kind: str = "categorical"  # numeric, categorical, boolean, text, datetime, id, path, constant
    missing_fraction: float = 0.0
    distinct_count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class FileInfo(EnumFields):
    """A file or folder of the input, with its role and, for tables, its columns."""

    ENUMS = {"role": FileRole}

    path: str  # relative to TaskSpec.work_path, with forward slashes
    role: FileRole = FileRole.AUXILIARY
    format: str = "other"  # csv, parquet, feather, excel, json, jsonl, sqlite, image_folder, mask_folder, text_folder, ...
    size_bytes: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    table: str | None = None  # sheet of a workbook or table of a SQLite file
    rows: int | None = None
    rows_estimated: bool = False
    columns: list[ColumnInfo] = field(default_factory=list)
    missing_markers: list[str] = field(default_factory=list)
    file_count: int | None = None  # for folders
    classes: list[str] = field(default_factory=list)  # class sub-folders of an image or text folder
    role_confidence: float = 1.0
    note: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnInfo | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class TimeSeriesInfo:
    item_id_column: str | None = None
    timestamp_column: str | None = None
    frequency: str | None = None
    prediction_length: int | None = None
    prediction_length_source: str = "default"  # test file, description, default
    seasonal_period: int | None = None  # steps per season when the description names one ("a daily cycle")
    known_covariates: list[str] = field(default_factory=list)


@dataclass
class RetrievalInfo:
    """Queries, a corpus and relevance judgements (paths as in ``FileInfo.path``): rank the corpus for the queries
    without judgements."""

    queries_file: str
    query_id_column: str
    query_text_column: str
    corpus_file: str
    doc_id_column: str
    doc_text_column: str
    judgements_file: str
    judged_query_column: str
    judged_doc_column: str
    relevance_column: str | None = None


@dataclass
class LabelSetInfo:
    """A multi-label target: one column of delimited labels (``delimiter`` set) or one 0/1 column per label."""

    columns: list[str]  # the delimited column, or the 0/1 columns (named by their labels)
    labels: list[str]  # every label seen in training
    delimiter: str | None = None


@dataclass
class JoinKey:
    left: str  # path of the main (train) table
    right: str  # path of the auxiliary table
    column: str
    right_column: str | None = None  # when the key is spelled differently on the right


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return [_plain(v) for v in value] if isinstance(value, list) else value


@dataclass
class TaskSpec(EnumFields):
    """What the agent was given and what it must do."""

    ENUMS = {"modality": Modality, "problem_type": ProblemType}

    data_path: str  # what the user pointed at (absolute)
    work_path: str  # folder the file paths are relative to (an unpacked archive lives outside the user's folder)
    description: str | None = None
    files: list[FileInfo] = field(default_factory=list)
    modality: Inferred[Modality] = field(default_factory=Inferred)
    problem_type: Inferred[ProblemType] = field(default_factory=Inferred)
    target: Inferred[Any] = field(default_factory=Inferred)  # a column name, a list of label columns, a mask folder
    id_column: Inferred[str] = field(default_factory=Inferred)
    metric: Inferred[str] = field(default_factory=Inferred)  # a key of METRIC_DIRECTIONS
    higher_is_better: bool = True
    wants_probabilities: bool = False  # the request or the sample submission asks for class probabilities
    time_series: TimeSeriesInfo | None = None
    retrieval: RetrievalInfo | None = None
    label_sets: LabelSetInfo | None = None  # multi-label tasks
    join_keys: list[JoinKey] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # -- convenient views ---------------------------------------------------------------------------------------
    def files_with_role(self, role: FileRole | str) -> list[FileInfo]:
        return [f for f in self.files if f.role == role]

    def _first(self, role: FileRole) -> FileInfo | None:
        found = self.files_with_role(role)
        return found[0] if found else None

    @property
    def train_file(self) -> FileInfo | None:
        return self._first(FileRole.TRAIN)

    @property
    def test_file(self) -> FileInfo | None:
        return self._first(FileRole.TEST)

    @property
    def sample_submission_file(self) -> FileInfo | None:
        return self._first(FileRole.SAMPLE_SUBMISSION)

    def segmentation_folders(self) -> tuple[FileInfo, FileInfo, FileInfo | None]:
        """(images with masks, masks, unlabelled test images or None) of a segmentation task."""
        folders = [f for f in self.files if f.format == "mask_folder"]
        masks = next((f for f in folders if f.path == self.target.value), None) or next(iter(folders), None)
        if masks is None:
            raise ValueError("the task has no mask folder")
        images = [f for f in self.files if f.format == "image_folder"]
        paired = next((f for f in images if f"masks in {masks.path}" in f.note), None) or next(
            (f for f in images if f.role != FileRole.TEST), None)
        if paired is None:
            raise ValueError(f"no image folder goes with the masks in {masks.path}")
        test = next((f for f in images if f.role == FileRole.TEST and f is not paired), None)
        return paired, masks, test

    @property
    def ambiguous_fields(self) -> list[str]:
        names = ("modality", "problem_type", "target", "id_column", "metric")
        return [n for n in names if getattr(self, n).ambiguous]

    def absolute(self, file: FileInfo | str) -> Path:
        """The absolute path of one of the spec's files."""
        rel = file.path if isinstance(file, FileInfo) else file
        return Path(self.work_path) / rel

    # -- JSON ---------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only: enum members become their strings."""
        return dataclasses.asdict(self, dict_factory=lambda pairs: {key: _plain(value) for key, value in pairs})

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskSpec:
        data = dict(data)
        for name in ("modality", "problem_type", "target", "id_column", "metric"):
            data[name] = Inferred(**data.get(name) or {})
        data["files"] = [
            FileInfo(**{**f, "columns": [ColumnInfo(**c) for c in f.get("columns", [])]}) for f in data.get("files", [])
        ]
        if data.get("time_series") is not None:
            data["time_series"] = TimeSeriesInfo(**data["time_series"])
        if data.get("retrieval") is not None:
            data["retrieval"] = RetrievalInfo(**data["retrieval"])
        data["join_keys"] = [JoinKey(**k) for k in data.get("join_keys", [])]
        if data.get("label_sets") is not None:
            data["label_sets"] = LabelSetInfo(**data["label_sets"])
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> TaskSpec:
        return cls.from_dict(json.loads(text))
