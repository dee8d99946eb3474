"""The agent's own overhead: run wall time minus time inside generated code, on a few suite tasks.

Targets: under 5% of the run and under 3 s per run. Usage: python benchmarks/overhead.py [TASK ...]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from mlzero_jupyter import solve
from mlzero_jupyter.bench.tasks import BUILDERS

DEFAULT_TASKS = ["breast_cancer", "iris_excel", "macro_forecast"]


def measure(name: str, root: Path) -> dict:
    task_dir = BUILDERS[name](root / "suite")
    info = json.loads((task_dir / "task.json").read_text())
    result = solve(task_dir / "input", info["description"], time_limit=90, max_iterations=3,
                   output_dir=root / "runs")
    return {"task": name, "status": result.status, "total_s": result.total_s, "code_s": result.execution_s,
            "overhead_s": result.overhead_s, "share": result.overhead_s / result.total_s}


def main(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        rows = [measure(name, Path(temporary)) for name in names]
    print(f"{'task':<22}{'status':<9}{'wall s':>8}{'in code s':>11}{'overhead s':>12}{'share':>8}")
    for row in rows:
        print(f"{row['task']:<22}{row['status']:<9}{row['total_s']:>8.1f}{row['code_s']:>11.1f}"
              f"{row['overhead_s']:>12.2f}{row['share']:>8.1%}")
    worst_s = max(r["overhead_s"] for r in rows)
    worst_share = max(r["share"] for r in rows)
    print(f"worst overhead: {worst_s:.2f} s (target < 3 s), {worst_share:.1%} of the run (target < 5%)")


if __name__ == "__main__":
    main(sys.argv[1:] or DEFAULT_TASKS)
