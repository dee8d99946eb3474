"""RunFolder (runs.py) is the only module of the package that names a path inside a run folder."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import mlzero_jupyter

PACKAGE = Path(mlzero_jupyter.__file__).parent
#: The run folder's records, named as a whole word (``referee_task.json`` is another file).
RECORDS = re.compile(r"(?<![\w.-])(result\.json|events\.jsonl|task\.json)")
#: An attempt's folder: ``attempt_3``, ``attempt_<n>``, ``attempt_*`` or an f-string's ``attempt_{n}``; event kinds
#: such as ``attempt_finished`` are not paths.
ATTEMPT_FOLDER = re.compile(r"attempt_(?=$|[0-9<{*])")
#: Modules allowed to name them, and why.
ALLOWED = {
    "runs.py": "the layout's one home",
    "bench/tasks.py": "a benchmark task folder's own task.json, which is not a run folder",
}


def _literals(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string literal (f-strings' fixed parts included) with its line; docstrings are prose, left out."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def layout_literals(source: str) -> list[tuple[int, str]]:
    """The lines and literals of ``source`` that name a run folder's record or attempt folder."""
    return [(line, text) for line, text in _literals(ast.parse(source))
            if RECORDS.search(text) or ATTEMPT_FOLDER.search(text)]


def test_the_scan_finds_every_spelling_of_the_layout() -> None:
    source = '''"""Docstrings may mention result.json."""
a = run_dir / "result.json"
b = run_dir / f"attempt_{number}" / "solution.py"
c = sorted(run_dir.glob("attempt_*"))
d = Path(run) / "events.jsonl", "see attempt_<n>/", "task.json"
e = "attempt_finished", "referee_task.json", "attempt_dir", kind == "attempt_started"
'''
    assert sorted(line for line, _ in layout_literals(source)) == [2, 3, 4, 5, 5, 5]


def test_no_module_but_runs_py_names_a_path_inside_a_run_folder() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name not in ALLOWED:
            found += [f"{name}:{line}: {text!r}" for line, text in layout_literals(path.read_text(encoding="utf-8"))]
    assert not found, "ask RunFolder (mlzero_jupyter/runs.py) for these paths instead:\n" + "\n".join(found)
