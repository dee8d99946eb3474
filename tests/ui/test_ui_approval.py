"""Approval from the MLZero panel in a real JupyterLab and Notebook 7: a run started with --confirm waits for each
attempt's code; Skip, an edit and Approve clicked in the panel decide, Stop while attempt 4 waits ends the run, and
the run's record says the panel decided each; then the stopped run is resumed from its card with guidance typed
there. The coder is scripted (the LLM edge); the attempts fail fast, since the approvals, not a fit, are the
point."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest
from test_ui_lab import NOTEBOOK, close_tab, open_and_run_all, run_all_cells, run_dir, wait_for_kernel

from mlzero_jupyter.demo import DEMO_DESCRIPTION, write_demo_data

pytestmark = [pytest.mark.ui, pytest.mark.timeout(600)]

SCRIPTS = [f"print('scripted attempt {n}')\nraise SystemExit(1)\n" for n in (1, 2, 3, 4)]


def make_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    write_demo_data(root / "data")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext mlzero_jupyter\n"
                                  "from mlzero_jupyter.notebook.magics import REGISTRY\n"
                                  "from mlzero_jupyter.coding.scripted import ScriptedCoder\n"
                                  f"REGISTRY.coder_factory = lambda options: ScriptedCoder({SCRIPTS!r})"),
        nbformat.v4.new_code_cell(f"%%mlzero data --confirm --max-iterations 4 --time-limit 5m\n{DEMO_DESCRIPTION}")]
    nbformat.write(notebook, root / NOTEBOOK)
    return root


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_ui_skip_edit_and_approve_from_the_panel(start_jupyter, browser_page, tmp_path, save_screenshot,
                                                app: str) -> None:
    page = browser_page
    open_and_run_all(start_jupyter, page, make_root(tmp_path), app)

    def review(attempt: int):
        box = page.locator(f'.jp-MLZero-review[data-attempt="{attempt}"]')
        box.wait_for(state="visible", timeout=180_000)
        assert f"scripted attempt {attempt}" in box.locator(".jp-MLZero-code").input_value()
        return box

    review(1).locator(".jp-MLZero-skip").click()
    box = review(2)
    box.locator(".jp-MLZero-code").fill("print('edited in the panel')\nraise SystemExit(1)\n")
    save_screenshot(page, "lab-approval" if app == "lab" else "notebook7-approval")
    box.locator(".jp-MLZero-edit").click()
    review(3).locator(".jp-MLZero-approve").click()
    review(4)
    page.locator(".jp-MLZero-stop").first.click()  # the card's Stop, while attempt 4 waits
    stopped = page.locator('.jp-MLZero-run[data-status="stopped"]').first
    stopped.wait_for(state="visible", timeout=180_000)
    assert page.locator(".jp-MLZero-review").count() == 0

    folder = run_dir(tmp_path / "root")
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    approvals = [(e["attempt"], e["action"], e["by"]) for e in events if e["kind"] == "approval"]
    assert approvals == [(1, "skip", "panel"), (2, "edit", "panel"), (3, "approve", "panel"), (4, "stop", "panel")]
    assert "edited in the panel" in (folder / "attempt_2" / "solution.py").read_text()
    assert not (folder / "attempt_1" / "solution.py").exists()

    assert not (folder / "attempt_4" / "solution.py").exists()

    # the stopped run is resumed from its card, with guidance typed there
    stopped.locator(".jp-MLZero-resumeGuidance").fill("read the diagnosis column")
    stopped.locator(".jp-MLZero-resume").click()
    page.locator(".jp-Cell", has_text="%mlzero resume").first.wait_for(state="attached", timeout=60_000)
    deadline = time.monotonic() + 120
    while "read the diagnosis column" not in (folder / "events.jsonl").read_text():
        assert time.monotonic() < deadline, "the guidance typed in the panel did not reach the run's record"
        time.sleep(0.5)


def train_on_data_folder(page):
    """Right-click the file browser's ``data`` folder, *Train a model on this folder…*: the panel's New-run form
    opens with the folder filled in; the task is typed in; the form is returned."""
    page.locator('.jp-DirListing-item[data-isdir="true"]', has_text="data").first.click(button="right")
    page.locator(".lm-Menu-itemLabel", has_text="Train a model on this folder").first.click()
    form = page.locator(".jp-MLZero-newRun[open]")
    form.wait_for(state="visible")
    assert form.locator('input[name="data"]').input_value() == "data"
    form.locator('textarea[name="description"]').fill(DEMO_DESCRIPTION)
    return form


def test_ui_lab_train_a_model_on_a_folder_from_the_file_browser(start_jupyter, browser_page, tmp_path,
                                                               save_screenshot) -> None:
    root = make_root(tmp_path)
    notebook = nbformat.read(root / NOTEBOOK, as_version=4)
    notebook.cells = notebook.cells[:1]  # only the scripted coder: the run comes from the file browser
    nbformat.write(notebook, root / NOTEBOOK)
    page = browser_page
    open_and_run_all(start_jupyter, page, root)

    page.locator('.lm-TabBar-tab[data-id="filebrowser"]').first.click()
    form = train_on_data_folder(page)
    save_screenshot(page, "lab-train-on-folder")
    form.locator(".jp-MLZero-start").click()
    page.locator(".jp-Cell", has_text="%%mlzero data").first.wait_for(state="attached", timeout=60_000)
    page.locator(".jp-Cell", has_text="| attempt 1 |").first.wait_for(state="attached", timeout=180_000)

    # with no notebook open, the form writes a new notebook beside the folder, opens it and runs it (the
    # offline planner here: its first attempt's cell is all the test waits for)
    page.locator(".jp-MLZero-stop").first.click()
    close_tab(page, NOTEBOOK)
    page.locator('.lm-TabBar-tab[data-id="filebrowser"]').first.click()
    form = train_on_data_folder(page)
    form.locator('input[name="timeLimit"]').fill("60s")
    form.locator(".jp-MLZero-start").click()
    page.locator(".lm-TabBar-tab", has_text="Untitled.ipynb").first.wait_for(state="visible")
    page.locator(".jp-Cell", has_text="| attempt 1 |").first.wait_for(state="attached", timeout=180_000)
    sources = [cell.source for cell in nbformat.read(root / "Untitled.ipynb", as_version=4).cells]
    assert sources[:2] == ["%load_ext mlzero_jupyter",
                           f"%%mlzero data --time-limit 60s --provider offline\n{DEMO_DESCRIPTION}"]
    # the cells ran once the kernel had answered: no widget request reached it mid-run ("No such comm")
    assert page.locator(".jp-OutputArea", has_text="No such comm").count() == 0


def test_ui_notebook7_train_a_model_on_a_folder_from_the_file_browser(start_jupyter, browser_page, tmp_path,
                                                                     save_screenshot) -> None:
    """Notebook 7's file browser is a page without a notebook: the form writes a new notebook with the cells and
    opens it in a new browser tab, where Run All starts the run (the offline planner: the first attempt's cell
    is all the test waits for)."""
    root = make_root(tmp_path)
    server = start_jupyter("notebook", root)
    page = browser_page
    page.goto(server.page_url("/tree"))
    form = train_on_data_folder(page)
    form.locator('input[name="timeLimit"]').fill("60s")
    with page.context.expect_page() as opened:
        form.locator(".jp-MLZero-start").click()
    assert "opened in a new browser tab" in page.locator(".jp-MLZero-notice").inner_text()
    save_screenshot(page, "notebook7-train-on-folder")

    notebook = opened.value
    wait_for_kernel(notebook)
    created = sorted(root.glob("Untitled*.ipynb"))
    assert len(created) == 1 and notebook.url.split("?")[0].endswith(f"/notebooks/{created[0].name}")
    sources = [cell.source for cell in nbformat.read(created[0], as_version=4).cells]
    assert sources == ["%load_ext mlzero_jupyter",
                       f"%%mlzero data --time-limit 60s --provider offline\n{DEMO_DESCRIPTION}"]
    run_all_cells(notebook)
    notebook.locator(".jp-Cell", has_text="| attempt 1 |").first.wait_for(state="attached", timeout=180_000)
