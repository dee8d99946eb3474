"""The ``%%mlzero`` cell magic and the ``%mlzero`` line magic (``%load_ext mlzero_jupyter`` registers them).

Mistakes are printed as one line on stderr, never as a traceback. See ``%mlzero help``.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class

from mlzero_jupyter.errors import UserInputError
from mlzero_jupyter.notebook.arguments import Subcommand, help_text, parse_line, parse_run_line
from mlzero_jupyter.notebook.frontend import detect
from mlzero_jupyter.notebook.session import (
    REGISTRY,
    check_settings,
    fill_description,
    print_error,
    resolve_data,
    session_config,
    session_options,
)


@magics_class
class MLZeroMagics(Magics):
    @line_cell_magic
    def mlzero(self, line: str, cell: str | None = None) -> Any:
        """%%mlzero [DATA] [options] with the task in the cell body; %mlzero COMMAND ... (%mlzero help)."""
        try:
            if cell is None:
                return self._command(parse_line(line))
            return self._run(line, cell)
        except UserInputError as error:
            print_error(error)
        except SystemExit as error:  # a CLI command refused its arguments; it already said why
            if error.code not in (0, None):
                print(f"mlzero: error: exit status {error.code}", file=sys.stderr)
        return None

    # -- %%mlzero ------------------------------------------------------------------------------------------------
    def _run(self, line: str, cell: str) -> None:
        arguments = parse_run_line(line)
        namespace = self.shell.user_ns
        description = fill_description(cell, namespace)
        data = resolve_data(arguments.data, namespace, arguments.output or REGISTRY.settings.get("output_dir"))
        from mlzero_jupyter.agent import Agent
        from mlzero_jupyter.notebook.runner import run_in_notebook, stop_at_exit

        def make_agent(chosen: dict[str, str], **parts: Any) -> Agent:
            """The cell's task, with the target, metric or problem type the user clicked in the display."""
            options = session_options({**arguments.options(), **chosen})
            return Agent(data, description, options, coder=REGISTRY.coder_for(options), **parts)

        config = session_config()
        frontend = detect(self.shell)
        wait_s = arguments.wait if arguments.wait is not None else config.guidance_timeout
        run_in_notebook(make_agent, frontend, guide=arguments.guide, confirm=arguments.confirm, wait_s=wait_s,
                        approval_timeout=config.approval_timeout, verbose=arguments.verbose,
                        background=arguments.background, choices=True)
        if arguments.background:
            stop_at_exit()
            print("mlzero: the run goes on in the background; mlzero_result.wait() or `%mlzero wait` waits for it, "
                  "`%mlzero stop` stops it", file=sys.stderr)

    # -- %mlzero COMMAND -----------------------------------------------------------------------------------------
    def _command(self, command: Subcommand) -> Any:
        handler = getattr(self, f"_do_{command.name}")
        return handler(command)

    def _do_help(self, command: Subcommand) -> None:
        print(help_text())

    def _do_list(self, command: Subcommand) -> None:
        _cli("list", "--output", REGISTRY.output_dir)

    def _do_show(self, command: Subcommand) -> None:
        from IPython.display import display

        from mlzero_jupyter.run_views import read_result, run_status
        from mlzero_jupyter.runs import locate_run

        folder = locate_run(command.run, REGISTRY.output_dir)
        result, status = read_result(folder), run_status(folder)
        if result is None:
            print(f"Run {folder.run_id}: {status}, no attempt finished yet")
            return
        result.status = status
        display(result)

    def _do_export(self, command: Subcommand) -> None:
        from mlzero_jupyter.notebook.export import export_notebook
        from mlzero_jupyter.runs import locate_run

        folder = locate_run(command.run, REGISTRY.output_dir)
        path = export_notebook(folder.path, command.path, all_attempts=command.all_attempts)
        print(f"Exported run {folder.run_id} to {path}")

    def _do_resume(self, command: Subcommand) -> None:
        from mlzero_jupyter.agent import Agent
        from mlzero_jupyter.notebook.runner import run_in_notebook
        from mlzero_jupyter.runs import locate_run

        folder = locate_run(command.run, REGISTRY.output_dir)
        options = session_options({})
        overrides = {name: getattr(options, name) for name in REGISTRY.settings if hasattr(options, name)}
        coder = REGISTRY.coder_for(options)
        run_in_notebook(lambda _chosen, **parts: Agent.resume(folder.path, command.guidance, overrides=overrides,
                                                              coder=coder, **parts), detect(self.shell))

    def _do_wait(self, command: Subcommand) -> Any:
        run = REGISTRY.find(command.run)
        try:
            run.wait()
        except KeyboardInterrupt:
            print(f"mlzero: stopped waiting; run {run.run_id} goes on (`%mlzero stop {run.run_id}` stops it)",
                  file=sys.stderr)
            return None
        print(f"Run {run.run_id}: {run.status}")
        return None

    def _do_stop(self, command: Subcommand) -> None:
        stopped = REGISTRY.stop(command.run)
        if not stopped:
            which = f"named {command.run!r} " if command.run else ""
            raise UserInputError(f"no run {which}is running in this kernel; `%mlzero list` shows the runs")
        print(f"Stopping {', '.join(stopped)}: the running attempt is killed; `%mlzero resume RUN` continues")

    def _do_config(self, command: Subcommand) -> None:
        if command.settings:
            REGISTRY.settings.update(check_settings(command.settings))
        for name, value in session_config().masked().items():
            source = "  (set in this session)" if name in REGISTRY.settings else ""
            print(f"{name:<22} {value!r}{source}")

    def _do_providers(self, command: Subcommand) -> None:
        _cli("providers")

    def _do_knowledge(self, command: Subcommand) -> None:
        _cli("knowledge", *(["search", command.query] if command.query else ["list"]))


def _cli(name: str, *arguments: str) -> None:
    """Run an ``mlzero`` CLI command in the kernel (same output, same one-line errors)."""
    if importlib.util.find_spec(f"mlzero_jupyter.cli.commands.{name}") is None:
        raise UserInputError(f"`mlzero {name}` is not available in this installation")
    from mlzero_jupyter.cli import main

    main([name, *arguments])


def load(ipython: Any) -> None:
    ipython.register_magics(MLZeroMagics)


def unload(ipython: Any) -> None:
    REGISTRY.stop()
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("mlzero", None)
