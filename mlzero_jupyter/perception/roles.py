"""File roles from names and content: train, test (train's columns minus the target), sample submission
(id + target-like columns, as many rows as the test), validation, description, auxiliary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mlzero_jupyter.perception.profile import name_words
from mlzero_jupyter.perception.samples import TableSample
from mlzero_jupyter.perception.spec import FileInfo, FileRole

TRAIN_WORDS = {"train", "training", "trn", "labeled", "labelled", "learn", "history", "historical", "measured"}
TEST_WORDS = {"test", "testing", "tst", "unlabeled", "unlabelled", "holdout", "inference", "scoring", "future",
              "predict", "new"}
SUBMISSION_WORDS = {"submission", "submissions", "samplesubmission", "submit"}
VALIDATION_WORDS = {"valid", "validation", "val", "dev"}


@dataclass
class Roles:
    """The tables of the input sorted by role."""

    train: TableSample | None = None
    test: TableSample | None = None
    submission: TableSample | None = None
    validation: list[TableSample] = field(default_factory=list)
    auxiliary: list[TableSample] = field(default_factory=list)

    @property
    def target_columns(self) -> list[str]:
        """Columns of train that the test lacks: where the target must be."""
        if self.train is None or self.test is None:
            return []
        present = set(self.test.info.column_names)
        return [c for c in self.train.info.column_names if c not in present]


def _words(parts: list[str]) -> set[str]:
    words = {w for part in parts for w in name_words(part)}
    return words | {part.lower().replace("_", "").replace("-", "") for part in parts}


def name_role(info: FileInfo) -> FileRole | None:
    """The role a file's own name (or table name) suggests, else the one its folders suggest."""
    path = PurePosixPath(info.path)
    for words in (_words([path.stem, info.table or ""]), _words(list(path.parent.parts))):
        for role, vocabulary in ((FileRole.SAMPLE_SUBMISSION, SUBMISSION_WORDS),
                                 (FileRole.VALIDATION, VALIDATION_WORDS), (FileRole.TEST, TEST_WORDS),
                                 (FileRole.TRAIN, TRAIN_WORDS)):
            if words & vocabulary:
                return role
    return None


def assign_roles(tables: list[TableSample], allow_any_name: bool = True) -> Roles:
    """Decide the role of every table and record it (with a confidence) on its FileInfo.

    With ``allow_any_name`` a lone table named like a test or submission is still taken as the training table.
    """
    roles = Roles()
    named = {id(t): name_role(t.info) for t in tables}
    roles.train = _pick_train(tables, named, allow_any_name)
    if roles.train is None:
        return roles
    _set(roles.train, FileRole.TRAIN, 0.95 if named[id(roles.train)] == FileRole.TRAIN else 0.7)
    rest = [t for t in tables if t is not roles.train]
    roles.test = _pick_test(roles.train, rest, named)
    rest = [t for t in rest if t is not roles.test]
    roles.submission = _pick_submission(roles, rest, named)
    for table in rest:
        if table is roles.submission:
            continue
        if named[id(table)] == FileRole.VALIDATION or (named[id(table)] == FileRole.TRAIN
                                                       and _same_columns(table, roles.train)):
            roles.validation.append(table)
            _set(table, FileRole.VALIDATION, 0.8)
        else:
            roles.auxiliary.append(table)
            _set(table, FileRole.AUXILIARY, 0.7)
    return roles


def _set(table: TableSample, role: FileRole, confidence: float) -> None:
    table.info.role, table.info.role_confidence = role, confidence


def _same_columns(a: TableSample, b: TableSample) -> bool:
    return set(a.info.column_names) == set(b.info.column_names)


def _pick_train(tables: list[TableSample], named: dict[int, FileRole | None], allow_any_name: bool
                ) -> TableSample | None:
    by_name = [t for t in tables if named[id(t)] == FileRole.TRAIN]
    unnamed = [t for t in tables if named[id(t)] not in (FileRole.TEST, FileRole.SAMPLE_SUBMISSION,
                                                         FileRole.VALIDATION)]
    pool = by_name or unnamed or (tables if allow_any_name and len(tables) == 1 else [])
    return max(pool, key=lambda t: (len(t.info.columns), t.info.rows or 0), default=None)


def _is_test_of(train: TableSample, table: TableSample) -> bool:
    """The table has train's columns minus a few (the targets), and more than an id and a target."""
    mine, theirs = set(table.info.column_names), set(train.info.column_names)
    missing = theirs - mine
    limit = max(3, len(theirs) // 10)
    return mine < theirs and 1 <= len(missing) <= limit and len(mine) >= min(2, len(theirs) - 1)


def _pick_test(train: TableSample, rest: list[TableSample], named: dict[int, FileRole | None]) -> TableSample | None:
    scored = []
    for table in rest:
        by_name, by_content = named[id(table)] == FileRole.TEST, _is_test_of(train, table)
        if by_name or by_content:
            scored.append((by_name + by_content, table))
    if not scored:
        return None
    score, test = max(scored, key=lambda pair: pair[0])
    _set(test, FileRole.TEST, 0.95 if score == 2 else 0.8 if _is_test_of(train, test) else 0.7)
    if not _is_test_of(train, test) and _same_columns(train, test):
        test.info.note = "has the same columns as train (a labelled test set)"
    return test


def _pick_submission(roles: Roles, rest: list[TableSample], named: dict[int, FileRole | None]) -> TableSample | None:
    for table in rest:
        if named[id(table)] == FileRole.SAMPLE_SUBMISSION:
            _set(table, FileRole.SAMPLE_SUBMISSION, 0.95)
            return table
    if roles.test is None:
        return None
    allowed = set(roles.test.info.column_names) | set(roles.train.info.column_names) | _class_names(roles.train)
    for table in rest:
        columns = set(table.info.column_names)
        rows_match = roles.test.info.rows and table.info.rows == roles.test.info.rows
        if rows_match and columns <= allowed and (columns - set(roles.test.info.column_names)):
            _set(table, FileRole.SAMPLE_SUBMISSION, 0.8)
            return table
    return None


def _class_names(train: TableSample) -> set[str]:
    """Category values of low-cardinality columns: probability submissions name their columns after classes."""
    names: set[str] = set()
    for column in train.info.columns:
        if column.kind in ("categorical", "boolean") and column.distinct_count <= 50:
            names |= {str(v) for v in train.frame[column.name].dropna().unique()}
    return names
