"""Time series: long format (item id, timestamp, value), frequency, prediction length; wide series tables."""

from __future__ import annotations

import re

import pandas as pd

from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.profile import name_words
from mlzero_jupyter.perception.roles import Roles
from mlzero_jupyter.perception.samples import TableSample
from mlzero_jupyter.perception.spec import Inferred, ProblemType, TimeSeriesInfo

#: Words that ask for a forecast ('the next day' alone does not: "will it rain the next day?" is a classification).
FORECAST_WORDS = r"\b(forecast\w*|(next|coming|following|upcoming) \w+ (minutes?|hours?|days?|weeks?|fortnights?|" \
                 r"months?|quarters?|years?|steps?|periods?)|future|horizon|ahead)\b"
_TIME_WORDS = {"date", "time", "timestamp", "ds", "datetime", "period", "day", "month", "week"}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
            "eighteen": 18, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "a": 1, "an": 1,
            "the": 1, "half": 0.5, "one more": 1, "a couple of": 2, "a few": 3, "few": 3, "dozen": 12, "a dozen": 12}
_UNIT_DAYS = {"minute": 1 / 1440, "half hour": 1 / 48, "hour": 1 / 24, "half day": 0.5, "day": 1, "week": 7,
              "fortnight": 14, "month": 30.44, "quarter": 91.3, "half year": 182.6, "year": 365.25}
_UNIT = r"(minute|half[\s-]hour|hour|half[\s-]day|day|week|fortnight|month|quarter|half[\s-]year|year|step|period)s?"
_COUNT = r"(\d+|(?:a couple of|a few|a dozen|one more|[a-z]+)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?)"
#: Phrases that give a horizon: 'the next six months', '48 steps ahead', 'a horizon of 14 days', 'day-ahead'.
_HORIZONS = [
    rf"\b(?:next|coming|following|upcoming)\s+(?:{_COUNT}\s+)?{_UNIT}",
    rf"\b{_COUNT}[\s-]+{_UNIT}\s+(?:ahead|into the future|in advance|out)",
    rf"\bhorizon of\s+{_COUNT}(?:\s+{_UNIT})?",
    rf"\b(){_UNIT}[\s-]ahead",
]
#: Sampling frequencies in words, finest first (a series' step is finer than its season).
_FREQUENCIES = [
    (r"every (5|five) minutes|5[\s-]min(ute)? (intervals?|steps?|data)", "5min"),
    (r"every (10|ten) minutes|10[\s-]min(ute)? (intervals?|steps?|data)", "10min"),
    (r"every (15|fifteen) minutes|quarter[\s-]hourly|every quarter[\s-]hour|15[\s-]min(ute)? (intervals?|steps?|data)",
     "15min"),
    (r"every (30|thirty) minutes|half[\s-]hourly|every half[\s-]hour|30[\s-]min(ute)? (intervals?|steps?|data)",
     "30min"),
    (r"every minute|per minute|minutely", "min"),
    (r"\bhourly\b|every hour|per hour|each hour", "h"),
    (r"\bdaily\b|every day|per day|each day", "D"),
    (r"\bweekly\b|every week|per week|each week", "W"),
    (r"\bmonthly\b|every month|per month|each month", "MS"),
    (r"\bquarterly\b|every quarter|per quarter|each quarter", "QS"),
    (r"\b(yearly|annual|annually)\b|every year|per year|each year", "YS"),
]
_SEASON_UNITS = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year",
                 "annual": "year"}
_SEASONS = [
    r"\b(daily|weekly|monthly|quarterly|yearly|annual)\s+(?:cycles?|seasonality|seasonal\w*|patterns?|periodicity|"
    r"seasons?|rhythm)",
    r"\b(?:seasonality|cycle|pattern|period|season)\s+(?:of|every|over)\s+(?:a|one|the)\s+(day|week|month|quarter|year)",
    r"\brepeats?\s+(?:every|each)\s+(day|week|month|quarter|year)",
]
_SEASON_STEPS = r"\b(?:seasonal period|season(?:al)? length|seasonality)\s+(?:of\s+|is\s+|=\s*)?(\d+)\b"
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
        future = _after_history(series, train, test)
        only_keys = set(test.info.column_names) <= keys | set(series.known_covariates)
        if future or only_keys:
            return Inferred(ProblemType.FORECASTING, 0.95, [ProblemType.REGRESSION],
                            "the test file holds future timestamps of the same series")
    if description.says(FORECAST_WORDS):
        return Inferred(ProblemType.FORECASTING, 0.9, [ProblemType.REGRESSION],
                        "the description asks for a forecast")
    values = [c for c in train.info.columns if c.name not in keys and c.kind not in ("constant", "id")]
    if test is None and len(values) == 1 and values[0].kind == "numeric":
        return Inferred(ProblemType.FORECASTING, 0.8, [ProblemType.REGRESSION],
                        "one numeric value per timestamp and no test file")
    return None


