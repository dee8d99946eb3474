"""Scripts for image classification (class folders, or a table of image paths alone or beside other columns) and
image regression (a table of image files and a number for each): MultiModalPredictor on a pretrained backbone when
this machine has one (``backbones.resolve``), otherwise pixel and colour-histogram features fed to
TabularPredictor. Document images are images like any other."""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner import holdout, multimodal
from mlzero_jupyter.coding.planner.candidates import FAST, FEATURES, FEATURES_BAGGED
from mlzero_jupyter.coding.planner.common import higher_is_better, metric_name, time_limit_comment, training_seconds
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.coding.planner.labelled_folders import LabelledSource, class_folders
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.script import Script, assemble
from mlzero_jupyter.coding.planner.source import file_constant, literal, read_lines
from mlzero_jupyter.coding.planner.submission import Layout, layout, predict_lines
from mlzero_jupyter.coding.planner.tabular import TABULAR_PROBLEMS
from mlzero_jupyter.coding.planner.tabular_predictor import AG_METRICS, bagging_settings
from mlzero_jupyter.coding.templates import render
from mlzero_jupyter.perception.files import IMAGE_EXTENSIONS
from mlzero_jupyter.perception.spec import FileInfo, Modality, ProblemType, TaskSpec

#: Seconds kept for imports, reading every image, evaluating and predicting.
MARGIN_SECONDS = 15
#: Below this many labelled images the pixels are an 8x8 grid (fewer features than rows: quicker trees that over-fit
#: less), from it on 16x16.
SMALL_SET_IMAGES = 1000

FEATURES_HELPER = '''
def image_features(path: Path) -> np.ndarray:
    """The image resized to IMAGE_SIZE x IMAGE_SIZE RGB pixels in [0, 1], an 8-bin histogram and the spread of
    each channel, and its sharpness (the mean step between neighbouring grey levels, down and across)."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    pixels = np.asarray(rgb.resize((IMAGE_SIZE, IMAGE_SIZE)), dtype=np.float32).ravel() / 255
    channels = np.asarray(rgb).reshape(-1, 3).T
    histogram = np.concatenate([np.histogram(channel, bins=8, range=(0, 256))[0] for channel in channels])
    grey = np.asarray(rgb.convert("L"), dtype=np.float32) / 255
    sharpness = [np.abs(np.diff(grey, axis=0)).mean(), np.abs(np.diff(grey, axis=1)).mean()]
    return np.concatenate([pixels, histogram / channels.shape[1], channels.std(axis=1) / 255, sharpness])


def feature_table(paths: list[Path]) -> pd.DataFrame:
    names = ([f"pixel_{i}" for i in range(IMAGE_SIZE * IMAGE_SIZE * 3)] + [f"colour_bin_{i}" for i in range(24)]
             + ["colour_spread_r", "colour_spread_g", "colour_spread_b", "sharpness_down", "sharpness_across"])
    return pd.DataFrame([image_features(path) for path in paths], columns=names)
'''

RESOLVE_HELPER = '''
def resolve(relative: str, table_file: Path) -> Path:
    """An image path from a table: relative to the table's folder, else to DATA_DIR, else to an image folder."""
    for folder in (table_file.parent, DATA_DIR, *IMAGE_FOLDERS):
        if (folder / str(relative)).exists():
            return folder / str(relative)
    return table_file.parent / str(relative)
'''


def image_source(task: TaskSpec) -> LabelledSource | None:
    """The task's images, if it has any: class folders, or a table with a column of image paths (alone, or beside
    other features)."""
    folders = class_folders(task, "image_folder")
    if folders is not None:
        return folders
    train = task.train_file
    paths = [c.name for c in train.columns if c.kind == "path" and _images_named(c.examples)] if train else []
    if paths and task.modality.value in (Modality.IMAGE, Modality.MULTIMODAL):
        return LabelledSource(train, paths[0], _images_to_predict(task, paths[0]))
    return None


def _images_to_predict(task: TaskSpec, path_column: str) -> FileInfo | None:
    """The table listing the unlabelled images: the sample submission when it names them and the test table adds
    no feature (its rows are exactly the ones to answer), else the test table."""
    test, sample = task.test_file, task.sample_submission_file
    if sample is not None and path_column in sample.column_names and (
            test is None or set(test.column_names) <= set(sample.column_names)):
        return sample
    return test if test is not None and path_column in test.column_names else None


def _images_named(examples: list[str]) -> bool:
    return not examples or any(str(e).lower().endswith(tuple(IMAGE_EXTENSIONS)) for e in examples)


