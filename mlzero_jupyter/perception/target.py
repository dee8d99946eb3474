"""Target column, id column and problem type, each with a confidence and the alternatives considered."""

from __future__ import annotations

import pandas as pd

from mlzero_jupyter.errors import DataError
from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.phrases import FULL_SCORE, GOAL_BONUS
from mlzero_jupyter.perception.profile import name_words
from mlzero_jupyter.perception.roles import Roles
from mlzero_jupyter.perception.spec import ColumnInfo, Inferred, ProblemType

TARGET_WORDS = {"target", "label", "labels", "class", "y", "outcome", "survived", "churn", "churned", "default",
                "response", "price", "sales", "diagnosis", "species", "result", "category", "fraud", "rating",
                "score", "quality", "salary", "income", "revenue", "demand", "status", "sentiment", "grade"}
_NOT_TARGET_KINDS = {"id", "path", "constant", "text", "datetime"}
_ID_WORDS = {"id", "key", "uuid", "guid", "index", "idx"}
#: Score added to a named column of the kind the request asks for, taken from one of the other kind.
KIND_BONUS, KIND_PENALTY = 2.0, 1.0
#: Share of that score when the request names no column ('How much did it sell for?' still asks for an amount).
UNNAMED_KIND_SHARE = 0.5
#: Score of a column the data's readme names right after a goal word ('the goal is to predict SalePrice').
README_WEIGHT = 2.0


def confidence_from_margin(margin: float) -> float:
    """How sure a choice is, from the gap between the best and the second-best score."""
    for gap, confidence in ((3.0, 0.95), (2.0, 0.85), (1.0, 0.7), (0.5, 0.55)):
        if margin >= gap:
            return confidence
    return 0.4


def ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: -item[1])


def infer_id_column(roles: Roles) -> Inferred:
    """A column unique per row, named like an id, shared with the test and the sample submission."""
    train = roles.train
    test_columns = set(roles.test.info.column_names) if roles.test else set()
    submission = roles.submission.info.column_names if roles.submission else []
    scores: dict[str, float] = {}
    for position, column in enumerate(train.info.columns):
        values = train.frame[column.name].dropna()
        keys_submission = submission[:1] == [column.name]
        nearly_unique = column.distinct_count >= 0.9 * len(values) and column.kind != "text" and (
            column.kind != "datetime" or keys_submission)  # a date names a row only when it keys the submission
        named = bool(set(name_words(column.name)) & _ID_WORDS)
        unique_integers = column.kind == "numeric" and column.distinct_count == len(values) >= 20 \
            and bool((values % 1 == 0).all())
        disjoint = _disjoint_from_test(roles, column.name, values)
        if not (column.kind == "id" or ((named or keys_submission) and nearly_unique)
                or (unique_integers and (position == 0 or disjoint))):
            continue
        scores[column.name] = (2.0 * (column.kind == "id") + 1.5 * named + 1.0 * (column.name in test_columns)
                               + 1.0 * disjoint + 2.0 * (column.name in submission)
                               + 1.0 * keys_submission + 0.5 * (position == 0))
    if not scores:
        return Inferred(None, 0.8, [], "no column is unique per row and named like an id")
    order = ranked(scores)
    best, score = order[0]
    margin = score - (order[1][1] if len(order) > 1 else 0.0)
    return Inferred(best, min(0.95, confidence_from_margin(margin) + 0.05 * (score >= 4)),
                    [name for name, _ in order[1:4]], f"unique per row (score {score:.1f})")


def _disjoint_from_test(roles: Roles, name: str, values: pd.Series) -> bool:
    """Ids of a split: the test's values of the column never occur in train."""
    if roles.test is None or name not in roles.test.frame:
        return False
    theirs = roles.test.frame[name].dropna()
    return len(theirs) > 0 and not set(theirs.astype(str)) & set(values.astype(str))