def _after_history(series: TimeSeriesInfo, train: TableSample, test: TableSample) -> bool:
    """The test's timestamps come after the training history (of their own series when the test names them);
    a random split of dated rows interleaves them instead."""
    time, item = series.timestamp_column, series.item_id_column
    if item and item in test.frame:
        ends = train.frame.groupby(item)[time].max()
        starts = test.frame.groupby(item)[time].min()
        shared = starts.index.intersection(ends.index)
        if len(shared):
            return bool((starts[shared] > ends[shared]).mean() >= 0.9)
    return bool(test.frame[time].min() > train.frame[time].max())


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


def frequency_days(frequency: str | None) -> float | None:
    if not frequency:
        return None
    start = pd.Timestamp("2001-01-01")
    return ((start + pd.tseries.frequencies.to_offset(frequency)) - start) / pd.Timedelta(days=1)


def prediction_length(series: TimeSeriesInfo, test: TableSample | None, *texts: Description) -> tuple[int, str]:
    """Steps to forecast: the test file's horizon per item, else the words ('the next six months', first text that
    says), else a default."""
    if test is not None and series.timestamp_column in test.info.column_names:
        if series.item_id_column and series.item_id_column in test.info.column_names:
            counts = test.frame.groupby(series.item_id_column).size()
            return int(counts.median()), "test file"
        return int(test.frame[series.timestamp_column].nunique()), "test file"
    step_days = frequency_days(series.frequency)
    for text in texts:
        steps = horizon_from_words(text.lower, step_days)
        if steps is not None:
            return steps, "description"
    for limit, steps in _DEFAULT_STEPS:
        if step_days is not None and step_days <= limit:
            return steps, "default"
    return 10, "default"


def _count(word: str | None) -> float | None:
    if not word:
        return 1
    word = word.replace("-", " ").strip()
    if word.isdigit():
        return int(word)
    parts = word.split()
    if word in _NUMBERS:
        return _NUMBERS[word]
    if len(parts) == 2 and parts[0] in _NUMBERS and parts[1] in _NUMBERS and _NUMBERS[parts[0]] >= 20:
        return _NUMBERS[parts[0]] + _NUMBERS[parts[1]]  # twenty-four
    return None


def _unit_days(unit: str) -> float | None:
    unit = re.sub(r"[\s-]+", " ", unit)
    return _UNIT_DAYS.get(unit)


def horizon_from_words(text: str, step_days: float | None) -> int | None:
    """Steps a phrase asks for, in series steps of ``step_days`` days ('the next day' at 30 min: 48)."""
    for pattern in _HORIZONS:
        for match in re.finditer(pattern, text):
            count = _count(match.group(1))
            unit = match.group(2)
            if count is None:
                continue
            if unit is None or unit in ("step", "period") or step_days is None:
                return max(1, int(count))
            days = _unit_days(unit)
            if days is not None:
                return max(1, round(count * days / step_days))
    return None


def frequency_from_words(text: str) -> str | None:
    """The sampling frequency a text names ('every half hour' -> '30min'), ignoring seasons ('a weekly cycle')."""
    for pattern in _SEASONS:
        text = re.sub(pattern, " ", text)
    return next((frequency for pattern, frequency in _FREQUENCIES if re.search(pattern, text)), None)


def seasonal_period(text: str, step_days: float | None) -> int | None:
    """Steps per season a text names: 'a daily cycle' at 30 min is 48, 'seasonal period of 12' is 12."""
    match = re.search(_SEASON_STEPS, text)
    if match:
        return int(match.group(1))
    for pattern in _SEASONS:
        match = re.search(pattern, text)
        if match and step_days:
            unit = _SEASON_UNITS.get(match.group(1), match.group(1))
            steps = round(_UNIT_DAYS[unit] / step_days)
            if steps >= 2:
                return steps
    return None


def read_series_words(series: TimeSeriesInfo, *texts: Description) -> list[str]:
    """Frequency (when the timestamps cannot tell) and seasonal period from the words; a disagreement is a warning."""
    warnings = []
    for text in texts:
        stated = frequency_from_words(text.lower)
        if stated is None:
            continue
        if series.frequency is None:
            series.frequency = stated
        elif not _close(frequency_days(stated), frequency_days(series.frequency)):
            warnings.append(f"the words say a step of {stated} but the timestamps are {series.frequency} apart; "
                            "the timestamps are used")
        break
    step_days = frequency_days(series.frequency)
    series.seasonal_period = next((p for t in texts if (p := seasonal_period(t.lower, step_days))), None)
    return warnings


def _close(a: float | None, b: float | None) -> bool:
    return a is None or b is None or abs(a - b) <= 0.1 * max(a, b)


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
    return Inferred(ProblemType.TIME_SERIES_CLASSIFICATION, 0.8 if hinted else 0.65,
                    [ProblemType.MULTICLASS], "each row is a sequence of numbered numeric columns")
