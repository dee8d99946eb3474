"""The JupyterLab extension's TypeScript passes its lint: `jlpm lint:check` (prettier and eslint, no fixing) in
labextension/, so CI, which runs only pytest, fails on a lint error as it fails on a broken test."""

import shutil
import subprocess
from pathlib import Path

import pytest

LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"


def lint_check(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run `jlpm lint:check` in ``folder`` (installing its locked packages first when eslint is not there yet)."""
    if not (folder / "node_modules" / ".bin" / "eslint").exists():
        subprocess.run(["jlpm", "install", "--immutable"], cwd=folder, check=True, capture_output=True, text=True)
    return subprocess.run(["jlpm", "lint:check"], cwd=folder, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(shutil.which("jlpm") is None or shutil.which("node") is None,
                    reason="jlpm and node are needed to lint the TypeScript (pip install jupyterlab; install Node.js)")
def test_labextension_passes_lint_check() -> None:
    result = lint_check(LABEXTENSION)
    assert result.returncode == 0, f"jlpm lint:check failed in labextension/:\n{result.stdout}\n{result.stderr}"
