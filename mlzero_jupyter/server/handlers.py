"""Jupyter Server REST endpoints of the MLZero panel; authenticated like every Jupyter endpoint.

- ``GET /mlzero/runs``: the runs below the server root, newest first.
- ``GET /mlzero/runs/<run id>``: one run with its attempt records (status, score, time, tokens, cost).
- ``GET /mlzero/runs/<run id>/events?since=N``: its episodic memory (events.jsonl) from event N on.
- ``POST /mlzero/runs/<run id>/export``: write the run's solution notebook (``solution.ipynb`` in its folder, as
  ``%mlzero export RUN`` does) and reply with its path relative to the root, for the panel to open.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from mlzero_jupyter.errors import RunFolderError
from mlzero_jupyter.server.catalog import OutsideRootError, describe_run, find_run, find_run_folders, read_events, run_detail
from mlzero_jupyter.runs import RunFolder

API_ROOT = "mlzero"


class _RunsBase(APIHandler):
    @property
    def root(self) -> Path:
        return Path(self.settings.get("server_root_dir") or ".").expanduser().resolve()

    def run_or_error(self, run_id: str) -> RunFolder:
        try:
            run = find_run(self.root, run_id)
        except OutsideRootError as error:
            raise tornado.web.HTTPError(403, str(error)) from None
        if run is None:
            raise tornado.web.HTTPError(404, f"no run {run_id!r} below the server root")
        return run

    def reply(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data, default=str))


class RunsHandler(_RunsBase):
    @tornado.web.authenticated
    def get(self) -> None:
        runs = [describe_run(self.root, run) for run in find_run_folders(self.root)]
        self.reply({"runs": runs})


class RunHandler(_RunsBase):
    @tornado.web.authenticated
    def get(self, run_id: str) -> None:
        self.reply(run_detail(self.root, self.run_or_error(run_id)))


class EventsHandler(_RunsBase):
    @tornado.web.authenticated
    def get(self, run_id: str) -> None:
        try:
            since = int(self.get_query_argument("since", "0"))
        except ValueError:
            raise tornado.web.HTTPError(400, "since must be a whole number") from None
        run = self.run_or_error(run_id)
        events = read_events(run, max(0, since))
        self.reply({"run_id": run.run_id, "since": since, "events": events, "next": since + len(events)})


class ExportHandler(_RunsBase):
    @tornado.web.authenticated
    def post(self, run_id: str) -> None:
        from mlzero_jupyter.notebook.export import export_notebook

        run = self.run_or_error(run_id)
        try:
            notebook = export_notebook(run.path)
        except RunFolderError as error:
            raise tornado.web.HTTPError(409, str(error)) from None
        except json.JSONDecodeError:
            raise tornado.web.HTTPError(409, f"run {run.run_id} has a damaged record; see mlzero show") from None
        self.reply({"run_id": run.run_id, "path": notebook.relative_to(self.root).as_posix()})


def setup_handlers(web_app: Any) -> None:
    base = url_path_join(web_app.settings["base_url"], API_ROOT, "runs")
    run = r"/(?P<run_id>[^/]+)"
    web_app.add_handlers(".*$", [
        (base, RunsHandler),
        (base + run, RunHandler),
        (base + run + "/events", EventsHandler),
        (base + run + "/export", ExportHandler),
    ])
