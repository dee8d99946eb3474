"""`mlzero list`: the runs under an output folder, newest first."""

from __future__ import annotations

import argparse

HELP = "List the runs under an output folder (default ./mlzero-runs), newest first."
COLUMNS = ("run", "status", "metric", "score", "attempts", "task")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", default="mlzero-runs", help="folder holding the run folders")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON list: run_id, run_dir, status, resumable, metric, score, attempts, task")


def run(args: argparse.Namespace) -> int:
    import json

    from mlzero_jupyter.run_views import run_summary
    from mlzero_jupyter.runs import find_runs

    runs = [{"run_id": folder.run_id, "run_dir": str(folder.path.resolve()), **run_summary(folder)}
            for folder in find_runs(args.output)]
    if args.json:
        print(json.dumps(runs, indent=2))
        return 0
    if not runs:
        print(f"no runs under {args.output}")
        return 0
    from rich.console import Console

    from mlzero_jupyter.cli.tables import print_table, score_text

    rows = [(run["run_id"], run["status"], run["metric"] or "", score_text(run["score"]), str(run["attempts"]),
             run["task"]) for run in runs]
    # The run id stays whole, to be copied into `mlzero show`; a long metric name gives the task room.
    print_table(Console(), COLUMNS, rows, right=(3, 4), shrink=(2,))
    return 0
