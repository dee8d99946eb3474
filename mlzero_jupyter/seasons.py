"""The seasonal periods a time series' frequency implies: one place for the planner's seasonal models and the
referee's forecast window."""

from __future__ import annotations

#: Seasonal periods by the frequency's unit: a day and a week of steps for sub-daily data, a week (and a year) for
#: daily data, a year for weekly, monthly and quarterly data.
STEPS_PER_DAY = {"min": 1440, "T": 1440, "h": 24, "H": 24, "s": 86400, "S": 86400}
SEASONS = {"D": [7], "B": [5], "W": [52], "M": [12], "MS": [12], "ME": [12], "Q": [4], "QS": [4], "QE": [4]}


def seasonal_periods(frequency: str | None) -> list[int]:
    """The seasonal periods a series of this pandas frequency has (``30min`` -> one day and one week of steps)."""
    if not frequency:
        return []
    base = frequency.split("-")[0]  # QS-OCT: quarters, whatever month they start in
    count = int("".join(c for c in base if c.isdigit()) or 1)
    unit = "".join(c for c in base if c.isalpha())
    if unit in STEPS_PER_DAY:
        day = STEPS_PER_DAY[unit] // count
        return [day, 7 * day] if day > 1 else []
    return SEASONS.get(unit, [])
