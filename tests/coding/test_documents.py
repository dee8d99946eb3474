"""Document classification from files: PDF, DOCX, HTML, Markdown and text mixed in class folders, perceived as a
text folder, read by the offline planner's script (extractors per format), unreadable files skipped and counted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from offline_support import context

from mlzero_jupyter.bench.documents import FORMATS, write_document
from mlzero_jupyter.bench.tasks import _conversations_by_topic
from mlzero_jupyter.execution.policy import check_code
from mlzero_jupyter.perception import perceive

TOPICS = ("ai", "emotion", "psychology")
#: Conversations per topic: three in four are labelled, the rest are to predict.
PER_TOPIC = 20


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Chatterbot conversations of three topics, each written in turn as PDF, DOCX, HTML, Markdown and text; one
    damaged PDF among the labelled ones and an HTML page whose script must not count as text."""
    root = tmp_path_factory.mktemp("documents") / "data"
    topics = _conversations_by_topic("english")
    test_names = []
    for topic in TOPICS:
        for number, text in enumerate(topics[topic][:PER_TOPIC]):
            name = f"{topic[:2]}{number:02d}{FORMATS[number % len(FORMATS)]}"
            labelled = number % 4 != 3
            path = root / ("train" / Path(topic) if labelled else Path("test")) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_document(path, text)
            test_names += [] if labelled else [name]
    (root / "train" / "ai" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n")  # cut short
    (root / "train" / "emotion" / "scripted.html").write_text(
        "<html><head><script>var secret = 'never text';</script></head><body><p>I feel happy today.</p>"
        "<p>Why are you happy?</p></body></html>", encoding="utf-8")
    pd.DataFrame({"document": test_names, "topic": "ai"}).to_csv(root / "sample_submission.csv", index=False)
    return root


def test_mixed_document_folders_are_perceived_as_labelled_text(folder):
    task = perceive(folder, "Which topic is each test document about?")
    train = next(f for f in task.files if f.format == "text_folder" and f.classes)
    assert sorted(train.classes) == sorted(TOPICS) and train.file_count == 3 * 15 + 2
    assert (task.problem_type.value, task.target.value, task.id_column.value) == ("multiclass", "topic", "document")


def test_the_script_reads_every_format_skips_the_damaged_pdf_and_predicts_every_document(planner, folder, tmp_path):
    task = perceive(folder, "Which topic is each test document about?")
    attempt = tmp_path / "attempt_1"
    draft = planner.write(context(task, attempt, time_limit=30))
    code = draft.code
    for reader in ("from pypdf import PdfReader", "import docx", "class _Visible(HTMLParser)"):
        assert reader in code
    assert not check_code(code, attempt_dir=attempt, input_dir=folder).blocked
    done = _run(code, attempt)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "labelled documents: 46 of 47 documents read, 1 unreadable and skipped" in done.stdout
    assert "WARNING: skipped broken.pdf: it cannot be read" in done.stdout
    assert "documents to predict: 15 of 15 documents read, 0 unreadable and skipped" in done.stdout
    predictions = pd.read_csv(attempt / "predictions.csv")
    assert sorted(predictions["document"]) == sorted(pd.read_csv(folder / "sample_submission.csv")["document"])
    assert set(predictions["topic"]) <= set(TOPICS)


def test_a_missing_extractor_stops_the_script_with_one_line_naming_the_extra(planner, folder, tmp_path):
    task = perceive(folder, "Which topic is each test document about?")
    attempt = tmp_path / "attempt_1"
    code = planner.write(context(task, attempt, time_limit=40)).code
    hidden = tmp_path / "hidden"  # shadows the installed pypdf for this process only
    (hidden / "pypdf").mkdir(parents=True)
    (hidden / "pypdf" / "__init__.py").write_text("raise ImportError('pypdf hidden by the test')\n")
    done = _run(code, attempt, PYTHONPATH=str(hidden))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "pypdf is not installed and the documents include PDF files: install the documents extra, "
        "mlzero-jupyter[documents]"]


def _run(code: str, attempt: Path, **environment: str) -> subprocess.CompletedProcess:
    (attempt / "solution.py").write_text(code)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONHASHSEED": "0", **environment}
    return subprocess.run([sys.executable, "solution.py"], cwd=attempt, env=env, capture_output=True, text=True,
                          timeout=180)
