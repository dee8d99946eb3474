"""`mlzero bench [TASKS...]`: the agent and the expert baselines on the development suite, side by side."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

HELP = "Benchmark the agent against expert AutoGluon scripts on the development suite and write a report."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tasks", nargs="*", metavar="TASK", help="suite tasks to run (default: all)")
    parser.add_argument("--provider", help="the agent's provider: offline (default), bedrock, openai, ...")
    parser.add_argument("--time-limit", help="budget per task for each side, e.g. 120 or 2m (default: each task's own)")
    parser.add_argument("--max-iterations", type=int, help="the agent's attempts per task")
    parser.add_argument("--output", default="mlzero-bench", help="folder for the suite, runs and report")
    parser.add_argument("--no-baseline", action="store_true", help="run the agent only")


def _line(result: Any) -> str:
    def side(outcome: Any) -> str:
        return "-" if outcome is None else (f"{outcome.score:.4g}" if outcome.valid else outcome.status)

    ratio = "-" if result.ratio is None else f"{result.ratio:.3f}"
    return (f"{result.task:<22} agent {side(result.agent):>9}  baseline {side(result.baseline):>9}  "
            f"ratio {ratio:>6}  agent {result.agent.total_s:6.1f} s ({result.agent.overhead_s:.1f} s overhead)")


def reproduce(args: argparse.Namespace) -> str:
    """The command line that repeats this benchmark."""
    words = ["mlzero", "bench", *args.tasks]
    for option in ("provider", "time_limit", "max_iterations", "output"):
        value = getattr(args, option)
        if value is not None:
            words += [f"--{option.replace('_', '-')}", str(value)]
    return shlex.join(words + (["--no-baseline"] if args.no_baseline else []))


def run(args: argparse.Namespace, solve: Any = None) -> int:
    """Build the chosen tasks under ``--output``, run them and write the report; ``solve`` replaces the agent."""
    from mlzero_jupyter.bench.baselines import run_baseline
    from mlzero_jupyter.bench.report import write_report
    from mlzero_jupyter.bench.runner import run_suite
    from mlzero_jupyter.bench.tasks import BUILDERS, build_suite
    from mlzero_jupyter.config import parse_duration
    from mlzero_jupyter.errors import UserInputError

    unknown = sorted(set(args.tasks) - set(BUILDERS))
    if unknown:
        raise UserInputError(f"unknown task {', '.join(unknown)}; choose from {', '.join(BUILDERS)}")
    time_limit = None if args.time_limit is None else parse_duration(args.time_limit)
    if solve is None:
        from mlzero_jupyter.api import solve
    output = Path(args.output)
    task_dirs = build_suite(output / "suite", args.tasks or None)
    command = reproduce(args)
    settings = {"tasks": [d.name for d in task_dirs], "provider": args.provider or "offline",
                "time_limit": time_limit, "max_iterations": args.max_iterations, "baseline": not args.no_baseline}
    done = []

    def record(result: Any) -> None:
        done.append(result)
        print(_line(result), flush=True)
        write_report(done, output, command, settings)

    run_suite(task_dirs, output / "work", solve, None if args.no_baseline else run_baseline, time_limit,
              on_result=record, provider=args.provider, max_iterations=args.max_iterations)
    print(f"report: {output / 'report.md'}")
    return 0
