"""The executor against real subprocesses: streaming, failures, crashes, kills, output floods, memory, secrets."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from mlzero_jupyter.execution import ExecutionResult, execute


def _dead(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_lines_stream_in_order_to_the_callback_and_the_files(write_script, attempt_dir: Path) -> None:
    script = write_script("""
        import sys
        for i in range(50):
            print(f"out {i}")
            if i % 10 == 0:
                print(f"err {i}", file=sys.stderr)
    """)
    seen: list[tuple[str, str]] = []
    result = execute(script, cwd=attempt_dir, timeout=30, on_output=lambda s, line: seen.append((s, line)))
    assert result.ok and result.returncode == 0 and result.signal is None and result.failure() is None
    assert [line for s, line in seen if s == "stdout"] == [f"out {i}" for i in range(50)]
    assert [line for s, line in seen if s == "stderr"] == [f"err {i}" for i in range(0, 50, 10)]
    assert (attempt_dir / "stdout.txt").read_text().splitlines() == [f"out {i}" for i in range(50)]
    assert (attempt_dir / "stderr.txt").read_text().splitlines()[-1] == "err 40"
    assert result.stdout_tail.endswith("out 49\n")


def test_the_script_runs_in_its_folder_with_the_kernels_python(write_script, attempt_dir: Path) -> None:
    script = write_script("""
        import os, sys
        from pathlib import Path
        Path("where.txt").write_text(os.getcwd() + "\\n" + sys.executable)
    """)
    assert execute(script, cwd=attempt_dir, timeout=30).ok
    cwd, python = (attempt_dir / "where.txt").read_text().splitlines()
    assert Path(cwd) == attempt_dir.resolve() and python == sys.executable


def test_an_exception_fails_with_its_essential_lines(write_script, attempt_dir: Path) -> None:
    script = write_script("""
        import warnings
        warnings.warn("a deprecation nobody cares about")
        def load():
            raise ValueError("column 'price' has text values like 'n/a'")
        load()
    """)
    result = execute(script, cwd=attempt_dir, timeout=30)
    assert result.returncode == 1 and not result.ok
    assert result.failure() == "The script exited with code 1."
    essentials = result.essential_errors()
    assert "ValueError: column 'price' has text values like 'n/a'" in essentials
    assert "Traceback" in essentials and "in load" in essentials
    assert "deprecation" not in essentials


def test_a_script_that_never_ends_is_killed_at_the_timeout(write_script, attempt_dir: Path) -> None:
    script = write_script("""
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only SIGKILL can end it
        print("started", flush=True)
        while True:
            time.sleep(0.1)
    """)
    started = time.monotonic()
    result = execute(script, cwd=attempt_dir, timeout=2, grace=1)
    elapsed = time.monotonic() - started
    assert result.timed_out and not result.stopped and not result.ok
    assert "time limit" in result.killed_reason
    assert result.signal == "SIGKILL"
    assert elapsed < 2 + 1 + 3
    assert "started" in result.stdout_tail


def _attempt_processes(attempt_dir: Path) -> list[psutil.Process]:
    """Live processes started for the attempt (found by the ``MLZERO_ATTEMPT_DIR`` the executor gives them; the
    pids they print are those of their own PID namespace under isolation)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("MLZERO_ATTEMPT_DIR") == str(attempt_dir) and not _dead(process.pid):
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


