"""Horizons, frequencies and seasonal periods read from words, on real series (vega_datasets)."""

from __future__ import annotations

import pytest

from mlzero_jupyter.perception import perceive
from mlzero_jupyter.perception.summary import summary_text
from mlzero_jupyter.perception.timeseries import frequency_from_words, horizon_from_words, seasonal_period

HALF_HOUR, DAY = 1 / 48, 1.0


@pytest.mark.parametrize(("words", "step_days", "steps"), [
    ("forecast the next day", HALF_HOUR, 48),
    ("for the next six months", 30.44, 6),
    ("the coming two weeks", DAY, 14),
    ("the next twenty-four hours", HALF_HOUR, 48),
    ("48 steps ahead", HALF_HOUR, 48),
    ("a day-ahead forecast", 1 / 24, 24),
    ("with a horizon of 12", 30.44, 12),
    ("over the following quarter", 30.44, 3),
    ("the next half year", 30.44, 6),
])
def test_horizons_in_words(words, step_days, steps):
    assert horizon_from_words(words, step_days) == steps


@pytest.mark.parametrize(("words", "frequency", "season"), [
    ("every half hour, with a daily cycle", "30min", 48),
    ("daily sales with a weekly pattern", "D", 7),
    ("monthly totals; the seasonality repeats every year", "MS", 12),
    ("hourly readings, seasonal period of 24", "h", 24),
])
def test_frequency_and_season_in_words(words, frequency, season):
    from mlzero_jupyter.perception.timeseries import frequency_days

    assert frequency_from_words(words) == frequency
    assert seasonal_period(words, frequency_days(frequency)) == season


def test_next_day_every_half_hour_is_48_steps(tmp_path):
    from vega_datasets import local_data

    temps = local_data.seattle_temps().set_index("date").resample("30min").mean().interpolate().reset_index()
    temps.tail(20 * 48).to_csv(tmp_path / "temps.csv", index=False)  # twenty days of half-hours
    spec = perceive(tmp_path, "Forecast the temperature for the next day, every half hour; it has a daily cycle")
    series = spec.time_series
    assert (spec.problem_type.value, spec.target.value) == ("forecasting", "temp")
    assert (series.frequency, series.prediction_length, series.prediction_length_source) == ("30min", 48,
                                                                                            "description")
    assert series.seasonal_period == 48 and not spec.warnings
    assert "predict 48 steps (description), season 48 steps" in summary_text(spec, width=200)


def test_next_six_months_at_monthly_steps(tmp_path):
    from vega_datasets import local_data

    local_data.us_employment()[["month", "nonfarm", "construction"]].to_csv(tmp_path / "jobs.csv", index=False)
    spec = perceive(tmp_path, "Forecast nonfarm employment for the next six months")
    series = spec.time_series
    assert (spec.problem_type.value, spec.target.value) == ("forecasting", "nonfarm")
    assert (series.frequency, series.prediction_length) == ("MS", 6)


def test_words_that_contradict_the_timestamps_are_a_warning(tmp_path):
    from vega_datasets import local_data

    local_data.seattle_temps().tail(24 * 20).to_csv(tmp_path / "temps.csv", index=False)  # hourly
    spec = perceive(tmp_path, "Forecast the temperature every half hour for the next 24 hours")
    assert (spec.time_series.frequency, spec.time_series.prediction_length) == ("h", 24)
    assert any("30min" in w and "timestamps" in w for w in spec.warnings)


@pytest.mark.parametrize(("description", "target"), [
    ("Forecast the maximum temperature for the next two weeks, daily", "temp_max"),
    ("Forecast the lowest temperature every day for the next 2 weeks", "temp_min"),  # 'lowest' means min
])
def test_next_two_weeks_daily(tmp_path, description, target):
    from vega_datasets import local_data

    local_data.seattle_weather().to_csv(tmp_path / "weather.csv", index=False)
    spec = perceive(tmp_path, description)
    series = spec.time_series
    assert (spec.problem_type.value, spec.target.value) == ("forecasting", target)
    assert (series.frequency, series.prediction_length, series.prediction_length_source) == ("D", 14, "description")
