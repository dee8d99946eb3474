"""Scripts for text: documents in class folders or listed in a table (read into a ``text`` column) and tables with
free text (alone or beside other columns). MultiModalPredictor fine-tunes a pretrained text backbone when this machine
has one (``backbones.resolve``); otherwise TabularPredictor turns the text into n-gram features (text tables then
go to the tabular family, which does exactly that)."""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner import documents, holdout, languages, multimodal
from mlzero_jupyter.coding.planner.candidates import BAGGED, CHARACTERS, FAST, FEATURES, FEATURES_BAGGED
from mlzero_jupyter.coding.planner.common import higher_is_better, metric_name, time_limit_comment, training_seconds
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.coding.planner.labelled_folders import LabelledSource, class_folders
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.script import Script, assemble
from mlzero_jupyter.coding.planner.source import file_constant, read_lines
from mlzero_jupyter.coding.planner.submission import Layout, layout, predict_lines
from mlzero_jupyter.coding.planner.textual import character_lines
from mlzero_jupyter.coding.planner.tabular import TABULAR_PROBLEMS
from mlzero_jupyter.coding.planner.tabular_predictor import AG_METRICS, bagging_settings
from mlzero_jupyter.perception.document_paths import document_columns
from mlzero_jupyter.perception.spec import ProblemType, TaskSpec

#: Seconds kept for imports, reading the documents, evaluating and predicting.
MARGIN_SECONDS = 15

def text_folders(task: TaskSpec) -> LabelledSource | None:
    """Documents in class sub-folders, and the unlabelled folder to predict."""
    return class_folders(task, "text_folder")


#: Documents read from a class folder to decide how to tokenise the text.
SAMPLED_DOCUMENTS = 20


def sample_text(task: TaskSpec) -> str:
    """Some of the task's text: documents spread over the labelled folder, or the text columns' examples."""
    folders, listed = text_folders(task), listed_documents(task)
    if folders is not None:
        samples = documents.sample_texts(task, folders.train, SAMPLED_DOCUMENTS)
    elif listed is not None:
        samples = documents.sample_texts(task, task.train_file, SAMPLED_DOCUMENTS, listed)
    else:
        columns = [task.train_file.column(name) for name in text_columns(task)]
        samples = [str(e) for c in columns if c is not None for e in c.examples]
    return "\n".join(s.strip() for s in samples)


def written_without_spaces(task: TaskSpec) -> bool:
    """Whether the task's text needs character n-grams (Chinese, Japanese, Thai..., mixed with Latin words or not)."""
    return languages.written_without_spaces(sample_text(task))


def foreign_scripts(task: TaskSpec) -> str:
    """The scripts of the task's text when an English-only model cannot read it (``backbones.resolve``), else ''."""
    text = sample_text(task)
    return languages.describe(text) if languages.needs_multilingual_model(text) else ""


def text_columns(task: TaskSpec) -> list[str]:
    """The free-text columns of the training table."""
    train = task.train_file
    target = task.target.value
    return [c.name for c in train.columns if c.kind == "text" and c.name != target] if train is not None else []


def listed_documents(task: TaskSpec) -> str | None:
    """The training table's column that lists document files (read for their text; it may be the id too), if any."""
    train = task.train_file
    found = document_columns(train.columns, {task.target.value}) if train is not None else []
    return found[0] if found else None


def build(context: CodingContext, plan: Plan, summary: str) -> str:
    """The whole text script."""
    task = context.task
    folders = text_folders(task)
    if folders is None and task.train_file is None:
        raise ValueError("the task has neither labelled documents nor a training table")
    settings = _settings(context, plan, task, folders)
    test_columns = [settings["ID_COLUMN"]] if folders is not None else (
        task.test_file.column_names if task.test_file is not None else [])
    shape = layout(task.sample_submission_file, settings["LABEL"], settings["ID_COLUMN"], test_columns,
                   settings["PROBLEM_TYPE"], settings["METRIC"], plan.probabilities)
    settings["PREDICTION_COLUMNS"] = shape.columns
    listed = listed_documents(task) if folders is None else None
    kinds = documents.formats(task, folders, listed) if folders is not None or listed else set()
    problem = settings["PROBLEM_TYPE"]
    return assemble(context, plan, summary, Script(
        title=_title(task, folders, settings["LABEL"], listed),
        tool=_tool(plan),
        validation=_validation(problem),
        imports=_modules(plan) + documents.modules(kinds),
        settings=settings,
        comments=_comments(context, plan),
        helpers=documents.helpers(kinds, listed=bool(listed)) if folders is not None or listed else "",
        load=_load(task, plan, folders),
        prepare=_prepare(task, folders, plan, listed) + "\ntrain = train.dropna(subset=[LABEL]).reset_index(drop=True)",
        fit=holdout.train_lines(plan, problem, "rows"),
        evaluate=holdout.evaluate_lines(plan, settings["METRIC"]),
        predict=_predict(task, plan, shape, settings, folders),
    ))


