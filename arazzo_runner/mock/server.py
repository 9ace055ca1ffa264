"""A scenario-scripted HTTP server on 127.0.0.1, standing in for a real API.

It serves under the path of the description's first server URL (``/v1`` for
``https://api.replicate.com/v1``), checks required headers (401 otherwise)
and JSON request bodies against the operation's schema (422 otherwise), and
answers each route from its response sequence.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from arazzo_runner.document.sources import DocumentCache
from arazzo_runner.errors import DocumentError, Location
from arazzo_runner.mock.placeholders import RequestValues, fill, placeholder_names
from arazzo_runner.mock.scenario import Route, Scenario, load_scenario
from arazzo_runner.openapi.refs import RefResolver
from arazzo_runner.redaction import MASK, SECRET_HEADERS

logger = logging.getLogger(__name__)


class MockServer:
    """Serves a :class:`Scenario` for the API an OpenAPI description describes.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    ``requests`` lists what was received, as the log file records it.
    """

    def __init__(
        self,
        openapi_path: Path,
        scenario: Scenario | Path,
        *,
        port: int = 0,
        log_path: Path | None = None,
    ) -> None:
        self.scenario = (
            scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        )
        cache = DocumentCache()
        self._openapi_uri = str(openapi_path)
        self._openapi = cache.get(self._openapi_uri).data
        if not isinstance(self._openapi, dict):
            raise DocumentError(
                "the OpenAPI description must be an object",
                location=Location(self._openapi_uri),
            )
        self._resolver = RefResolver(cache)
        self.base_path = _base_path(self._openapi)
        self.log_path = log_path
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._positions: dict[tuple[int, str | None], int] = {}
        self._ids: dict[str, set[str]] = {}
        self._id_count = 0
        self._schemas: dict[tuple[str, str], tuple[bool, Any] | None] = {}
        self._check_placeholders()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_class(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Return the URL to pass as the source's server, base path included."""
        return f"http://127.0.0.1:{self.port}{self.base_path}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` is called from another thread or an interrupt."""
        if self._thread is None:
            self._server.serve_forever()
        else:
            self._thread.join()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> MockServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- answering ------------------------------------------------------------

    def answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        """Return the status, headers and JSON body for one request."""
        parts = urlsplit(raw_path)
        path = parts.path
        if self.base_path and not (
            path == self.base_path or path.startswith(self.base_path + "/")
        ):
            return 404, {}, {"detail": f"this mock serves under {self.base_path}"}
        path = path[len(self.base_path) :] or "/"
        parsed_body = _parse_body(body, headers)
        matched = self.scenario.match(method, path)
        if matched is None:
            return 404, {}, {"detail": f"no route for {method} {path} in the scenario"}
        route, path_values = matched
        required = (
            route.require_headers
            if route.require_headers is not None
            else self.scenario.require_headers
        )
        lowered = {k.lower(): v for k, v in headers.items()}
        for name, expected in required.items():
            if lowered.get(name.lower()) != expected:
                return (
                    401,
                    {},
                    {
                        "title": "Unauthenticated",
                        "detail": "You did not pass a valid authentication token",
                        "status": 401,
                    },
                )
        problem = self._check_body(route, method, parsed_body, bool(body))
        if problem is not None:
            return (
                422,
                {},
                {"title": "Invalid request", "detail": problem, "status": 422},
            )
        with self._lock:
            if route.known is not None:
                value = path_values.get(route.known, "")
                if not any(value in ids for ids in self._ids.values()):
                    return 404, {}, {"detail": "Not found.", "status": 404}
            generated = self._new_id(route.creates) if route.creates else None
            key = (
                self.scenario.routes.index(route),
                path_values.get(route.sequence_by or ""),
            )
            position = self._positions.get(key, 0)
            self._positions[key] = position + 1
        response = route.responses[min(position, len(route.responses) - 1)]
        values = RequestValues(
            path=path_values,
            query=dict(parse_qsl(parts.query)),
            headers=headers,
            body=parsed_body,
            generated_id=generated
            or (path_values.get(route.known) if route.known else None),
            now=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            base_url=f"http://127.0.0.1:{self.port}{self.base_path}",
        )
        body_out = fill(response.body, values) if response.has_body else None
        return response.status, dict(response.headers), body_out

    def record(self, entry: dict[str, Any]) -> None:
        """Keep a received request and append it to the log file."""
        with self._lock:
            self.requests.append(entry)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _new_id(self, kind: str) -> str:
        self._id_count += 1
        digest = hashlib.sha256(f"{kind}:{self._id_count}".encode()).hexdigest()[:26]
        self._ids.setdefault(kind, set()).add(digest)
        return digest

    def _check_body(
        self, route: Route, method: str, body: Any, has_body: bool
    ) -> str | None:
        if not (self.scenario.validate_body and route.validate_body):
            return None
        found = self._body_schema(method, route.path)
        if found is None:
            return None
        required, schema = found
        if not has_body:
            return "a request body is required" if required else None
        if schema is None:
            return None
        import jsonschema  # Imported here: only routes with a JSON body need it.

        validator = jsonschema.Draft202012Validator(schema)
        errors = sorted(
            validator.iter_errors(body), key=lambda e: list(e.absolute_path)
        )
        if not errors:
            return None
        return "; ".join(
            (
                "/" + "/".join(str(p) for p in error.absolute_path) + ": "
                if error.absolute_path
                else ""
            )
            + error.message
            for error in errors
        )

    def _body_schema(self, method: str, path: str) -> tuple[bool, Any] | None:
        key = (method, path)
        if key not in self._schemas:
            self._schemas[key] = self._find_body_schema(method, path)
        return self._schemas[key]

    def _find_body_schema(self, method: str, path: str) -> tuple[bool, Any] | None:
        paths = self._openapi.get("paths")
        item = paths.get(path) if isinstance(paths, dict) else None
        if not isinstance(item, dict):
            return None
        item, uri = self._resolver.deref(item, self._openapi_uri)
        operation = item.get(method.lower())
        if not isinstance(operation, dict) or "requestBody" not in operation:
            return None
        request_body, uri = self._resolver.deref(operation["requestBody"], uri)
        content = (
            request_body.get("content") if isinstance(request_body, dict) else None
        )
        required = bool(isinstance(request_body, dict) and request_body.get("required"))
        media = content.get("application/json") if isinstance(content, dict) else None
        schema = media.get("schema") if isinstance(media, dict) else None
        if schema is None:
            return required, None
        return required, _to_json_schema(self._resolver.expand(schema, uri))

    def _check_placeholders(self) -> None:
        values = RequestValues(
            path={},
            query={},
            headers={},
            body=None,
            generated_id=None,
            now="",
            base_url="",
        )
        for route in self.scenario.routes:
            for response in route.responses:
                for name in placeholder_names(response.body):
                    values.lookup(name)