def build(context: CodingContext, plan: Plan, summary: str) -> str:
    """The whole image-classification script."""
    task = context.task
    source = image_source(task)
    if source is None:
        raise ValueError("the task has no labelled images")
    settings = _settings(context, plan, task, source)
    shape = layout(task.sample_submission_file, settings["LABEL"], settings["ID_COLUMN"], [settings["ID_COLUMN"]],
                   settings["PROBLEM_TYPE"], settings["METRIC"], plan.probabilities)
    settings["PREDICTION_COLUMNS"] = shape.columns
    tool = (f"AutoGluon MultiModalPredictor fine-tuning {plan.backbone.checkpoint} ({plan.backbone.reason})"
            if plan.use_multimodal else "Pillow pixel and colour features, AutoGluon TabularPredictor "
            f"(presets {plan.presets!r})" + (f"; no pretrained backbone: {plan.backbone.reason}"
                                             if plan.backbone and not plan.backbone.pretrained else ""))
    modules = ([multimodal.IMPORT, "from autogluon.core.metrics import get_metric"] if plan.use_multimodal else
               ["from autogluon.tabular import TabularPredictor", "from PIL import Image"])
    comments = {"TIME_LIMIT": time_limit_comment(context, plan, MARGIN_SECONDS),
                "OTHER_FEATURES": "the table's other columns, used beside the image"}
    if plan.use_multimodal:
        comments.update(multimodal.comments(plan.backbone))
    regression = settings["PROBLEM_TYPE"] == ProblemType.REGRESSION
    title = (f"Estimate {settings['LABEL']!r} of each image" if regression else
             f"Classify images by {settings['LABEL']!r}") + f" from {source.train.path}."
    stratified = "" if regression else " (stratified by class)"
    return assemble(context, plan, summary, Script(
        title=title,
        tool=tool,
        validation=holdout.validation_sentence("images", stratified),
        imports=modules,
        settings=settings,
        comments=comments,
        helpers=_helpers(plan, source),
        load=_load(task, source, plan, settings),
        prepare=_prepare(plan, source, settings),
        fit=holdout.train_lines(plan, settings["PROBLEM_TYPE"], "images"),
        evaluate=holdout.evaluate_lines(plan, settings["METRIC"]),
        predict=_predict(task, plan, shape, settings, source),
    ))


def _helpers(plan: Plan, source: LabelledSource) -> str:
    parts = [render("image_files")] + ([RESOLVE_HELPER] if source.path_column else [])
    return "\n".join(parts + ([] if plan.use_multimodal else [FEATURES_HELPER]))


def _settings(context: CodingContext, plan: Plan, task: TaskSpec, source: LabelledSource) -> dict[str, Any]:
    folder = source.path_column is None
    values: dict[str, Any] = {("TRAIN_DIR" if folder else "TRAIN_FILE"): file_constant(source.train)}
    if source.test is not None:
        values["TEST_DIR" if source.test.format == "image_folder" else "TEST_FILE"] = file_constant(source.test)
    if task.sample_submission_file is not None:
        values["SAMPLE_SUBMISSION_FILE"] = file_constant(task.sample_submission_file)
    if not folder:
        values["IMAGE_FOLDERS"] = [file_constant(f) for f in task.files if f.format == "image_folder"]
    classes = len(source.train.classes) if folder else 0
    problem = task.problem_type.value if task.problem_type.value in TABULAR_PROBLEMS else (
        ProblemType.BINARY if classes == 2 else ProblemType.MULTICLASS)
    metric = metric_name(task, "rmse" if problem == ProblemType.REGRESSION else "accuracy")
    values.update(LABEL=task.target.value or "label", ID_COLUMN=_id_column(task, source), PROBLEM_TYPE=problem,
                  METRIC=metric, AG_METRIC=AG_METRICS.get(metric, metric), HIGHER_IS_BETTER=higher_is_better(metric),
                  TIME_LIMIT=training_seconds(context, plan, MARGIN_SECONDS))
    values["OTHER_FEATURES"] = other_features(task, source, values["LABEL"], values["ID_COLUMN"]) or None
    if plan.use_multimodal:
        values.update(multimodal.metric_settings(metric, problem))
        values.update(multimodal.settings(plan.backbone, fusion=bool(values["OTHER_FEATURES"])))
    else:
        values.update(IMAGE_SIZE=_pixel_side(source), PRESETS=plan.presets, HYPERPARAMETERS=plan.hyperparameters,
                      EXCLUDED_MODEL_TYPES=plan.excluded_models or None, **bagging_settings(plan))
    values.update(HOLDOUT_FRACTION=holdout.HOLDOUT_FRACTION, MODEL_DIR="model")
    return values


def _pixel_side(source: LabelledSource) -> int:
    """The side of the pixel grid: 8 for a small set of labelled images, else 16."""
    labelled = source.train.rows if source.path_column else source.train.file_count
    return 8 if (labelled or 0) < SMALL_SET_IMAGES else 16


