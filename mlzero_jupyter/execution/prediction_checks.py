"""The validator's checks of a predictions table, one small function each; every one returns its problems as
messages for the next attempt (an empty list when the check passes)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
PROBABILITY_TOLERANCE = 1e-3
SHOWN = 5
#: Predicted masks whose values are checked (reading every mask of a large test set is slow).
MASKS_READ = 50


def keys(values: Iterable) -> list[str]:
    """Values as comparable text: 3, 3.0 and "3" are the same id or label; timestamps in one spelling."""
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values)
    if pd.api.types.is_float_dtype(series) and series.dropna().apply(float.is_integer).all():
        series = series.astype("Int64")
    return series.astype(str).tolist()


def _some(values: Iterable) -> str:
    values = sorted(values)
    more = f" and {len(values) - SHOWN} more" if len(values) > SHOWN else ""
    return ", ".join(repr(v) for v in values[:SHOWN]) + more


def columns(predictions: pd.DataFrame, expected: list[str], ordered: bool) -> list[str]:
    got = [str(c) for c in predictions.columns]
    if ordered and got != expected:
        return [f"The predictions' columns are {got}; the sample submission has {expected}: use the same names in "
                "the same order."]
    missing = [c for c in expected if c not in got]
    if missing:
        return [f"The predictions lack the column(s) {missing} (columns found: {got})."]
    return []


def rows_and_ids(predictions: pd.DataFrame, id_column: str | None, expected: list[str] | int) -> list[str]:
    """One row per test row; with ids, exactly the test ids, each once."""
    if isinstance(expected, int):
        if len(predictions) != expected:
            return [f"The predictions have {len(predictions)} rows; the test set has {expected}: one row per test row."]
        return []
    given = keys(predictions[id_column])
    problems = []
    if len(predictions) != len(expected):
        problems.append(f"The predictions have {len(predictions)} rows; the test set has {len(expected)}: one row "
                        "per test row.")
    repeated = pd.Series(given)
    duplicated = set(repeated[repeated.duplicated()])
    if duplicated:
        problems.append(f"Ids repeat in '{id_column}': {_some(duplicated)}.")
    missing, unknown = set(expected) - set(given), set(given) - set(expected)
    if missing:
        problems.append(f"{len(missing)} test ids have no prediction in '{id_column}': {_some(missing)}.")
    if unknown:
        problems.append(f"{len(unknown)} ids in '{id_column}' are not in the test set: {_some(unknown)}.")
    return problems


def missing_values(predictions: pd.DataFrame) -> list[str]:
    empty = predictions.isna().sum()
    empty = empty[empty > 0]
    if empty.empty:
        return []
    listed = ", ".join(f"'{c}' ({n} rows)" for c, n in empty.items())
    return [f"The predictions have missing values in {listed}: every row needs a prediction."]


def labels(predictions: pd.DataFrame, column: str, known: set[str]) -> list[str]:
    unknown = set(keys(predictions[column])) - known
    if unknown:
        return [f"{len(unknown)} predicted labels in '{column}' never occur in the training data: {_some(unknown)} "
                f"(training labels: {_some(known)})."]
    return []


def label_sets(predictions: pd.DataFrame, value_columns: list[str], known: set[str], delimiter: str | None
               ) -> list[str]:
    """Multi-label answers: 0/1 in every label column, or delimited labels all seen in training."""
    from mlzero_jupyter.metrics import label_set

    if delimiter is None:
        values = predictions[value_columns].astype(str).apply(lambda column: column.str.strip().str.lower())
        odd = set(values.stack()) - {"0", "1", "0.0", "1.0", "true", "false"}
        return [f"The label columns must hold 0 or 1 (1: the label applies); found {_some(odd)}."] if odd else []
    cells = predictions[value_columns[0]].dropna()
    unknown = set().union(*cells.map(lambda cell: label_set(cell, delimiter))) - known
    if unknown:
        return [f"{len(unknown)} labels in '{value_columns[0]}' never occur in the training data: {_some(unknown)} "
                f"(labels, separated by {delimiter!r}: {_some(known)})."]
    return []


def probabilities(predictions: pd.DataFrame, value_columns: list[str]) -> list[str]:
    """Class probabilities: numbers in [0, 1]; several columns sum to 1 on every row."""
    values = predictions[value_columns].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        return [f"The probability columns {value_columns} hold values that are not numbers."]
    if ((values < 0) | (values > 1)).any().any():
        return [f"The probability columns {value_columns} hold values outside [0, 1]."]
    if len(value_columns) > 1:
        sums = values.sum(axis=1)
        bad = int((~np.isclose(sums, 1.0, atol=PROBABILITY_TOLERANCE)).sum())
        if bad:
            return [f"The class probabilities do not sum to 1 on {bad} of {len(values)} rows "
                    f"(e.g. {float(sums[~np.isclose(sums, 1.0, atol=PROBABILITY_TOLERANCE)].iloc[0]):.4g})."]
    return []


def numbers(predictions: pd.DataFrame, value_columns: list[str]) -> list[str]:
    problems = []
    for column in value_columns:
        values = pd.to_numeric(predictions[column], errors="coerce")
        if values.isna().any() or not np.isfinite(values.to_numpy(dtype=float)).all():
            problems.append(f"'{column}' must hold finite numbers; {int((~np.isfinite(values.fillna(np.nan))).sum())} "
                            "rows do not.")
    return problems


def horizon(predictions: pd.DataFrame, item: str | None, timestamp: str, items: list[str], length: int | None,
            reference: pd.DataFrame | None) -> list[str]:
    """Every item forecast for the whole horizon, once per step; the reference rows when there are some."""
    stamps = keys(pd.to_datetime(predictions[timestamp], errors="coerce"))
    owners = keys(predictions[item]) if item else ["(the series)"] * len(predictions)
    pairs = list(zip(owners, stamps))
    if reference is not None:
        ref_owners = keys(reference[item]) if item and item in reference else ["(the series)"] * len(reference)
        wanted = set(zip(ref_owners, keys(pd.to_datetime(reference[timestamp], errors="coerce"))))
        missing, extra = wanted - set(pairs), set(pairs) - wanted
        if missing or extra or len(pairs) != len(wanted):
            return [f"The forecast rows do not match the requested (item, timestamp) rows: {len(missing)} missing "
                    f"(e.g. {_some(missing)}), {len(extra)} not requested, {len(pairs)} rows for {len(wanted)}."]
        return []
    problems = []
    if len(set(pairs)) != len(pairs):
        problems.append("The forecast repeats (item, timestamp) pairs.")
    counts = pd.Series(owners).value_counts()
    absent = set(items) - set(counts.index)
    if absent:
        problems.append(f"The forecast misses {len(absent)} of {len(set(items))} items: {_some(absent)}.")
    unknown = set(counts.index) - set(items)
    if unknown:
        problems.append(f"The forecast has items that are not in the training data: {_some(unknown)}.")
    if length:
        short = counts[counts != length]
        if len(short):
            problems.append(f"{len(short)} items do not have exactly {length} forecast steps "
                            f"(e.g. {short.index[0]!r}: {int(short.iloc[0])}).")
    return problems


def list_images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)


def image_names(folder: Path, sample_ids: pd.Series | None) -> list[str]:
    """The ids of the test images: their file names, or their stems when the sample submission uses stems."""
    images = list_images(folder)
    stems = sample_ids is not None and all("." not in str(v) for v in sample_ids)
    return [p.stem if stems else p.name for p in images]


def masks(folder: Path, images: list[Path], values: set[int] | None = None) -> list[str]:
    """One mask per test image (same stem, same width and height) in the predictions folder; with ``values``
    (the training masks' class values), no other value in any mask."""
    from PIL import Image

    if not folder.is_dir():
        return [f"No {folder.name}/ folder of masks: write one mask image per test image there (same file stem)."]
    found = {p.stem: p for p in list_images(folder)}
    if not images and not found:
        return [f"The {folder.name}/ folder holds no mask images."]
    problems = []
    missing = [p.stem for p in images if p.stem not in found]
    if missing:
        problems.append(f"{len(missing)} test images have no mask in {folder.name}/: {_some(missing)}.")
    for image in images:
        if image.stem in found:
            with Image.open(image) as original, Image.open(found[image.stem]) as mask:
                if original.size != mask.size:
                    problems.append(f"The mask of {image.name} is {mask.size[0]}x{mask.size[1]}; the image is "
                                    f"{original.size[0]}x{original.size[1]}.")
    for path in list(found.values())[:MASKS_READ] if values else []:
        unknown = set(mask_values(path)) - values
        if unknown:
            problems.append(f"The mask {path.name} holds values {_some(unknown)} that no training mask has "
                            f"(classes: {_some(values)}); write class values, not probabilities or colours (PNG).")
            break
    return problems[:SHOWN + 1]


def mask_values(path: Path) -> list[int]:
    """The distinct class values of one mask image (palette indices or grey levels)."""
    from PIL import Image

    with Image.open(path) as mask:
        array = np.asarray(mask if mask.mode in ("L", "P", "1", "I") else mask.convert("L"))
    return [int(v) for v in np.unique(array)]


def run_lengths(predictions: pd.DataFrame, id_column: str, column: str, pixels: dict[str, int]) -> list[str]:
    """Run-length-encoded masks: 'start length' pairs of positive integers, starts ascending without overlap,
    inside the image (``pixels``: id -> width x height). An empty value is an empty mask."""
    problems = []
    for key, value in zip(keys(predictions[id_column]), predictions[column]):
        text = "" if pd.isna(value) else str(value).strip()
        problem = _run_length_problem(text, pixels.get(key))
        if problem:
            problems.append(f"'{column}' of {key!r}: {problem}")
    if problems:
        more = f" ({len(problems)} rows in all)" if len(problems) > SHOWN else ""
        return [f"Run-length encoding must be 'start length' pairs (1-based, ascending){more}: "
                + "; ".join(problems[:SHOWN])]
    return []


def _run_length_problem(text: str, size: int | None) -> str:
    if not text:
        return ""
    parts = text.split()
    if not all(p.isdigit() for p in parts) or len(parts) % 2:
        return f"{text[:40]!r} is not an even count of whole numbers"
    numbers = np.array(parts, dtype=np.int64)
    starts, lengths = numbers[0::2], numbers[1::2]
    if (starts < 1).any() or (lengths < 1).any():
        return "starts and lengths must be at least 1"
    if (starts[1:] < starts[:-1] + lengths[:-1]).any():
        return "runs overlap or are not in ascending order"
    if size is not None and starts[-1] + lengths[-1] - 1 > size:
        return f"a run ends at pixel {int(starts[-1] + lengths[-1] - 1)}, past the image's {size} pixels"
    return ""
