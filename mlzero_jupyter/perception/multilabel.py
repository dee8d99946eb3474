"""Multi-label targets: a row carries several labels, as one delimited column ("drama|comedy") or as 0/1 columns.

0/1 columns are the target when there are at least two and the test table lacks them (or the sample submission
holds them); a delimited column when it is the target, or a column the test lacks, and enough of its cells hold
several short labels from a small vocabulary. A request for several labels ("which tags apply", "all the genres")
lowers the bar: then one cell in twenty with two labels is enough, and a space may separate the labels.
"""

from __future__ import annotations

import re

import pandas as pd

from mlzero_jupyter.metrics import label_set
from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.roles import Roles
from mlzero_jupyter.perception.spec import ColumnInfo, Inferred, LabelSetInfo, Modality, ProblemType, TaskSpec

_THINGS = r"(tags?|labels?|genres?|categories|category|topics?|class(es)?|themes?|keywords?|functions?|attributes?)"
#: The request asks for every label that applies, not one class.
MULTILABEL_WORDS = (rf"\bmulti[\s-]?label|\b(which|what) {_THINGS} (apply|applies|fit|are present|does it have)|"
                    rf"\ball (of )?(the )?(\w+ )?{_THINGS}\b|\b(every|each) {_THINGS} (that|which) appl|"
                    rf"\ball that apply\b|\bone or (several|more) {_THINGS}|\b(several|multiple) {_THINGS}")
#: Delimiters tried, most telling first; a space only when the request asks for several labels.
DELIMITERS = ("|", ";", ",")
#: A delimited column holds at most this many labels, each of at most this many characters.
MAX_LABELS, MAX_LABEL_CHARS = 200, 40
#: Share of cells with two labels or more needed to call a column delimited (without / with the request asking).
MIN_MULTI_SHARE, MIN_MULTI_SHARE_ASKED = 0.2, 0.05


def asks_for_label_sets(*texts: Description) -> bool:
    return any(text.says(MULTILABEL_WORDS) for text in texts)


def find_label_sets(roles: Roles, target: str | None, asked: bool) -> LabelSetInfo | None:
    """The multi-label layout of the training table, if it has one."""
    return _binary_columns(roles, asked) or _delimited(roles, target, asked)


def apply_label_sets(spec: TaskSpec, found: LabelSetInfo, columns: list[ColumnInfo], asked: bool) -> None:
    """Set the target, problem type and modality of a multi-label task."""
    spec.label_sets = found
    before = spec.problem_type.value or (ProblemType.BINARY if found.delimiter is None
                                         else ProblemType.MULTICLASS)
    if found.delimiter is None:
        reason = f"{len(found.columns)} 0/1 label columns"
        spec.target = Inferred(list(found.columns), 0.9, [], reason)
    else:
        reason = f"{found.columns[0]!r} holds labels separated by {found.delimiter!r} ({len(found.labels)} seen)"
        spec.target = Inferred(found.columns[0], max(spec.target.confidence, 0.85), spec.target.alternatives, reason)
    spec.problem_type = Inferred(ProblemType.MULTILABEL, 0.95 if asked else 0.85,
                                 [before] if before else [], reason + (", and the request asks for several"
                                                                       if asked else ""))
    features = [c for c in columns if c.name not in found.columns and c.kind not in ("id", "constant")]
    texts = [c.name for c in features if c.kind == "text"]
    spec.modality = (Inferred(Modality.TEXT, 0.8, [Modality.TABULAR], f"text: {', '.join(texts)}")
                     if texts else Inferred(Modality.TABULAR, 0.9, [], "numeric and categorical features"))


def _is_binary(values: pd.Series) -> bool:
    present = {str(v).strip().lower() for v in values.dropna().unique()}
    return bool(present) and present <= {"0", "1", "0.0", "1.0", "true", "false"}


def _binary_columns(roles: Roles, asked: bool) -> LabelSetInfo | None:
    train = roles.train.frame
    binary = [c for c in train.columns if _is_binary(train[c])]
    if roles.submission is not None:
        keys = set(roles.test.info.column_names) if roles.test is not None else set()
        predicted = [c for c in roles.submission.info.column_names if c not in keys]
        chosen = [c for c in predicted if c in binary]
        if len(chosen) >= 2 and len(chosen) == len(predicted):
            return LabelSetInfo(chosen, list(chosen))
    if roles.test is not None:
        missing = roles.target_columns
        chosen = [c for c in missing if c in binary]
        if len(chosen) >= 2 and len(chosen) == len(missing):
            return LabelSetInfo(chosen, list(chosen))
    elif asked and len(binary) >= 2:
        stems = pd.Series([re.sub(r"[\W_]*\d*$", "", re.sub(r"^([A-Za-z]+)[\W_].*$", r"\1", c)) for c in binary])
        common = stems.value_counts()
        if common.iloc[0] >= 2:
            chosen = [c for c, stem in zip(binary, stems) if stem == common.index[0]]
            return LabelSetInfo(chosen, list(chosen))
    return None


def _delimited(roles: Roles, target: str | None, asked: bool) -> LabelSetInfo | None:
    train = roles.train.frame
    candidates = [c for c in dict.fromkeys([target, *(roles.target_columns if roles.test is not None else [])])
                  if c in train.columns and train[c].dtype == object]
    for column in candidates:
        cells = train[column].dropna().astype(str)
        for delimiter in DELIMITERS + ((" ",) if asked else ()):
            sets = cells.map(lambda cell: label_set(cell, delimiter))
            labels = sorted(set().union(*sets)) if len(sets) else []
            multi = float((sets.map(len) >= 2).mean()) if len(sets) else 0.0
            short = all(len(label) <= MAX_LABEL_CHARS and len(label.split()) <= 4 for label in labels)
            repeated = 2 * len(labels) <= int(sets.map(len).sum())  # labels recur: a vocabulary, not free text
            if (short and repeated and 2 <= len(labels) <= MAX_LABELS
                    and multi >= (MIN_MULTI_SHARE_ASKED if asked else MIN_MULTI_SHARE)):
                return LabelSetInfo([column], labels, delimiter)
    return None
