"""Background runs in a real kernel: ``%%mlzero --background`` returns at once, other cells run and read variables
meanwhile, ``mlzero_result`` is a handle, two runs at once keep apart, Kernel > Interrupt leaves the run alone and
a kernel shutdown stops it resumable. Also: ``--confirm`` in a headless kernel is refused at once."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psutil

from test_notebook_kernel import FOREVER, magic, setup_code

from mlzero_jupyter.agent import Agent
from mlzero_jupyter.coding.scripted import ScriptedCoder
from mlzero_jupyter.run_views import disk_status
from mlzero_jupyter.runs import RunFolder

SLOW = "import time\ntime.sleep(3)\n"


def last_text(kernel, code: str) -> str:
    """Run a cell; the text it showed itself (outputs of other cells' runs do not count)."""
    kernel.outputs.clear()
    kernel.execute(code)
    return kernel.text()


def run_folders(tmp_path: Path) -> dict[str, Path]:
    return {p.name: p for p in (tmp_path / "runs").iterdir() if (p / "task.json").exists()}


def _no_process_works_in(folder: Path, within_s: float) -> bool:
    """True once no process has its working directory inside ``folder`` (checked for ``within_s`` seconds)."""
    deadline = time.monotonic() + within_s
    while True:
        working = []
        for process in psutil.process_iter(["cwd"]):
            cwd = process.info.get("cwd")
            if cwd and Path(cwd).is_relative_to(folder):
                working.append(process)
        if not working:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def test_a_background_run_returns_at_once_while_other_cells_run(kernel, tmp_path, iris_dir, solution_code):
    kernel.execute(setup_code([SLOW + solution_code(iris_dir)], iris_dir))
    began = time.monotonic()
    kernel.outputs.clear()
    kernel.execute(magic(iris_dir, "--background --quick"))
    assert time.monotonic() - began < 10
    assert "goes on in the background" in kernel.text()
    shown = last_text(kernel, "x = 21 * 2\nprint('x is', x, '|', mlzero_result.status)")
    assert shown.strip() == "x is 42 | running"  # and nothing of the run leaked into this cell's output
    shown = last_text(kernel, "r = mlzero_result.wait(120)\n"
                              "print('done', mlzero_result.status, r.best_attempt, r is mlzero_result.result, x)")
    assert "done success 1 True 42" in shown
    assert "Run " in last_text(kernel, "%mlzero wait") and "success" in kernel.text()
    (folder,) = run_folders(tmp_path).values()
    assert json.loads((folder / "result.json").read_text())["status"] == "success"


def test_two_background_runs_keep_apart_and_one_is_stopped(kernel, tmp_path, iris_dir, solution_code):
    kernel.execute(setup_code({"alpha": [SLOW + solution_code(iris_dir)], "beta": [FOREVER]}, iris_dir))
    kernel.execute(magic(iris_dir, "--background --quick --name alpha") + "\n")
    kernel.execute("a = mlzero_result")
    kernel.execute(magic(iris_dir, "--background --quick --name beta"))
    kernel.execute("b = mlzero_result")
    shown = last_text(kernel, "a.wait(120)\nprint(a.status, b.status, a.run_id != b.run_id)")
    assert "success running True" in shown
    shown = last_text(kernel, "b.stop()\nb.wait(60)\nprint(b.status, a.result.run_id == a.run_id)\n"
                              "%mlzero wait {b.run_id}")
    assert "stopped True" in shown and "stopped" in shown.splitlines()[-1]
    folders = run_folders(tmp_path)
    alpha, beta = (next(p for name, p in folders.items() if label in name) for label in ("alpha", "beta"))
    assert "LogisticRegression" in (alpha / "attempt_1" / "solution.py").read_text()
    assert (beta / "attempt_1" / "solution.py").read_text() == FOREVER
    assert json.loads((beta / "result.json").read_text())["status"] == "stopped"


def test_interrupt_leaves_a_background_run_alone_and_shutdown_stops_it_resumable(kernel, tmp_path, iris_dir,
                                                                                 solution_code, monkeypatch):
    session = kernel
    try:
        session.execute(setup_code([FOREVER]))
        session.execute(magic(iris_dir, "--background --quick"))
        deadline = time.monotonic() + 90
        while "attempt 1 runs" not in last_text(session, "import os\nrun = mlzero_result.run_id\n"
                                                         "print('attempt 1 runs' if run and os.path.exists("
                                                         "f'runs/{run}/attempt_1/solution.py') else 'not yet')"):
            assert time.monotonic() < deadline
            time.sleep(0.5)
        threading.Timer(2.0, session.manager.interrupt_kernel).start()
        shown = last_text(session, "%mlzero wait")
        assert "stopped waiting" in shown and "goes on" in shown
        assert last_text(session, "print(mlzero_result.status)").strip() == "running"
        (folder,) = run_folders(tmp_path).values()
        assert not _no_process_works_in(folder, within_s=0), "the running attempt should be seen"
    finally:
        session.client.stop_channels()
        session.manager.shutdown_kernel(now=False)  # a shutdown request, as JupyterLab's Shut Down sends
        monkeypatch.setattr(session, "close", lambda: None)
    assert _no_process_works_in(folder, within_s=15), "the attempt outlived its kernel"
    # The kernel gives a run 4 s to record its own stop before Jupyter kills it; on a slow machine the record may
    # be missing, and the run is then found interrupted: resumable either way.
    recorded = folder / "result.json"
    assert not recorded.exists() or json.loads(recorded.read_text())["status"] == "stopped"
    assert disk_status(RunFolder.open(folder))["resumable"]
    coder = ScriptedCoder([lambda context: solution_code(Path(context.task.work_path))])
    assert Agent.resume(folder, "finish it", coder=coder).run().status == "success"


def test_confirm_in_a_headless_kernel_is_refused_at_once(kernel, tmp_path, iris_dir):
    kernel.execute(setup_code(["print('never runs')"]))
    began = time.monotonic()
    kernel.outputs.clear()
    kernel.execute(magic(iris_dir, "--confirm"), allow_stdin=False)
    assert time.monotonic() - began < 10
    errors = [o["text"] for o in kernel.outputs if o.get("name") == "stderr"]
    assert len(errors) == 1 and errors[0].count("\n") == 1
    assert errors[0].startswith("mlzero: error: --confirm needs someone to answer")
    assert not (tmp_path / "runs").exists() or not run_folders(tmp_path)