def _wait_none_left(attempt_dir: Path, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while _attempt_processes(attempt_dir):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("isolation", ["bubblewrap", "none"])
def test_children_and_grandchildren_die_with_the_attempt(write_script, attempt_dir: Path, isolation: str) -> None:
    grandchild = "import os, time\nos.setsid()\nopen('grandchild.pid', 'w').write(str(os.getpid()))\nwhile True: time.sleep(0.1)"
    child = (f"import os, subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {grandchild!r}])\n"
             "open('child.pid', 'w').write(str(os.getpid()))\nwhile True: time.sleep(0.1)")
    script = write_script(f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", {child!r}])
        while True:
            time.sleep(0.1)
    """)
    result = execute(script, cwd=attempt_dir, timeout=4, grace=1, isolation=isolation)
    assert result.timed_out and result.isolation.startswith(isolation)
    assert all((attempt_dir / f"{name}.pid").exists() for name in ("child", "grandchild"))
    assert _wait_none_left(attempt_dir), _attempt_processes(attempt_dir)


@pytest.mark.parametrize("isolation", ["bubblewrap", "none"])
def test_processes_left_behind_by_a_finished_script_are_killed(write_script, attempt_dir: Path,
                                                               isolation: str) -> None:
    child = "import os, time\nopen('child.pid', 'w').write(str(os.getpid()))\nwhile True: time.sleep(0.1)"
    script = write_script(f"""
        import subprocess, sys, time
        from pathlib import Path
        subprocess.Popen([sys.executable, "-c", {child!r}])
        while not Path("child.pid").exists():
            time.sleep(0.05)
        print("leaving my child behind")
    """)
    result = execute(script, cwd=attempt_dir, timeout=30, grace=1, isolation=isolation)
    assert result.ok and "leaving" in result.stdout_tail
    assert _wait_none_left(attempt_dir)


def test_os_exit_code_is_reported(write_script, attempt_dir: Path) -> None:
    result = execute(write_script("import os\nprint('bye', flush=True)\nos._exit(3)\n"), cwd=attempt_dir, timeout=30)
    assert result.returncode == 3 and result.signal is None and result.failure() == "The script exited with code 3."


def test_a_segfault_is_reported_by_its_signal(write_script, attempt_dir: Path) -> None:
    result = execute(write_script("import ctypes\nctypes.string_at(0)\n"), cwd=attempt_dir, timeout=30)
    assert result.signal == "SIGSEGV" and result.returncode < 0 and not result.ok
    assert "SIGSEGV" in result.failure()
    assert "Segmentation fault" in result.essential_errors()  # faulthandler's dump


def test_gigantic_output_is_capped_in_files_and_memory(write_script, attempt_dir: Path) -> None:
    script = write_script("""
        import sys
        line = "x" * 999 + "\\n"
        for _ in range(200_000):  # 200 MB
            sys.stdout.write(line)
        sys.stdout.write("y" * 5_000_000)  # one 5 MB line without a newline
        print("the end", file=sys.stderr)
    """)
    parent = psutil.Process()
    before = parent.memory_info().rss
    delivered = []
    result = execute(script, cwd=attempt_dir, timeout=120, on_output=lambda s, line: delivered.append(len(line)))
    grown_mb = (parent.memory_info().rss - before) / 2**20
    assert result.ok and result.output_truncated
    size = (attempt_dir / "stdout.txt").stat().st_size
    assert 19.9 * 2**20 < size < 20.1 * 2**20
    assert "truncated after 20 MB" in (attempt_dir / "stdout.txt").read_text()[-200:]
    assert sum(delivered) < 21 * 2**20
    assert len(result.stdout_tail) <= 64 * 1024 and result.stdout_tail.endswith("y")
    assert result.stderr_tail == "the end\n"
    assert grown_mb < 100


def test_a_memory_hog_is_killed_at_the_memory_limit(write_script, attempt_dir: Path) -> None:
    script = write_script("""
        import time
        blocks = []
        while True:
            blocks.append(b"\\x01" * (50 * 1024 * 1024))  # touched pages: resident memory grows
            time.sleep(0.05)
    """)
    result = execute(script, cwd=attempt_dir, timeout=60, memory_limit_mb=400, grace=1)
    assert not result.ok and not result.timed_out
    assert "over the limit of 400 MB" in result.killed_reason
    assert result.memory_peak_mb > 400


@pytest.mark.parametrize("isolation", ["bubblewrap", "none"])
def test_the_attempt_sees_no_credentials(write_script, attempt_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                         isolation: str) -> None:
    secrets = {"AWS_SECRET_ACCESS_KEY": "aws-s3cr3t", "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "OPENAI_API_KEY": "sk-1",
               "ANTHROPIC_API_KEY": "sk-ant-2", "GITHUB_TOKEN": "ghp_3", "HF_TOKEN": "hf_4", "DB_PASSWORD": "pw5",
               "MY_CLIENT_SECRET": "cs6", "SIGNING_KEY": "k7", "DATABASE_URL": "postgres://me:pw8@db:5432/x",
               "MYSQL_PWD": "pw9", "GH_PAT": "pat10", "CI_JOB_JWT": "jwt11", "SLACK_HOOK": "https://hooks.x/12",
               "AZURE_STORAGE": "DefaultEndpointsProtocol=https;AccountKey=k13", "SENTRY": "https://k14@o1.sentry.io/1",
               "ANYTHING_ELSE": "v15"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PYTHONPATH", "/opt/extra")
    script = write_script("""
        import json, os
        with open("env.json", "w") as handle:
            json.dump(dict(os.environ), handle)
    """)
    assert execute(script, cwd=attempt_dir, timeout=30, isolation=isolation).ok
    seen = json.loads((attempt_dir / "env.json").read_text())
    dump = json.dumps(seen)
    assert not set(secrets) & set(seen)  # an allowlist: names never heard of are dropped too
    assert not [value for value in secrets.values() if value in dump]
    assert seen["PATH"] == os.environ["PATH"]
    assert seen.get("HOME") != os.environ["HOME"]  # a private home under isolation, none passed without
    assert seen["HF_HUB_OFFLINE"] == "1" and seen["PYTHONPATH"] == "/opt/extra"
    assert seen["PYTHONUNBUFFERED"] == "1" and seen["MLZERO_ATTEMPT_DIR"] == str(attempt_dir.resolve())


def test_setting_stop_kills_at_once(write_script, attempt_dir: Path) -> None:
    script = write_script("import time\nwhile True:\n    time.sleep(0.1)\n")
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    result = execute(script, cwd=attempt_dir, timeout=60, stop=stop)
    assert result.stopped and not result.timed_out and result.killed_reason == "stopped by the user"
    assert time.monotonic() - started < 5
    assert result.signal == "SIGTERM"


def test_extra_environment_and_json_round_trip(write_script, attempt_dir: Path) -> None:
    script = write_script("import os\nprint(os.environ['MLZERO_TIME_LIMIT'])\n")
    result = execute(script, cwd=attempt_dir, timeout=30, extra_env={"MLZERO_TIME_LIMIT": "42"})
    assert result.stdout_tail == "42\n"
    assert ExecutionResult.from_json(result.to_json()) == result


def test_a_missing_script_is_a_clear_error(attempt_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no script"):
        execute(attempt_dir / "nothing.py", cwd=attempt_dir, timeout=5)


def test_secrets_in_the_attempts_outputs_are_masked(write_script, attempt_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-test-0a1b2c3d4e5f6a7b8c9d"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    script = write_script(f"""
        import base64, json
        print("key", {secret!r}, base64.b64encode({secret!r}.encode()).decode())
        json.dump({{"dsn": "postgres://me:hunter2pass@db/x", "note": "-----BEGIN PRIVATE KEY-----abc"}},
                  open("metrics.json", "w"))
    """)
    result = execute(script, cwd=attempt_dir, timeout=30)
    assert result.ok
    for name in ("stdout.txt", "metrics.json"):
        text = (attempt_dir / name).read_text()
        assert secret not in text and "hunter2pass" not in text and "BEGIN PRIVATE KEY" not in text, text
    assert secret not in result.stdout_tail and "***" in result.stdout_tail
