"""perceive(): resolve the input, take its inventory, then infer roles, task, metric, joins and warnings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mlzero_jupyter.errors import ConfigError, DataError
from mlzero_jupyter.perception.archives import resolve_input
from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.document_paths import check_listed, document_columns
from mlzero_jupyter.perception.files import IMAGE_EXTENSIONS
from mlzero_jupyter.perception.inventory import Inventory, take_inventory
from mlzero_jupyter.perception.joins import find_join_keys
from mlzero_jupyter.perception.metric import (
    fitting_metrics,
    higher_is_better,
    infer_metric,
    is_classification,
    probabilities_wanted,
    submission_holds_probabilities,
)
from mlzero_jupyter.perception.multilabel import apply_label_sets, asks_for_label_sets, find_label_sets
from mlzero_jupyter.perception.overrides import TASK_FIELDS, one_of, set_by_user, task_overrides
from mlzero_jupyter.perception.retrieval import apply_retrieval, find_retrieval
from mlzero_jupyter.perception.roles import Roles, assign_roles, name_role
from mlzero_jupyter.perception.spec import (
    METRIC_DIRECTIONS,
    ColumnInfo,
    FileInfo,
    FileRole,
    Inferred,
    Modality,
    ProblemType,
    TaskSpec,
    TimeSeriesInfo,
)
from mlzero_jupyter.perception.target import infer_id_column, infer_problem_type, infer_target
from mlzero_jupyter.perception.timeseries import (
    decide_forecasting,
    find_long_format,
    infer_frequency,
    prediction_length,
    read_series_words,
    time_series_classification,
)
from mlzero_jupyter.perception.warnings import data_warnings

_ROLE_ORDER = [FileRole.TRAIN, FileRole.TEST, FileRole.SAMPLE_SUBMISSION, FileRole.VALIDATION, FileRole.IMAGE_FOLDER,
               FileRole.MASK_FOLDER, FileRole.TEXT_CORPUS, FileRole.AUXILIARY, FileRole.DESCRIPTION, FileRole.ARCHIVE,
               FileRole.IGNORED]
_FEATURE_SKIP = {"id", "constant"}


def perceive(path: Path | str, description: str | None = None, *, work_dir: Path | str | None = None,
             overrides: Mapping[str, str | None] | None = None) -> TaskSpec:
    """Inspect a folder, file or archive and say what the task is; the user's files are only read.

    ``overrides`` (``target``, ``metric``, ``problem_type``; None entries skipped) replace what perception would
    infer for those fields, with confidence 1.0.
    """
    wanted = task_overrides(overrides or {})
    resolved = resolve_input(path, work_dir)
    inventory = take_inventory(resolved)
    spec = TaskSpec(data_path=str(resolved.data_path), work_path=str(resolved.work_path), description=description)
    words, readme = Description(description), Description(inventory.readme)
    labelled_folders = [f for f in inventory.folders if f.classes or f.format == "mask_folder"]
    roles = assign_roles(inventory.tables, allow_any_name=not labelled_folders)
    layout = find_retrieval(inventory.tables)
    if layout is not None:
        apply_retrieval(spec, inventory.tables, layout, words, readme)
    elif roles.train is not None:
        _table_task(spec, roles, words, readme, wanted)
    else:
        _folder_task(spec, inventory, words, wanted)
    submission = _submission_values(roles, spec.id_column.value)
    spec.metric = infer_metric(spec.problem_type.value, words, readme, submission)
    if "metric" in wanted:
        fitting = fitting_metrics(spec.problem_type.value) or METRIC_DIRECTIONS
        spec.metric = set_by_user(spec.metric, one_of("metric", wanted["metric"], fitting,
                                                      f"a metric for a {spec.problem_type.value} task"))
    spec.higher_is_better = higher_is_better(spec.metric.value)
    spec.wants_probabilities = is_classification(spec.problem_type.value) and (
        probabilities_wanted(words, readme) or submission_holds_probabilities(submission))
    _mark_test_folders(inventory.folders)
    spec.files = _ordered([t.info for t in inventory.tables] + inventory.folders + inventory.others)
    spec.warnings.extend(inventory.notes)
    spec.warnings.extend(_ambiguity_warnings(spec))
    return spec


def _submission_values(roles: Roles, id_column: str | None):
    """The sample submission's prediction columns (without the id and other test columns)."""
    if roles.submission is None:
        return None
    keys = set(roles.test.info.column_names) if roles.test is not None else set()
    return roles.submission.frame.drop(columns=[c for c in roles.submission.frame if c in keys | {id_column}])


