"""Description files beside the data (README, Markdown, HTML, PDF, DOCX) are read for the target, metric and output
format: capped, scripts never run, a missing reader is a note, the user's files untouched."""

from __future__ import annotations

import sys

import pytest

from mlzero_jupyter.perception import perceive

GOAL = "The goal is to predict MPG for every car. Entries are judged by the mean absolute error."


@pytest.fixture
def cars(tmp_path):
    """vega's cars with `MPG` not the last column and no description: only the README can name the target."""
    from vega_datasets import local_data

    frame = local_data.cars().rename(columns={"Miles_per_Gallon": "MPG"})
    folder = tmp_path / "cars"
    folder.mkdir()
    frame[["Name", "MPG", "Cylinders", "Horsepower", "Weight_in_lbs", "Origin"]].to_csv(folder / "cars.csv",
                                                                                       index=False)
    return folder


def _check(spec, name):
    assert (spec.target.value, spec.problem_type.value, spec.metric.value) == ("MPG", "regression", "mae")
    assert spec.metric.reason == "named in the data's readme"
    info = next(f for f in spec.files if f.path == name)
    assert info.role == "description" and info.note.startswith("read for the task")


def test_markdown_readme_names_target_and_metric(cars, digest):
    (cars / "README.md").write_text(f"# Cars\n\n{GOAL}\n\n| column | meaning |\n|---|---|\n| Origin | region |\n")
    before = digest(cars)
    _check(perceive(cars), "README.md")
    assert digest(cars) == before


def test_html_keeps_visible_text_and_ignores_scripts(cars):
    (cars / "about.html").write_text(f"<html><head><script>var metric = 'accuracy'; predict('Origin');</script>"
                                     f"<style>p {{color: red}}</style></head><body><p>{GOAL}</p></body></html>")
    _check(perceive(cars), "about.html")


def test_pdf_is_read_with_pypdf(cars):
    pytest.importorskip("pypdf")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure = pyplot.figure()
    figure.text(0.05, 0.5, "The goal is to predict MPG for every car.\nJudged by the mean absolute error.")
    figure.savefig(cars / "task.pdf")
    pyplot.close(figure)
    _check(perceive(cars), "task.pdf")


def test_docx_is_read_with_python_docx(cars):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("Cars", 1)
    document.add_paragraph(GOAL)
    document.save(cars / "brief.docx")
    _check(perceive(cars), "brief.docx")


def test_without_the_reader_the_document_is_skipped_with_a_note(cars, monkeypatch):
    (cars / "task.pdf").write_bytes(b"%PDF-1.4\n% a description the machine cannot read without pypdf\n")
    monkeypatch.setitem(sys.modules, "pypdf", None)  # as if pypdf were not installed
    spec = perceive(cars, "Estimate the fuel economy (MPG)")
    assert spec.target.value == "MPG"
    note = "task.pdf was not read: pypdf is not installed (pip install 'mlzero-jupyter[documents]')"
    assert note in spec.warnings and next(f for f in spec.files if f.path == "task.pdf").note == note


def test_document_text_is_capped(cars):
    from mlzero_jupyter.perception.documents import DOCUMENT_CHARS

    (cars / "README.md").write_text(("filler words about nothing in particular. " * 2000) + GOAL)
    spec = perceive(cars)
    assert spec.metric.value != "mae"  # the goal sits past the cap, so it was not read
    assert next(f for f in spec.files if f.path == "README.md").note == \
        f"read for the task ({DOCUMENT_CHARS:,} characters)"


def test_readme_asks_for_probabilities(tmp_path):
    from vega_datasets import local_data

    local_data.iris().to_csv(tmp_path / "iris.csv", index=False)
    (tmp_path / "README.txt").write_text("Submit, for every flower, the probability of each species.\n")
    spec = perceive(tmp_path)
    assert (spec.target.value, spec.metric.value, spec.wants_probabilities) == ("species", "log_loss", True)
