"""`mlzero show RUN`: how a run went, attempt by attempt."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlzero_jupyter.result import RunResult

HELP = "Show a run: its status, score and attempts."
COLUMNS = ("#", "status", "score", "time", "what")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", help="run folder, or a run id under --output")
    parser.add_argument("--output", default="mlzero-runs", help="folder holding the run folders")
    parser.add_argument("--json", action="store_true",
                        help="print the run's result record (before the first attempt ends: run_id, run_dir, "
                             "status, attempts)")


def run(args: argparse.Namespace) -> int:
    import json

    from mlzero_jupyter.run_views import run_status
    from mlzero_jupyter.runs import locate_run

    folder = locate_run(args.run, args.output)
    data = folder.read_result(lambda data: data)
    status = run_status(folder)
    if args.json:
        unfinished = {"run_id": folder.run_id, "run_dir": str(folder.path), "status": status, "attempts": []}
        print(json.dumps(unfinished if data is None else {**data, "status": status}, indent=2))
        return 0
    if data is None:
        print(f"Run {folder.run_id}: {status}, no attempt finished yet")
        return 0
    from mlzero_jupyter.result import RunResult

    result = folder.read_result(RunResult.from_dict)
    result.status = status
    print(result)
    if result.attempts:
        _print_attempts(result)
    return 0


def _print_attempts(result: RunResult) -> None:
    from rich.console import Console

    from mlzero_jupyter.cli.tables import print_table, score_text

    rows = []
    for attempt in result.attempts:
        error = attempt.error.strip().splitlines()[-1:] if attempt.status != "success" else []
        rows.append((str(attempt.number), attempt.status, score_text(attempt.score), f"{attempt.duration_s:.0f} s",
                     ": ".join(filter(None, [attempt.summary, *error, attempt.note]))))
    print()
    print_table(Console(), COLUMNS, rows, right=(0, 2, 3))