def _title(task: TaskSpec, folders: LabelledSource | None, label: str, listed: str | None) -> str:
    where = folders.train.path if folders is not None else task.train_file.path
    return f"Predict {label!r} from the text{' of the documents listed' if listed else ''} in {where}."


def _tool(plan: Plan) -> str:
    if plan.use_multimodal:
        return f"AutoGluon MultiModalPredictor fine-tuning {plan.backbone.checkpoint} ({plan.backbone.reason})"
    why = f"; no pretrained backbone: {plan.backbone.reason}" if plan.backbone and not plan.backbone.pretrained else ""
    return f"AutoGluon TabularPredictor on text n-gram features (presets {plan.presets!r}){why}"


def _modules(plan: Plan) -> list[str]:
    if plan.use_multimodal:
        return [multimodal.IMPORT, "from autogluon.core.metrics import get_metric"]
    return ["from autogluon.tabular import TabularPredictor"]


def _comments(context: CodingContext, plan: Plan) -> dict[str, str]:
    comments = {"TIME_LIMIT": time_limit_comment(context, plan, MARGIN_SECONDS),
                "IGNORED_COLUMNS": "never used as features"}
    if plan.use_multimodal:
        comments.update(multimodal.comments(plan.backbone))
    return comments


def _validation(problem: str) -> str:
    stratified = " (stratified by class)" if problem != ProblemType.REGRESSION else ""
    return holdout.validation_sentence("rows", stratified)


