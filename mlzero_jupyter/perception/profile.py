"""Column profiles from a bounded sample: missing markers, types, kinds, distinct counts and examples."""

from __future__ import annotations

import re

import pandas as pd

from mlzero_jupyter.perception.spec import ColumnInfo

#: Strings that stand for a missing value in raw tables ('' included).
MISSING_MARKERS = ("", "?", "??", "N/A", "n/a", "NA", "na", "-", "--", "null", "NULL", "Null", "none", "None",
                   "NONE", "nan", "NaN", "#N/A", "missing", "Missing", "<NA>")
#: Markers that could also be real categories; they count as missing only in otherwise numeric columns.
_NUMERIC_ONLY_MARKERS = {"-", "--", "none", "None", "NONE", "missing", "Missing"}
_ID_WORDS = {"id", "ids", "key", "uuid", "guid", "index", "idx", "no", "number", "num", "code", "ref"}
_DATE_LIKE = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?.*)?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}.*)\s*$")
_PATH_LIKE = re.compile(r"[\\/]|\.(?:png|jpe?g|bmp|gif|tiff?|webp|txt|md|html?|pdf|docx|wav|mp3|flac)$",
                        re.IGNORECASE)
_BOOLEAN_VALUES = {"true", "false", "yes", "no", "t", "f", "y", "n", "0", "1"}
EXAMPLES, EXAMPLE_CHARS = 3, 40


def name_words(name: str) -> list[str]:
    """Lower-case words of a column name: 'PassengerId' -> ['passenger', 'id'], 'sale_price' -> ['sale', 'price']."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name))
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def clean_sample(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Replace missing markers with NA and convert text columns to numbers or dates where every value fits.

    Returns the typed frame and the non-empty markers that were found.
    """
    found: set[str] = set()
    typed = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object:
            column, markers = _strip_markers(column)
            found |= markers
            column = _convert(column)
        typed[name] = column
    return pd.DataFrame(typed, index=frame.index), sorted(m for m in found if m)


def _strip_markers(column: pd.Series) -> tuple[pd.Series, set[str]]:
    as_text = column.astype("string").str.strip()
    is_marker = as_text.isin(MISSING_MARKERS)
    markers = set(as_text[is_marker].dropna().unique())
    if markers & _NUMERIC_ONLY_MARKERS:
        rest = pd.to_numeric(as_text[~is_marker].dropna(), errors="coerce")
        if rest.isna().any():  # a text column: '-' or 'none' may be real categories there
            markers -= _NUMERIC_ONLY_MARKERS
            is_marker = as_text.isin(markers)
    return column.mask(is_marker | column.isna(), None), markers


def _convert(column: pd.Series) -> pd.Series:
    values = column.dropna()
    if values.empty:
        return column
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        return pd.to_numeric(column, errors="coerce")
    text = values.astype(str)
    if text.head(200).str.match(_DATE_LIKE).mean() > 0.95:
        dates = pd.to_datetime(column, errors="coerce", format="mixed")
        if dates.notna().sum() >= 0.95 * len(values):
            return dates
    return column


def profile_columns(frame: pd.DataFrame) -> list[ColumnInfo]:
    rows = max(len(frame), 1)
    return [
        ColumnInfo(
            name=str(name),
            dtype=str(frame[name].dtype),
            kind=column_kind(str(name), frame[name]),
            missing_fraction=round(float(frame[name].isna().sum()) / rows, 4),
            distinct_count=int(frame[name].nunique(dropna=True)),
            examples=_examples(frame[name]),
        )
        for name in frame.columns
    ]


def _examples(column: pd.Series) -> list[str]:
    values = column.dropna().astype(str).drop_duplicates().head(EXAMPLES)
    return [v if len(v) <= EXAMPLE_CHARS else v[: EXAMPLE_CHARS - 1] + "…" for v in values]


def column_kind(name: str, column: pd.Series) -> str:
    """numeric, categorical, boolean, text, datetime, id, path or constant."""
    values = column.dropna()
    distinct = values.nunique()
    if distinct <= 1:
        return "constant"
    if pd.api.types.is_bool_dtype(column) or (
        distinct == 2 and set(values.astype(str).str.lower().unique()) <= _BOOLEAN_VALUES
    ):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "datetime"
    unique = distinct == len(values) and len(values) >= 20
    if pd.api.types.is_numeric_dtype(column):
        return "id" if unique and _integer_id(name, values) else "numeric"
    text = values.astype(str)
    if text.head(200).str.contains(_PATH_LIKE).mean() > 0.9:
        return "path"
    words = text.str.count(r"\s+") + 1
    if text.str.len().mean() > 50 or words.mean() >= 6 or _unspaced_text(text, distinct):
        return "text"
    if unique and (set(name_words(name)) & _ID_WORDS or words.max() == 1):
        return "id"
    return "categorical"


#: Scripts written without spaces between words: CJK ideographs, kana, Hangul syllables, Thai.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def _unspaced_text(text: pd.Series, distinct: int) -> bool:
    """Mostly distinct values, mostly in a script without spaces: sentences, though they have few "words"."""
    sample = text.head(200)
    letters = sample.str.len().sum()
    return distinct > 0.5 * len(text) and letters > 0 and sample.str.count(_UNSPACED).sum() > 0.3 * letters


def _integer_id(name: str, values: pd.Series) -> bool:
    if not pd.api.types.is_integer_dtype(values) and not (values % 1 == 0).all():
        return False
    if set(name_words(name)) & _ID_WORDS:
        return True
    steps = values.diff().dropna()
    return bool(len(steps) and (steps == 1).mean() > 0.95)
