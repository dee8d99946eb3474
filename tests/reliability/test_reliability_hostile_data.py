"""Hostile or merely odd data: links out of the folder are not read, long fields and odd names are ordinary
data; an attempt runs under rlimits and a memory cap whatever the caller says."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from reliability_scenarios import make_iris

from mlzero_jupyter.execution import execute, limits
from mlzero_jupyter.mcp.manager import inspect_data


def test_a_readme_linking_to_a_private_key_is_not_read(tmp_path):
    data = make_iris(tmp_path / "iris")
    key = tmp_path / "home" / ".ssh" / "id_rsa"
    key.parent.mkdir(parents=True)
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY----- secret-key-material")
    (data / "README.txt").symlink_to(key)
    (data / "extra.csv").symlink_to(key)
    seen = json.dumps(inspect_data(str(data), "Predict the species."))
    assert "secret-key-material" not in seen
    assert "README.txt" not in seen and "extra.csv" not in seen


def test_a_150_kb_text_cell_is_read_like_any_other(tmp_path):
    data = tmp_path / "reviews"
    data.mkdir()
    rows = [f'{i},"{"great product " * 11_000}",{i % 2}' for i in range(40)]
    (data / "train.csv").write_text("review_id,text,label\n" + "\n".join(rows) + "\n")
    spec = inspect_data(str(data), "Predict the label from the review text.")
    assert spec["target"]["value"] == "label"


def test_file_names_that_are_not_utf8_do_not_break_perception(tmp_path):
    data = make_iris(tmp_path / "iris")
    (data / os.fsdecode(b"notes-\xff\xfe.txt")).write_text("hello")
    spec = inspect_data(str(data), "Predict the species.")
    assert json.dumps(spec) and spec["target"]["value"] == "species"


@pytest.mark.parametrize("isolation", ["bubblewrap", "none"])
def test_an_attempt_runs_under_the_rlimits(tmp_path, isolation):
    attempt = tmp_path / "attempt_1"
    attempt.mkdir()
    script = attempt / "solution.py"
    script.write_text("import json, resource\njson.dump({n: resource.getrlimit(getattr(resource, 'RLIMIT_' + n.upper()))"
                      " for n in ('nproc', 'fsize', 'nofile', 'core')}, open('limits.json', 'w'))\n")
    result = execute(script, cwd=attempt, timeout=30, readable=[], isolation=isolation)
    assert result.ok, result.stderr_tail
    seen = json.loads((attempt / "limits.json").read_text())
    assert seen == {name: [value, value] for name, value in limits.values().items()}


def test_the_default_memory_cap_comes_from_the_machine():
    import psutil

    total_mb = psutil.virtual_memory().total / 1024**2
    assert 0.5 * total_mb < limits.default_memory_limit_mb() < total_mb
