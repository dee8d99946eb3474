"""How much the referee's score would move with other held-out rows: a bootstrap standard error.

The score shown to the user comes from a few dozen or hundred held-out rows; another draw of rows would give a
different number. Rescoring the same predictions on rows drawn with replacement tells how far: the spread of those
scores is the standard error a user should read the score with (and the size of gap to expect between the referee's
score and a score on new data).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable

import numpy as np

#: Bootstrap draws: enough for the standard error's first digit, cheap next to an attempt.
RESAMPLES = 100
#: Fewer held-out rows than this give no standard error (a bootstrap of a handful of rows says little).
MIN_ROWS = 10
#: Drawing stops after this many seconds once ``MIN_DRAWS`` are scored (a slow metric, such as a per-label F1 over
#: many labels, would otherwise add seconds to every judged attempt).
SECONDS_CAP, MIN_DRAWS = 1.0, 30


def bootstrap_error(score: Callable[[np.ndarray], float], rows: int, resamples: int = RESAMPLES,
                    seed: int = 0) -> float | None:
    """The standard deviation of ``score(positions)`` over draws of ``rows`` positions with replacement (fewer
    draws when the metric is slow); None with fewer than ``MIN_ROWS`` rows or when fewer than half the draws can be
    scored (one class drawn for ROC AUC)."""
    if rows < MIN_ROWS:
        return None
    generator = np.random.default_rng(seed)
    scores: list[float] = []
    began, drawn = time.monotonic(), 0
    while drawn < resamples and not (len(scores) >= MIN_DRAWS and time.monotonic() - began > SECONDS_CAP):
        drawn += 1
        try:
            with warnings.catch_warnings():  # a draw may miss a class: scikit-learn's warning would reach the user
                warnings.simplefilter("ignore")
                value = score(generator.integers(0, rows, rows))
        except ValueError:  # e.g. a draw with one class only
            continue
        if math.isfinite(value):
            scores.append(value)
    if len(scores) < max(2, drawn / 2):
        return None
    return float(np.std(scores, ddof=1))
