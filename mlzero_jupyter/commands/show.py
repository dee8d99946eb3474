"""`mlzero show RUN`: how a run went, attempt by attempt."""

from __future__ import annotations

import argparse

HELP = "Show a run: its status, score and attempts."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", help="run folder, or a run id under --output")
    parser.add_argument("--output", default="mlzero-runs", help="folder holding the run folders")
    parser.add_argument("--json", action="store_true", help="print result.json")


def run(args: argparse.Namespace) -> int:
    import json

    from mlzero_jupyter.result import RunResult
    from mlzero_jupyter.runs import locate_run

    folder = locate_run(args.run, args.output)
    data = folder.read_json("result.json") if folder.result_path.exists() else None
    if data is None:
        print(f"Run {folder.run_id}: started, no attempt finished yet")
        return 0
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    result = folder.read_record("result.json", RunResult.from_dict)
    print(result)
    for attempt in result.attempts:
        score = "" if attempt.score is None else f" {attempt.metric} = {attempt.score:.5g}"
        print(f"  #{attempt.number} {attempt.status}{score} ({attempt.duration_s:.0f} s): {attempt.summary}")
        if attempt.error and attempt.status != "success":
            print("      " + attempt.error.strip().splitlines()[-1][:200])
    return 0
