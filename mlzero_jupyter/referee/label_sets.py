"""The referee of a multi-label table: held-out rows join the test table as for any table, and their answers are
label sets (read from the delimited column or the 0/1 columns), scored by ``f1_macro_multilabel``."""

from __future__ import annotations

import pandas as pd

from mlzero_jupyter.metrics import label_sets
from mlzero_jupyter.referee.derive import Answers, Referee, _Tables


class LabelSets(_Tables):
    """Rows whose labels are all missing stay out; the held-out rows are drawn at random (label sets rarely
    repeat often enough to stratify on)."""

    @property
    def label_columns(self) -> list[str]:
        return list(self.task.label_sets.columns)

    def labels(self, typed: pd.DataFrame) -> pd.Series:
        layout = self.task.label_sets
        sets = label_sets(typed, layout.columns, layout.delimiter)
        return sets.where(typed[layout.columns].notna().any(axis=1), None)

    def _referee(self, keys: list[str], truth: list, id_column: str | None, real_keys: list[str],
                 label: str) -> Referee:
        layout = self.task.label_sets
        answers = Answers("rows", keys, truth, id_column, real_keys, label_columns=list(layout.columns),
                          delimiter=layout.delimiter)
        return Referee(self.spec, answers, self.root, "rows")
