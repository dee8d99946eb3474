"""Which labelled rows the referee sets aside: stratified by class, grouped by entity, or the last windows of series.

Deterministic: the same data and seed always give the same rows, so a resumed run re-derives its answers instead of
keeping them on disk where an attempt could read them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlzero_jupyter.seasons import seasonal_periods

#: Share of the labelled rows held out, and the bounds on how many.
HOLDOUT_FRACTION = 0.2
MIN_HOLDOUT_ROWS = 10
MAX_HOLDOUT_ROWS = 5000
#: Classes with fewer labelled rows than this keep all of them for training.
MIN_CLASS_ROWS = 2


def holdout_size(rows: int) -> int:
    """How many of ``rows`` labelled rows to hold out (0 when too few to spare any)."""
    if rows < 2 * MIN_HOLDOUT_ROWS:
        return 0
    return int(min(MAX_HOLDOUT_ROWS, max(MIN_HOLDOUT_ROWS, round(rows * HOLDOUT_FRACTION))))


def choose_rows(labels: pd.Series, classification: bool, seed: int, groups: pd.Series | None = None) -> np.ndarray:
    """Positions (0-based, sorted) of the held-out rows of a labelled table.

    Classification is stratified (each class keeps its share; rare classes stay in training); rows that share a
    group (an entity such as a series id) are held out together.
    """
    size = holdout_size(len(labels))
    if size == 0:
        return np.array([], dtype=int)
    rng = np.random.default_rng(seed)
    if groups is not None:
        return _by_group(groups.reset_index(drop=True), size, rng)
    if not classification:
        return np.sort(rng.choice(len(labels), size=size, replace=False))
    keys = labels.astype(str).reset_index(drop=True)
    chosen: list[int] = []
    share = size / len(keys)
    for _, positions in keys.groupby(keys).groups.items():
        positions = np.asarray(positions)
        if len(positions) < MIN_CLASS_ROWS:
            continue
        take = min(len(positions) - 1, max(1, int(round(len(positions) * share))))
        chosen.extend(rng.choice(positions, size=take, replace=False))
    return np.sort(np.asarray(chosen, dtype=int))


def _by_group(groups: pd.Series, size: int, rng: np.random.Generator) -> np.ndarray:
    names = groups.astype(str)
    unique = names.unique()
    rng.shuffle(unique)
    chosen: list[int] = []
    for name in unique:
        if len(chosen) >= size:
            break
        chosen.extend(np.flatnonzero(names.to_numpy() == name))
    return np.sort(np.asarray(chosen, dtype=int))


def last_windows(frame: pd.DataFrame, item: str | None, timestamp: str, horizon: int) -> np.ndarray:
    """Positions of the last ``horizon`` time steps of each series (none for a series shorter than 3 horizons)."""
    order = frame.assign(_position=np.arange(len(frame)), _time=pd.to_datetime(frame[timestamp], errors="coerce"))
    keys = order[item].astype(str) if item else pd.Series("series", index=order.index)
    chosen: list[int] = []
    for _, group in order.groupby(keys, sort=False):
        group = group.sort_values("_time")
        if len(group) >= 3 * horizon:
            chosen.extend(group["_position"].to_numpy()[-horizon:])
    return np.sort(np.asarray(chosen, dtype=int))


#: The referee's forecast window: whole horizons covering the longest seasonal period, at most this many.
MAX_FORECAST_HORIZONS = 7


def forecast_window(horizon: int, frequency: str | None) -> int:
    """How many last steps of every series the referee holds out: whole horizons until the longest seasonal period
    the frequency implies is covered (a week of half-hours for a day's horizon: every weekday is judged, not one),
    at most ``MAX_FORECAST_HORIZONS``; one horizon when it covers the period already."""
    longest = max(seasonal_periods(frequency), default=horizon)
    return horizon * min(MAX_FORECAST_HORIZONS, max(1, -(-longest // horizon)))


def forecast_rows(frame: pd.DataFrame, item: str | None, timestamp: str, horizon: int,
                  frequency: str | None) -> tuple[np.ndarray, int]:
    """Positions of the referee's held-out forecast window of every long-enough series, and its length in steps:
    ``forecast_window``'s, or one horizon when no series is long enough for that."""
    window = forecast_window(horizon, frequency)
    chosen = last_windows(frame, item, timestamp, window)
    if len(chosen) == 0 and window > horizon:
        window, chosen = horizon, last_windows(frame, item, timestamp, horizon)
    return chosen, window
