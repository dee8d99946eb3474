"""When the data does not decide, perception says so with alternatives; JSON round-trip; summary and CLI output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from mlzero_jupyter.cli import main
from mlzero_jupyter.perception import TaskSpec, perceive
from mlzero_jupyter.perception.summary import summary_text


def _two_candidate_targets(folder):
    rng = np.random.default_rng(0)
    rows = 200
    frame = pd.DataFrame({
        "account": np.arange(rows),
        "visits": rng.integers(0, 30, rows),
        "spend": rng.normal(100, 20, rows).round(2),
        "upgraded": rng.choice(["yes", "no"], rows),
        "renewed": rng.choice(["yes", "no"], rows),
    })
    frame.to_csv(folder / "accounts.csv", index=False)
    return folder


def test_two_plausible_targets_without_description_is_ambiguous(tmp_path):
    spec = perceive(_two_candidate_targets(tmp_path))
    assert spec.target.ambiguous
    assert {spec.target.value, *spec.target.alternatives} >= {"upgraded", "renewed"}
    assert "target" in spec.ambiguous_fields
    assert any(w.startswith("AMBIGUOUS target:") for w in spec.warnings)


def test_description_naming_one_target_settles_it(tmp_path):
    spec = perceive(_two_candidate_targets(tmp_path), "Predict which accounts upgraded")
    assert spec.target.value == "upgraded" and spec.target.confidence >= 0.85
    assert not spec.target.ambiguous and not spec.warnings


def test_task_spec_round_trips_through_json(tmp_path):
    spec = perceive(_two_candidate_targets(tmp_path), "predict renewed; AUC")
    again = TaskSpec.from_json(spec.to_json())
    assert again == spec
    assert again.train_file.column("spend").kind == "numeric"


def test_summary_lists_files_task_and_ambiguity(tmp_path):
    text = summary_text(perceive(_two_candidate_targets(tmp_path)))
    assert "accounts.csv [train, csv, utf-8, delimiter ',', 200 rows]" in text
    assert "AMBIGUOUS" in text and "upgraded" in text and "renewed" in text
    assert "Inferred task" in text


def test_cli_prints_summary_or_json(tmp_path, capsys, digest):
    (tmp_path / "data").mkdir()
    folder = _two_candidate_targets(tmp_path / "data")
    before = digest(folder)
    assert main(["inspect", str(folder), "-d", "predict upgraded", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["target"]["value"], data["problem_type"]["value"]) == ("upgraded", "binary")
    assert main(["inspect", str(folder)]) == 0
    assert "AMBIGUOUS" in capsys.readouterr().out
    assert digest(folder) == before


def test_large_file_rows_are_estimated_from_a_sample(tmp_path):
    block = "".join(f"{i},{i * 0.5},c{i % 7},{'yes' if i % 3 else 'no'}\n" for i in range(1000))
    with open(tmp_path / "big.csv", "w") as handle:
        handle.write("a,b,c,label\n")
        for _ in range(6):
            handle.write(block * 1000)
    from mlzero_jupyter.perception import samples

    original = samples.EXACT_COUNT_BYTES
    samples.EXACT_COUNT_BYTES = 1 << 20  # treat the 100 MB file as large without writing a gigabyte
    try:
        spec = perceive(tmp_path / "big.csv", "predict label")
    finally:
        samples.EXACT_COUNT_BYTES = original
    assert spec.train_file.rows_estimated
    assert abs(spec.train_file.rows - 6_000_000) < 300_000
