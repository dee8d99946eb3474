"""The kernel looks busy while a `%%mlzero` cell runs, in a real JupyterLab and Notebook 7 in Chromium: the
notebook's kernel status reads Busy during the run (after the extension has answered the run's comm, which travels
on a kernel subshell) and Idle once the cell has finished. The attempt is scripted (the coder seam), plain Python
that trains for a few seconds on iris, so the test pays for no model fit."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from test_ui_lab import run_all_cells, wait_for_kernel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from console_support import IRIS_SOLUTION, make_iris  # noqa: E402 (the scripted iris attempt, shared)

pytestmark = [pytest.mark.ui, pytest.mark.timeout(600)]

NOTEBOOK = "status.ipynb"
#: How long the scripted attempt runs, and how long the test watches the status meanwhile.
ATTEMPT_SECONDS, WATCH_SECONDS = 12, 5
SEAM = textwrap.dedent(
    f'''
    from mlzero_jupyter.coding.scripted import ScriptedCoder
    from mlzero_jupyter.notebook.session import REGISTRY

    ATTEMPT = {IRIS_SOLUTION!r}
    REGISTRY.coder_factory = lambda options: ScriptedCoder(
        [lambda context: ATTEMPT.format(data=str(context.task.data_path), seconds={ATTEMPT_SECONDS})])
    '''
)


def make_root(tmp_path: Path) -> Path:
    """A server root with iris and a notebook: load the extension, plug in the scripted coder, run."""
    root = tmp_path / "root"
    make_iris(root / "iris")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("%load_ext mlzero_jupyter"), nbformat.v4.new_code_cell(SEAM),
                      nbformat.v4.new_code_cell("%%mlzero iris --time-limit 120s --max-iterations 1\n"
                                                "Predict the species of each flower.")]
    nbformat.write(notebook, root / NOTEBOOK)
    return root


def kernel_status(page) -> str:
    """The kernel status the page's status displays show (JupyterLab's status bar, Notebook 7's indicator)."""
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus")


def status_bar(page) -> str:
    """JupyterLab's status bar item, e.g. ``Python 3 (ipykernel) | Busy``."""
    return page.locator(".jp-StatusBar-TextItem", has_text="ipykernel").first.inner_text().strip()


def test_ui_the_kernel_reads_busy_while_a_run_goes_and_idle_after(start_jupyter, browser_page, tmp_path,
                                                                  save_screenshot) -> None:
    root = make_root(tmp_path)
    # Notebook 7's server, which serves JupyterLab too: both open the notebook, on the same kernel
    server = start_jupyter("notebook", root, "--JupyterNotebookApp.expose_app_in_browser=True",
                           "--LabApp.expose_app_in_browser=True")
    lab, notebook7 = browser_page, browser_page.context.new_page()
    for page, path in ((notebook7, f"/notebooks/{NOTEBOOK}"), (lab, f"/lab/tree/{NOTEBOOK}")):
        page.goto(server.page_url(path))
        wait_for_kernel(page)
    run_all_cells(lab)

    # the attempt's cell is in: both frontends have answered the run's comm, and the attempt is training
    lab.locator(".jp-Cell", has_text="| attempt 1 |").first.wait_for(state="attached", timeout=120_000)
    seen, deadline = [], time.monotonic() + WATCH_SECONDS
    while time.monotonic() < deadline:
        seen.append((kernel_status(lab), kernel_status(notebook7)))
        time.sleep(0.25)
    assert status_bar(lab).endswith("| Busy")  # what a person reads in JupyterLab
    save_screenshot(lab, "lab-kernel-busy")
    save_screenshot(notebook7, "notebook7-kernel-busy")
    runs = [p for p in (root / "mlzero-runs").iterdir() if (p / "task.json").is_file()]
    assert not (runs[0] / "result.json").is_file() or json.loads(
        (runs[0] / "result.json").read_text())["status"] == "running", "the run ended before the status was read"
    assert set(seen) == {("busy", "busy")}, seen

    for page in (lab, notebook7):
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus"
                               " === 'idle'", timeout=120_000)
    result = json.loads((runs[0] / "result.json").read_text())
    assert result["status"] == "success", result["attempts"][-1]["error"]
    time.sleep(1)
    assert (kernel_status(lab), kernel_status(notebook7)) == ("idle", "idle")
    assert status_bar(lab).endswith("| Idle")