def _forecasting(series: TimeSeriesInfo | None, roles: Roles, words: Description, forced: str | None
                 ) -> Inferred | None:
    """Whether the table is a forecast: as the user said, else as the data and the words suggest."""
    found = decide_forecasting(series, roles, words) if series else None
    if forced is None:
        return found
    if forced != ProblemType.FORECASTING:
        return None
    if series is None:
        raise ConfigError(f"problem type forecasting needs a date or time column, and {roles.train.info.path} has "
                          "none that is unique per series; choose another problem type")
    return set_by_user(found or Inferred(alternatives=[ProblemType.REGRESSION]), forced)


def _table_task(spec: TaskSpec, roles: Roles, words: Description, readme: Description, wanted: dict[str, str]
                ) -> None:
    train = roles.train
    series = find_long_format(train)
    forecasting = _forecasting(series, roles, words, wanted.get("problem_type"))
    spec.id_column = infer_id_column(roles)
    keys = {series.item_id_column, series.timestamp_column} if forecasting else set()
    spec.target = infer_target(roles, words, spec.id_column.value, exclude=keys, numeric_only=bool(forecasting),
                               readme=readme)
    if "target" in wanted:
        chosen = one_of("target", wanted["target"], train.info.column_names, f"a column of {train.info.path}")
        spec.target = set_by_user(spec.target, chosen)
    asked = asks_for_label_sets(words, readme)
    found = None if "target" in wanted else find_label_sets(roles, spec.target.value, asked)
    if found is not None and wanted.get("problem_type", ProblemType.MULTILABEL) == ProblemType.MULTILABEL:
        apply_label_sets(spec, found, train.info.columns, asked)
        spec.join_keys = find_join_keys(train, roles.auxiliary)
        return
    target = spec.target.value
    column = train.info.column(target)
    if forecasting:
        spec.problem_type = forecasting
        series.frequency = infer_frequency(train.frame, series)
        spec.warnings.extend(read_series_words(series, words, readme))
        series.prediction_length, series.prediction_length_source = prediction_length(series, roles.test, words,
                                                                                      readme)
        if roles.test is not None:
            series.known_covariates = [c for c in roles.test.info.column_names if c not in keys]
        spec.time_series = series
    else:
        tabular = infer_problem_type(train.frame[target], column, words)
        sequence = time_series_classification(train, target, words) if tabular.value != ProblemType.REGRESSION else None
        if sequence is not None:
            sequence.alternatives = [tabular.value]
        spec.problem_type = sequence or tabular
        if "problem_type" in wanted:
            spec.problem_type = set_by_user(spec.problem_type, wanted["problem_type"])
    spec.modality = _table_modality(train.info.columns, spec, keys)
    if "problem_type" not in wanted:
        spec.problem_type = _amount_per_image(spec, column, words)
    documents = document_columns(train.info.columns, {target, *keys})
    spec.warnings.extend(check_listed(Path(spec.work_path), [train, roles.test], documents))
    classification = spec.problem_type.value not in (ProblemType.REGRESSION, ProblemType.FORECASTING)
    spec.join_keys = find_join_keys(train, roles.auxiliary)
    spec.warnings.extend(data_warnings(roles, target, spec.id_column.value, classification))


def _amount_per_image(spec: TaskSpec, column: ColumnInfo | None, words: Description) -> Inferred:
    """A number per image that the request asks for as an amount ('how many', 'estimate') is a regression, even
    when it takes a few whole values (a count), unless the request also asks for a class."""
    found = spec.problem_type
    if (spec.modality.value == Modality.IMAGE and found.value == ProblemType.MULTICLASS
            and column is not None and column.kind == "numeric" and words.asks_amount and not words.asks_class):
        return Inferred(ProblemType.REGRESSION, 0.8, [ProblemType.MULTICLASS],
                        f"{found.reason}: a number per image, asked for as an amount")
    return found


