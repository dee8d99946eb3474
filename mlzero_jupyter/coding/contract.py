"""What every attempt's code must leave in its folder, so the validator can judge it deterministically.

The code runs with its attempt folder as working directory and writes, there:

- ``predictions.<ext>``: one row per test row (or per image, or per item and horizon step for forecasts), in the
  sample submission's format when there is one (same columns, same order, same file type), else ``predictions.csv``
  with the id column (when the test set has one) and the target column;
- ``metrics.json``: ``{"metric": str, "validation_score": float, "higher_is_better": bool,
  "validation": str (how the score was obtained, on data not used for fitting), "model_path": str (optional)}``;
- optionally ``leaderboard.csv`` and ``feature_importance.csv`` for the displays.
"""

from __future__ import annotations

PREDICTIONS_STEM = "predictions"
METRICS_FILE = "metrics.json"
LEADERBOARD_FILE = "leaderboard.csv"
FEATURE_IMPORTANCE_FILE = "feature_importance.csv"
CODE_FILE = "solution.py"
STDOUT_FILE = "stdout.txt"
STDERR_FILE = "stderr.txt"
