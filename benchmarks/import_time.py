"""Time ``import mlzero_jupyter`` (target: under 0.5 s) in fresh interpreters; prints the median and the worst."""

from __future__ import annotations

import statistics
import subprocess
import sys

SNIPPET = "import time; t = time.perf_counter(); import mlzero_jupyter; print(time.perf_counter() - t)"
#: %load_ext in a running IPython: IPython is already imported, the magics module is what the extension adds.
LOAD_EXT = ("import IPython, time; t = time.perf_counter(); import mlzero_jupyter.notebook.magics; "
            "print(time.perf_counter() - t)")
RUNS = 7


def measure(snippet: str = SNIPPET, runs: int = RUNS) -> list[float]:
    return [float(subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(runs)]


if __name__ == "__main__":
    times = measure()
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, mlzero_jupyter; print(sorted(m for m in ('pandas', 'IPython', "
         "'ipywidgets', 'nbformat', 'autogluon', 'torch', 'sklearn') if m in sys.modules))"],
        capture_output=True, text=True, check=True).stdout.strip()
    print(f"import mlzero_jupyter: median {statistics.median(times) * 1000:.1f} ms, "
          f"worst {max(times) * 1000:.1f} ms over {len(times)} runs (target < 500 ms)")
    print(f"heavy modules loaded by the import: {heavy}")
    load_ext = measure(LOAD_EXT)
    print(f"%load_ext mlzero_jupyter (magics module): median {statistics.median(load_ext) * 1000:.1f} ms, "
          f"worst {max(load_ext) * 1000:.1f} ms")
