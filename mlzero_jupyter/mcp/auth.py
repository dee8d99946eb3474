"""What an MCP client may do: a bearer token over HTTP, loopback only, and run options the client may not set.

Over HTTP any local process (a browser page, another user's program on a shared machine) can reach the port, so
every request must carry ``Authorization: Bearer <token>``: the token is ``MLZERO_MCP_TOKEN`` when set, else a
random one printed at start. The server binds to loopback only (use an SSH tunnel to reach it from elsewhere).
Clients cannot choose where prompts and keys go or what code may do (:data:`LOCKED_OPTIONS`) unless the person
who started the server allows it (``mlzero mcp --client-options policy,base_url``).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from mlzero_jupyter.errors import UserInputError

LOCKED_OPTIONS = ("policy", "base_url", "provider", "region", "profile")
TOKEN_VARIABLE = "MLZERO_MCP_TOKEN"
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def server_token(environ: MutableMapping[str, str] | None = None) -> tuple[str, bool]:
    """The token clients must send, and whether it was generated (to be printed) rather than configured."""
    environ = os.environ if environ is None else environ
    configured = environ.get(TOKEN_VARIABLE, "").strip()
    if configured:
        if len(configured) < 16:
            raise UserInputError(f"{TOKEN_VARIABLE} is too short to be a secret; use at least 16 characters")
        return configured, False
    return secrets.token_urlsafe(32), True


def check_loopback(host: str) -> None:
    """Refuse to listen beyond this machine."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UserInputError(f"the MCP server listens on this machine only (--host 127.0.0.1), not {host}; "
                             "reach it from elsewhere through an SSH tunnel")


class BearerGuard:
    """ASGI middleware: HTTP requests without the right bearer token get 401 and never reach the server."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                body = json.dumps({"error": "missing or wrong token: send Authorization: Bearer <token> "
                                            "(printed when the server started, or MLZERO_MCP_TOKEN)"}).encode()
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class GuardedManager:
    """A RunManager whose ``start``/``resume`` refuse the locked options unless the server allows them."""

    def __init__(self, manager: Any, allowed: Iterable[str] = ()) -> None:
        self._manager = manager
        self._locked = set(LOCKED_OPTIONS) - set(allowed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    def _check(self, options: dict[str, Any] | None) -> None:
        refused = sorted(self._locked & set(options or {}))
        if refused:
            raise UserInputError(f"option {', '.join(refused)} is set by the server, not by an MCP client (start "
                                 f"the server with --client-options {','.join(refused)} to allow it)")

    def start(self, data: str, description: str | None = None, options: dict[str, Any] | None = None) -> Any:
        self._check(options)
        return self._manager.start(data, description, options)

    def resume(self, run_id: str, guidance: str | None = None, options: dict[str, Any] | None = None) -> Any:
        self._check(options)
        return self._manager.resume(run_id, guidance, options)


def serve_http(server: Any, host: str, port: int, token: str | None) -> None:
    """Serve ``server`` (an MCPServer) over streamable HTTP at ``/mcp`` behind the token, on loopback."""
    import uvicorn

    if not token:
        raise UserInputError("the MCP server over HTTP needs a token (MLZERO_MCP_TOKEN, or let it generate one)")
    check_loopback(host)
    app = BearerGuard(server.streamable_http_app(host=host), token)
    uvicorn.run(app, host=host, port=port, log_level="warning")
