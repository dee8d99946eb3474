"""Helpers of the knowledge tests: hand-built TaskSpecs and a tiny extra knowledge folder."""

from __future__ import annotations

from pathlib import Path

from mlzero_jupyter.perception.spec import Inferred, TaskSpec


def make_task(problem_type: str, modality: str) -> TaskSpec:
    """A hand-built TaskSpec with only what tool selection and retrieval look at."""
    return TaskSpec(data_path="/data", work_path="/data", problem_type=Inferred(problem_type, 1.0),
                    modality=Inferred(modality, 1.0))


TINY_TOOL = '''name = "tinytool"
import_name = "json"
pip = "tinytool"
modalities = ["tabular"]
problem_types = ["regression"]
strengths = ["tiny"]
limits = ["none"]
priority = 1
'''

TINY_SNIPPET = '''+++
title = "Tiny tool: averaging numbers"
tags = ["tinytool", "average"]
problem_types = ["regression"]
+++
The tiny tool averages numbers with the standard library.

```python
import json
from pathlib import Path

Path("numbers.json").write_text(json.dumps([1, 2, 3]))
values = json.loads(Path("numbers.json").read_text())
assert sum(values) / len(values) == {expected}
```
'''


def write_tiny_tool(folder: Path, expected: int = 2) -> Path:
    """A knowledge folder holding one tool folder with one snippet whose block asserts ``expected``."""
    tool = folder / "tinytool"
    tool.mkdir(parents=True)
    (tool / "tool.toml").write_text(TINY_TOOL)
    (tool / "averaging.md").write_text(TINY_SNIPPET.replace("{expected}", str(expected)))
    return folder
