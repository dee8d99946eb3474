"""The run options are declared once (mlzero_jupyter/options.py): the CLI, the magic, solve(), the config, the
MCP tool and docs/configuration.md expose exactly those, and no front end adds a run option of its own."""

from __future__ import annotations

import argparse
import asyncio
import re
from dataclasses import fields
from pathlib import Path

import pytest

from mlzero_jupyter.api import make_options
from mlzero_jupyter.cli import build_parser
from mlzero_jupyter.config import MLZero, load_config, setting_from_text
from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.notebook.arguments import help_text, parse_run_line, run_parser
from mlzero_jupyter.notebook.session import check_settings
from mlzero_jupyter.options import OPTIONS, SETTINGS, RunOptions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
NAMES = {option.name for option in OPTIONS}
FLAGS = {option.name: option.flag for option in OPTIONS if option.flag}
#: The flags each front end declares for itself (docs/configuration.md names them too).
OWN_FLAGS = {
    "run": {"--help", "--description", "--resume", "--guidance", "--confirm", "--guide", "--verbose"},
    "demo": {"--help", "--data-dir", "--verbose"},
    "magic": {"--confirm", "--guide", "--verbose", "--wait", "--background"},
}
MCP_OWN = {"confirm", "approval_timeout"}
#: Settings that are not run options (the providers', the knowledge base's and the pauses').
OTHER_SETTINGS = {"region", "profile", "knowledge_paths", "prices", "prompt_budget_tokens", "guidance_timeout",
                  "approval_timeout"}
#: A value of every option as solve() takes it, and what RunOptions then holds.
SAMPLES = {
    "time_limit": ("2m", 120.0), "max_iterations": (3, 3), "quick": (True, True), "provider": ("offline", "offline"),
    "model": ("m", "m"), "base_url": ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1"),
    "output_dir": ("runs", "runs"), "name": ("label", "label"), "memory_limit_mb": (512, 512),
    "policy": ({"network": "ask"}, {"network": "ask"}), "knowledge_budget_tokens": (10, 10), "seed": (7, 7),
    "target": ("y", "y"), "metric": ("mae", "mae"), "problem_type": ("regression", "regression"),
    "executor": ("ray", "ray"), "ray_address": ("127.0.0.1:6379", "127.0.0.1:6379"),
}