def _settings(context: CodingContext, plan: Plan, task: TaskSpec, folders: LabelledSource | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if folders is not None:
        values["TRAIN_DIR"] = file_constant(folders.train)
        if folders.test is not None:
            values["TEST_DIR"] = file_constant(folders.test)
    else:
        values["TRAIN_FILE"] = file_constant(task.train_file)
        if task.test_file is not None:
            values["TEST_FILE"] = file_constant(task.test_file)
    if task.sample_submission_file is not None:
        values["SAMPLE_SUBMISSION_FILE"] = file_constant(task.sample_submission_file)
    problem = _problem(task, folders)
    metric = metric_name(task, "rmse" if problem == ProblemType.REGRESSION else "accuracy")
    id_column = _id_column(task, folders)
    listed = listed_documents(task) if folders is None else None
    ignored = list(dict.fromkeys(c for c in [id_column, listed, *plan.drop_columns] if c)) if folders is None else None
    values.update(LABEL=task.target.value or "label", ID_COLUMN=id_column, DOCUMENT_COLUMN=listed, PROBLEM_TYPE=problem,
                  METRIC=metric, AG_METRIC=AG_METRICS.get(metric, metric), HIGHER_IS_BETTER=higher_is_better(metric),
                  IGNORED_COLUMNS=ignored, TIME_LIMIT=training_seconds(context, plan, MARGIN_SECONDS))
    if plan.use_multimodal:
        others = folders is None and any(c.kind in ("numeric", "categorical", "boolean") for c in task.train_file.columns
                                         if c.name not in (values["LABEL"], id_column))
        values.update(multimodal.metric_settings(metric, problem))
        values.update(multimodal.settings(plan.backbone, fusion=others))
    else:
        values.update(PRESETS=plan.presets, HYPERPARAMETERS=plan.hyperparameters,
                      EXCLUDED_MODEL_TYPES=plan.excluded_models or None, **bagging_settings(plan))
    values.update(HOLDOUT_FRACTION=holdout.HOLDOUT_FRACTION, MODEL_DIR="model")
    return values


def _problem(task: TaskSpec, folders: LabelledSource | None) -> str:
    if task.problem_type.value in TABULAR_PROBLEMS:
        return task.problem_type.value
    return ProblemType.BINARY if folders is not None and len(folders.train.classes) == 2 else ProblemType.MULTICLASS


def _id_column(task: TaskSpec, folders: LabelledSource | None) -> str | None:
    """Documents: the sample submission's id column, else 'file'. Tables: the task's id column if present, else the
    sample submission's first column when the test table has it."""
    sample = task.sample_submission_file
    value = task.id_column.value
    if folders is None:
        present = task.train_file.column_names + (task.test_file.column_names if task.test_file else [])
        if value and value in present:
            return value
        first = sample.columns[0].name if sample is not None and sample.columns else None
        return first if task.test_file is not None and first in task.test_file.column_names else None
    if value and (sample is None or value in sample.column_names):
        return value
    return sample.columns[0].name if sample is not None and sample.columns else "file"


def _has_test(task: TaskSpec, folders: LabelledSource | None) -> bool:
    return (folders.test if folders is not None else task.test_file) is not None


def _load(task: TaskSpec, plan: Plan, folders: LabelledSource | None) -> str:
    if folders is None:
        lines = [read_lines("train", "TRAIN_FILE", task.train_file, plan)]
        if task.test_file is not None:
            lines.append(read_lines("test", "TEST_FILE", task.test_file, plan))
    else:
        sample = task.sample_submission_file
        column = sample.columns[0] if sample is not None and sample.columns else None
        name = "path.stem" if column is not None and column.examples and all(
            "." not in e for e in column.examples) else "path.name"
        lines = ["train_paths = list_documents(TRAIN_DIR)",
                 "train = pd.DataFrame({\"path\": train_paths, LABEL: [p.relative_to(TRAIN_DIR).parts[0] for p in "
                 "train_paths]})"]
        if folders.test is not None:
            lines += ["test_paths = list_documents(TEST_DIR)",
                      f"test = pd.DataFrame({{\"path\": test_paths, ID_COLUMN: [{name} for path in test_paths]}})"]
    if task.sample_submission_file is not None:
        lines.append(read_lines("sample_submission", "SAMPLE_SUBMISSION_FILE", task.sample_submission_file, plan))
    return "\n".join(lines)


def _prepare(task: TaskSpec, folders: LabelledSource | None, plan: Plan, listed: str | None) -> str:
    frames = "(train, test)" if _has_test(task, folders) else "(train,)"
    if folders is not None:
        return (documents.prepare_lines(_has_test(task, folders))
                + character_lines(plan, frames, '["text"]') + "features = [\"text\"]")
    read = (documents.prepare_lines(_has_test(task, folders), listed) + character_lines(plan, frames, '["text"]')
            if listed else "")
    return (read + "features = [column for column in train.columns if column not in (LABEL, *IGNORED_COLUMNS)]\n"
            f"for frame in {frames}:  # free text stays text\n"
            f"    for column in [c for c in {text_columns(task)!r} if c in frame]:\n"
            "        frame[column] = frame[column].fillna(\"\").astype(str)")


def _predict(task: TaskSpec, plan: Plan, shape: Layout, settings: dict[str, Any], folders: LabelledSource | None) -> str:
    lines = []
    if not _has_test(task, folders):
        named = "holdout[ID_COLUMN] = [path.name for path in holdout[\"path\"]]\n" if folders is not None else ""
        lines.append(f"# No unlabelled data was given: the predictions are for the hold-out rows.\n{named}"
                     "test = holdout.drop(columns=[LABEL])")
    lines.append(predict_lines(plan, shape, settings["PROBLEM_TYPE"], "test[features]",
                               task.sample_submission_file, settings["ID_COLUMN"]))
    return "\n".join(lines)


#: Texts in class folders, text columns of a table, or documents a table lists. Without the backbone a table's text
#: becomes the tabular family's n-gram features (``OfflinePlanner.write``).
FAMILY = Family("text",
                lambda task: bool(text_folders(task) is not None or text_columns(task) or listed_documents(task)),
                build, (FAST, FEATURES, CHARACTERS, BAGGED, FEATURES_BAGGED), model="text n-grams + TabularPredictor",
                backbone="text", scripts=foreign_scripts)
