"""`mlzero mcp`: serve the agent to other agentic tools over the Model Context Protocol."""

from __future__ import annotations

import argparse

HELP = "Serve the agent as MCP tools (inspect_data, start_run, run_status, ...) over stdio or HTTP."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio",
                        help="stdio (default; the client starts this command) or http (streamable HTTP at /mcp)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="loopback address to bind with --transport http (default 127.0.0.1; other hosts are "
                             "refused: use an SSH tunnel)")
    parser.add_argument("--port", type=int, default=8765, help="port for --transport http (default 8765)")
    parser.add_argument("--output", help="folder of the run folders (default ./mlzero-runs)")
    parser.add_argument("--max-running", type=int, default=1, help="runs allowed at the same time (default 1)")
    parser.add_argument("--client-options", default="",
                        help="run options MCP clients may set although they are locked by default, comma-separated "
                             "(policy, base_url, provider, region, profile)")


def run(args: argparse.Namespace) -> int:
    import importlib.util

    from mlzero_jupyter.errors import UserInputError

    if importlib.util.find_spec("mcp") is None:
        raise UserInputError("the MCP server needs the mcp package: pip install 'mlzero-jupyter[mcp]'")
    if args.max_running < 1:
        raise UserInputError("--max-running must be 1 or more")
    from mlzero_jupyter.mcp.auth import LOCKED_OPTIONS, check_loopback, server_token
    from mlzero_jupyter.mcp.server import serve

    allowed = tuple(name.strip() for name in args.client_options.split(",") if name.strip())
    unknown = sorted(set(allowed) - set(LOCKED_OPTIONS))
    if unknown:
        raise UserInputError(f"--client-options takes {', '.join(LOCKED_OPTIONS)}; not {', '.join(unknown)}")
    token = None
    if args.transport == "http":
        check_loopback(args.host)
        token, generated = server_token()
        if generated:
            print(f"MCP server at http://{args.host}:{args.port}/mcp; clients must send the header\n"
                  f"  Authorization: Bearer {token}\n(set MLZERO_MCP_TOKEN to choose the token)", flush=True)
    serve(args.transport, host=args.host, port=args.port, output_dir=args.output, max_running=args.max_running,
          token=token, client_options=allowed)
    return 0
