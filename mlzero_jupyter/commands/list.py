"""`mlzero list`: the runs under an output folder, newest first."""

from __future__ import annotations

import argparse

HELP = "List the runs under an output folder (default ./mlzero-runs), newest first."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", default="mlzero-runs", help="folder holding the run folders")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from mlzero_jupyter.runs import find_runs, run_summary

    runs = find_runs(args.output)
    if not runs:
        print(f"no runs under {args.output}")
        return 0
    table = Table()
    table.add_column("run", no_wrap=True)  # ids must stay whole, to be copied into `mlzero show`
    for name in ("status", "metric", "score", "attempts", "task"):
        table.add_column(name)
    for folder in runs:
        summary = run_summary(folder)
        score = "" if summary["score"] is None else f"{summary['score']:.5g}"
        table.add_row(folder.run_id, summary["status"], summary["metric"] or "", score, str(summary["attempts"]),
                      (summary["task"] or "")[:60])
    Console().print(table)
    return 0
