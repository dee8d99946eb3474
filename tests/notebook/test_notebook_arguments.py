"""The magic's argument parser: typed results, CLI option names, one-line errors; never imports IPython."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.notebook.arguments import help_text, parse_line, parse_run_line


def test_run_line_gives_typed_options_with_cli_names():
    args = parse_run_line("data/train.csv --time-limit 2m --max-iterations 3 --provider openai --model m "
                          "--base-url http://localhost:1 --quick --guide --confirm --output out --name x --wait 5 "
                          "--executor ray --ray-address 127.0.0.1:6379 --memory-limit 2048")
    assert args.data == "data/train.csv"
    assert (args.guide, args.confirm, args.wait) == (True, True, 5.0)
    assert args.options() == {"time_limit": "2m", "max_iterations": 3, "provider": "openai", "model": "m",
                              "base_url": "http://localhost:1", "quick": True, "output_dir": "out", "name": "x",
                              "executor": "ray", "ray_address": "127.0.0.1:6379", "memory_limit_mb": 2048}


def test_run_line_defaults_leave_options_unset():
    args = parse_run_line("frame")
    assert args.data == "frame" and args.wait is None
    assert not args.guide and not args.confirm
    assert all(value is None for value in args.options().values())


def test_quoted_paths_keep_their_spaces():
    assert parse_run_line('"my data/folder" --name "a b"').data == "my data/folder"


@pytest.mark.parametrize("line", ["--max-iterations many", "--no-such-flag", '"unclosed', "--wait -1", "a b"])
def test_bad_run_lines_are_one_line_user_errors(line):
    with pytest.raises(UserInputError) as raised:
        parse_run_line(line)
    assert "\n" not in str(raised.value) and str(raised.value)


@pytest.mark.parametrize("line, expected", [
    ("list", {"name": "list"}),
    ("show 2026", {"name": "show", "run": "2026"}),
    ("export 2026 out/x.ipynb --all-attempts", {"name": "export", "run": "2026", "path": "out/x.ipynb",
                                                "all_attempts": True}),
    ('resume 2026 "try a longer time limit"', {"name": "resume", "run": "2026", "guidance": "try a longer time limit"}),
    ("stop", {"name": "stop", "run": None}),
    ("stop 2026", {"name": "stop", "run": "2026"}),
    ("providers", {"name": "providers"}),
    ("config time-limit=5m provider=openai",
     {"name": "config", "settings": {"time_limit": "5m", "provider": "openai"}}),
    ("knowledge time series frequency", {"name": "knowledge", "query": "time series frequency"}),
    ("knowledge", {"name": "knowledge", "query": None}),
    ("", {"name": "help"}),
    ("help", {"name": "help"}),
])
def test_subcommands(line, expected):
    command = parse_line(line)
    assert {key: getattr(command, key) for key in expected} == expected


@pytest.mark.parametrize("line", ["frobnicate", "show", "export", "config novalue", "stop a b", "list extra"])
def test_bad_subcommands_are_one_line_user_errors(line):
    with pytest.raises(UserInputError) as raised:
        parse_line(line)
    assert "\n" not in str(raised.value)


def test_help_names_every_subcommand_and_option():
    text = help_text()
    for word in ("list", "show RUN", "export RUN [PATH] [--all-attempts]", 'resume RUN ["guidance"]', "stop [RUN]",
                 "providers", "config [key=value ...]", "knowledge [QUERY]", "--time-limit", "--guide", "--confirm"):
        assert word in text


def test_the_parser_does_not_import_ipython():
    code = ("import sys; from mlzero_jupyter.notebook.arguments import parse_run_line; parse_run_line('x --guide'); "
            "print([m for m in ('IPython', 'ipywidgets', 'nbformat', 'pandas') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