def infer_target(roles: Roles, description: Description, id_column: str | None, exclude: set[str] = frozenset(),
                 numeric_only: bool = False, readme: Description | None = None) -> Inferred:
    """Score every plausible column: missing from the test, in the sample submission, named in the description
    (as the kind of answer it asks for), named after a goal word in the data's readme."""
    train = roles.train
    missing_in_test = set(roles.target_columns)
    test_columns = set(roles.test.info.column_names) if roles.test else set()
    submission = set(roles.submission.info.column_names) if roles.submission else set()
    last = train.info.columns[-1].name
    candidates = [c for c in train.info.columns if c.name != id_column and c.name not in exclude
                  and c.kind not in _NOT_TARGET_KINDS and (not numeric_only or c.kind == "numeric")]
    if not candidates:
        raise DataError(f"no column of {train.info.path} can be a target (only ids, text, dates or constants); "
                        "add a label column or name it in the description")
    named = description.mention_scores([c.name for c in candidates])
    noted = readme.mention_scores([c.name for c in candidates]) if readme else {}
    scores: dict[str, float] = {}
    for column in candidates:
        score = named.get(column.name, 0.0) + 3.0 * _values_mentioned(train.frame[column.name], column, description)
        if column.name in named or not named:  # with no column named, the kind asked for still counts, less
            score += _kind_fit(column, description) * (1.0 if named else UNNAMED_KIND_SHARE)
        score += README_WEIGHT * (noted.get(column.name, 0.0) >= FULL_SCORE + GOAL_BONUS)
        score += 3.0 * (column.name in missing_in_test) - 3.0 * (column.name in test_columns)
        score += 3.0 * (column.name in submission)
        score += 1.5 * bool(set(name_words(column.name)) & TARGET_WORDS) + 0.5 * (column.name == last)
        scores[column.name] = score
    order = ranked(scores)
    best, score = order[0]
    second = order[1][1] if len(order) > 1 else score - 3.0
    alternatives = [name for name, s in order[1:] if s >= score - 2.5][:5]
    reason = _target_reason(best, missing_in_test, submission, best in named)
    return Inferred(best, confidence_from_margin(score - second), alternatives, reason)


def _kind_fit(column: ColumnInfo, description: Description) -> float:
    """A named column of the kind the request asks for (an amount: numeric; a class: categorical) is preferred."""
    amount, classes = description.asks_amount, description.asks_class
    if amount == classes:
        return 0.0
    few_values = column.kind in ("categorical", "boolean") or (column.kind == "numeric" and column.distinct_count <= 10)
    fits = column.kind == "numeric" if amount else few_values
    return KIND_BONUS if fits else -KIND_PENALTY


def _values_mentioned(series: pd.Series, column: ColumnInfo, description: Description) -> bool:
    if not description or column.kind not in ("categorical", "boolean") or column.distinct_count > 10:
        return False
    return any(description.mentions_value(str(v)) for v in series.dropna().unique())


def _target_reason(best: str, missing: set[str], submission: set[str], named: bool) -> str:
    reasons = []
    if best in missing:
        reasons.append("absent from the test file")
    if best in submission:
        reasons.append("in the sample submission")
    if named:
        reasons.append("named in the description")
    return ", ".join(reasons) or "best-scoring column (name and position)"


def infer_problem_type(series: pd.Series, column: ColumnInfo, description: Description) -> Inferred:
    """Binary, multiclass or regression from the target's values, with the description as a tie-breaker."""
    values = series.dropna()
    distinct = values.nunique()
    if distinct <= 2:
        return Inferred(ProblemType.BINARY, 0.95, [ProblemType.REGRESSION] if distinct < 2 else [],
                        f"{distinct} distinct values")
    if not pd.api.types.is_numeric_dtype(values):
        return Inferred(ProblemType.MULTICLASS, 0.9, [ProblemType.REGRESSION], f"{distinct} categories")
    integers = bool((values % 1 == 0).all())
    wants_classes, wants_amount = description.asks_class, description.asks_amount or description.says(r"\bprice")
    if integers and distinct <= 10 and distinct <= 0.05 * max(len(values), 1) + 3:
        confidence = 0.85 if wants_classes or not wants_amount else 0.55
        return Inferred(ProblemType.MULTICLASS, confidence, [ProblemType.REGRESSION],
                        f"{distinct} integer values")
    if integers and distinct <= 30 and wants_classes and not wants_amount:
        return Inferred(ProblemType.MULTICLASS, 0.6, [ProblemType.REGRESSION],
                        f"{distinct} integer values and the description asks for a class")
    confidence = 0.9 if not integers or distinct > 30 else 0.7
    return Inferred(ProblemType.REGRESSION, confidence, [ProblemType.MULTICLASS],
                    f"numeric with {distinct} distinct values")
