"""`mlzero run --confirm` and `--guide` in a real pseudo-terminal (pexpect): the code is shown, y/e/s/q decide,
guidance typed between attempts reaches the next one; without a terminal both options fail at once in one line.

The CLI runs in its own process with the coder replaced by a ScriptedCoder (the LLM edge); everything else is the
real `mlzero run`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from reliability_scenarios import good, make_iris

pexpect = pytest.importorskip("pexpect")

BOOT = textwrap.dedent(
    """
    import json, os, sys
    from mlzero_jupyter import agent
    from mlzero_jupyter.coding.scripted import ScriptedCoder
    scripts = json.load(open(os.environ["SCRIPTS"]))
    # the scripts read the folder the agent gives its attempts
    agent.build_coder = lambda options: ScriptedCoder(
        [lambda c, s=s: s.replace(os.environ["DATA"], str(c.task.work_path)) for s in scripts])
    from mlzero_jupyter.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)
DATA = "/placeholder/of/the/data"
FAILING = "import pandas as pd\nprint('reading', flush=True)\npd.DataFrame({'a': [1]})['missing']\n"
EDITOR = ("import sys\npath = sys.argv[1]\ntext = open(path).read()\n"
          "open(path, 'w').write(text.replace('#MARK', '#EDITED'))\n")


def mlzero_run(tmp_path: Path, scripts: list[str], *flags: str, **spawn) -> tuple[list[str], dict]:
    data = make_iris(tmp_path / "iris")
    (tmp_path / "scripts.json").write_text(json.dumps(scripts))
    (tmp_path / "edit.py").write_text(EDITOR)
    env = {"SCRIPTS": str(tmp_path / "scripts.json"), "DATA": DATA,
           "EDITOR": f"{sys.executable} {tmp_path / 'edit.py'}", "PAGER": "cat", "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "COLUMNS": "200", "LINES": "500"}
    argv = ["-c", BOOT, "run", str(data), "Predict the species of each flower.", "--output", str(tmp_path / "runs"),
            "--time-limit", "3m", "--max-iterations", "3", "--quick", *flags]
    return [sys.executable, *argv], env


def run_dir(tmp_path: Path) -> Path:
    (folder,) = [p for p in (tmp_path / "runs").iterdir() if (p / "events.jsonl").exists()]
    return folder


def events(folder: Path, kind: str) -> list[dict]:
    records = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    return [e for e in records if e["kind"] == kind]


def spawn(command: list[str], env: dict, tmp_path: Path) -> pexpect.spawn:
    return pexpect.spawn(command[0], command[1:], env=env, cwd=str(tmp_path), encoding="utf-8", timeout=120,
                         dimensions=(500, 200))


def test_confirm_shows_the_code_and_a_wrong_answer_a_skip_and_an_edit_decide(tmp_path):
    data_marker = "#MARK\n"
    command, env = mlzero_run(tmp_path, [FAILING, data_marker + good(Path(DATA))], "--confirm")
    child = spawn(command, env, tmp_path)
    child.expect(r"--- attempt 1: scripted attempt 1 ---")
    child.expect(r"Run attempt 1\? \[y\]es, \[e\]dit, \[s\]kip, \[q\]uit the run: ")
    assert "pd.DataFrame({'a': [1]})['missing']" in child.before
    child.sendline("maybe")
    child.expect("'maybe' is not an answer")
    child.expect(r"Run attempt 1\?")
    child.sendline("s")
    child.expect(r"--- attempt 2")
    child.expect(r"Run attempt 2\?")
    assert "#MARK" in child.before
    child.sendline("e")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    folder = run_dir(tmp_path)
    assert (folder / "attempt_2" / "solution.py").read_text().startswith("#EDITED")
    assert not (folder / "attempt_1" / "solution.py").exists()  # skipped: never ran
    approvals = [(e["attempt"], e["action"], e["by"]) for e in events(folder, "approval")]
    assert approvals == [(1, "skip", "terminal"), (2, "edit", "terminal")]


def test_guide_asks_between_attempts_and_q_at_review_stops(tmp_path):
    command, env = mlzero_run(tmp_path, [FAILING, good(Path(DATA))], "--confirm", "--guide")
    child = spawn(command, env, tmp_path)
    child.expect(r"Run attempt 1\?")
    child.sendline("y")
    child.expect(r"Attempt 1 failed\. Guidance for attempt 2 \(Enter continues, q stops")
    child.sendline("read the species column")
    child.expect(r"Run attempt 2\?")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    folder = run_dir(tmp_path)
    assert [e["text"] for e in events(folder, "guidance")] == ["read the species column"]
    assert [(e["attempt"], e["action"]) for e in events(folder, "approval")] == [(1, "approve"), (2, "stop")]
    assert json.loads((folder / "result.json").read_text())["status"] == "stopped"


@pytest.mark.parametrize("flag", ["--confirm", "--guide"])
def test_without_a_terminal_confirm_and_guide_fail_at_once_in_one_line(tmp_path, flag):
    command, env = mlzero_run(tmp_path, [FAILING], flag)
    began = time.monotonic()
    done = subprocess.run(command, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)
    assert time.monotonic() - began < 30
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert f"{flag} need someone at a terminal" in done.stderr
    assert not (tmp_path / "runs").exists()  # nothing started
