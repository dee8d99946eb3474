"""What every attempt's code must leave in its folder, so the validator can judge it deterministically.

The code runs with its attempt folder as working directory and writes, there:

- ``predictions.<ext>``: one row per test row (or per image, or per item and horizon step for forecasts), in the
  sample submission's format when there is one (same columns, same order, same file type), else ``predictions.csv``
  with the id column (when the test set has one) and the target column;
- ``metrics.json``: ``{"metric": str, "validation_score": float, "higher_is_better": bool,
  "validation": str (how the score was obtained, on data not used for fitting), "model_path": str (optional)}``;
- optionally, a module-level ``TIME_LIMIT = <seconds>`` setting for its training: the final run on every labelled
  row may raise it to use the time the search left (the offline planner's scripts always declare it);
- optionally ``leaderboard.csv`` and ``feature_importance.csv`` for the displays, and ``fallback.json`` when
  rows the model could not score were filled with a fallback value.

The data folder the code is given is the referee's derived copy: its test set also holds labelled rows whose labels
were removed, and the agent scores the attempt on them itself (``mlzero_jupyter.referee``). The code's own
``validation_score`` is a diagnostic.
"""

from __future__ import annotations

PREDICTIONS_STEM = "predictions"
#: The predictions file's extension for each table format of a sample submission.
PREDICTION_EXTENSIONS = {"csv": ".csv", "tsv": ".tsv", "txt": ".csv", "parquet": ".parquet", "feather": ".feather",
                         "excel": ".xlsx", "json": ".json", "jsonl": ".jsonl"}

#: Metrics scored on probabilities: a binary task's predictions are the positive class's probability.
PROBABILITY_METRICS = frozenset({"roc_auc", "log_loss"})

METRICS_FILE = "metrics.json"
LEADERBOARD_FILE = "leaderboard.csv"
FEATURE_IMPORTANCE_FILE = "feature_importance.csv"
CODE_FILE = "solution.py"
STDOUT_FILE = "stdout.txt"
STDERR_FILE = "stderr.txt"
#: ``{"filled_rows": int}``: how many predictions a fallback value filled (the referee limits their share).
FALLBACK_FILE = "fallback.json"
#: The setting a script may declare for its seconds of training: ``TIME_LIMIT = 42`` on a line of its own.
TRAINING_SECONDS_SETTING = "TIME_LIMIT"
