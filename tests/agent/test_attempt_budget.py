"""How a search slices its time after the first valid attempt."""

from __future__ import annotations

import pytest

from mlzero_jupyter.agent import STRONGER_ATTEMPT_SECONDS, later_attempt_seconds


def test_half_of_what_is_left_when_the_final_run_fits_beside_it():
    assert later_attempt_seconds(300, refit_s=40, final_run_needed=False) == 150
    assert later_attempt_seconds(300, refit_s=200, final_run_needed=False) == 100


def test_a_stronger_candidate_gets_its_time_before_the_final_run_does():
    """Wine in the benchmark: 80 s left, the fast attempt's final run needs 38 s; bagging needs more than 40 - 38."""
    assert later_attempt_seconds(80, refit_s=38, final_run_needed=False) == STRONGER_ATTEMPT_SECONDS


@pytest.mark.parametrize("remaining", [30, 52])
def test_near_the_end_half_of_what_is_left_at_most(remaining):
    """Later attempts never take more than half, so the final run of a small table often still fits."""
    assert later_attempt_seconds(remaining, refit_s=45, final_run_needed=False) == remaining / 2


def test_a_forecast_always_keeps_its_final_run():
    assert later_attempt_seconds(80, refit_s=60, final_run_needed=True) == 20