def _id_column(task: TaskSpec, source: LabelledSource) -> str:
    """The column naming each image in the predictions: the sample submission's id column, else 'image'."""
    sample = task.sample_submission_file
    if task.id_column.value and (sample is None or task.id_column.value in sample.column_names):
        return task.id_column.value
    if sample is not None and sample.columns:
        return sample.columns[0].name
    return source.path_column or "image"


def _uses_stems(task: TaskSpec, id_column: str) -> bool:
    """Whether the sample submission names images without their extension."""
    sample = task.sample_submission_file
    column = sample.column(id_column) if sample is not None else None
    return column is not None and bool(column.examples) and all("." not in e for e in column.examples)


def _load(task: TaskSpec, source: LabelledSource, plan: Plan, settings: dict[str, Any]) -> str:
    name = "path.stem" if _uses_stems(task, settings["ID_COLUMN"]) else "path.name"
    if source.path_column is None:
        lines = ["train_paths = list_images(TRAIN_DIR)",
                 "train = pd.DataFrame({\"path\": train_paths, LABEL: [p.relative_to(TRAIN_DIR).parts[0] for p in "
                 "train_paths]})"]
    else:
        lines = [read_lines("train", "TRAIN_FILE", source.train, plan),
                 f"train[\"path\"] = [resolve(p, TRAIN_FILE) for p in train[{source.path_column!r}]]"]
    if source.test is not None and source.path_column is None:
        lines += ["test_paths = list_images(TEST_DIR)",
                  f"test = pd.DataFrame({{\"path\": test_paths, ID_COLUMN: [{name} for path in test_paths]}})"]
    elif source.test is not None:
        lines += [read_lines("test", "TEST_FILE", source.test, plan),
                  f"test[\"path\"] = [resolve(p, TEST_FILE) for p in test[{source.path_column!r}]]"]
    if task.sample_submission_file is not None:
        lines.append(read_lines("sample_submission", "SAMPLE_SUBMISSION_FILE", task.sample_submission_file, plan))
    return "\n".join(lines)


def other_features(task: TaskSpec, source: LabelledSource, label: str, id_column: str) -> list[str]:
    """Columns of a table of image paths that are features too (image plus tabular data)."""
    if source.path_column is None:
        return []
    skip = {label, id_column, source.path_column, task.id_column.value}
    return [c.name for c in source.train.columns if c.name not in skip and c.kind not in ("id", "constant", "path")]


def _prepare(plan: Plan, source: LabelledSource, settings: dict[str, Any]) -> str:
    frames = ("train", "test") if source.test is not None else ("train",)
    others = " + OTHER_FEATURES" if settings.get("OTHER_FEATURES") else ""
    if plan.use_multimodal:
        column = _image_feature(source, settings)
        lines = [f"{frame}[{column!r}] = {frame}[\"path\"].astype(str)" for frame in frames]
        return "\n".join(lines + [f"features = [{column!r}]{others}"])
    lines = ["# Images become numbers: resized pixels, colour histograms and spreads, sharpness; one row per image."]
    lines += [f"{frame} = pd.concat([{frame}, feature_table(list({frame}[\"path\"]))], axis=1)" for frame in frames]
    prefixes = ", ".join(literal(p) for p in ("pixel_", "colour_bin_", "colour_spread_", "sharpness_"))
    lines.append(f"features = [c for c in train.columns if c.startswith(({prefixes}))]{others}")
    return "\n".join(lines)


def _image_feature(source: LabelledSource, settings: dict[str, Any]) -> str:
    """The column that hands the MultiModalPredictor each image's path: 'image', unless the data already has a
    column of that name (the id, the label, a table's path column), which must not be overwritten."""
    taken = {settings["ID_COLUMN"], settings["LABEL"], *(settings.get("OTHER_FEATURES") or [])}
    taken |= {c.name for table in (source.train, source.test) if table is not None for c in table.columns}
    name = "image"
    while name in taken:
        name += "_path"
    return name


def _predict(task: TaskSpec, plan: Plan, shape: Layout, settings: dict[str, Any], source: LabelledSource) -> str:
    lines = []
    if source.test is None:
        lines.append("# No unlabelled images were given: the predictions are for the hold-out images.\n"
                     "holdout[ID_COLUMN] = [path.name for path in holdout[\"path\"]]\ntest = holdout")
    lines.append(predict_lines(plan, shape, settings["PROBLEM_TYPE"], "test[features]", task.sample_submission_file,
                               settings["ID_COLUMN"]))
    return "\n".join(lines)


#: Images in class folders or listed in a table, or an image task with no training table.
FAMILY = Family("image",
                lambda task: (image_source(task) is not None
                              or (task.modality.value == Modality.IMAGE and task.train_file is None)),
                build, (FAST, FEATURES, FEATURES_BAGGED), model="pixel features + TabularPredictor", backbone="image")
