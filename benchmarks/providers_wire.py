"""Wire helpers for the provider tests and the reliability scenarios: a real HTTP server on 127.0.0.1 answering
scripted replies, and the response bodies OpenAI-compatible servers and Anthropic send."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON, str/bytes -> sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds slept before answering

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode(), "application/json"
        data = self.body.encode() if isinstance(self.body, str) else (self.body or b"")
        return data, self.headers.get("content-type", "application/json")


class ScriptedServer:
    """Answers POSTs with ``replies`` in order (the last one repeats), or with ``responder(request)``;
    ``requests`` holds what arrived."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.responder: Callable[[dict[str, Any]], Reply] | None = None  # replaces ``replies`` when set
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        handler = self._handler_class()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def _next(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.responder is not None:
                return self.responder(request)
            index = min(len(self.requests), len(self.replies)) - 1
            return self.replies[index]

    def _handler_class(self) -> type:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = server._next({"path": self.path, "headers": headers, "json": json.loads(raw)})
                time.sleep(reply.delay)
                data, content_type = reply.encoded()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", content_type)
                    for name, value in reply.headers.items():
                        if name.lower() != "content-type":
                            self.send_header(name, value)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def openai_completion(text: str, prompt_tokens: int = 120, completion_tokens: int = 40,
                      model: str = "any-name") -> dict[str, Any]:
    """A chat.completion body as OpenAI-compatible servers send it."""
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_700_000_000, "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def anthropic_message(text: str, input_tokens: int = 200, output_tokens: int = 50,
                      model: str = "claude-sonnet-4-6") -> dict[str, Any]:
    """A Messages API body as Anthropic sends it."""
    return {
        "id": "msg_01", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }
