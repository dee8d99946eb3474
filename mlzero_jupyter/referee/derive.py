"""The derived task every attempt solves: the user's data with some labelled rows moved, without their labels, into
the test set. An attempt that solves the task as posed predicts those rows along with the real test rows, through the
same ids, joins, file names and submission layout, and never sees their answers.

The derived folder mirrors the data folder's layout (tables rewritten in their own format, other files copied, never
linked: a link would lead an attempt back to the user's files and their labels), so the attempt's code differs
from a solution of the real task only in its data folder. The answers stay in the agent's memory; a resumed run
derives them again from the same data and seed.
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from mlzero_jupyter.metrics import normalise_key
from mlzero_jupyter.perception.spec import FileInfo, FileRole, ProblemType, TaskSpec
from mlzero_jupyter.perception.tables import TEXT_TABLE_FORMATS, read_table
from mlzero_jupyter.referee.holdout import choose_rows, forecast_rows

CLASSIFICATION = {ProblemType.BINARY, ProblemType.MULTICLASS,
                  ProblemType.TIME_SERIES_CLASSIFICATION}
#: Seasonal period of a series for MASE, by the pandas frequency's unit (hourly data repeats daily, and so on).
SEASONS = {"min": 60, "T": 60, "H": 24, "h": 24, "D": 7, "B": 5, "W": 52, "M": 12, "MS": 12, "ME": 12, "Q": 4,
           "QS": 4, "QE": 4}


@dataclass
class Answers:
    """The held-out truth: never written to disk, never shown to an attempt."""

    kind: str  # rows, files, masks, forecast or ranking
    keys: list[str]  # normalised ids of the held-out rows, or their positions in the test set as text
    truth: list  # the labels or values (rankings: {item: gain} per query), aligned with ``keys``
    key_column: str | None = None  # the predictions' id column; None: rows are matched by position
    real_keys: list[str] = field(default_factory=list)  # the real test rows, same convention
    label: str = ""  # the prediction column of a labels-only layout
    timestamp_column: str | None = None  # forecasts: rows are (item, timestamp)
    item_column: str | None = None
    history: pd.DataFrame | None = None  # forecasts: the derived training series, to scale MASE
    season: int = 1
    masks_folder: str = ""  # segmentation: the predictions' folder of masks, beside the predictions file
    label_columns: list[str] = field(default_factory=list)  # multi-label: the prediction columns of label sets
    delimiter: str | None = None  # multi-label: what separates the labels in one column (None: 0/1 columns)

    @property
    def rows(self) -> int:
        return len(self.keys)


@dataclass
class Referee:
    """The derived task and its answers; ``description`` says what the score is measured on."""

    task: TaskSpec
    answers: Answers
    root: Path
    unit: str  # rows, images, files, forecast steps

    def description(self, metric: str) -> str:
        return f"{metric} on {self.answers.rows:,} held-out {self.unit} the attempts never saw"


def derive(task: TaskSpec, root: Path, seed: int) -> Referee | None:
    """Write the derived data folder under ``root`` (kept as it is when it already exists, on resume) and return
    the referee; None when the task has no labelled rows to spare or a layout the referee does not know."""
    problem = task.problem_type.value
    if problem == ProblemType.SEMANTIC_SEGMENTATION:
        return _Masks(task, root, seed).build()
    if problem == ProblemType.FORECASTING:
        return _Forecast(task, root, seed).build()
    if problem == ProblemType.RETRIEVAL and task.retrieval is not None:
        from mlzero_jupyter.referee.rankings import Rankings

        return Rankings(task, root, seed).build()
    folder = next((f for f in task.files if f.format in ("image_folder", "text_folder") and f.classes), None)
    if folder is not None:
        return _ClassFolders(task, root, seed, folder).build()
    if task.label_sets is not None and task.train_file is not None:
        from mlzero_jupyter.referee.label_sets import LabelSets

        return LabelSets(task, root, seed).build()
    if task.train_file is not None and task.target.value in task.train_file.column_names:
        return _Tables(task, root, seed).build()
    return None


# -- shared parts -------------------------------------------------------------------------------------------------
class _Derivation:
    def __init__(self, task: TaskSpec, root: Path, seed: int) -> None:
        self.task, self.root, self.seed = task, Path(root), seed
        self.source = Path(task.work_path)
        self.fresh = not self.root.exists()
        self.tables: dict[str, tuple[FileInfo, pd.DataFrame]] = {}  # path::table -> the table to write
        self.spec = copy.deepcopy(task)
        self.spec.work_path = self.spec.data_path = str(self.root)

    def copy_tree(self, skip: set[Path] = frozenset()) -> None:
        """Copy the data folder's files (not links) into the derived folder, except ``skip``."""
        staging = self.root.with_name(self.root.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for path in sorted(self.source.rglob("*")):
            if path.is_symlink() or not path.is_file() or path in skip:
                continue
            target = staging / path.relative_to(self.source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        self._staging = staging

    def finish(self) -> None:
        """Write the changed tables and move the folder into place (never a half-made derived folder)."""
        for info, frame in self.tables.values():
            write_table(frame, self._staging / info.path, info)
        self._staging.rename(self.root)

    def raw(self, info: FileInfo) -> pd.DataFrame:
        """A table as its text says (CSV cells kept exactly), or as its reader types it for binary formats."""
        path = self.source / info.path
        if info.format in TEXT_TABLE_FORMATS:
            return pd.read_csv(path, sep=info.delimiter or ",", encoding=info.encoding or "utf-8", dtype=str,
                               keep_default_na=False, low_memory=False)
        return read_table(path, info)

    def typed(self, info: FileInfo) -> pd.DataFrame:
        return read_table(self.source / info.path, info)

    def stage(self, info: FileInfo, frame: pd.DataFrame) -> None:
        self.tables[f"{info.path}::{info.table}"] = (info, frame)
        spec_info = next(f for f in self.spec.files if f.path == info.path and f.table == info.table)
        spec_info.rows, spec_info.rows_estimated = len(frame), False


def write_table(frame: pd.DataFrame, path: Path, info: FileInfo) -> None:
    """Write ``frame`` where ``info`` says, in its format; other sheets and tables of the file are kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = info.format
    if fmt in TEXT_TABLE_FORMATS:
        frame.to_csv(path, sep=info.delimiter or ",", encoding=info.encoding or "utf-8", index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "feather":
        frame.reset_index(drop=True).to_feather(path)
    elif fmt in ("json", "jsonl"):
        frame.to_json(path, orient="records", lines=fmt == "jsonl", force_ascii=False)
    elif fmt == "excel":
        sheets = pd.read_excel(path, sheet_name=None) if path.exists() else {}
        sheets[info.table or next(iter(sheets), "Sheet1")] = frame
        with pd.ExcelWriter(path) as writer:
            for name, sheet in sheets.items():
                sheet.to_excel(writer, sheet_name=name, index=False)
    elif fmt == "sqlite":
        with sqlite3.connect(path) as connection:
            frame.to_sql(info.table, connection, if_exists="replace", index=False)
    else:
        raise ValueError(f"{info.path}: the referee cannot write a {fmt} table")


def _fresh_ids(existing: list[str], count: int) -> list[str]:
    """Ids for held-out rows that no real row has, in the real ids' style (numbers after the largest, else text)."""
    numbers = [int(k) for k in existing if k.lstrip("-").isdigit()]
    if existing and len(numbers) == len(existing):
        start = max(numbers) + 1
        return [str(start + i) for i in range(count)]
    return [f"holdout-{i:05d}" for i in range(count)]


def _like(values: list[str], sample: pd.Series) -> list:
    """Ids typed like the column they join (integers stay integers in typed formats)."""
    if pd.api.types.is_integer_dtype(sample.dtype) and all(v.lstrip("-").isdigit() for v in values):
        return [int(v) for v in values]
    return values


def _sample_rows(sample: pd.DataFrame, id_column: str | None, ids: list, count: int) -> pd.DataFrame:
    """Rows for the held-out ids in the sample submission's layout (placeholder values copied from its first row)."""
    rows = pd.DataFrame([sample.iloc[0].to_dict()] * count, columns=sample.columns)
    if id_column is not None:
        rows[id_column] = ids
    return rows


# -- tables -------------------------------------------------------------------------------------------------------
class _Tables(_Derivation):
    """A labelled table and an unlabelled one (or none): held-out rows join the test table."""

    def build(self) -> Referee | None:
        task, label = self.task, self.task.target.value
        train_info, test_info, sample_info = task.train_file, task.test_file, task.sample_submission_file
        typed = self.typed(train_info)
        labels = self.labels(typed)
        labelled = np.flatnonzero(labels.notna().to_numpy())
        classification = task.problem_type.value in CLASSIFICATION
        groups = self._groups(typed)
        picked = choose_rows(labels.iloc[labelled], classification, self.seed,
                             groups.iloc[labelled] if groups is not None else None)
        if len(picked) == 0:
            return None
        chosen = labelled[picked]
        raw = self.raw(train_info)
        test = self.raw(test_info) if test_info is not None else None
        columns = list(test.columns) if test is not None else [c for c in raw.columns if c not in self.label_columns]
        held = raw.iloc[chosen].reindex(columns=columns)
        sample = self.raw(sample_info) if sample_info is not None else None
        id_column = self._id_column(columns, sample)
        # Without a test table, a sample submission with the ids lists the rows to predict (images named in a table).
        listed = test is None and sample is not None and id_column is not None and id_column in sample.columns
        real_keys, keys = self._keys(raw, sample if listed else test, held, chosen, id_column)
        if id_column is not None and keys != [normalise_key(v) for v in held[id_column]]:
            # Fresh ids only: a row's own id stays as written ('00042.png' also names the image to read).
            held[id_column] = _like(keys, test[id_column] if test is not None and id_column in test else held[id_column])
        truth = labels.iloc[chosen].tolist()
        if not self.fresh:
            return self._referee(keys, truth, id_column, real_keys, label)
        self.copy_tree()
        self.stage(train_info, raw.drop(index=raw.index[chosen]))
        derived_test = pd.concat([test, held], ignore_index=True) if test is not None else held
        if test_info is not None:
            self.stage(test_info, derived_test)
        elif not listed:
            self._new_test(derived_test, train_info)
        if sample is not None:
            ids = held[id_column].tolist() if id_column and id_column in sample.columns else []
            rows = _sample_rows(sample, id_column if ids else None, ids, len(held))
            self.stage(sample_info, pd.concat([sample, rows], ignore_index=True))
        self.finish()
        return self._referee(keys, truth, id_column, real_keys, label)

    def labels(self, typed: pd.DataFrame) -> pd.Series:
        """Each training row's answer (missing where the row has none)."""
        return typed[self.task.target.value]

    @property
    def label_columns(self) -> list[str]:
        """The training table's columns that hold the answers."""
        return [self.task.target.value]

    def _groups(self, typed: pd.DataFrame) -> pd.Series | None:
        """Rows of one entity (a long series' id) are held out together."""
        series = self.task.time_series
        if series is not None and series.item_id_column in typed and typed[series.item_id_column].duplicated().any():
            return typed[series.item_id_column]
        return None

    def _id_column(self, columns: list[str], sample: pd.DataFrame | None) -> str | None:
        name = self.task.id_column.value
        if name and name in columns and (sample is None or name in sample.columns):
            return name
        if sample is not None and len(sample.columns) and sample.columns[0] in columns:
            return str(sample.columns[0])
        return None

    def _keys(self, raw: pd.DataFrame, test: pd.DataFrame | None, held: pd.DataFrame, chosen: np.ndarray,
              id_column: str | None) -> tuple[list[str], list[str]]:
        """The real test rows' keys and the held-out rows' keys (fresh ids when theirs would clash)."""
        real_count = len(test) if test is not None else 0
        if id_column is None:
            return [str(i) for i in range(real_count)], [str(real_count + i) for i in range(len(held))]
        real = [normalise_key(v) for v in test[id_column]] if test is not None and id_column in test else []
        own = [normalise_key(v) for v in raw[id_column].iloc[chosen]] if id_column in raw else []
        if len(own) == len(held) and len(set(own)) == len(own) and not set(own) & set(real) and "" not in own:
            return real, own
        known = real + ([normalise_key(v) for v in raw[id_column]] if id_column in raw else [])
        return real, _fresh_ids(known, len(held))

    def _new_test(self, frame: pd.DataFrame, train_info: FileInfo) -> None:
        """No test table was given: the held-out rows become one, beside the training table, in its format."""
        suffix = PurePosixPath(train_info.path).suffix or ".csv"
        path = str(PurePosixPath(train_info.path).with_name(f"holdout_test{suffix}"))
        info = FileInfo(path=path, role=FileRole.TEST, format=train_info.format, encoding=train_info.encoding,
                        delimiter=train_info.delimiter, rows=len(frame),
                        table="holdout_test" if train_info.format in ("sqlite", "excel") else None,
                        columns=[c for c in copy.deepcopy(train_info.columns) if c.name in frame.columns])
        self.spec.files.append(info)
        self.stage(info, frame)

    def _referee(self, keys: list[str], truth: list, id_column: str | None, real_keys: list[str],
                 label: str) -> Referee:
        answers = Answers("rows", keys, truth, id_column, real_keys, label=label)
        return Referee(self.spec, answers, self.root, "rows")


# -- class folders (images, texts) --------------------------------------------------------------------------------
class _ClassFolders(_Derivation):
    """Files in one sub-folder per class: held-out files move, renamed, into the unlabelled folder."""

    def __init__(self, task: TaskSpec, root: Path, seed: int, folder: FileInfo) -> None:
        super().__init__(task, root, seed)
        self.folder = folder

    def build(self) -> Referee | None:
        base = self.source / self.folder.path
        files = sorted(p for p in base.rglob("*") if p.is_file() and not p.is_symlink()
                       and p.relative_to(base).parts[0] in self.folder.classes and not p.name.startswith("."))
        labels = pd.Series([p.relative_to(base).parts[0] for p in files])
        picked = choose_rows(labels, True, self.seed)
        if len(picked) == 0:
            return None
        test_info = next((f for f in self.task.files if f.format == self.folder.format and not f.classes), None)
        test_dir = self.source / test_info.path if test_info is not None else None
        real = sorted(p for p in test_dir.rglob("*") if p.is_file()) if test_dir is not None else []
        names = _fresh_ids([normalise_key(p.name) for p in real], len(picked))
        held = [files[i] for i in picked]
        new_names = [f"{name}{path.suffix}" for name, path in zip(names, held)]
        sample_info = self.task.sample_submission_file
        id_column = self._id_column(sample_info)
        answers = Answers("files", [normalise_key(n) for n in new_names], labels.iloc[picked].tolist(), id_column,
                          [normalise_key(p.name) for p in real])
        referee = Referee(self.spec, answers, self.root, "images" if self.folder.format == "image_folder" else "files")
        if not self.fresh:
            return referee
        self.copy_tree(skip=set(held))
        relative = test_info.path if test_info is not None else "holdout_test"
        for path, name in zip(held, new_names):
            shutil.copyfile(path, self._staging / relative / name)  # the folder exists unless it is new
        if test_info is None:
            self.spec.files.append(FileInfo(path=relative, role=FileRole.TEST, format=self.folder.format,
                                            file_count=len(held)))
        else:
            next(f for f in self.spec.files if f.path == test_info.path).file_count = len(real) + len(held)
        next(f for f in self.spec.files if f.path == self.folder.path).file_count = len(files) - len(held)
        if sample_info is not None:
            sample = self.raw(sample_info)
            style = self._style(sample, id_column)
            ids = _like([style(n) for n in new_names], sample[id_column]) if id_column else []
            self.stage(sample_info, pd.concat([sample, _sample_rows(sample, id_column, ids, len(held))],
                                              ignore_index=True))
        self.finish()
        return referee

    def copy_tree(self, skip: set[Path] = frozenset()) -> None:
        super().copy_tree(skip)
        test_info = next((f for f in self.task.files if f.format == self.folder.format and not f.classes), None)
        (self._staging / (test_info.path if test_info is not None else "holdout_test")).mkdir(parents=True,
                                                                                               exist_ok=True)

    def _id_column(self, sample_info: FileInfo | None) -> str | None:
        if sample_info is None:
            return None
        name = self.task.id_column.value
        return name if name in sample_info.column_names else (sample_info.column_names or [None])[0]

    @staticmethod
    def _style(sample: pd.DataFrame, id_column: str | None):
        """How the sample submission names a file: with its extension, or by its stem."""
        values = [str(v) for v in sample[id_column].head(20)] if id_column else []
        with_extension = any("." in v and not v.replace(".", "").isdigit() for v in values)
        return (lambda name: name) if with_extension else (lambda name: PurePosixPath(name).stem)


# -- segmentation masks -------------------------------------------------------------------------------------------
class _Masks(_Derivation):
    """Images with masks: held-out images move, renamed and without their masks, into the unlabelled folder."""

    def build(self) -> Referee | None:
        from mlzero_jupyter.coding.contract import PREDICTIONS_STEM
        from mlzero_jupyter.execution.prediction_checks import list_images

        images_info, masks_info, test_info = self.task.segmentation_folders()
        masks = {p.stem: p for p in list_images(self.source / masks_info.path)}
        images = [p for p in list_images(self.source / images_info.path) if p.stem in masks]
        picked = choose_rows(pd.Series(["image"] * len(images)), False, self.seed)
        if len(picked) == 0:
            return None
        held = [images[i] for i in picked]
        real = list_images(self.source / test_info.path) if test_info is not None else []
        names = _fresh_ids([p.stem for p in real], len(held))
        truth = [read_mask(masks[p.stem]) for p in held]
        sample_info = self.task.sample_submission_file
        column = sample_info.column_names[0] if sample_info is not None and sample_info.columns else None
        answers = Answers("masks", names, truth, column, [p.stem for p in real], masks_folder=PREDICTIONS_STEM)
        referee = Referee(self.spec, answers, self.root, "images")
        if not self.fresh:
            return referee
        self.copy_tree(skip=set(held) | {masks[p.stem] for p in held})
        relative = test_info.path if test_info is not None else "holdout_test"
        (self._staging / relative).mkdir(parents=True, exist_ok=True)
        for path, name in zip(held, names):
            shutil.copyfile(path, self._staging / relative / f"{name}{path.suffix}")
        if test_info is None:
            self.spec.files.append(FileInfo(path=relative, role=FileRole.TEST, format="image_folder",
                                            file_count=len(held)))
        if column is not None:
            sample = self.raw(sample_info)
            ids = _like(names, sample[column])
            self.stage(sample_info, pd.concat([sample, _sample_rows(sample, column, ids, len(held))],
                                              ignore_index=True))
        self.finish()
        return referee


def read_mask(path: Path) -> np.ndarray:
    """A mask image as an array of class values (palette indices or grey levels)."""
    from PIL import Image

    with Image.open(path) as mask:
        return np.asarray(mask if mask.mode in ("L", "P", "1", "I") else mask.convert("L"))


# -- forecasts ----------------------------------------------------------------------------------------------------
class _Forecast(_Derivation):
    """The last steps of every long-enough series (``holdout.forecast_rows``: whole horizons covering the longest
    seasonal period) become the horizon to forecast."""

    def build(self) -> Referee | None:
        series, train_info = self.task.time_series, self.task.train_file
        if series is None or train_info is None or not series.timestamp_column or not series.prediction_length:
            return None
        typed = self.typed(train_info)
        item = series.item_id_column if series.item_id_column in typed else None
        target = self.task.target.value
        if target not in typed:
            return None
        # A window longer than the horizon only when files list the rows to forecast: a script that writes every
        # series' horizon by itself would forecast the window's length on the user's data too.
        listed = any(info is not None and series.timestamp_column in info.column_names
                     for info in (self.task.test_file, self.task.sample_submission_file))
        chosen, window = forecast_rows(typed, item, series.timestamp_column, series.prediction_length,
                                       series.frequency if listed else None)
        if len(chosen) == 0:
            return None
        if window != series.prediction_length:  # attempts forecast the whole held-out window; the final run, less
            self.spec.time_series.prediction_length = window
            self.spec.time_series.prediction_length_source = "the rows to fill: take the horizon from them"
        held = typed.iloc[chosen]
        keys = [_forecast_key(row[item] if item else "", row[series.timestamp_column])
                for _, row in held.iterrows()]
        history = typed.drop(index=typed.index[chosen])
        answers = Answers("forecast", keys, held[target].tolist(), item, [], label=target,
                          timestamp_column=series.timestamp_column, item_column=item,
                          history=history, season=_season(series.frequency))
        referee = Referee(self.spec, answers, self.root, "forecast steps")
        if not self.fresh:
            return referee
        self.copy_tree()
        raw = self.raw(train_info)
        self.stage(train_info, raw.drop(index=raw.index[chosen]))
        self._future_files(raw.iloc[chosen], item, target)
        self.finish()
        return referee

    def _future_files(self, held: pd.DataFrame, item: str | None, target: str) -> None:
        """The test table (future covariates) and the sample submission now describe the held-out window."""
        stamp = self.task.time_series.timestamp_column
        for info in (self.task.test_file, self.task.sample_submission_file):
            if info is None or stamp not in info.column_names:
                continue
            frame = self.raw(info)
            rows = held.reindex(columns=frame.columns)
            for column in frame.columns:
                if column not in held.columns or column == target:
                    rows[column] = frame[column].iloc[0] if info.role == FileRole.SAMPLE_SUBMISSION else None
            self.stage(info, rows.reset_index(drop=True))


def _forecast_key(item: object, timestamp: object) -> str:
    stamp = pd.Timestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")
    return f"{normalise_key(item)}|{stamp}"


def forecast_keys(frame: pd.DataFrame, item: str | None, timestamp: str) -> list[str]:
    """The (item, timestamp) keys of a forecast table, as the referee compares them."""
    items = frame[item] if item and item in frame else pd.Series("", index=frame.index)
    return [_forecast_key(i, t) for i, t in zip(items, frame[timestamp])]


def _season(frequency: str | None) -> int:
    if not frequency:
        return 1
    unit = "".join(c for c in frequency if c.isalpha())
    season = SEASONS.get(unit) or SEASONS.get(unit.split("-")[0], 1)
    count = "".join(c for c in frequency if c.isdigit())
    if unit in ("min", "T") and count:
        season = 24 * 60 // int(count)
    return season