def _handler_class(mock: MockServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes; without this, Nagle's
            # algorithm and delayed ACKs add about 40 ms to every response.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("mock: " + format, *args)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = dict(self.headers.items())
            try:
                status, extra, payload = mock.answer(
                    self.command, self.path, headers, body
                )
            except DocumentError as exc:
                status, extra, payload = 500, {}, {"detail": f"scenario error: {exc}"}
            parts = urlsplit(self.path)
            # Recorded before the response goes out, so that a client that
            # has its answer always finds the request in the log.
            mock.record(
                {
                    "method": self.command,
                    "path": parts.path,
                    "query": parts.query,
                    "headers": {
                        k: (MASK if k.lower() in SECRET_HEADERS else v)
                        for k, v in headers.items()
                    },
                    "body": _parse_body(body, headers),
                    "status": status,
                }
            )
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            if payload is not None:
                extra.setdefault("Content-Type", "application/json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
        do_HEAD = do_OPTIONS = do_TRACE = do_QUERY = _handle

    return _Handler


def _parse_body(body: bytes, headers: dict[str, str]) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _base_path(openapi: dict[str, Any]) -> str:
    servers = openapi.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url", ""))
        return urlsplit(url).path.rstrip("/")
    return ""


def _to_json_schema(schema: Any) -> Any:
    """Turn OpenAPI 3.0 ``nullable`` into JSON Schema; 3.1 schemas pass through."""
    if isinstance(schema, dict):
        result = {k: _to_json_schema(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable") is True and isinstance(result.get("type"), str):
            result["type"] = [result["type"], "null"]
        return result
    if isinstance(schema, list):
        return [_to_json_schema(item) for item in schema]
    return schema
