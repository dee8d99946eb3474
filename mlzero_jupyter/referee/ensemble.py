"""Ensembles across attempts: greedy ensemble selection (Caruana et al., 2004) on the referee's held-out rows.

Start from the best single attempt; at each round add (with replacement) the attempt whose addition scores best on
the held-out rows; keep the best ensemble seen. Numbers (probabilities, values) are averaged with the weights;
labels are a weighted vote. The ensemble is used only when it beats the best single attempt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Rounds of greedy selection (members may repeat, so this bounds the ensemble's size).
ROUNDS = 20


@dataclass
class Ensemble:
    weights: dict[int, float]  # attempt number -> weight (summing to 1)
    score: float

    @property
    def members(self) -> list[int]:
        return sorted(self.weights)


def combine(frames: list[tuple[float, pd.DataFrame]], vote: bool) -> pd.DataFrame:
    """Weighted mean of numeric predictions, or weighted vote of labels, over frames with the same rows and columns."""
    first = frames[0][1]
    if not vote:
        total = sum(weight for weight, _ in frames)
        values = sum(weight * frame.to_numpy(dtype=float) for weight, frame in frames) / total
        return pd.DataFrame(values, index=first.index, columns=first.columns)
    column = first.columns[0]
    tallies = [Counter() for _ in range(len(first))]
    for weight, frame in frames:
        for tally, label in zip(tallies, frame[column].tolist()):
            tally[label] += weight
    return pd.DataFrame({column: [tally.most_common(1)[0][0] for tally in tallies]}, index=first.index)


def select(candidates: dict[int, pd.DataFrame], score: Callable[[pd.DataFrame], float], higher_is_better: bool,
           vote: bool, rounds: int = ROUNDS) -> Ensemble | None:
    """The best greedy ensemble of ``candidates`` (attempt -> held-out predictions), or None with fewer than two
    compatible candidates or when no ensemble beats the best single attempt."""
    if len(candidates) < 2:
        return None
    sign = 1.0 if higher_is_better else -1.0
    singles = {number: score(frame) for number, frame in candidates.items()}
    best_single = max(singles, key=lambda n: sign * singles[n])
    columns = list(candidates[best_single].columns)
    pool = {n: f for n, f in candidates.items() if list(f.columns) == columns and np.isfinite(singles[n])}
    chosen = [best_single]
    best = Ensemble({best_single: 1.0}, singles[best_single])
    for _ in range(rounds):
        trials = {n: score(combine(_weighted(chosen + [n], pool), vote)) for n in pool}
        number = max(trials, key=lambda n: sign * trials[n])
        chosen.append(number)
        if sign * trials[number] > sign * best.score:
            counts = Counter(chosen)
            best = Ensemble({n: c / len(chosen) for n, c in counts.items()}, trials[number])
    return best if len(best.weights) > 1 else None


def _weighted(chosen: list[int], pool: dict[int, pd.DataFrame]) -> list[tuple[float, pd.DataFrame]]:
    counts = Counter(chosen)
    return [(count / len(chosen), pool[number]) for number, count in counts.items()]