def _table_modality(columns: list[ColumnInfo], spec: TaskSpec, keys: set[str | None]) -> Inferred:
    if spec.problem_type.value in (ProblemType.FORECASTING, ProblemType.TIME_SERIES_CLASSIFICATION):
        return Inferred(Modality.TIME_SERIES, spec.problem_type.confidence, [Modality.TABULAR],
                        spec.problem_type.reason)
    skip = {spec.target.value, spec.id_column.value, *keys}
    features = [c for c in columns if c.name not in skip and c.kind not in _FEATURE_SKIP]
    # An id that names image files ('00042.png') or documents is both: the row's id and the file to read.
    images = [c.name for c in columns if c.name not in {spec.target.value, *keys} and c.kind == "path"
              and any(e.lower().endswith(tuple(IMAGE_EXTENSIONS)) for e in c.examples)]
    texts = [c.name for c in features if c.kind == "text"] + document_columns(columns, {spec.target.value, *keys})
    rich = images or texts
    if not rich:
        return Inferred(Modality.TABULAR, 0.9, [], "numeric and categorical features")
    kind = Modality.IMAGE if images else Modality.TEXT
    others = [c for c in features if c.name not in rich]
    if others:
        return Inferred(Modality.MULTIMODAL, 0.8, [kind, Modality.TABULAR],
                        f"{', '.join(rich)} plus {len(others)} other features")
    return Inferred(kind, 0.85, [Modality.MULTIMODAL], f"features: {', '.join(rich)}")


def _folder_task(spec: TaskSpec, inventory: Inventory, words: Description, wanted: dict[str, str]) -> None:
    """Image or text folders: class sub-folders give a classification, image+mask pairs a segmentation."""
    masks = [f for f in inventory.folders if f.format == "mask_folder"]
    classed = [f for f in inventory.folders if f.classes and name_role(f) != FileRole.TEST]
    if masks:
        spec.modality = Inferred(Modality.IMAGE, 0.95, [], "image folders with paired masks")
        spec.problem_type = Inferred(ProblemType.SEMANTIC_SEGMENTATION, 0.9, [], "masks paired with images")
        spec.target = Inferred(masks[0].path, 0.9, [m.path for m in masks[1:]], "the mask folder")
    elif classed:
        main = max(classed, key=lambda f: f.file_count or 0)
        kind = Modality.IMAGE if main.format == "image_folder" else Modality.TEXT
        spec.modality = Inferred(kind, 0.95, [], f"{main.file_count} files in {len(main.classes)} class folders")
        binary = len(main.classes) == 2
        spec.problem_type = Inferred(ProblemType.BINARY if binary else ProblemType.MULTICLASS, 0.9, [],
                                     f"{len(main.classes)} class sub-folders in {main.path or '.'}")
        spec.target = Inferred("label", 0.9, [], f"the class sub-folder names of {main.path or '.'}")
    else:
        kinds = sorted({f.format for f in inventory.folders})
        raise DataError(f"found {', '.join(kinds)} but no labels; put each class in its own sub-folder or add a "
                        "CSV of file names and labels")
    _folder_tables(spec, inventory)
    if "target" in wanted:
        choices = [spec.target.value, *spec.target.alternatives, *(c for t in inventory.tables
                                                                   for c in t.info.column_names)]
        spec.target = set_by_user(spec.target, one_of("target", wanted["target"], choices, "a target of these folders"))
    if "problem_type" in wanted:
        spec.problem_type = set_by_user(spec.problem_type, wanted["problem_type"])


def _folder_tables(spec: TaskSpec, inventory: Inventory) -> None:
    """Tables beside image or text folders: a sample submission names the id and the target column."""
    spec.id_column = Inferred(None, 0.8, [], "files are identified by their paths")
    for table in inventory.tables:
        named = name_role(table.info)
        table.info.role = named or FileRole.AUXILIARY
    first = next((t for t in inventory.tables if t.info.role == FileRole.SAMPLE_SUBMISSION), None)
    if first is not None:
        names = first.info.column_names
        spec.id_column = Inferred(names[0], 0.85, [], "first column of the sample submission")
        if len(names) == 2 and spec.problem_type.value != ProblemType.SEMANTIC_SEGMENTATION:
            spec.target = Inferred(names[1], 0.9, [], f"{spec.target.reason}, named by the sample submission")


def _mark_test_folders(folders: list[FileInfo]) -> None:
    for folder in folders:
        if folder.format != "mask_folder" and name_role(folder) == FileRole.TEST and "masks in" not in folder.note:
            folder.role, folder.role_confidence = FileRole.TEST, 0.8


def _ordered(files: list[FileInfo]) -> list[FileInfo]:
    rank = {role: i for i, role in enumerate(_ROLE_ORDER)}
    return sorted(files, key=lambda f: rank.get(f.role, len(rank)))


def _ambiguity_warnings(spec: TaskSpec) -> list[str]:
    found = []
    for name in spec.ambiguous_fields:
        field = getattr(spec, name)
        options = ", ".join(str(a) for a in [field.value, *field.alternatives])
        flag = f"--{name.replace('_', '-')}" if name in TASK_FIELDS else "the description"
        found.append(f"AMBIGUOUS {name.replace('_', ' ')}: {options}; say which in the description or with {flag}")
    return found