@pytest.fixture
def no_config(tmp_path, monkeypatch):
    """No config file and no MLZERO_* variable of the machine counts."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    for option in SETTINGS:
        monkeypatch.delenv(f"MLZERO_{option.name.upper()}", raising=False)


def long_flags(parser: argparse.ArgumentParser) -> set[str]:
    """The first long flag of each option (``--quick`` for ``--quick/--no-quick``)."""
    return {next(f for f in action.option_strings if f.startswith("--")) for action in parser._actions
            if action.option_strings}


def command(name: str) -> argparse.ArgumentParser:
    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return subparsers.choices[name]


def flag_words(names: set[str]) -> list[str]:
    """A command line giving every option in ``names`` by its flag."""
    words = []
    for name in sorted(names):
        value = SAMPLES[name][0]
        words += [FLAGS[name]] if value is True else [FLAGS[name], str(value)]
    return words


def test_the_samples_cover_every_option():
    assert set(SAMPLES) == NAMES


def test_the_cli_and_the_magic_take_every_flagged_option_and_no_other():
    settings_flags = {FLAGS[o.name] for o in SETTINGS if o.name in FLAGS}
    assert long_flags(command("run")) == set(FLAGS.values()) | OWN_FLAGS["run"]
    assert long_flags(command("demo")) == settings_flags | OWN_FLAGS["demo"]
    assert long_flags(run_parser()) == set(FLAGS.values()) | OWN_FLAGS["magic"]

    from mlzero_jupyter.cli.commands.run import options_from

    cli = options_from(command("run").parse_args(["data", *flag_words(set(FLAGS))]))
    magic = parse_run_line(" ".join(["data", *flag_words(set(FLAGS))])).options()
    expected = {name: SAMPLES[name][0] if isinstance(SAMPLES[name][0], (bool, int)) else str(SAMPLES[name][0])
                for name in FLAGS}
    assert cli == magic == expected


def test_solve_takes_every_option_into_run_options(no_config):
    assert {f.name for f in fields(RunOptions)} == NAMES
    options = make_options(**{name: given for name, (given, _) in SAMPLES.items()})
    assert {name: getattr(options, name) for name in NAMES} == {name: held for name, (_, held) in SAMPLES.items()}
    with pytest.raises(ConfigError, match="unknown option colour"):
        make_options(colour="red")


def test_the_settings_are_the_configurable_options_and_variables(no_config):
    traits = MLZero.class_traits(config=True)
    assert set(traits) == {o.name for o in SETTINGS} | OTHER_SETTINGS
    assert set(load_config().run_options()) == {o.name for o in SETTINGS}
    for option in SETTINGS:
        given, held = SAMPLES[option.name]
        text = "true" if given is True else str(given).replace("'", '"')
        settings = load_config(environ={f"MLZERO_{option.name.upper()}": text})
        assert getattr(settings, option.name) == held, option.name
    with pytest.raises(ConfigError, match="unknown setting seed"):
        load_config({"seed": 1})  # an option of one run, not a setting


def test_the_mcp_tool_describes_every_option(tmp_path):
    from mlzero_jupyter.mcp.manager import RunManager
    from mlzero_jupyter.mcp.server import build_server

    tools = {tool.name: tool for tool in asyncio.run(build_server(RunManager(tmp_path)).list_tools())}
    properties = tools["start_run"].input_schema["properties"]["options"]["properties"]
    assert set(properties) == NAMES | MCP_OWN
    assert all(properties[o.name]["description"] == o.text for o in OPTIONS)


def test_help_and_docs_list_the_same_options(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    cli_help, magic_help = capsys.readouterr().out, help_text()
    assert all(flag in cli_help and flag in magic_help for flag in FLAGS.values())

    text = DOCS.read_text()
    run_table = text[text.index("## Run options"):text.index("## Other settings")]
    rows = re.findall(r"^\| `(\w+)` \| (?:`(--[\w-]+)`)? *\| (yes|no) \|", run_table, re.MULTILINE)
    assert {name: (flag or None, setting == "yes") for name, flag, setting in rows} == \
        {o.name: (o.flag, o.setting) for o in OPTIONS}
    other_table = text[text.index("## Other settings"):].split("\n\n")[1]
    assert set(re.findall(r"`(\w+)`", "".join(line.split("|")[1] for line in other_table.splitlines()[2:]))) == \
        OTHER_SETTINGS
    assert all(flag in text for flags in OWN_FLAGS.values() for flag in flags - {"--help", "--data-dir"})


def test_variables_and_the_magic_config_read_text_the_same_way(no_config):
    traits = MLZero.class_traits(config=True)
    pairs = {"quick": "yes", "knowledge_paths": "/a:/b", "policy": '{"network": "ask"}', "max_iterations": "4",
             "time_limit": "5m", "output": "runs"}
    typed = check_settings(pairs)
    assert typed == {"quick": True, "knowledge_paths": ["/a", "/b"], "policy": {"network": "ask"},
                     "max_iterations": 4, "time_limit": "5m", "output_dir": "runs"}
    environ = {f"MLZERO_{key.upper()}": text for key, text in pairs.items() if key != "output"}
    assert load_config(environ=environ).values() == load_config({k: v for k, v in typed.items()
                                                                 if k != "output_dir"}).values()
    with pytest.raises(ConfigError, match=r"^max_iterations='many' is invalid"):
        setting_from_text(traits["max_iterations"], "many", "max_iterations")
