"""Configuration precedence: defaults < config files < MLZERO_* variables < explicit options."""

from __future__ import annotations

import json

import pytest

from mlzero_jupyter.config import load_config, parse_duration
from mlzero_jupyter.errors import ConfigError


@pytest.fixture
def config_dirs(tmp_path, monkeypatch, no_provider_env):
    """Empty IPython and Jupyter config folders of our own, so the machine's files do not count."""
    ipython = tmp_path / "ipython"
    jupyter = tmp_path / "jupyter"
    (ipython / "profile_default").mkdir(parents=True)
    jupyter.mkdir()
    monkeypatch.setenv("IPYTHONDIR", str(ipython))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(jupyter))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    return ipython / "profile_default", jupyter


def test_defaults(config_dirs, monkeypatch):
    monkeypatch.delenv("MLZERO_QUICK", raising=False)  # the suite's own setting (tests/conftest.py)
    settings = load_config()
    assert settings.provider == "offline"
    assert settings.time_limit == 600.0 and settings.max_iterations == 20 and settings.quick is False
    assert settings.prompt_budget_tokens == 12000 and settings.model is None


def test_each_source_overrides_the_one_before(config_dirs, monkeypatch):
    ipython, jupyter = config_dirs
    (ipython / "ipython_config.py").write_text(
        "c = get_config()\nc.MLZero.provider = 'bedrock'\nc.MLZero.model = 'from-ipython'\n"
        "c.MLZero.max_iterations = 7\nc.MLZero.region = 'eu-west-1'\n")
    (jupyter / "jupyter_mlzero_config.py").write_text(
        "c.MLZero.model = 'from-jupyter'\nc.MLZero.time_limit = '20m'\nc.MLZero.base_url = 'http://x/v1'\n")
    settings = load_config()
    assert (settings.provider, settings.model, settings.max_iterations) == ("bedrock", "from-jupyter", 7)
    assert settings.time_limit == 1200.0 and settings.region == "eu-west-1"

    monkeypatch.setenv("MLZERO_MODEL", "from-env")
    monkeypatch.setenv("MLZERO_TIME_LIMIT", "90s")
    monkeypatch.setenv("MLZERO_QUICK", "yes")
    monkeypatch.setenv("MLZERO_PRICES", json.dumps({"from-env": [1, 2]}))
    settings = load_config()
    assert (settings.model, settings.time_limit, settings.quick) == ("from-env", 90.0, True)
    assert settings.prices == {"from-env": [1, 2]} and settings.base_url == "http://x/v1"

    settings = load_config({"model": "from-flag", "time_limit": "1h", "base_url": None})
    assert (settings.model, settings.time_limit, settings.base_url) == ("from-flag", 3600.0, "http://x/v1")
    assert settings.provider == "bedrock"


def test_json_config_file(config_dirs):
    _, jupyter = config_dirs
    (jupyter / "jupyter_mlzero_config.json").write_text(json.dumps({"MLZero": {"provider": "openai",
                                                                               "policy": {"network": "ask"}}}))
    settings = load_config()
    assert settings.provider == "openai" and settings.policy == {"network": "ask"}
    assert settings.run_options()["policy"] == {"network": "ask"}


@pytest.mark.parametrize("overrides, message", [
    ({"time_limit": "soon"}, "invalid time_limit 'soon'"),
    ({"provider": "gpt"}, "unknown provider 'gpt'"),
    ({"max_iterations": 0}, "at least 1"),
    ({"policy": {"network": "maybe"}}, "block, ask, allow"),
    ({"prices": {"m": "cheap"}}, "USD per million tokens"),
    ({"colour": "red"}, "unknown setting colour"),
])
def test_invalid_values_are_one_line_config_errors(config_dirs, overrides, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(overrides)
    assert "\n" not in str(caught.value)


def test_invalid_environment_and_file_name_their_source(config_dirs, monkeypatch):
    monkeypatch.setenv("MLZERO_MAX_ITERATIONS", "many")
    with pytest.raises(ConfigError, match="MLZERO_MAX_ITERATIONS='many'"):
        load_config()
    monkeypatch.delenv("MLZERO_MAX_ITERATIONS")
    _, jupyter = config_dirs
    (jupyter / "jupyter_mlzero_config.py").write_text("c.MLZero.model = (\n")
    with pytest.raises(ConfigError, match="jupyter_mlzero_config.py"):
        load_config()


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("10m", 600), ("1h", 3600), ("1h30m", 5400),
                                           ("2.5 min", 150), (45, 45)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "10x", "-5", 0, True, None])
def test_parse_duration_refuses(text):
    with pytest.raises(ConfigError):
        parse_duration(text)


def test_masked_hides_credentials_in_urls(config_dirs):
    settings = load_config({"provider": "openai", "base_url": "http://me:hunter2@localhost:8000/v1"})
    shown = json.dumps(settings.masked())
    assert "hunter2" not in shown and "localhost:8000" in shown


def test_provider_options_keep_what_the_provider_takes(config_dirs):
    settings = load_config({"provider": "bedrock", "base_url": "http://x/v1", "region": "us-west-2",
                            "prices": {"m": [1, 2]}})
    assert settings.provider_options() == {"region": "us-west-2", "prices": {"m": [1, 2]}}
    settings = load_config({"provider": "openai", "model": "llama3", "base_url": "http://x/v1", "region": "r"})
    assert settings.provider_options() == {"model": "llama3", "base_url": "http://x/v1"}
