"""`mlzero providers`: usable or not, default models, and never a secret value."""

from __future__ import annotations

import json

import pytest

from mlzero_jupyter.cli import main

SECRETS = {"OPENAI_API_KEY": "sk-proj-SECRET-openai-1234", "ANTHROPIC_API_KEY": "sk-ant-SECRET-5678",
           "AWS_ACCESS_KEY_ID": "AKIASECRETKEYID0000", "AWS_SECRET_ACCESS_KEY": "aws-SECRET-access-key-9999",
           "AWS_SESSION_TOKEN": "aws-SECRET-session-token"}


@pytest.fixture
def isolated(tmp_path, monkeypatch, no_provider_env):
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")


def test_without_credentials_only_offline_and_local_endpoints_are_usable(isolated, capsys):
    assert main(["providers", "--json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert {"offline", "bedrock", "openai", "anthropic", "ollama"} <= set(listed)
    assert listed["offline"]["usable"] and listed["offline"]["configured"]
    assert not listed["openai"]["usable"] and "OPENAI_API_KEY" in listed["openai"]["detail"]
    assert not listed["anthropic"]["usable"] and "ANTHROPIC_API_KEY" in listed["anthropic"]["detail"]
    assert not listed["bedrock"]["usable"] and "AWS_PROFILE" in listed["bedrock"]["detail"]
    assert listed["bedrock"]["default_model"] == "global.anthropic.claude-sonnet-4-6"


def test_with_credentials_they_are_usable_and_no_secret_is_printed(isolated, monkeypatch, capsys):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("MLZERO_PROVIDER", "anthropic")
    monkeypatch.setenv("MLZERO_BASE_URL", "http://user:SECRET-url-password@127.0.0.1:9/v1")
    assert main(["providers"]) == 0
    table = capsys.readouterr().out
    assert main(["providers", "--json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert all(listed[name]["usable"] for name in ("openai", "anthropic", "bedrock"))
    assert listed["anthropic"]["configured"]
    assert "* anthropic" in table
    for text in (table, json.dumps(listed)):
        assert "SECRET" not in text


def test_a_local_endpoint_needs_no_key(isolated, capsys):
    assert main(["providers", "--json", "--base-url", "http://127.0.0.1:8000/v1"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["openai"]["usable"] and "127.0.0.1:8000" in listed["openai"]["detail"]


def test_unknown_profile_is_reported_not_raised(isolated, capsys):
    assert main(["providers", "--json", "--profile", "ghost", "--region", "us-east-1"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert "profile 'ghost' not found" in listed["bedrock"]["detail"]
