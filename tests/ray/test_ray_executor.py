"""The Ray executor on a real loopback cluster: the local executor's contract, placement, failures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.execution.ray_executor import PLACEMENT_FILE, RayExecutor

pytestmark = pytest.mark.timeout(180)

LOOP = """
    import os, time
    print("started", os.getpid(), flush=True)
    while True:
        time.sleep(0.2)
"""


def attempt_processes(folder: Path) -> list[psutil.Process]:
    """Live processes of the attempt in ``folder`` (they carry MLZERO_ATTEMPT_DIR), on any node of this machine."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("MLZERO_ATTEMPT_DIR") == str(folder) and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.Error:
            continue
    return found


def wait_for(condition, seconds: float = 30.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return False


def is_ray_worker(process: psutil.Process) -> bool:
    """A Ray worker process: ``default_worker.py``, renamed ``ray::<task>`` while it runs a task."""
    try:
        cmdline = " ".join(process.cmdline())
    except psutil.Error:
        return False
    return "default_worker.py" in cmdline or cmdline.startswith("ray::")


def ray_workers() -> list[psutil.Process]:
    return [process for process in psutil.process_iter() if is_ray_worker(process)]


def test_output_streams_live_into_the_callback_and_the_attempt_folder(executor, attempt) -> None:
    script, folder = attempt("""
        import sys, time
        for i in range(3):
            print("line", i, flush=True)
            time.sleep(0.6)
        print("to stderr", file=sys.stderr)
        open("predictions.csv", "w").write("id,y\\n1,0\\n")
    """)
    seen: list[tuple[float, str, str]] = []
    began = time.monotonic()
    result = executor(script, cwd=folder, timeout=60,
                      on_output=lambda stream, line: seen.append((time.monotonic() - began, stream, line)))
    assert result.ok and result.returncode == 0
    assert [(s, line) for _, s, line in seen] == [("stdout", "line 0"), ("stdout", "line 1"), ("stdout", "line 2"),
                                                  ("stderr", "to stderr")]
    assert seen[2][0] - seen[0][0] > 0.8  # lines arrived as printed, not all at the end
    assert (folder / "stdout.txt").read_text() == "line 0\nline 1\nline 2\n"
    assert (folder / "predictions.csv").exists() and "to stderr" in result.stderr_tail
    placement = json.loads((folder / PLACEMENT_FILE).read_text())
    assert placement["node_id"] in {node["NodeID"] for node in __import__("ray").nodes()}
    assert placement["cpus"] == 1.0 and placement["ended_at"] > placement["started_at"]


def test_time_limit_kills_the_attempt(executor, attempt) -> None:
    script, folder = attempt(LOOP)
    result = executor(script, cwd=folder, timeout=4)
    assert result.timed_out and "time limit" in result.failure()
    assert result.duration_s < 30 and not attempt_processes(folder)


def test_memory_limit_kills_the_attempt(executor, attempt) -> None:
    script, folder = attempt("""
        import time
        hog = []
        for _ in range(40):
            hog.append(bytearray(20 * 1024 * 1024))
            time.sleep(0.1)
        time.sleep(30)
    """)
    result = executor(script, cwd=folder, timeout=60, memory_limit_mb=200)
    assert not result.ok and "memory" in result.killed_reason
    assert json.loads((folder / PLACEMENT_FILE).read_text())["memory_mb"] == 200  # the task's resource request


def test_stop_cancels_the_attempt_and_its_processes(executor, attempt) -> None:
    script, folder = attempt(LOOP)
    stop = threading.Event()
    result = executor(script, cwd=folder, timeout=60,
                      on_output=lambda stream, line: stop.set() if line.startswith("started") else None, stop=stop)
    assert result.stopped and result.killed_reason == "stopped by the user" and "started" in result.stdout_tail
    assert wait_for(lambda: not attempt_processes(folder), 15)


def test_interrupt_cancels_the_attempt_and_propagates(executor, attempt) -> None:
    script, folder = attempt(LOOP)

    def interrupt_when_started(stream: str, line: str) -> None:
        if line.startswith("started"):
            threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()

    with pytest.raises(KeyboardInterrupt):
        executor(script, cwd=folder, timeout=60, on_output=interrupt_when_started)
    assert wait_for(lambda: not attempt_processes(folder), 15)


def test_a_killed_worker_fails_the_attempt_cleanly_and_the_next_runs(executor, attempt) -> None:
    script, folder = attempt(LOOP)

    def kill_worker(stream: str, line: str) -> None:
        if not line.startswith("started"):
            return
        process = attempt_processes(folder)[0]
        worker = next(p for p in process.parents() if is_ray_worker(p))
        worker.kill()

    result = executor(script, cwd=folder, timeout=60, on_output=kill_worker)
    assert not result.ok and "Ray worker running it was lost" in result.failure()
    assert "started" in result.stdout_tail
    assert wait_for(lambda: not attempt_processes(folder), 15)
    script, folder = attempt("print('next')\n")
    assert executor(script, cwd=folder, timeout=60).ok


def test_a_dead_driver_leaves_nothing_once_orphans_are_killed(executor, attempt, cluster) -> None:
    script, folder = attempt(LOOP)
    driver = subprocess.Popen([sys.executable, "-c", (
        "import os, sys; os.environ['RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER'] = '0'\n"
        "from pathlib import Path\n"
        "from mlzero_jupyter.execution.ray_executor import RayExecutor\n"
        f"RayExecutor({cluster.address!r})(Path({str(script)!r}), cwd=Path({str(folder)!r}), timeout=120)\n")])
    try:
        assert wait_for(lambda: "started" in (folder / "stdout.txt").read_text()
                        if (folder / "stdout.txt").exists() else False, 90)
        driver.kill()
        driver.wait()
        executor.kill_orphans(folder.parent)  # what resuming the run does, on every node
        assert wait_for(lambda: not attempt_processes(folder), 15)
    finally:
        driver.kill()


def test_no_credential_reaches_the_workers_or_the_run_folder(executor, attempt, monkeypatch) -> None:
    secret = "planted-5e3f9a1c7d"
    monkeypatch.setenv("MLZERO_PLANTED_API_KEY", secret)
    monkeypatch.setenv("DATABASE_URL", f"postgres://me:{secret}@db/x")
    script, folder = attempt("""
        import os
        print(sorted(os.environ))
        open("environment.txt", "w").write(repr(dict(os.environ)))
    """)
    result = executor(script, cwd=folder, timeout=60)
    assert result.ok and "MLZERO_PLANTED_API_KEY" not in result.stdout_tail
    assert "'AG_CPU_COUNT': '1'" in (folder / "environment.txt").read_text()  # AutoGluon uses the CPU it asked for
    for path in folder.parent.rglob("*"):
        assert not path.is_file() or secret not in path.read_text(errors="replace"), path
    workers = ray_workers()
    assert workers
    for worker in workers:
        try:
            environment = worker.environ()
        except psutil.NoSuchProcess:
            continue
        assert all(secret not in value for value in environment.values()), worker.cmdline()


def test_an_address_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_text("a,y\n1,0\n2,1\n")
    completed = subprocess.run([sys.executable, "-m", "mlzero_jupyter.cli", "run", str(data), "predict y",
                                "--executor", "ray", "--ray-address", "127.0.0.1:9", "--output", str(tmp_path)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode != 0
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "the Ray cluster at 127.0.0.1:9 does not answer" in lines[0], completed.stderr
    assert "Traceback" not in completed.stderr


def test_env_shows_the_cluster(cluster) -> None:
    completed = subprocess.run([sys.executable, "-m", "mlzero_jupyter.cli", "env", "--ray-address", cluster.address],
                               capture_output=True, text=True, timeout=120,
                               env={**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"})
    assert completed.returncode == 0, completed.stderr
    assert f"ray cluster {cluster.address}: 3 node(s), 3 CPU(s), 0 GPU(s)" in completed.stdout


def test_a_data_folder_the_nodes_cannot_see_is_refused_before_any_attempt(cluster, tmp_path: Path) -> None:
    """The driver runs in its own mount namespace (bubblewrap) where the data sits on a private tmpfs."""
    hidden, output = tmp_path / "hidden", tmp_path / "runs"
    hidden.mkdir()
    driver = (
        "import pathlib\n"
        "from mlzero_jupyter.agent import RunOptions\n"
        "from mlzero_jupyter.errors import UserInputError\n"
        "from mlzero_jupyter.execution.executors import make_executor\n"
        f"data = pathlib.Path({str(hidden / 'data')!r})\n"
        "data.mkdir()\n"
        "(data / 'train.csv').write_text('a,y\\n1,0\\n')\n"
        f"options = RunOptions(executor='ray', ray_address={cluster.address!r}, output_dir={str(output)!r})\n"
        "try:\n"
        "    make_executor(options, data)\n"
        "except UserInputError as error:\n"
        "    print(error)\n")
    completed = subprocess.run(["bwrap", "--dev-bind", "/", "/", "--tmpfs", str(hidden), "--",
                                sys.executable, "-c", driver], capture_output=True, text=True, timeout=120,
                               env={**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    line = completed.stdout.strip()
    assert line.startswith(f"the data {hidden / 'data'} is not visible from the Ray node 127.0.0.1 as it is here "
                           "(it is missing there); every node must see the data and --output at the same path"), line
    assert "\n" not in line and not list(output.iterdir())  # one line; no run folder, the probe removed


def test_ray_is_imported_only_when_chosen() -> None:
    code = ("import sys\nfrom mlzero_jupyter.agent import Agent, RunOptions\n"
            "from mlzero_jupyter.execution.executors import make_executor\n"
            "make_executor(RunOptions(), '.')\nassert 'ray' not in sys.modules, 'ray imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_executor_connects_once(executor, cluster) -> None:
    assert RayExecutor(cluster.address).gcs_address == executor.gcs_address


@pytest.mark.parametrize("network", [False, True])
def test_attempts_reach_the_cluster_only_when_the_network_is_open(cluster, attempt, network: bool) -> None:
    script, folder = attempt("""
        import os, socket
        host, port = os.environ["MLZERO_RAY_ADDRESS"].rsplit(":", 1)
        try:
            socket.create_connection((host, int(port)), timeout=5).close()
            print("reached")
        except OSError as error:
            print("closed", error)
    """)
    result = RayExecutor(cluster.address, network=network)(script, cwd=folder, timeout=60)
    assert result.ok and result.stdout_tail.startswith("reached" if network else "closed")
