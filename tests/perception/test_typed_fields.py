"""The TaskSpec's modality, problem type and file roles are enum members in memory and plain strings in task.json."""

from __future__ import annotations

import json

from mlzero_jupyter.perception.pipeline import perceive
from mlzero_jupyter.perception.spec import FileRole, Inferred, Modality, ProblemType, TaskSpec


def test_perceived_fields_are_members_and_task_json_holds_their_strings(iris_folder):
    spec = perceive(iris_folder)
    assert type(spec.problem_type.value) is ProblemType and spec.problem_type.value == ProblemType.MULTICLASS
    assert type(spec.modality.value) is Modality and all(type(f.role) is FileRole for f in spec.files)
    data = spec.to_dict()
    assert type(data["problem_type"]["value"]) is str and data["problem_type"]["value"] == "multiclass"
    assert {type(a) for a in data["problem_type"]["alternatives"]} <= {str}
    assert {type(f["role"]) for f in data["files"]} == {str}
    assert json.loads(spec.to_json()) == data
    again = TaskSpec.from_json(spec.to_json())  # a task.json read back
    assert again == spec and type(again.problem_type.value) is ProblemType and again.to_json() == spec.to_json()


def test_strings_set_by_the_user_or_the_llm_become_members_and_print_as_strings():
    spec = TaskSpec(data_path="/d", work_path="/d")
    spec.problem_type = Inferred("regression", 1.0, ["binary"], "set by the user")
    assert spec.problem_type.alternatives == [ProblemType.BINARY]
    assert type(spec.problem_type.alternatives[0]) is ProblemType
    assert f"a {spec.problem_type.value} task" == "a regression task" and str(ProblemType.BINARY) == "binary"
    assert spec.to_dict()["problem_type"]["value"] == "regression"
