"""Document classification from files listed in a table: train.csv names each document (PDF, DOCX, HTML, Markdown,
text) by its path and gives its topic; test.csv names the documents to answer. Perceived as text, solved by the
agent through the offline planner (the folder case's readers), scored by the referee on held-out rows; a damaged
and a missing listed file are skipped and counted."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from offline_support import context
from test_family_formats import CHECKPOINTS, undefined_names

from mlzero_jupyter import solve
from mlzero_jupyter.coding.base import Exhausted
from mlzero_jupyter.bench.documents import FORMATS, write_document
from mlzero_jupyter.bench.tasks import _conversations_by_topic
from mlzero_jupyter.errors import DataError
from mlzero_jupyter.memory.episodic import SUCCESS, AttemptRecord
from mlzero_jupyter.perception import perceive

TOPICS = ("ai", "emotion", "psychology")
#: Conversations per topic: three in four are labelled, the rest are to predict.
PER_TOPIC = 20
REQUEST = "Which topic is each test document about?"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Chatterbot conversations of three topics written in turn as PDF, DOCX, HTML, Markdown and text in one flat
    folder, listed in train.csv (with the topic) and test.csv (with an id); among the labelled rows, one damaged PDF
    and one path to a file that is not there."""
    root = tmp_path_factory.mktemp("document_table") / "data"
    (root / "documents").mkdir(parents=True)
    topics = _conversations_by_topic("english")
    train, test = [], []
    for topic in TOPICS:
        for number, text in enumerate(topics[topic][:PER_TOPIC]):
            name = f"documents/{topic[:2]}{number:02d}{FORMATS[number % len(FORMATS)]}"
            write_document(root / name, text)
            if number % 4 != 3:
                train.append((name, topic))
            else:
                test.append((f"q{len(test):03d}", name))
    (root / "documents" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n")  # cut short
    train += [("documents/broken.pdf", "ai"), ("documents/gone.txt", "emotion")]
    pd.DataFrame(train, columns=["document", "topic"]).to_csv(root / "train.csv", index=False)
    pd.DataFrame(test, columns=["id", "document"]).to_csv(root / "test.csv", index=False)
    pd.DataFrame({"id": [i for i, _ in test], "topic": "ai"}).to_csv(root / "sample_submission.csv", index=False)
    return root


def test_a_column_of_document_paths_makes_a_text_task_and_missing_files_are_counted(folder):
    task = perceive(folder, REQUEST)
    assert task.train_file.column("document").kind == "path"
    assert (task.modality.value, task.problem_type.value, task.target.value) == ("text", "multiclass", "topic")
    assert ("documents listed in train.csv column 'document': 1 of 47 not found (e.g. documents/gone.txt); those "
            "rows are skipped") in task.warnings
    assert not any("test.csv" in w for w in task.warnings)


def test_a_document_path_that_is_also_the_id_is_read_and_answered_by(planner, folder, tmp_path):
    """test.csv lists only the documents, and the sample submission names each answer by the document's path."""
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    names = pd.read_csv(folder / "test.csv")[["document"]]
    names.to_csv(data / "test.csv", index=False)
    names.assign(topic="ai").to_csv(data / "sample_submission.csv", index=False)
    task = perceive(data, REQUEST)
    assert (task.modality.value, task.id_column.value) == ("text", "document")
    code = planner.write(context(task, tmp_path / "attempt_1")).code
    for line in ('ID_COLUMN = "document"', 'DOCUMENT_COLUMN = "document"', 'IGNORED_COLUMNS = ["document"]',
                 'test["text"] = read_texts(listed_paths(test, TEST_FILE), "documents to predict")'):
        assert line in code


def test_a_table_whose_listed_documents_are_all_missing_stops_with_one_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    pd.DataFrame({"document": [f"docs/{n}.pdf" for n in range(30)], "topic": ["a", "b", "c"] * 10}).to_csv(
        data / "train.csv", index=False)
    with pytest.raises(DataError) as raised:
        perceive(data, REQUEST)
    assert str(raised.value) == ("none of the 30 documents listed in train.csv column 'document' exists (e.g. "
                                 "docs/0.pdf); list paths relative to train.csv's folder")


def test_every_candidate_for_listed_documents_defines_what_it_reads_with(planner, folder, tmp_path):
    """Each candidate the search reaches, with n-gram features and with a local text backbone, renders a script
    that reads the listed documents and whose every name is defined."""
    task = perceive(folder, REQUEST)
    for environment in ({}, CHECKPOINTS):
        attempts: list[AttemptRecord] = []
        while True:
            ctx = context(task, tmp_path / f"attempt_{len(attempts) + 1}", time_limit=300, environment=environment,
                          attempts=list(attempts), improve=bool(attempts), attempt=len(attempts) + 1)
            try:
                draft = planner.write(ctx)
            except Exhausted:
                break
            where = f"candidate {draft.candidate}, environment {environment or 'bare'}"
            assert "listed_paths(train, TRAIN_FILE)" in draft.code and undefined_names(draft.code) == [], where
            attempts.append(AttemptRecord(len(attempts) + 1, SUCCESS, score=0.5, candidate=draft.candidate))
        assert len(attempts) >= 2


@pytest.mark.fit
def test_the_agent_reads_the_listed_documents_and_answers_every_test_row(folder, tmp_path):
    # The budget is a cap: the fit of some 40 short documents ends in about 20 s on a quiet machine, and the cap
    # keeps a loaded one (AutoGluon's models then take many times longer) from killing the one attempt. Under
    # backbones.MIN_CPU_SECONDS, so the n-gram features are fitted even where autogluon.multimodal is installed.
    result = solve(folder, REQUEST, time_limit=150, max_iterations=1, quick=True, output_dir=tmp_path / "runs")
    assert result.status == "success", result.attempts[-1].error
    assert result.validation_score is not None and "held-out rows" in result.validation
    attempt = Path(result.run_dir) / f"attempt_{result.best_attempt}"
    code = (attempt / "solution.py").read_text()
    assert 'DOCUMENT_COLUMN = "document"' in code and "from pypdf import PdfReader" in code
    log = "\n".join(p.read_text(errors="replace") for p in attempt.glob("*.txt") if p.is_file())
    assert "WARNING: skipped broken.pdf: it cannot be read" in log
    assert "WARNING: skipped gone.txt: it cannot be read (FileNotFoundError" in log
    # The referee may hold out either bad row (then it is one to predict): two skipped in all, every row counted.
    counts = re.findall(r"documents(?: to predict)?: (\d+) of (\d+) documents read, (\d+) unreadable", log)
    assert sum(int(s) for _, _, s in counts) == 2 and sum(int(n) for _, n, _ in counts) == 47 + 15
    predictions = pd.read_csv(result.predictions_path)
    expected = pd.read_csv(folder / "sample_submission.csv")
    assert list(predictions.columns) == ["id", "topic"]
    assert predictions["id"].tolist() == expected["id"].tolist()
    assert predictions["topic"].notna().all() and set(predictions["topic"]) <= set(TOPICS)
