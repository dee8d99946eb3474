"""`mlzero inspect PATH`: what perception understands of a data folder, file or archive."""

from __future__ import annotations

import argparse

HELP = "Show what mlzero understands of a data folder: files, roles, target, problem type, metric, warnings."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mlzero_jupyter.perception.overrides import add_override_arguments

    parser.add_argument("path", help="data folder, file or archive")
    parser.add_argument("-d", "--description", help="the goal in plain words, e.g. 'predict who survived'")
    parser.add_argument("--json", action="store_true", help="print the TaskSpec as JSON")
    add_override_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import sys
    import tempfile

    from rich.console import Console

    from mlzero_jupyter.perception import perceive
    from mlzero_jupyter.perception.overrides import task_overrides
    from mlzero_jupyter.perception.summary import render_summary

    overrides = task_overrides(args)
    with tempfile.TemporaryDirectory(prefix="mlzero-input-") as work_dir:  # archives are unpacked here
        spec = perceive(args.path, args.description, work_dir=work_dir, overrides=overrides)
        if args.json:
            print(spec.to_json())
        else:
            Console(width=None if sys.stdout.isatty() else 140).print(render_summary(spec))
    return 0
