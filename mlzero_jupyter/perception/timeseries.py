"""Time series: long format (item id, timestamp, value), frequency, prediction length; wide series tables."""

from __future__ import annotations

import re

import pandas as pd

from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.profile import name_words
from mlzero_jupyter.perception.roles import Roles
from mlzero_jupyter.perception.samples import TableSample
from mlzero_jupyter.perception.spec import Inferred, ProblemType, TimeSeriesInfo

FORECAST_WORDS = r"\b(forecast\w*|next \w+ (hours?|days?|weeks?|months?|quarters?|years?|steps?|periods?)|future|horizon|ahead)\b"
_TIME_WORDS = {"date", "time", "timestamp", "ds", "datetime", "period", "day", "month", "week"}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "twelve": 12, "fourteen": 14, "thirty": 30, "a": 1}
_UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "quarter": 91.3, "year": 365.25}
_DEFAULT_STEPS = ((1 / 24 + 1e-9, 48), (1.0, 14), (7.0, 8), (31.0, 12), (92.0, 4), (366.0, 3))


def find_long_format(sample: TableSample) -> TimeSeriesInfo | None:
    """The timestamp column and the item id column that make (item, timestamp) unique, if the table has them."""
    frame = sample.frame
    times = [c.name for c in sample.info.columns if c.kind == "datetime"]
    if not times:
        return None
    timestamp = next((t for t in times if set(name_words(t)) & _TIME_WORDS), times[0])
    if not frame[timestamp].duplicated().any():
        return TimeSeriesInfo(item_id_column=None, timestamp_column=timestamp)
    candidates = [c for c in sample.info.columns
                  if c.name != timestamp and c.kind in ("categorical", "id", "numeric", "boolean")
                  and 1 < c.distinct_count <= len(frame) / 3]
    for column in sorted(candidates, key=lambda c: (c.kind == "numeric", c.distinct_count)):
        if not frame.duplicated([column.name, timestamp]).any():
            return TimeSeriesInfo(item_id_column=column.name, timestamp_column=timestamp)
    return None


def decide_forecasting(series: TimeSeriesInfo, roles: Roles, description: Description) -> Inferred | None:
    """Forecasting when the test holds future timestamps, the description asks for it, or the table is just series."""
    train, test = roles.train, roles.test
    keys = {series.item_id_column, series.timestamp_column} - {None}
    if test is not None and series.timestamp_column in test.info.column_names:
        future = test.frame[series.timestamp_column].min() > train.frame[series.timestamp_column].min()
        only_keys = set(test.info.column_names) <= keys | set(series.known_covariates)
        if future or only_keys:
            return Inferred(ProblemType.FORECASTING.value, 0.95, [ProblemType.REGRESSION.value],
                            "the test file holds future timestamps of the same series")
    if description.says(FORECAST_WORDS):
        return Inferred(ProblemType.FORECASTING.value, 0.9, [ProblemType.REGRESSION.value],
                        "the description asks for a forecast")
    values = [c for c in train.info.columns if c.name not in keys and c.kind not in ("constant", "id")]
    if test is None and len(values) == 1 and values[0].kind == "numeric":
        return Inferred(ProblemType.FORECASTING.value, 0.8, [ProblemType.REGRESSION.value],
                        "one numeric value per timestamp and no test file")
    return None


def infer_frequency(frame: pd.DataFrame, series: TimeSeriesInfo) -> str | None:
    """pandas' frequency string of the first series in the sample (e.g. 'D', 'MS', 'QS-OCT')."""
    rows = frame
    if series.item_id_column:
        rows = frame[frame[series.item_id_column] == frame[series.item_id_column].iloc[0]]
    stamps = pd.DatetimeIndex(rows[series.timestamp_column].dropna().drop_duplicates().sort_values().head(500))
    if len(stamps) < 3:
        return None
    frequency = pd.infer_freq(stamps)
    if frequency is None:
        step = pd.Series(stamps).diff().dropna().mode()
        frequency = pd.tseries.frequencies.to_offset(step.iloc[0]).freqstr if len(step) else None
    return frequency


def _frequency_days(frequency: str | None) -> float | None:
    if not frequency:
        return None
    start = pd.Timestamp("2001-01-01")
    return ((start + pd.tseries.frequencies.to_offset(frequency)) - start) / pd.Timedelta(days=1)


def prediction_length(series: TimeSeriesInfo, test: TableSample | None, description: Description) -> tuple[int, str]:
    """Steps to forecast: the test file's horizon per item, else the description ('next 14 days'), else a default."""
    if test is not None and series.timestamp_column in test.info.column_names:
        if series.item_id_column and series.item_id_column in test.info.column_names:
            counts = test.frame.groupby(series.item_id_column).size()
            return int(counts.median()), "test file"
        return int(test.frame[series.timestamp_column].nunique()), "test file"
    step_days = _frequency_days(series.frequency)
    match = re.search(r"next\s+(\d+|[a-z]+)?\s*(hour|day|week|month|quarter|year|step|period)s?", description.lower)
    if match:
        count = int(match.group(1)) if (match.group(1) or "").isdigit() else _NUMBERS.get(match.group(1) or "a", 1)
        unit = match.group(2)
        if unit in ("step", "period") or step_days is None:
            return count, "description"
        return max(1, round(count * _UNIT_DAYS[unit] / step_days)), "description"
    for limit, steps in _DEFAULT_STEPS:
        if step_days is not None and step_days <= limit:
            return steps, "default"
    return 10, "default"


def find_wide_series(sample: TableSample, target: str) -> bool:
    """Many numeric columns named like one sequence (t00..t23, x1..x100): each row is a series."""
    stems = []
    for column in sample.info.columns:
        match = re.fullmatch(r"([A-Za-z_]*?)_?(\d+)", column.name)
        if column.name != target and column.kind == "numeric" and match:
            stems.append(match.group(1).lower())
    return len(stems) >= 10 and max(stems.count(s) for s in set(stems)) >= 10


def time_series_classification(sample: TableSample, target: str, description: Description) -> Inferred | None:
    if not find_wide_series(sample, target):
        return None
    hinted = description.says(r"\b(series|hourly|daily|signal|sequence|sensor|readings?|measurements over)\b")
    return Inferred(ProblemType.TIME_SERIES_CLASSIFICATION.value, 0.8 if hinted else 0.65,
                    [ProblemType.MULTICLASS.value], "each row is a sequence of numbered numeric columns")
