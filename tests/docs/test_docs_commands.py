"""Every command and snippet shown in README.md and docs/*.md is checked, so the docs stay true.

The convention (documented here, followed by the docs):

* Every fenced ```bash block is split into commands (``\\`` continuations joined, ``#`` comments dropped, split at
  ``&&``, ``||``, ``|`` and ``;``; leading ``NAME=value`` assignments are the command's environment).
* ``mlzero`` commands are always parsed with ``cli.build_parser()``. A command with placeholders (an ALL-CAPS word
  such as DATA or RUN_ID, ``[optional]`` parts or ``...``) is a synopsis: its sub-command and option names are
  checked against the parser. Others are also run for real, in a temporary folder that holds the demo data
  (``mlzero-demo-data/``), and must exit 0: the cheap sub-commands always; ``demo`` and ``run`` (real fits) only
  under ``-m fit``; ``mcp`` (a server) and ``bench`` (the whole suite) are parsed only.
* A block with the line ``# doc-test: parse`` is parsed only (it needs credentials, a server or an LLM).
* ``pip install`` is never run: the requirements must parse and the extras named must exist in pyproject.toml.
  ``python -m pytest`` is not run from here (it is this suite): its options are checked by pytest's own parser.
* Other programs must be listed in ``EXTERNAL`` (they are not installed here) and pass ``bash -n``.
* Every ```python block compiles (IPython magics are translated first). Blocks of configuration-file lines
  (``c.MLZero.x = ...``) are executed into a traitlets Config and must be accepted by the ``MLZero`` settings.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"^#\s*doc-test:\s*(?P<mode>\w+)\s*$", re.MULTILINE)
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_]{2,}\b|\[|\.\.\.")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
#: mlzero sub-commands cheap enough to run for real in every test run.
CHEAP = {"inspect", "list", "show", "knowledge", "env", "providers"}
#: Sub-commands that train models: run for real only under the fit marker.
SLOW = {"demo", "run"}
#: Programs the docs show that are not ours and not installed here, and why they appear.
EXTERNAL = {"ollama": "pulls a local model for the ollama provider",
            "vllm": "serves a model for the openai provider",
            "ray": "starts and inspects a Ray cluster for --executor ray (docs/ray.md)"}


@dataclass(frozen=True)
class Command:
    source: str  # file:line of the block
    words: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    parse_only: bool

    @property
    def synopsis(self) -> bool:
        return any(PLACEHOLDER.search(word) for word in self.words[1:])

    def __str__(self) -> str:
        return f"{self.source}: {shlex.join(self.words)}"


def _blocks(lang: str) -> list[tuple[str, str]]:
    found = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group("lang") == lang:
                line = text[: match.start()].count("\n") + 1
                found.append((f"{path.relative_to(ROOT)}:{line}", match.group("body")))
    return found


def _split_line(source: str, line: str, parse_only: bool) -> list[Command]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split, lexer.commenters = True, "#"
    commands, words = [], []
    for token in [*lexer, ";"]:
        if token not in (";", "&&", "||", "|", ";;", "&"):
            words.append(token)
            continue
        env = []
        while words and ASSIGNMENT.match(words[0]):
            env.append(tuple(words.pop(0).split("=", 1)))
        if words:
            commands.append(Command(source, tuple(words), tuple(env), parse_only))
        words = []
    return commands


def _commands() -> list[Command]:
    commands = []
    for source, body in _blocks("bash"):
        marker = MARKER.search(body)
        parse_only = bool(marker and marker.group("mode") == "parse")
        assert marker is None or parse_only, f"{source}: unknown doc-test mode {marker.group('mode')!r}"
        for line in body.replace("\\\n", " ").splitlines():
            commands.extend(_split_line(source, line, parse_only))
    return commands


COMMANDS = _commands()
MLZERO = [c for c in COMMANDS if c.words[0] == "mlzero"]


def _subparser(parser: argparse.ArgumentParser, words: list[str]) -> tuple[argparse.ArgumentParser, list[str]]:
    """Descend through sub-commands named by ``words``; the deepest parser and the words left."""
    while words:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not actions or words[0] not in actions[0].choices:
            break
        parser, words = actions[0].choices[words[0]], words[1:]
    return parser, words


def _check_synopsis(command: Command) -> None:
    from mlzero_jupyter.cli import build_parser

    parser, rest = _subparser(build_parser(), list(command.words[1:]))
    assert parser.prog != "mlzero", f"{command}: unknown sub-command"
    options = {w.strip("[]").split("=")[0] for w in rest if w.strip("[]").startswith("-")}
    unknown = options - set(parser._option_string_actions)
    assert not unknown, f"{command}: unknown options {sorted(unknown)}"


def _parse(command: Command) -> argparse.Namespace:
    from mlzero_jupyter.cli import build_parser

    try:
        return build_parser().parse_args(list(command.words[1:]))
    except SystemExit as error:
        if error.code == 0:  # --help
            return argparse.Namespace(command=None)
        raise AssertionError(f"{command}: refused by the parser") from None


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder like a newcomer's after the quick start: the demo data in mlzero-demo-data/."""
    from mlzero_jupyter.demo import write_demo_data

    folder = tmp_path_factory.mktemp("docs")
    write_demo_data(folder / "mlzero-demo-data")
    return folder


