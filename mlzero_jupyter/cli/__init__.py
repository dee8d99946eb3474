"""The `mlzero` command: one sub-command per module of `mlzero_jupyter.cli.commands`. This package is the
terminal face: the commands, live progress (`console.py`), review and guidance at the terminal (`terminal.py`)
and one-line tables (`tables.py`).

A command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``; it imports
heavy libraries inside ``run`` only, so that ``mlzero --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from mlzero_jupyter.cli import commands
from mlzero_jupyter._version import __version__
from mlzero_jupyter.errors import UserInputError

#: Exit code for a mistake the user can fix (bad path, bad option, unusable data).
EXIT_USER_ERROR = 2


class OneLineParser(argparse.ArgumentParser):
    """Refuses bad arguments with one line saying what to do (no usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}; `{self.prog} --help` shows the options\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="mlzero", description="A zero-code AutoML agent: data folder + sentence -> model.")
    parser.add_argument("--version", action="version", version=f"mlzero-jupyter {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        name = info.name.replace("_", "-")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a file name that is not valid UTF-8 prints escaped, not a traceback
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USER_ERROR
    # A termination request (`kill`, a job scheduler, a closing terminal multiplexer) stops a command as Ctrl-C does:
    # the running attempt's processes are killed with it and a run publishes its best result so far.
    on_main_thread = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, signal.default_int_handler) if on_main_thread else None
    try:
        return int(args.handler(args) or 0)
    except UserInputError as error:
        print(f"mlzero {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"mlzero {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, before)

