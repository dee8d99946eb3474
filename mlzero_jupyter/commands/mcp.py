"""`mlzero mcp`: serve the agent to other agentic tools over the Model Context Protocol."""

from __future__ import annotations

import argparse

HELP = "Serve the agent as MCP tools (inspect_data, start_run, run_status, ...) over stdio or HTTP."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio",
                        help="stdio (default; the client starts this command) or http (streamable HTTP at /mcp)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind with --transport http (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port for --transport http (default 8765)")
    parser.add_argument("--output", help="folder of the run folders (default ./mlzero-runs)")
    parser.add_argument("--max-running", type=int, default=1, help="runs allowed at the same time (default 1)")


def run(args: argparse.Namespace) -> int:
    import importlib.util

    from mlzero_jupyter.errors import UserInputError

    if importlib.util.find_spec("mcp") is None:
        raise UserInputError("the MCP server needs the mcp package: pip install 'mlzero-jupyter[mcp]'")
    if args.max_running < 1:
        raise UserInputError("--max-running must be 1 or more")
    from mlzero_jupyter.mcp_server import serve

    serve(args.transport, host=args.host, port=args.port, output_dir=args.output, max_running=args.max_running)
    return 0