def _run(command: Command, workspace: Path, timeout: float) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **dict(command.env)}
    completed = subprocess.run([sys.executable, "-m", "mlzero_jupyter.cli", *command.words[1:]], cwd=workspace,
                               env=env, capture_output=True, text=True, timeout=timeout)
    assert completed.returncode == 0, f"{command}: exit {completed.returncode}\n{completed.stderr[-2000:]}"


def test_the_docs_show_commands() -> None:
    assert len(MLZERO) >= 20 and {c.words[0] for c in COMMANDS} >= {"mlzero", "pip", "python"}


@pytest.mark.parametrize("command", MLZERO, ids=str)
def test_mlzero_command_parses(command: Command) -> None:
    if command.synopsis:
        _check_synopsis(command)
    else:
        _parse(command)


CHEAP_RUNS = sorted({c for c in MLZERO if not (c.synopsis or c.parse_only) and c.words[1] in CHEAP | {"--help"}},
                    key=str)
SLOW_RUNS = sorted({Command("", c.words, c.env, False) for c in MLZERO
                    if not (c.synopsis or c.parse_only) and c.words[1] in SLOW}, key=str)


@pytest.mark.parametrize("command", CHEAP_RUNS, ids=str)
def test_cheap_mlzero_command_runs(command: Command, workspace: Path) -> None:
    _run(command, workspace, timeout=300)


@pytest.mark.fit
@pytest.mark.parametrize("command", SLOW_RUNS, ids=str)
def test_slow_mlzero_command_runs(command: Command, workspace: Path) -> None:
    _run(command, workspace, timeout=900)


def test_every_mlzero_command_is_run_or_marked() -> None:
    """Nothing falls between the cracks: a runnable command is cheap, slow, or a parse-only server/suite."""
    runnable = [c for c in MLZERO if not (c.synopsis or c.parse_only)]
    leftover = [str(c) for c in runnable if c.words[1] not in CHEAP | SLOW | {"--help", "mcp", "bench"}]
    assert not leftover


def _extras() -> set[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return set(project["optional-dependencies"])


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.words[0] == "pip"], ids=str)
def test_pip_command_names_real_requirements(command: Command) -> None:
    from packaging.requirements import Requirement

    assert command.words[1] == "install", f"{command}: only `pip install` is expected in the docs"
    for word in command.words[2:]:
        if word.startswith("-"):
            assert word in ("-e", "--editable", "-U", "--upgrade"), f"{command}: unexpected option {word}"
            continue
        requirement = Requirement(word.replace(".[", "mlzero-jupyter[", 1) if word.startswith(".") else word)
        if word.startswith("."):
            assert requirement.extras <= _extras(), f"{command}: extras {requirement.extras - _extras()} missing"


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.words[:3] == ("python", "-m", "pytest")], ids=str)
def test_pytest_command_options_exist(command: Command) -> None:
    completed = subprocess.run([sys.executable, "-m", "pytest", *command.words[3:], "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, f"{command}: {completed.stderr[-500:]}"


def test_other_programs_are_known_and_well_formed() -> None:
    ours = {"mlzero", "pip", "python"}
    others = [c for c in COMMANDS if c.words[0] not in ours]
    unknown = [str(c) for c in others if c.words[0] not in EXTERNAL or not c.parse_only]
    assert not unknown, "commands the docs show without a check (add to EXTERNAL in a `# doc-test: parse` block)"
    for command in others:
        subprocess.run(["bash", "-n", "-c", shlex.join(command.words)], check=True)


def _python(body: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(body)


@pytest.mark.parametrize("source,body", _blocks("python"), ids=[s for s, _ in _blocks("python")])
def test_python_block_compiles(source: str, body: str) -> None:
    compile(_python(body), source, "exec")


CONFIG_BLOCKS = [(s, b) for s, b in _blocks("python") if b.lstrip().startswith("c.MLZero.")]


@pytest.mark.parametrize("source,body", CONFIG_BLOCKS, ids=[s for s, _ in CONFIG_BLOCKS])
def test_config_block_is_accepted(source: str, body: str) -> None:
    from traitlets.config import Config

    from mlzero_jupyter.config import MLZero

    config = Config()
    exec(compile(body, source, "exec"), {"c": config})
    settings = MLZero(config=config)
    for name, value in config.MLZero.items():
        assert name in settings.class_traits(config=True), f"{source}: unknown setting {name}"
        assert getattr(settings, name) is not None, f"{source}: {name} = {value!r} was not taken"
