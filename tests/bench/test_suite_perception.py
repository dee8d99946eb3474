"""`mlzero inspect` on every suite task, with the task's own description, gets the target, the problem type and the
metric of its task.json right, and is sure of them (no fitting: perception only)."""

from __future__ import annotations

import json

import pytest

from mlzero_jupyter.bench.tasks import BUILDERS, TaskInfo
from mlzero_jupyter.cli import main
from mlzero_jupyter.perception.spec import TaskSpec


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_inspect_reads_each_suite_task_as_its_task_json_says(suite, name, capsys):
    info = TaskInfo.load(suite / name)
    assert main(["inspect", str(suite / name / "input"), "-d", info.description, "--json"]) == 0
    spec = json.loads(capsys.readouterr().out)
    got = {field: spec[field]["value"] for field in ("target", "problem_type", "metric")}
    assert got == {"target": info.target, "problem_type": info.problem_type, "metric": info.metric}
    assert spec["higher_is_better"] == info.higher_is_better
    assert not {"target", "problem_type", "metric"} & set(TaskSpec.from_dict(spec).ambiguous_fields)
