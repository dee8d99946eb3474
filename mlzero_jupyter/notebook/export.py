"""Export a run's final solution as a clean notebook that reproduces its predictions (nbformat only).

The notebook runs from its own folder: the data is read from absolute paths (read-only), and everything the code
writes goes to ``<notebook name>_outputs/`` beside the notebook, never into the run folder.
"""

from __future__ import annotations

import json
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from mlzero_jupyter.atomic import write_text_atomic
from mlzero_jupyter.coding.contract import CODE_FILE
from mlzero_jupyter.errors import RunFolderError
from mlzero_jupyter.runs import RESULT_FILE, SOLUTION_NOTEBOOK, TASK_FILE, RunFolder

EXPORT_NAME = SOLUTION_NOTEBOOK
#: Libraries whose versions the header records, when installed.
VERSIONED = ("autogluon.tabular", "autogluon.timeseries", "autogluon.multimodal", "pandas", "numpy",
             "scikit-learn", "torch")
#: The share of predicted labels a re-run keeps where the library is not bit-for-bit repeatable (neural nets on
#: several threads, training cut by a time limit); stated in the header. Scores are not compared: the referee's
#: score is measured on rows the re-run trains on, and the code's own score on a few dozen rows moves by a tenth
#: when two of them change.
LABEL_AGREEMENT = 0.9

#: A section comment of generated code: ``# -- load data ----``, ``# === Train ===``, ``# --- predict and save``.
_SECTION = re.compile(r"^#\s*[-=]{2,}\s*(?P<title>[A-Za-z][^-=]*?)\s*[-=]*\s*$")


def split_sections(code: str) -> list[tuple[str, str]]:
    """(title, code) pairs, cut at section comments; the part before the first one is titled 'Set-up'."""
    sections: list[tuple[str, list[str]]] = [("Set-up", [])]
    for line in code.splitlines():
        match = _SECTION.match(line.strip()) if not line.startswith((" ", "\t")) else None
        if match:
            sections.append((match.group("title").strip().capitalize(), []))
        else:
            sections[-1][1].append(line)
    return [(title, "\n".join(lines).strip("\n")) for title, lines in sections if "\n".join(lines).strip()]


def _versions() -> str:
    found = [f"Python {platform.python_version()}"]
    for name in VERSIONED:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def _data_summary(task: dict[str, Any]) -> str:
    files = [f"`{f['path']}` ({f['role']}{', %d rows' % f['rows'] if f.get('rows') else ''})"
             for f in task.get("files", []) if f.get("role") != "ignored"]

    def value(name: str) -> Any:
        return (task.get(name) or {}).get("value")

    return (f"{', '.join(files) or '-'} in `{task.get('work_path')}`; target `{value('target')}`, "
            f"{value('problem_type')}")


def header_markdown(result: dict[str, Any], task: dict[str, Any], outputs: str) -> str:
    score = result.get("validation_score")
    score_text = "none" if score is None else f"{score:.5g} ({result.get('validation') or 'held-out data'})"
    direction = "higher" if result.get("higher_is_better", True) else "lower"
    return "\n".join([
        f"# {result.get('task') or 'mlzero solution'}",
        "",
        f"Exported from mlzero run `{result['run_id']}` (attempt {result.get('best_attempt')}).",
        "",
        "| | |",
        "|---|---|",
        f"| Task | {result.get('task') or '-'} |",
        f"| Data | {_data_summary(task)} |",
        f"| Tool | {result.get('tool') or '-'} |",
        f"| Metric | {result.get('metric')} ({direction} is better) |",
        f"| Validation score | {score_text} |",
        f"| Libraries | {_versions()} |",
        "",
        "**How to re-run**: *Run All*. The data is only read, from its absolute path above; the predictions, "
        f"the metrics and the model are written to `{outputs}/` beside this notebook. With the same libraries "
        "and the fixed seed, the predictions match the run's where the library is repeatable; where it is not "
        "(neural networks on several threads, training cut short by its time limit), a few predictions change: at "
        f"least {LABEL_AGREEMENT:.0%} of predicted labels stay the same. The score above is the agent's measurement "
        f"on rows the attempts never saw; the one the code writes to `{outputs}/metrics.json` is its own.",
    ])


def _setup_code(outputs: str) -> str:
    return "\n".join([
        "# Outputs go to a folder beside this notebook; running this cell again stays in it.",
        "import os",
        "from pathlib import Path",
        "",
        f"OUTPUT_DIR = Path.cwd() if Path.cwd().name == {outputs!r} else Path({outputs!r}).resolve()",
        "OUTPUT_DIR.mkdir(exist_ok=True)",
        "os.chdir(OUTPUT_DIR)",
    ])


def _attempt_markdown(attempt: dict[str, Any], code: str) -> str:
    if attempt.get("score") is not None:
        outcome = f"{attempt.get('metric')} = {attempt['score']:.5g}"
    else:
        error_lines = (attempt.get("error") or "").strip().splitlines()
        outcome = error_lines[-1] if error_lines else attempt["status"]
    return (f"### Attempt {attempt['number']}: {attempt['status']}\n\n{attempt.get('summary') or ''}\n\n"
            f"Outcome: {outcome}\n\n```python\n{code.rstrip()}\n```")


def _read(run_dir: Path, name: str) -> dict[str, Any]:
    try:
        return json.loads((run_dir / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFolderError(f"{run_dir} has no {name}; is it a finished run folder?") from None


def build_notebook(run_dir: Path, outputs: str, all_attempts: bool = False) -> Any:
    """The solution notebook of a finished run, as an nbformat node."""
    import nbformat

    folder = RunFolder(run_dir)
    result, task = _read(run_dir, RESULT_FILE), _read(run_dir, TASK_FILE)
    solution = folder.solution_path
    if result.get("best_attempt") is None or not solution.is_file():
        raise RunFolderError(f"run {result['run_id']} has no valid solution to export ({result['status']}); "
                             "resume it or start a new run")
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell(header_markdown(result, task, outputs)), v4.new_code_cell(_setup_code(outputs))]
    for title, code in split_sections(solution.read_text(encoding="utf-8")):
        cells += [v4.new_markdown_cell(f"## {title}"), v4.new_code_cell(code)]
    earlier = [a for a in result.get("attempts", []) if a["number"] != result["best_attempt"]]
    if all_attempts and earlier:
        cells.append(v4.new_markdown_cell("## Earlier attempts\n\nKept for reference; *Run All* does not run them."))
        for attempt in earlier:
            code_path = folder.attempt_file(attempt["number"], CODE_FILE)
            code = code_path.read_text(encoding="utf-8") if code_path.is_file() else "# (never ran)"
            cells.append(v4.new_markdown_cell(_attempt_markdown(attempt, code)))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                              "mlzero": {"run_id": result["run_id"], "attempt": result["best_attempt"]}})
    return notebook


def export_notebook(run_dir: Path | str, path: Path | str | None = None, all_attempts: bool = False) -> Path:
    """Write the run's solution notebook (default ``<run_dir>/solution.ipynb``) and return its path."""
    import nbformat

    run_dir = Path(run_dir).expanduser().resolve()
    target = Path(path).expanduser() if path else run_dir / EXPORT_NAME
    if target.is_dir():
        target = target / EXPORT_NAME
    if target.suffix != ".ipynb":
        raise RunFolderError(f"{target} is not a notebook path; give a name ending in .ipynb")
    notebook = build_notebook(run_dir, f"{target.stem}_outputs", all_attempts)
    nbformat.validate(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, nbformat.writes(notebook))
    return target.resolve()
