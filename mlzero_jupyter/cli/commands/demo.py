"""`mlzero demo`: prepare a small real dataset and solve it end to end on the offline planner."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlzero_jupyter.cli.commands.run import add_run_options, options_from, run_agent

HELP = "Solve a small real task (breast cancer diagnosis) end to end with the offline planner."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default="mlzero-demo-data", help="where to write the demo data")
    add_run_options(parser, settings_only=True)
    parser.set_defaults(time_limit="3m", max_iterations=3)


def run(args: argparse.Namespace) -> int:
    from mlzero_jupyter.agent import Agent
    from mlzero_jupyter.api import make_options
    from mlzero_jupyter.cli.console import ConsoleProgress
    from mlzero_jupyter.demo import DEMO_DESCRIPTION, write_demo_data

    folder = Path(args.data_dir)
    if not (folder / "train.csv").exists():
        write_demo_data(folder)
    print(f"Demo data in {folder.resolve()}\nTask: {DEMO_DESCRIPTION}")
    options = make_options(**options_from(args))
    progress = ConsoleProgress(verbose=args.verbose, run_budget=options.time_limit)
    try:
        return run_agent(Agent(folder, DEMO_DESCRIPTION, options, observers=[progress]))
    finally:
        progress.close()  # the terminal's cursor comes back however the run ends
