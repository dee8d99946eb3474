"""`mlzero run DATA [DESCRIPTION]`: solve a task end to end."""

from __future__ import annotations

import argparse

from mlzero_jupyter.options import add_flags, flagged, given
from mlzero_jupyter.perception.overrides import TASK_FIELDS, task_overrides

HELP = "Turn a data folder and a sentence into a trained model and predictions."

#: Exit codes: a valid result, no valid result, a user mistake (see cli), stopped.
EXIT_SUCCESS, EXIT_NO_RESULT, EXIT_STOPPED = 0, 1, 130


def add_run_options(parser: argparse.ArgumentParser, *, settings_only: bool = False) -> None:
    """The run options' flags (mlzero_jupyter/options.py), for `mlzero run`, `mlzero demo` (``settings_only``: no
    run folder label, no task overrides) and ``%%mlzero``; and --verbose, which these front ends share."""
    add_flags(parser, flagged(settings_only=settings_only))
    parser.add_argument("-v", "--verbose", action="store_true", help="echo the generated code's output")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", nargs="?", help="data folder, file or archive")
    parser.add_argument("description", nargs="?", help="the goal in plain words")
    parser.add_argument("-d", "--description", dest="description_option", help="the goal in plain words")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue an earlier run from its folder")
    parser.add_argument("--guidance", help="guidance for the next attempt (with --resume)")
    parser.add_argument("--confirm", action="store_true",
                        help="show each attempt's code and ask before it runs: [y]es, [e]dit, [s]kip, [q]uit")
    parser.add_argument("--guide", action="store_true", help="ask for guidance between attempts")
    add_run_options(parser)


def options_from(args: argparse.Namespace) -> dict:
    """The run options given by flags (None where not given; the task overrides only when given, checked)."""
    return {**given(args, (n for n in flagged() if n not in TASK_FIELDS)), **task_overrides(args)}


def run_agent(agent) -> int:
    result = agent.run()
    print(result)
    if result.status == "success":
        return EXIT_SUCCESS
    return EXIT_STOPPED if result.status == "stopped" else EXIT_NO_RESULT


def run(args: argparse.Namespace) -> int:
    import sys

    from mlzero_jupyter.agent import Agent
    from mlzero_jupyter.api import make_options
    from mlzero_jupyter.approval import recorder
    from mlzero_jupyter.config import load_config
    from mlzero_jupyter.cli.console import ConsoleProgress
    from mlzero_jupyter.errors import UserInputError
    from mlzero_jupyter.cli.terminal import TerminalController, controller_for

    progress = ConsoleProgress(verbose=args.verbose)
    observers = [progress]
    config = load_config()
    controller = controller_for(sys.stdin, confirm=args.confirm, guide=args.guide,
                                approval_timeout=config.approval_timeout, guidance_timeout=config.guidance_timeout)
    if args.resume and task_overrides(args):
        raise UserInputError("--target, --metric and --problem-type set up a new run; a resumed run keeps its task")
    if args.resume:
        given = {k: v for k, v in options_from(args).items() if v is not None}
        checked = make_options(**given)  # parses and refuses bad values before touching the run
        overrides = {k: getattr(checked, k) for k in given}
        agent = Agent.resume(args.resume, args.guidance, overrides, observers=observers, controller=controller)
    else:
        if not args.data:
            raise UserInputError("give a data folder, file or archive: mlzero run DATA \"what to predict\"")
        description = args.description_option if args.description_option is not None else args.description
        agent = Agent(args.data, description, make_options(**options_from(args)), observers=observers,
                      controller=controller)
    if isinstance(controller, TerminalController):
        controller.record = recorder(agent)  # approval decisions go into the run's record
    progress.run_budget = agent.options.time_limit  # known here, after a resume's overrides
    try:
        return run_agent(agent)
    finally:
        progress.close()  # the terminal's cursor comes back however the run ends
