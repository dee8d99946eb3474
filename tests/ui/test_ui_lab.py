"""The extension in a real JupyterLab and Notebook 7, in Chromium: attempt cells inserted live, the MLZero panel,
guidance typed in the panel reaching the run's episodic memory, and Stop. Real runs of the offline planner on the
demo data (breast cancer, 569 rows)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

from mlzero_jupyter.demo import DEMO_DESCRIPTION, write_demo_data

pytestmark = [pytest.mark.ui, pytest.mark.fit, pytest.mark.timeout(900)]

NOTEBOOK = "run.ipynb"


def make_root(tmp_path: Path, magic_line: str) -> Path:
    """A server root with the demo data and a notebook of two cells: load the extension, then the run."""
    root = tmp_path / "root"
    write_demo_data(root / "data")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("%load_ext mlzero_jupyter"),
                      nbformat.v4.new_code_cell(f"%%mlzero {magic_line}\n{DEMO_DESCRIPTION}")]
    nbformat.write(notebook, root / NOTEBOOK)
    return root


def wait_for_kernel(page) -> None:
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="visible")
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', state="attached", timeout=120_000)


def accept_kernel_dialog(page) -> None:
    """Under load JupyterLab may ask which kernel to start although the notebook names one: take the default."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.wait_for(state="visible", timeout=3000)
    except Exception:  # no dialog: the kernel was already chosen
        return
    dialog.locator(".jp-mod-accept").click()
    wait_for_kernel(page)


def run_all_cells(page) -> None:
    accept_kernel_dialog(page)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    accept_kernel_dialog(page)


def save_notebook(page, root: Path) -> nbformat.NotebookNode:
    before = (root / NOTEBOOK).stat().st_mtime
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while (root / NOTEBOOK).stat().st_mtime == before and time.monotonic() < deadline:
        time.sleep(0.2)
    return nbformat.read(root / NOTEBOOK, as_version=4)


def attempt_cells(notebook: nbformat.NotebookNode) -> list[dict]:
    return [cell.metadata["mlzero"] for cell in notebook.cells if "mlzero" in cell.metadata]


def open_panel(page) -> None:
    tab = page.locator('.lm-TabBar-tab[data-id="mlzero-panel"]')
    if tab.count():
        tab.first.click()
    else:  # Notebook 7: View > Left Sidebar > Show MLZero
        page.locator(".lm-MenuBar-itemLabel", has_text="View").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Left Sidebar").first.hover()
        page.locator(".lm-Menu-itemLabel", has_text="Show MLZero").first.click()
    page.wait_for_selector(".jp-MLZero-panel", state="visible")


#: Where each front end shows a notebook.
NOTEBOOK_PAGES = {"lab": "/lab/tree/", "notebook": "/notebooks/"}


def open_and_run_all(start_jupyter, page, root: Path, app: str = "lab") -> None:
    """Serve ``root`` with JupyterLab (``lab``) or Notebook 7 (``notebook``), open its notebook with the MLZero
    panel, and run all its cells."""
    server = start_jupyter(app, root)
    page.goto(server.page_url(NOTEBOOK_PAGES[app] + NOTEBOOK))
    wait_for_kernel(page)
    open_panel(page)
    run_all_cells(page)


def close_tab(page, name: str) -> None:
    """Close JupyterLab's tab of ``name``, discarding what opening it changed (its kernel's metadata)."""
    tab = page.locator(".lm-TabBar-tab", has_text=name)
    tab.locator(".lm-TabBar-tabCloseIcon").first.click()
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(state="visible", timeout=3000)
        dialog.locator(".jp-mod-warn").click()  # Discard
    except Exception:  # nothing to save: no dialog
        pass
    tab.wait_for(state="detached")


def check_chart(card, result: dict) -> None:
    """The card's score-over-time chart has one point per scored attempt, each titled with its score."""
    scored = [a for a in result["attempts"] if a.get("score") is not None]
    assert scored, "no attempt has a score: nothing to chart"
    card.locator(".jp-MLZero-chart polyline").wait_for(state="attached")
    points = card.locator(".jp-MLZero-chart .jp-MLZero-point")
    assert points.count() == len(scored)
    titles = [points.nth(i).locator("title").text_content() for i in range(points.count())]
    assert [t.split(":")[0] for t in titles] == [f"attempt {a['number']}" for a in scored]


def run_dir(root: Path) -> Path:
    runs = [p for p in (root / "mlzero-runs").iterdir() if (p / "task.json").is_file()]
    assert len(runs) == 1, runs
    return runs[0]


