"""A scriptable HTTP server on 127.0.0.1 for engine tests.

Tests register a handler per method and path; the server records every
request it receives, so tests can assert on what the runner sent.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    # The query string and path exactly as sent, before any decoding.
    raw_query: str = ""
    raw_path: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """What a handler answers. A dict or list body is sent as JSON."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Received], Reply]


class _QuietServer(ThreadingHTTPServer):
    """Ignores clients that hang up early (timeout tests do that on purpose)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class ScriptedServer:
    """Serves registered handlers; unknown routes get 404."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, method: str, path: str, handler: Handler | Reply) -> None:
        """Serve ``method path`` with ``handler`` (or always the same reply).

        Methods match case-sensitively, as RFC 9110 defines them.
        """
        if isinstance(handler, Reply):
            reply = handler
            self.routes[(method, path)] = lambda _request: reply
        else:
            self.routes[(method, path)] = handler

    def sequence(self, method: str, path: str, replies: list[Reply]) -> None:
        """Answer with ``replies`` in turn, repeating the last one."""
        calls = {"count": 0}

        def handler(_request: Received) -> Reply:
            index = min(calls["count"], len(replies) - 1)
            calls["count"] += 1
            return replies[index]

        self.route(method, path, handler)

    def received(self, method: str, path: str) -> list[Received]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                received = Received(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    raw_query=parts.query,
                    raw_path=parts.path,
                )
                with server._lock:
                    server.requests.append(received)
                handler = server.routes.get((self.command, parts.path))
                reply = (
                    handler(received) if handler else Reply(404, {"detail": "no route"})
                )
                body = reply.body
                headers = dict(reply.headers)
                if isinstance(body, (dict, list)):
                    payload = json.dumps(body).encode()
                    headers.setdefault("Content-Type", "application/json")
                elif isinstance(body, str):
                    payload = body.encode()
                    headers.setdefault("Content-Type", "text/plain")
                elif isinstance(body, bytes):
                    payload = body
                else:
                    payload = b""
                self.send_response(reply.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def __getattr__(self, name: str) -> Any:
                # Any other method (QUERY, COPY, ...) is handled the same way.
                if name.startswith("do_"):
                    return self._handle
                raise AttributeError(name)

        return _Handler
