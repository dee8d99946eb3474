"""Secrets: never in prompts, records or the attempt's environment; a full disk leaves whole records."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from reliability_scenarios import SECRET, files_with, good, make_iris, planted_secrets, run_agent

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.atomic import write_json_atomic
from mlzero_jupyter.coding.scripted import ScriptedCoder
from mlzero_jupyter.config import load_config
from mlzero_jupyter.errors import RunFolderError
from mlzero_jupyter.memory.episodic import EpisodicMemory
from mlzero_jupyter.redaction import redact, redact_data, secret_values


def test_secret_values_are_masked_and_ordinary_values_kept():
    environ = {"OPENAI_API_KEY": SECRET, "AWS_PROFILE": "default", "HOME": "/home/me",
               "DB_URL": "postgres://me:hunter2pass@db/x", "MY_TOKEN": "short"}
    values = secret_values(environ)
    assert {SECRET, "postgres://me:hunter2pass@db/x"} <= set(values) and [len(v) for v in values] == sorted(map(len, values), reverse=True)
    assert "default" not in values and "short" not in values
    text = f"key {SECRET} at /home/me with profile default, url postgres://me:hunter2pass@db/x, short"
    assert redact(text, environ) == "key *** at /home/me with profile default, url ***, short"
    assert redact_data({"a": [SECRET, 1, None], SECRET: {"b": f"x{SECRET}y"}}, environ) == \
        {"a": ["***", 1, None], "***": {"b": "x***y"}}


def test_secret_shapes_and_base64_forms_are_masked_anywhere():
    import base64

    shapes = ["-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
              "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU",
              "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX", "ghp_" + "a" * 36, "AKIAABCDEFGHIJKLMNOP"]
    for shape in shapes:
        assert shape not in redact(f"x {shape} y", {}), shape
    assert "hunter2" not in redact("mysql://root:hunter2@db:3306/x", {})
    assert "k3y" not in redact("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k3y==;", {})
    assert "0123456789abcdef01234567" not in redact("https://0123456789abcdef01234567@o1.ingest.sentry.io/2", {})
    for prefix in ("", "a", "ab"):  # base64 of the secret, whatever bytes come before it
        encoded = base64.b64encode((prefix + SECRET).encode()).decode()
        assert redact(encoded, {"OPENAI_API_KEY": SECRET}).count("***") == 1
    assert redact("accuracy 0.93 on 120 rows", {"OPENAI_API_KEY": SECRET}) == "accuracy 0.93 on 120 rows"


def test_a_secret_pasted_into_the_description_reaches_no_record(tmp_path):
    data = make_iris(tmp_path / "iris")
    options = RunOptions(output_dir=str(tmp_path / "runs"), time_limit=120, max_iterations=2)
    with planted_secrets():
        result = Agent(data, f"Predict the species. My key is {SECRET}", options,
                       coder=ScriptedCoder(["raise SystemExit('failed on purpose')\n", good(data)])).run()
    run_dir = Path(result.run_dir)
    assert result.status == "success"
    assert files_with(run_dir) == []
    task = json.loads((run_dir / "task.json").read_text())
    assert task["description"] == "Predict the species. My key is ***"


def test_llm_prompts_and_saved_prompt_files_hold_no_secret(tmp_path):
    import reliability_scenarios as scenarios

    outcome = scenarios.llm_throttling(tmp_path)
    sent = [json.dumps(request["json"]) for request in outcome.evidence["server"].requests]
    assert sent and not any(SECRET in body for body in sent)
    assert outcome.secrets_leaked == 0


def test_the_attempt_environment_holds_no_credential(tmp_path):
    data = make_iris(tmp_path / "iris")
    dump = "import json, os\njson.dump(dict(os.environ), open('env.json', 'w'))\n"
    with planted_secrets():
        result = run_agent(data, tmp_path / "runs", ScriptedCoder([dump]), max_iterations=1,
                           policy={"env_access": "allow"})
    seen = json.loads(Path(result.run_dir, "attempt_1", "env.json").read_text())
    assert "OPENAI_API_KEY" not in seen and "RELIABILITY_SERVICE_TOKEN" not in seen
    assert "PATH" in seen


def test_configuration_display_masks_credentials_in_urls():
    settings = load_config({"provider": "openai", "base_url": "https://me:hunter2pass@llm.example/v1"},
                           environ={})
    assert "hunter2pass" not in json.dumps(settings.masked())


def _fail_after_half(monkeypatch):
    real_write = os.write

    def write(descriptor, data):
        if len(data) > 40:
            real_write(descriptor, bytes(data[:20]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", write)


def test_an_event_that_does_not_fit_on_the_disk_leaves_no_torn_line(tmp_path, monkeypatch):
    memory = EpisodicMemory(tmp_path / "events.jsonl")
    memory.record("run_started")
    before = (tmp_path / "events.jsonl").read_bytes()
    _fail_after_half(monkeypatch)  # at the edge: os.write writes part of the line, then the disk is full
    with pytest.raises(OSError) as raised:
        memory.record("attempt_finished", attempt={"number": 1, "status": "failed", "error": "x" * 200})
    assert raised.value.errno == errno.ENOSPC
    assert (tmp_path / "events.jsonl").read_bytes() == before


def test_a_record_that_does_not_fit_keeps_its_old_version(tmp_path, monkeypatch):
    target = tmp_path / "result.json"
    write_json_atomic(target, {"status": "running"})

    def full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(RunFolderError, match="no space left for the run folder .*--output"):
        write_json_atomic(target, {"status": "success", "attempts": list(range(1000))})
    assert json.loads(target.read_text()) == {"status": "running"}
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]
