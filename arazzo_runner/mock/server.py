"""A scenario-scripted HTTP server on 127.0.0.1, standing in for a real API.

It serves under the path of the description's first server URL (``/v1`` for
``https://api.replicate.com/v1``). For each request it finds the scenario's
route, checks required headers (401 otherwise) and the JSON request body
against the matched operation's schema (400 or 422 otherwise), and returns
the next response of the route's sequence.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from arazzo_runner.document.sources import DocumentCache, is_remote
from arazzo_runner.errors import DocumentError, InputError, Location
from arazzo_runner.mock.bodies import BodyChecker
from arazzo_runner.mock.framing import MAX_BODY_BYTES, FramingError, read_body
from arazzo_runner.mock.placeholders import RequestValues, fill
from arazzo_runner.mock.scenario import MockResponse, Route, Scenario, load_scenario
from arazzo_runner.mock.secrets import RequestMasker

logger = logging.getLogger(__name__)

# How often the serving loop checks for a stop request, in seconds.
_POLL_INTERVAL = 0.05
_TITLES = {400: "Bad request", 413: "Content too large", 501: "Not implemented"}
_UNAUTHORIZED = {
    "title": "Unauthenticated",
    "detail": "You did not pass a valid authentication token",
    "status": 401,
}


@dataclass(frozen=True, slots=True)
class Reply:
    """The status, headers and body the mock sends for one request.

    ``body`` is ``None`` for an empty response. ``raw_body`` is text sent
    instead of JSON, and ``close`` drops the connection without a response.
    ``header_lists`` holds headers sent as one line per value.
    """

    status: int
    headers: dict[str, str]
    body: Any
    raw_body: str | None = None
    content_type: str | None = None
    close: bool = False
    route: str | None = None
    header_lists: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def problem(cls, status: int, detail: str, title: str) -> Reply:
        """Return an error reply with a JSON ``detail``, in the shape Replicate uses."""
        return cls(status, {}, {"title": title, "detail": detail, "status": status})


class MockServer:
    """Serves a :class:`Scenario` for the API an OpenAPI description describes.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    ``requests`` lists what was received, one dict per request, as the log
    file records it; read it after the responses arrived.
    """

    def __init__(
        self,
        openapi_path: Path,
        scenario: Scenario | Path,
        *,
        port: int = 0,
        log_path: Path | None = None,
        mask_secrets: bool = True,
        on_request: Callable[[dict[str, Any]], None] | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        """Load the description and scenario and bind 127.0.0.1:``port``.

        Args:
            openapi_path: The OpenAPI description of the API to stand in for.
            scenario: A loaded scenario, or the path of a scenario file.
            port: The TCP port; 0 picks a free one.
            log_path: A file to append one JSON line per request to.
            mask_secrets: Mask credentials (secret headers such as
                ``Authorization`` and the parameters of apiKey security
                schemes) in ``requests`` and the log file. The conformance
                harness turns this off to check those headers.
            on_request: Called with each log entry as it is recorded, so that
                several mocks can feed one list in the order of arrival.
            max_body_bytes: The largest request body read, in bytes. A
                request that announces a larger one gets 413.

        Raises:
            DocumentError: The description or the scenario cannot be read or
                is invalid.
            InputError: The log file cannot be opened for appending.
            OSError: The port cannot be bound.
        """
        self.scenario = (
            scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        )
        uri = str(openapi_path)
        cache = _LocalDocumentCache()
        openapi = cache.get(uri).data
        if not isinstance(openapi, dict):
            raise DocumentError(
                "the OpenAPI description must be an object", location=Location(uri)
            )
        _check_openapi_version(openapi, uri)
        self.base_path = _base_path(openapi)
        self._masker = RequestMasker(openapi)
        self._bodies = BodyChecker(openapi, uri, cache, self.scenario.routes)
        self.log_path = log_path
        self.mask_secrets = mask_secrets
        self.on_request = on_request
        self.max_body_bytes = max_body_bytes
        if log_path is not None:
            _check_writable(log_path)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._positions: dict[tuple[int, str | None], int] = {}
        self._ids: set[str] = set()
        self._id_count = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_class(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The URL to use as the source's server, base path included."""
        return f"http://127.0.0.1:{self.port}{self.base_path}"

    def start(self) -> None:
        """Serve in a background thread; calling it again does nothing."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(_POLL_INTERVAL,),
            name=f"mock-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("mock serving scenario %r at %s", self.scenario.name, self.base_url)

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` is called from another thread or an interrupt.

        After :meth:`start` it waits for the background thread instead.
        """
        if self._thread is None:
            logger.info(
                "mock serving scenario %r at %s", self.scenario.name, self.base_url
            )
            self._server.serve_forever(_POLL_INTERVAL)
        else:
            self._thread.join()

    def stop(self) -> None:
        """Stop serving and release the port; calling it again does nothing."""
        if self._stopped:
            return
        self._stopped = True
        # shutdown() waits for a serving loop to end, so it would hang if none
        # ever ran.
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        logger.info("mock stopped at %s", self.base_url)

    def __enter__(self) -> MockServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def respond(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Reply:
        """Return the reply to one request; ``target`` is the request-target.

        Raises:
            DocumentError: A scripted response cannot be filled in.
        """
        parts = urlsplit(target)
        path = parts.path
        inside = path == self.base_path or path.startswith(self.base_path + "/")
        if self.base_path and not inside:
            detail = f"this mock serves paths under {self.base_path}, not {path}"
            return Reply.problem(404, detail, "Not found")
        path = path[len(self.base_path) :] or "/"

        matched = self.scenario.match(method, path)
        if matched is None:
            detail = f"no route for {method} {path} in the scenario"
            return Reply.problem(404, detail, "Not found")
        route, path_values = matched

        if not self._authorized(route, headers):
            return Reply(401, {}, dict(_UNAUTHORIZED))

        try:
            parsed_body = _parse_body(body, headers)
        except ValueError as exc:
            detail = f"the request body is not valid JSON: {exc}"
            return Reply.problem(400, detail, "Invalid JSON")
        if self.scenario.validate_body and route.validate_body:
            problem = self._bodies.check(route, parsed_body, has_body=bool(body))
            if problem is not None:
                return Reply.problem(422, problem, "Invalid request")

        return self._scripted(route, path_values, parts.query, headers, parsed_body)

    def record(self, entry: dict[str, Any]) -> None:
        """Keep a received request and append it to the log file."""
        with self._lock:
            self.requests.append(entry)
            if self.on_request is not None:
                self.on_request(entry)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _authorized(self, route: Route, headers: dict[str, str]) -> bool:
        required = route.require_headers
        if required is None:
            required = self.scenario.require_headers
        received = {name.lower(): value for name, value in headers.items()}
        return all(
            received.get(name.lower()) == value for name, value in required.items()
        )

    def _scripted(
        self,
        route: Route,
        path_values: dict[str, str],
        query: str,
        headers: dict[str, str],
        body: Any,
    ) -> Reply:
        with self._lock:
            known_id = path_values.get(route.known) if route.known else None
            if known_id is not None and known_id not in self._ids:
                detail = f"{route.known} {known_id!r} was not created by this mock"
                return Reply.problem(404, detail, "Not found")
            generated = self._new_id(route.creates) if route.creates else known_id
            sequence_value = (
                path_values[route.sequence_by] if route.sequence_by else None
            )
            key = (route.index, sequence_value)
            position = self._positions.get(key, 0)
            self._positions[key] = position + 1

        response = route.responses[min(position, len(route.responses) - 1)]
        values = RequestValues(
            path=path_values,
            query={
                name: found[0]
                for name, found in parse_qs(query, keep_blank_values=True).items()
            },
            headers=headers,
            body=body,
            generated_id=generated,
            now=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            base_url=self.base_url,
        )
        return _filled(response, values, f"{route.method} {route.path}")

    def _new_id(self, kind: str) -> str:
        # Replicate's ids are 26 lower-case characters. A digest of the kind and
        # a counter gives the same ids to the same requests in every run.
        self._id_count += 1
        text = f"{kind}:{self._id_count}".encode()
        generated = hashlib.sha256(text).hexdigest()[:26]
        self._ids.add(generated)
        return generated


def _filled(response: MockResponse, values: RequestValues, route: str) -> Reply:
    headers = {
        name: str(fill(value, values)) for name, value in response.headers.items()
    }
    body = fill(response.body, values) if response.has_body else None
    raw_body = None
    if response.raw_body is not None:
        raw_body = str(fill(response.raw_body, values))
    header_lists = {
        name: [str(fill(value, values)) for value in parts]
        for name, parts in response.header_lists.items()
    }
    return Reply(
        response.status,
        headers,
        body,
        header_lists=header_lists,
        raw_body=raw_body,
        content_type=response.content_type,
        close=response.close,
        route=route,
    )


class _LocalDocumentCache(DocumentCache):
    """A document cache that reads local files only, so the mock never fetches."""

    def get(self, uri: str, *, referrer: Location | None = None) -> Any:
        if is_remote(uri):
            raise DocumentError(
                f"the mock reads local descriptions only, not {uri!r}",
                location=referrer or Location(uri),
                hint="save the referenced document next to the description "
                "and refer to it by a relative path",
            )
        return super().get(uri, referrer=referrer)


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

        def handle(self) -> None:
            try:
                super().handle()
            except ConnectionError as exc:
                # A client that hangs up early is normal for a test server, so
                # this is not worth socketserver's traceback on stderr.
                self.close_connection = True
                logger.info(
                    "mock: client %s:%s closed the connection during %r: %s",
                    *self.client_address[:2],
                    getattr(self, "requestline", ""),
                    exc,
                )

        def _handle(self) -> None:
            headers = dict(self.headers.items())
            try:
                body = read_body(
                    self.rfile, self.headers, max_bytes=mock.max_body_bytes
                )
            except FramingError as exc:
                body = b""
                reply = self._rejected(exc)
            else:
                reply = self._reply(headers, body)
            # Recorded before sending, so a client that has the response
            # finds the request in ``requests`` and in the log file.
            entry = _log_entry(self.command, self.path, headers, body, reply)
            if mock.mask_secrets:
                entry = mock._masker.mask(entry)
            mock.record(entry)
            self._send(reply)

        def _reply(self, headers: dict[str, str], body: bytes) -> Reply:
            try:
                return mock.respond(self.command, self.path, headers, body)
            except DocumentError as exc:
                logger.error(
                    "mock: failed to build the response to %s %s: %s",
                    self.command,
                    self.path,
                    exc,
                )
                return Reply.problem(500, f"scenario error: {exc}", "Mock error")

        def _rejected(self, exc: FramingError) -> Reply:
            logger.warning(
                "mock: rejected %s %s with %d: %s",
                self.command,
                self.path,
                exc.status,
                exc.message,
            )
            # The unread rest of the body would be taken for the next request.
            reply = Reply.problem(exc.status, exc.message, _TITLES[exc.status])
            return replace(reply, headers={"Connection": "close"})

        def _send(self, reply: Reply) -> None:
            if reply.close:
                # No status line at all: the client sees the connection reset
                # or closed, which is a transport error, not an HTTP status.
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            content_type = reply.content_type
            if reply.raw_body is not None:
                data = reply.raw_body.encode()
                content_type = content_type or "text/plain"
            elif reply.body is not None:
                data = json.dumps(reply.body).encode()
                content_type = content_type or "application/json"
            else:
                data = b""
            self.send_response(reply.status)
            if content_type is not None:
                self.send_header("Content-Type", content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            for name, parts in reply.header_lists.items():
                for part in parts:
                    self.send_header(name, part)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
        do_HEAD = do_OPTIONS = do_TRACE = do_QUERY = _handle

    return _Handler


def _log_entry(
    method: str, target: str, headers: dict[str, str], body: bytes, reply: Reply
) -> dict[str, Any]:
    parts = urlsplit(target)
    try:
        logged_body = _parse_body(body, headers)
    except ValueError:
        logged_body = body.decode("utf-8", errors="replace")
    return {
        "method": method,
        "path": parts.path,
        "query": parse_qs(parts.query, keep_blank_values=True),
        "queryString": parts.query,
        "headers": headers,
        "body": logged_body,
        "rawBody": body.decode("utf-8", errors="replace"),
        "status": None if reply.close else reply.status,
        "route": reply.route,
    }


def _parse_body(body: bytes, headers: dict[str, str]) -> Any:
    """Return a JSON body parsed, other bodies as text, and no body as ``None``.

    Raises:
        ValueError: The content type is JSON but the body does not parse.
    """
    if not body:
        return None
    content_type = next(
        (value for name, value in headers.items() if name.lower() == "content-type"),
        "",
    )
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return json.loads(body)
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _check_writable(path: Path) -> None:
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot open the log file {str(path)!r}: {exc.strerror}",
            hint="pass a --log path in an existing, writable directory",
        ) from exc


def _check_openapi_version(document: dict[str, Any], uri: str) -> None:
    """Raise unless ``document`` is an OpenAPI 3.x description.

    Raises:
        DocumentError: It is a Swagger 2.0 description, an Arazzo document,
            another document without ``openapi``, or another OpenAPI version.
    """
    location = Location(uri)
    if "swagger" in document:
        raise DocumentError(
            f"Swagger {document['swagger']} descriptions are not supported: "
            "OpenAPI 3.x required",
            location=location,
            hint="convert the description to OpenAPI 3.0 or 3.1",
        )
    if "openapi" not in document:
        reason = "it has no 'openapi' member"
        if "arazzo" in document:
            reason = "it is an Arazzo document"
        raise DocumentError(
            f"not an OpenAPI description: {reason}",
            location=location,
            hint="pass the OpenAPI description that the Arazzo document names "
            "under sourceDescriptions",
        )
    # YAML reads an unquoted `openapi: 3.0` as a number, so compare its text.
    version = str(document["openapi"])
    if not version.startswith("3."):
        raise DocumentError(
            f"OpenAPI version {version!r} is not supported: OpenAPI 3.x required",
            location=location,
        )


def _base_path(openapi: dict[str, Any]) -> str:
    servers = openapi.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url", ""))
        return urlsplit(url).path.rstrip("/")
    return ""
