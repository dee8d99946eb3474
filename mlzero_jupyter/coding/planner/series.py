"""Time-series classification as tabular learning: per-series features for TabularPredictor.

Wide tables (one series per row) keep their raw values and gain summary statistics; long tables (series id, time,
values) become one row of statistics per series, joined to the labels.
"""

from __future__ import annotations

from mlzero_jupyter.perception.spec import FileInfo, FileRole, TaskSpec

WIDE_HELPER = '''
def add_series_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """The row's series (SERIES_COLUMNS, in time order) summarised next to its raw values."""
    values = frame[SERIES_COLUMNS].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    steps = np.abs(np.diff(values, axis=1))
    statistics = pd.DataFrame(
        {
            "series_mean": np.nanmean(values, axis=1),
            "series_std": np.nanstd(values, axis=1),
            "series_min": np.nanmin(values, axis=1),
            "series_max": np.nanmax(values, axis=1),
            "series_trend": values[:, -1] - values[:, 0],
            "series_step_mean": np.nanmean(steps, axis=1),
            "series_peak_position": np.nanargmax(np.nan_to_num(values, nan=-np.inf), axis=1),
        },
        index=frame.index,
    )
    return pd.concat([frame, statistics], axis=1)
'''

LONG_HELPER = '''
def series_features(values: pd.DataFrame) -> pd.DataFrame:
    """One row per series: statistics of each value column, with the series ordered in time."""
    ordered = values.sort_values([SERIES_ID, TIMESTAMP])
    groups = ordered.groupby(SERIES_ID)[VALUE_COLUMNS]
    features = groups.agg(["mean", "std", "min", "max", "median", "first", "last", "count"])
    features.columns = [f"{column}_{statistic}" for column, statistic in features.columns]
    steps = groups.diff().abs().groupby(ordered[SERIES_ID]).mean()
    return features.join(steps.add_suffix("_step_mean")).reset_index()
'''


def is_long(task: TaskSpec) -> bool:
    """Series given as rows of (series id, time, value): perception found the id and timestamp columns."""
    ts = task.time_series
    return ts is not None and bool(ts.item_id_column) and bool(ts.timestamp_column)


def wide_columns(train: FileInfo, label: str, ignored: list[str]) -> list[str]:
    """The numeric columns of a wide table, in file order: the series' time steps."""
    return [c.name for c in train.columns if c.kind == "numeric" and c.name != label and c.name not in ignored]


def values_file(task: TaskSpec) -> FileInfo:
    """The long table of values: the first table holding both the series id and the timestamp column."""
    ts = task.time_series
    for info in task.files:
        names = info.column_names
        if ts.item_id_column in names and ts.timestamp_column in names and info.role != FileRole.TEST:
            return info
    raise ValueError("no table holds both the series id and the timestamp column")


def value_columns(values: FileInfo, task: TaskSpec) -> list[str]:
    ts = task.time_series
    skip = {ts.item_id_column, ts.timestamp_column, task.target.value}
    return [c.name for c in values.columns if c.kind == "numeric" and c.name not in skip]


def long_prepare_lines(task: TaskSpec, train_is_values: bool, test_is_long: bool) -> str:
    """Lines turning the long values into one row per series for train and test."""
    source = "train" if train_is_values else "values"
    lines = ["# One row per series: its statistics, and for training its label.",
             f"every_series = series_features({source})"]
    if train_is_values:
        lines.append("labels = train.dropna(subset=[LABEL]).groupby(SERIES_ID, as_index=False)[LABEL].first()")
    else:
        lines.append("labels = train[[SERIES_ID, LABEL]].drop_duplicates(SERIES_ID)")
    lines.append('train = labels.merge(every_series, on=SERIES_ID, how="left")')
    if test_is_long:
        lines.append("test = series_features(test)")
    elif task.test_file is not None:
        lines.append('test = test[[SERIES_ID]].drop_duplicates().merge(every_series, on=SERIES_ID, how="left")')
    return "\n".join(lines)
