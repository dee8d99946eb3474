"""Multi-label tables on real data (the Yeast genes' functional classes, river's bundled copy): perception reads both
layouts (0/1 columns, one delimited column) and the request, the metric and the grader score label sets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import f1_score

from mlzero_jupyter.bench.grader import InvalidSubmission, grade
from mlzero_jupyter.bench.tasks import yeast_functions
from mlzero_jupyter.metrics import METRICS, label_sets
from mlzero_jupyter.perception import perceive

REQUEST = "Which functional classes does each gene belong to? Mark every class that applies."


@pytest.fixture(scope="module")
def yeast(tmp_path_factory) -> Path:
    """The suite task's folder: train.csv with four 0/1 class columns, test.csv, a 0/1 sample submission."""
    pytest.importorskip("river")
    return yeast_functions(tmp_path_factory.mktemp("suite"))


def _delimited(yeast: Path, folder: Path, delimiter: str, rows: int = 400) -> Path:
    """The same genes with their classes in one column ('Class1|Class3'), no sample submission."""
    train = pd.read_csv(yeast / "input" / "train.csv").head(rows)
    classes = [c for c in train.columns if c.startswith("Class")]
    train["functions"] = [delimiter.join(c for c in classes if row[c]) or None for _, row in train.iterrows()]
    folder.mkdir()
    train.drop(columns=classes).to_csv(folder / "train.csv", index=False)
    pd.read_csv(yeast / "input" / "test.csv").head(100).to_csv(folder / "test.csv", index=False)
    return folder


def test_zero_one_columns_missing_from_the_test_table_are_the_labels(yeast):
    task = perceive(yeast / "input", REQUEST)
    classes = [f"Class{n}" for n in range(1, 5)]
    assert task.problem_type.value == "multilabel" and task.problem_type.confidence >= 0.9  # the request asks
    assert task.target.value == classes and task.label_sets.columns == classes
    assert task.label_sets.delimiter is None and task.metric.value == "f1_macro_multilabel"
    assert task.id_column.value == "gene" and task.modality.value == "tabular"
    without_words = perceive(yeast / "input")
    assert without_words.problem_type.value == "multilabel" and without_words.problem_type.confidence < 0.9


@pytest.mark.parametrize("delimiter", ["|", ";"])
def test_a_column_of_delimited_labels_is_read_with_its_delimiter(yeast, tmp_path, delimiter):
    task = perceive(_delimited(yeast, tmp_path / "genes", delimiter), REQUEST)
    assert task.problem_type.value == "multilabel" and task.target.value == "functions"
    assert task.label_sets.delimiter == delimiter and task.label_sets.labels == [f"Class{n}" for n in range(1, 5)]
    assert task.metric.value == "f1_macro_multilabel"


def test_space_separated_labels_need_the_request_to_ask_for_several(yeast, tmp_path):
    folder = _delimited(yeast, tmp_path / "genes", " ")
    assert perceive(folder, "Predict the functions column.").problem_type.value != "multilabel"
    asked = perceive(folder, "Which functions apply to each gene? All that apply.")
    assert asked.problem_type.value == "multilabel" and asked.label_sets.delimiter == " "


def test_macro_f1_over_labels_reads_both_layouts_and_agrees_with_sklearn(yeast):
    answers = pd.read_csv(yeast / "input" / "train.csv").head(300)
    classes = [f"Class{n}" for n in range(1, 5)]
    guessed = answers[classes].sample(frac=1, random_state=0).reset_index(drop=True)  # right rate, wrong rows
    truth, predicted = label_sets(answers, classes, None), label_sets(guessed, classes, None)
    expected = f1_score(answers[classes], guessed, average="macro")
    assert METRICS["f1_macro_multilabel"][0](truth, predicted) == pytest.approx(expected)
    joined = pd.DataFrame({"functions": predicted.map(lambda labels: ";".join(sorted(labels)))})
    assert label_sets(joined, ["functions"], ";").tolist() == predicted.tolist()


def test_the_grader_takes_zero_one_columns_or_one_delimited_column(yeast):
    answers = pd.read_csv(yeast / "truth" / "answers.csv")
    sample = pd.read_csv(yeast / "input" / "sample_submission.csv")
    perfect = sample.assign(**{c: answers["functions"].fillna("").str.split("|").map(lambda labels, c=c: int(
        c in labels)) for c in sample.columns[1:]})
    assert grade(perfect, answers, "f1_macro_multilabel", "functions", ["gene"]).score == 1.0
    delimited = answers.assign(functions=answers["functions"].fillna("Class2"))
    score = grade(delimited, answers, "f1_macro_multilabel", "functions", ["gene"]).score
    assert 0.5 < score < 1.0  # genes without a class were given one
    with pytest.raises(InvalidSubmission):
        grade(perfect.head(10), answers, "f1_macro_multilabel", "functions", ["gene"])