def test_ui_lab_attempts_become_cells_and_the_panel_shows_the_run(start_jupyter, browser_page, tmp_path,
                                                                  save_screenshot) -> None:
    root = make_root(tmp_path, "data --time-limit 60s --provider offline --max-iterations 2")
    server = start_jupyter("lab", root)
    page = browser_page
    other_tab = page.context.new_page()  # the same notebook in a second tab, on the same kernel
    for tab in (other_tab, page):
        tab.goto(server.page_url(f"/lab/tree/{NOTEBOOK}"))
        wait_for_kernel(tab)
        open_panel(tab)

    run_all_cells(page)
    first = page.locator(".jp-Cell", has_text="| attempt 1 |")
    first.first.wait_for(state="attached", timeout=120_000)
    live = page.locator(".jp-MLZero-run .jp-MLZero-live")
    live.first.wait_for(state="visible")
    save_screenshot(page, "lab-running")
    finished = page.locator('.jp-MLZero-run[data-status="success"]')
    finished.first.wait_for(state="visible", timeout=300_000)
    page.locator(".jp-MLZero-attempt td", has_text="s").first.wait_for(state="visible")
    save_screenshot(page, "lab-finished")

    folder = run_dir(root)
    result = json.loads((folder / "result.json").read_text())
    card = finished.first
    assert folder.name in card.inner_text()
    assert f"{result['validation_score']:.5g}"[:5] in card.locator(".jp-MLZero-score").inner_text()
    rows = card.locator(".jp-MLZero-attempt")
    assert rows.count() == len(result["attempts"])
    check_chart(card, result)

    # Export notebook: the solution notebook is written again (the run's own export removed first) and opens
    (folder / "solution.ipynb").unlink()
    card.locator(".jp-MLZero-export").click()
    page.locator(".lm-TabBar-tab", has_text="solution.ipynb").first.wait_for(state="visible")
    page.locator(".jp-MarkdownOutput", has_text=f"Exported from mlzero run {folder.name}").first.wait_for(
        state="visible")
    assert nbformat.read(folder / "solution.ipynb", as_version=4).metadata["mlzero"]["run_id"] == folder.name
    save_screenshot(page, "lab-exported")
    close_tab(page, "solution.ipynb")

    # the other tab hears the run (its panel shows it) but leaves the cells to the tab that ran it
    other_tab.locator(f'.jp-MLZero-run[data-run-id="{folder.name}"]').wait_for(state="visible")
    assert other_tab.locator(".jp-Cell", has_text="| attempt 1 |").count() == 0

    notebook = save_notebook(page, root)
    sources = [cell.source for cell in notebook.cells]
    metas = attempt_cells(notebook)
    assert [m["attempt"] for m in metas] == [a["number"] for a in result["attempts"]]
    assert all(m["run_id"] == folder.name for m in metas)
    assert sources[1].startswith("%%mlzero") and sources[2].startswith(f"# mlzero run {folder.name} | attempt 1 |")
    best = next(m for m in metas if m["attempt"] == result["best_attempt"])
    assert best["final"] is True and best["status"] == "success"
    assert best["score"] == pytest.approx(result["validation_score"])


def test_ui_lab_guidance_from_the_panel_reaches_memory_and_stop_stops(start_jupyter, browser_page, tmp_path,
                                                                     save_screenshot) -> None:
    # 300 s: on a busy machine the first attempt may take 40 s, and the bagged second one needs 40 s of what is left
    root = make_root(tmp_path, "data --time-limit 300s --provider offline --max-iterations 4 --no-quick --guide --wait 120")
    page = browser_page
    open_and_run_all(start_jupyter, page, root)

    page.locator(".jp-MLZero-question").first.wait_for(state="visible", timeout=300_000)
    box = page.locator(".jp-MLZero-guidanceText").first
    box.fill("try fewer features and a shorter time limit")
    save_screenshot(page, "lab-guidance")
    page.locator(".jp-MLZero-send").first.click()
    page.locator(".jp-Cell", has_text="| attempt 2 |").first.wait_for(state="attached", timeout=120_000)
    page.locator(".jp-MLZero-stop").first.click()
    # attempt 1 succeeded, so the stopped run ends with that success; the killed attempt 2 shows as stopped
    page.locator('.jp-MLZero-run[data-status="success"]').first.wait_for(state="visible", timeout=120_000)
    page.locator('.jp-MLZero-attempt[data-attempt="2"].jp-MLZero-status-stopped').wait_for(state="visible")
    save_screenshot(page, "lab-stopped")

    folder = run_dir(root)
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    assert "try fewer features and a shorter time limit" in [e.get("text") for e in events if e["kind"] == "guidance"]
    result = json.loads((folder / "result.json").read_text())
    assert result["message"] == "stopped by the user"
    assert [a["status"] for a in result["attempts"]] == ["success", "stopped"]


def test_ui_notebook7_attempts_become_cells(start_jupyter, browser_page, tmp_path, save_screenshot) -> None:
    root = make_root(tmp_path, "data --time-limit 60s --provider offline --max-iterations 1")
    server = start_jupyter("notebook", root)
    page = browser_page
    page.goto(server.page_url(f"/notebooks/{NOTEBOOK}"))
    wait_for_kernel(page)

    run_all_cells(page)
    page.locator(".jp-Cell", has_text="| attempt 1 |").first.wait_for(state="attached", timeout=120_000)
    open_panel(page)
    page.locator('.jp-MLZero-run[data-status="success"]').first.wait_for(state="visible", timeout=300_000)
    save_screenshot(page, "notebook7-finished")

    folder = run_dir(root)
    card = page.locator(f'.jp-MLZero-run[data-run-id="{folder.name}"]')
    check_chart(card, json.loads((folder / "result.json").read_text()))
    # Export notebook: Notebook 7 opens the written notebook in a new browser tab
    (folder / "solution.ipynb").unlink()
    with page.context.expect_page() as opened:
        card.locator(".jp-MLZero-export").click()
    exported = opened.value
    exported.locator(".jp-MarkdownOutput", has_text=f"Exported from mlzero run {folder.name}").first.wait_for(
        state="visible")
    assert exported.url.split("?")[0].endswith(f"/notebooks/mlzero-runs/{folder.name}/solution.ipynb")
    save_screenshot(exported, "notebook7-exported")
    exported.close()
    notebook = save_notebook(page, root)
    assert [m["attempt"] for m in attempt_cells(notebook)] == [1]
    assert attempt_cells(notebook)[0]["run_id"] == folder.name
