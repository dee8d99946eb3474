"""A real ``jupyter lab`` / ``jupyter notebook`` on loopback (random port, token) with the mlzero extension, and
Debian's Chromium driven by Playwright. Skipped, with the reason, when Chromium or the built extension is absent."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import mlzero_jupyter

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BUNDLE = Path(mlzero_jupyter.__file__).parent / "labextension"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if CHROMIUM is None:
        reason = "Chromium is not installed (apt-get install -y chromium)"
    elif not (BUNDLE / "package.json").is_file():
        reason = "the JupyterLab extension is not built (cd labextension && jlpm install && jlpm build:prod)"
    else:
        try:
            import jupyterlab  # noqa: F401
            import notebook  # noqa: F401
            import playwright  # noqa: F401
        except ImportError as error:
            reason = f"{error.name} is not installed (pip install 'jupyterlab>=4.4,<5' 'notebook>=7.4' playwright)"
    for item in items:
        if item.get_closest_marker("ui") and reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class JupyterServer:
    url: str
    token: str
    root: Path
    process: subprocess.Popen

    def page_url(self, path: str) -> str:
        return f"{self.url}{path}?token={self.token}"


def _isolated_env(home: Path) -> dict[str, str]:
    """Config, data and runtime folders of our own, with the built extension linked in as a prebuilt one."""
    config, data, extra = home / "config", home / "data", home / "path"
    (extra / "labextensions").mkdir(parents=True)
    (extra / "labextensions" / "mlzero-jupyter").symlink_to(BUNDLE.resolve(), target_is_directory=True)
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps({
        "ServerApp": {"jpserver_extensions": {"mlzero_jupyter": True}},
        "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
    }))
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_DATA_DIR=str(data), JUPYTER_RUNTIME_DIR=str(home / "run"),
               JUPYTER_PATH=str(extra), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    return env


def _wait_until_up(server: JupyterServer, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"jupyter exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/status?token={server.token}", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"jupyter did not answer in {timeout} s: {log.read_text()[-3000:]}")


@pytest.fixture
def start_jupyter(tmp_path: Path) -> Iterator:
    """``start_jupyter(app, root, *options)``: run ``jupyter lab`` or ``jupyter notebook`` serving ``root``;
    stopped after."""
    started: list[tuple[subprocess.Popen, object]] = []

    def start(app: str, root: Path, *options: str) -> JupyterServer:
        """``options``: extra command-line options, e.g. ``--LabApp.expose_app_in_browser=True``."""
        home = tmp_path / f"jupyter-{app}"
        env = _isolated_env(home)
        port, token = _free_port(), secrets.token_hex(16)
        log = home / "server.log"
        handle = open(log, "w")
        module = {"lab": "jupyterlab", "notebook": "notebook"}[app]
        process = subprocess.Popen(
            [sys.executable, "-m", module, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0", "--allow-root",
             *options],
            env=env, cwd=root, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        started.append((process, handle))
        server = JupyterServer(f"http://127.0.0.1:{port}", token, root, process)
        _wait_until_up(server, log)
        return server

    yield start
    for process, handle in started:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        handle.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def browser_page(request: pytest.FixtureRequest) -> Iterator:
    """A Chromium page (1400x900) from Playwright, closed after the test; a failed test leaves a screenshot."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.context.set_default_timeout(60_000)
        try:
            yield page
            if request.node.stash.get(_FAILED, False):
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"))
        finally:
            browser.close()


@pytest.fixture
def save_screenshot():
    """``save_screenshot(page, name)``: a PNG of the page under tests/artifacts/ (kept for CI)."""

    def save(page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return save
