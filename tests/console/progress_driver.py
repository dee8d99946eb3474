"""A run as `mlzero demo` makes it (its ConsoleProgress, ``commands.run.run_agent``), with scripted attempts on
iris instead of the planner, reading the data the agent gives them: attempt 1 is valid at once, attempt 2 (the
search goes on within the budget) trains for SECONDS while printing, then is valid.

python progress_driver.py DATA_DIR OUTPUT_DIR SECONDS
"""

from __future__ import annotations

import sys

from console_support import IRIS_SOLUTION
from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.coding.scripted import ScriptedCoder
from mlzero_jupyter.cli.commands.run import run_agent
from mlzero_jupyter.cli.console import ConsoleProgress

if __name__ == "__main__":
    data, output, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    coder = ScriptedCoder([lambda context: IRIS_SOLUTION.format(data=str(context.task.data_path), seconds=0),
                           lambda context: IRIS_SOLUTION.format(data=str(context.task.data_path), seconds=seconds)],
                          summaries=["nearest centroid", "nearest centroid, slowly"])
    options = RunOptions(output_dir=output, time_limit=120, max_iterations=2)
    progress = ConsoleProgress(run_budget=options.time_limit)
    try:
        sys.exit(run_agent(Agent(data, "Predict the species of each flower.", options, coder=coder,
                                 observers=[progress])))
    finally:
        progress.close()
