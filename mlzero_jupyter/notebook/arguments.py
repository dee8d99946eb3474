"""Parse the arguments of ``%%mlzero`` and ``%mlzero``, without importing IPython.

The run options are the CLI's (``mlzero run``): the same flags, added by the same function from the options
table (mlzero_jupyter/options.py). Every mistake
becomes a :class:`~mlzero_jupyter.errors.UserInputError` with a one-line message, never an argparse exit.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field, fields
from typing import Any, NoReturn

from mlzero_jupyter.cli.commands.run import add_run_options, options_from
from mlzero_jupyter.errors import UserInputError

SUBCOMMANDS = ("list", "show", "export", "resume", "stop", "wait", "providers", "config", "knowledge", "help")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises UserInputError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UserInputError(f"{message}; `%mlzero help` lists the options")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UserInputError((message or "invalid arguments").strip())


@dataclass
class RunArguments:
    """The line of a ``%%mlzero`` cell: the magic's own flags, and the run options' flags as parsed."""

    data: str | None = None
    guide: bool = False
    confirm: bool = False
    wait: float | None = None  # None: the configured guidance_timeout (default 60 s)
    background: bool = False
    verbose: bool = False
    flags: argparse.Namespace = field(default_factory=argparse.Namespace)

    def options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`mlzero_jupyter.api.make_options` (None where not given)."""
        return options_from(self.flags)

    def __getattr__(self, name: str) -> Any:
        """A run option's flag as parsed, by its attribute name (``output``, ``time_limit``, ``target``...)."""
        if name == "flags":  # not set yet (copying)
            raise AttributeError(name)
        return getattr(self.flags, name)


@dataclass
class Subcommand:
    """A ``%mlzero`` line: the sub-command and its arguments."""

    name: str
    run: str | None = None
    path: str | None = None
    all_attempts: bool = False
    guidance: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    query: str | None = None


def split(line: str) -> list[str]:
    """Shell-like words of a magic line; an unbalanced quote is a user error."""
    try:
        return shlex.split(line)
    except ValueError as error:
        raise UserInputError(f"cannot read the magic line ({error}); close the quote") from None


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the wait must be 0 or more seconds")
    return value


def run_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="%%mlzero", add_help=False,
                     description="Solve the task described in the cell body on DATA (a path or a DataFrame name).")
    parser.add_argument("data", nargs="?", help="data folder, file, archive, or the name of a pandas DataFrame")
    add_run_options(parser)
    parser.add_argument("--guide", action="store_true", help="pause for guidance after every attempt")
    parser.add_argument("--confirm", action="store_true", help="show each attempt's code and wait for approval")
    parser.add_argument("--wait", type=_positive_seconds,
                        help="seconds a pause for guidance waits before going on (default: guidance_timeout, 60)")
    parser.add_argument("--background", action="store_true",
                        help="return at once; the run goes on in the kernel (mlzero_result is its handle)")
    return parser


def parse_run_line(line: str) -> RunArguments:
    """The arguments of a ``%%mlzero`` cell's first line."""
    values = vars(run_parser().parse_args(split(line)))
    own = {f.name: values.pop(f.name) for f in fields(RunArguments) if f.name in values}
    return RunArguments(**own, flags=argparse.Namespace(**values))


def _settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserInputError(f"config takes key=value pairs, got {pair!r}; e.g. %mlzero config time_limit=5m")
        settings[key.strip().replace("-", "_")] = value.strip()
    return settings


def line_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="%mlzero", add_help=False, description="Manage mlzero runs from a notebook.")
    sub = parser.add_subparsers(dest="name", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("list", add_help=False, help="the runs in the output folder, newest first")
    show = sub.add_parser("show", add_help=False, help="a run's result")
    show.add_argument("run", help="run id, unique prefix of one, or run folder")
    export = sub.add_parser("export", add_help=False, help="write a run's solution as a notebook")
    export.add_argument("run")
    export.add_argument("path", nargs="?", help="where to write the notebook (default RUN_DIR/solution.ipynb)")
    export.add_argument("--all-attempts", action="store_true", help="include the earlier attempts too")
    resume = sub.add_parser("resume", add_help=False, help="continue a stopped or failed run")
    resume.add_argument("run")
    resume.add_argument("guidance", nargs="?", help="guidance for the next attempt")
    stop = sub.add_parser("stop", add_help=False, help="stop a running run (all running runs without RUN)")
    stop.add_argument("run", nargs="?")
    wait = sub.add_parser("wait", add_help=False, help="wait until a run of this kernel ends (the latest without RUN)")
    wait.add_argument("run", nargs="?")
    sub.add_parser("providers", add_help=False, help="the LLM providers and whether they are usable here")
    config = sub.add_parser("config", add_help=False, help="show the configuration, or set key=value for this session")
    config.add_argument("settings", nargs="*", metavar="key=value")
    knowledge = sub.add_parser("knowledge", add_help=False, help="search the knowledge base (list it without QUERY)")
    knowledge.add_argument("query", nargs="*")
    sub.add_parser("help", add_help=False, help="this help")
    return parser


def parse_line(line: str) -> Subcommand:
    """The sub-command of a ``%mlzero`` line; an empty line means ``help``."""
    words = split(line)
    if not words:
        return Subcommand("help")
    if words[0] not in SUBCOMMANDS:
        raise UserInputError(f"unknown sub-command {words[0]!r}; choose one of {', '.join(SUBCOMMANDS)}")
    namespace = vars(line_parser().parse_args(words))
    namespace["settings"] = _settings(namespace.pop("settings", []))
    query = namespace.pop("query", None)
    return Subcommand(**namespace, query=" ".join(query) if query else None)


def help_text() -> str:
    """The text of ``%mlzero help``: both magics with their options."""
    return "\n\n".join([
        "Usage: %%mlzero [DATA] [options]   (the cell body is the task description; {var} is filled in)",
        _options_text(run_parser()),
        "Usage: %mlzero COMMAND [arguments]",
        _commands_text(),
    ])


def _options_text(parser: argparse.ArgumentParser) -> str:
    lines = []
    for action in parser._actions:
        names = ", ".join(action.option_strings) or action.dest.upper()
        lines.append(f"  {names:<22} {(action.help or '').replace('%%', '%')}")  # argparse's escape undone
    return "\n".join(lines)


def _commands_text() -> str:
    usages = {
        "list": "list", "show": "show RUN", "export": "export RUN [PATH] [--all-attempts]",
        "resume": 'resume RUN ["guidance"]', "stop": "stop [RUN]", "wait": "wait [RUN]", "providers": "providers",
        "config": "config [key=value ...]", "knowledge": "knowledge [QUERY]", "help": "help",
    }
    helps = {a.dest: a.help for a in line_parser()._subparsers._group_actions[0]._choices_actions}
    return "\n".join(f"  %mlzero {usages[name]:<36} {helps.get(name, '')}" for name in SUBCOMMANDS)
