"""The referee of a multi-label table (real Yeast genes): held-out rows join the test table without their labels,
their answers are label sets, and predictions in either layout are scored by macro F1 over the labels; the
validator rejects labels never seen in training and values other than 0/1."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlzero_jupyter.bench.tasks import yeast_functions
from mlzero_jupyter.execution.executor import ExecutionResult
from mlzero_jupyter.execution.validator import validate
from mlzero_jupyter.metrics import normalise_key
from mlzero_jupyter.perception import perceive
from mlzero_jupyter.referee import derive, judge

CLASSES = [f"Class{n}" for n in range(1, 5)]


@pytest.fixture(scope="module")
def yeast_input(tmp_path_factory) -> Path:
    pytest.importorskip("river")
    return yeast_functions(tmp_path_factory.mktemp("suite")) / "input"


def _answer(referee, frame: pd.DataFrame, attempt: Path) -> Path:
    """Write ``frame`` (indexed like the derived test table) as the attempt's predictions."""
    attempt.mkdir()
    frame.to_csv(attempt / "predictions.csv", index=False)
    (attempt / "metrics.json").write_text('{"metric": "f1_macro_multilabel", "validation_score": 0.5, '
                                          '"validation": "a fifth of the rows"}')
    return attempt / "predictions.csv"


def test_zero_one_columns_are_held_out_and_scored_as_label_sets(yeast_input, tmp_path):
    task = perceive(yeast_input, "Which classes apply to each gene?")
    referee = derive(task, tmp_path / "referee", seed=0)
    answers, root = referee.answers, referee.root
    test, sample = pd.read_csv(root / "test.csv"), pd.read_csv(root / "sample_submission.csv")
    assert answers.label_columns == CLASSES and answers.delimiter is None and answers.rows == 363
    assert not set(CLASSES) & set(test.columns) and len(sample) == len(test)
    original = pd.read_csv(yeast_input / "train.csv").assign(key=lambda f: f["gene"].map(normalise_key))
    truth = original.set_index("key").loc[answers.keys, CLASSES]
    assert [frozenset(c for c in CLASSES if row[c]) for _, row in truth.iterrows()] == answers.truth

    keys = sample["gene"].map(normalise_key)
    perfect = sample.assign(**{c: keys.map(truth[c]).fillna(0).astype(int) for c in CLASSES})
    path = _answer(referee, perfect, tmp_path / "perfect")
    assert validate(referee.task, path.parent, ExecutionResult(returncode=0, duration_s=1.0)).ok
    assert judge(answers, path, "f1_macro_multilabel").score == 1.0
    half = perfect.assign(Class1=0, Class2=1)
    assert judge(answers, _answer(referee, half, tmp_path / "half"), "f1_macro_multilabel").score < 0.9
    odd = perfect.assign(Class3=0.4)
    problems = validate(referee.task, _answer(referee, odd, tmp_path / "odd").parent,
                        ExecutionResult(returncode=0, duration_s=1.0)).problems
    assert any("must hold 0 or 1" in p for p in problems)


def test_a_delimited_column_is_held_out_and_unknown_labels_are_refused(yeast_input, tmp_path):
    train = pd.read_csv(yeast_input / "train.csv").head(300)
    train["functions"] = [";".join(c for c in CLASSES if row[c]) or None for _, row in train.iterrows()]
    folder = tmp_path / "genes"
    folder.mkdir()
    train.drop(columns=CLASSES).to_csv(folder / "train.csv", index=False)
    pd.read_csv(yeast_input / "test.csv").head(50).to_csv(folder / "test.csv", index=False)
    task = perceive(folder, "Which functions apply to each gene?")
    referee = derive(task, tmp_path / "referee", seed=0)
    answers = referee.answers
    assert answers.label_columns == ["functions"] and answers.delimiter == ";"
    assert all(labels for labels in answers.truth)  # rows without labels are never held out
    test = pd.read_csv(referee.root / "test.csv")
    assert "functions" not in test and len(test) == 50 + answers.rows
    truth = dict(zip(answers.keys, answers.truth))
    predicted = test[["gene"]].assign(functions=[";".join(sorted(truth.get(normalise_key(g), {"Class2"})))
                                                 for g in test["gene"]])
    path = _answer(referee, predicted, tmp_path / "attempt")
    assert validate(referee.task, path.parent, ExecutionResult(returncode=0, duration_s=1.0)).ok
    assert judge(answers, path, "f1_macro_multilabel").score == 1.0
    unknown = predicted.assign(functions="Class2;Class9")
    problems = validate(referee.task, _answer(referee, unknown, tmp_path / "unknown").parent,
                        ExecutionResult(returncode=0, duration_s=1.0)).problems
    assert any("never occur in the training data" in p and "Class9" in p for p in problems)


def test_an_ensemble_of_zero_one_label_columns_writes_zero_one(tmp_path):
    """A weighted mean of 0/1 columns is a share of votes: the ensemble's script turns it back into 0/1."""
    import json
    import subprocess
    import sys

    from mlzero_jupyter.publishing import ENSEMBLE_TEMPLATE

    member = "import pandas as pd\npd.DataFrame({{'gene': ['a', 'b'], 'Class1': {}}}).to_csv('predictions.csv', index=False)\n"
    scripts = {"member_1": member.format([1, 0]), "member_2": member.format([0, 1])}
    code = ENSEMBLE_TEMPLATE.format(weights=json.dumps({"member_1": 0.6, "member_2": 0.4}),
                                    scripts=json.dumps(scripts), columns=json.dumps(["Class1"]), vote=False,
                                    switches=True, name=json.dumps("predictions.csv"), metrics="{}")
    (tmp_path / "solution.py").write_text(code)
    subprocess.run([sys.executable, "solution.py"], cwd=tmp_path, check=True)
    assert pd.read_csv(tmp_path / "predictions.csv")["Class1"].tolist() == [1, 0]
