"""How the mock reads request bodies and copes with clients, over raw sockets."""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arazzo_runner.mock import MockServer
from tests.conftest import arazzo_command
from tests.support.mock_process import MockProcess

OPENAPI = """
openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "http://127.0.0.1:9/api"}]
paths:
  /echo:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
      responses: {"200": {description: ok}}
  /large:
    get:
      responses: {"200": {description: ok}}
"""

SCENARIO = """
routes:
  - request: POST /echo
    responses:
      - body: {received: "{{body}}"}
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    openapi = tmp_path / "openapi.yaml"
    openapi.write_text(OPENAPI)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    return openapi, scenario


@pytest.fixture
def mock(files: tuple[Path, Path]) -> Iterator[MockServer]:
    openapi, scenario = files
    with MockServer(openapi, scenario, max_body_bytes=1000) as server:
        yield server


@pytest.fixture
def mock_process(files: tuple[Path, Path], tmp_path: Path) -> Iterator[MockProcess]:
    openapi, scenario = files
    process = MockProcess(arazzo_command(), openapi, scenario, tmp_path / "log.jsonl")
    yield process
    process.stop()


def exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` on a new connection and return every byte until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def post(headers: str, body: bytes = b"") -> bytes:
    """Return a POST /api/echo request with these extra header lines."""
    head = f"POST /api/echo HTTP/1.1\r\nHost: mock\r\n{headers}\r\n"
    return head.encode() + body


def parse(response: bytes) -> tuple[int, dict[str, Any]]:
    """Return the status code and JSON body of one response."""
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, json.loads(body)


def test_huge_content_length_gets_413(mock: MockServer) -> None:
    request = post(
        "Content-Type: application/json\r\nContent-Length: 99999999999\r\n", b"{}"
    )

    status, body = parse(exchange(mock.port, request))

    assert status == 413
    assert body["title"] == "Content too large"
    assert body["detail"] == (
        "the request body of 99999999999 bytes is larger than the mock's "
        "limit of 1000 bytes"
    )
    assert mock.requests[0]["status"] == 413


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ("Content-Length: -1\r\n", "the Content-Length '-1' is not a number of bytes"),
        (
            "Content-Length: 1e3\r\n",
            "the Content-Length '1e3' is not a number of bytes",
        ),
        (
            "Content-Length: 2\r\nContent-Length: 3\r\n",
            "the request has different Content-Length values: 2, 3",
        ),
    ],
    ids=["negative", "not-digits", "conflicting"],
)
def test_invalid_content_length_gets_400(
    mock: MockServer, headers: str, detail: str
) -> None:
    status, body = parse(exchange(mock.port, post(headers, b"{}")))

    assert status == 400
    assert body["detail"] == detail


def test_short_body_gets_400(mock: MockServer) -> None:
    with socket.create_connection(("127.0.0.1", mock.port), timeout=5) as connection:
        connection.sendall(post("Content-Length: 10\r\n", b"{}"))
        connection.shutdown(socket.SHUT_WR)
        response = b""
        while chunk := connection.recv(65536):
            response += chunk

    status, body = parse(response)
    assert status == 400
    assert body["detail"] == "the request body ended after 2 of 10 bytes"


def test_huge_content_length_logged_quietly(mock_process: MockProcess) -> None:
    port = int(mock_process.url.rsplit(":", 1)[1])
    request = post("Content-Length: 99999999999\r\n", b"{}")

    response = exchange(port, request)
    stderr = mock_process.stop()

    assert response.startswith(b"HTTP/1.1 413 ")
    assert "Traceback" not in stderr
    assert "MemoryError" not in stderr
    assert (
        "warning: mock: rejected POST /api/echo with 413: the request body of "
        "99999999999 bytes is larger than the mock's limit of 10485760 bytes"
    ) in stderr.splitlines()


def _reset(connection: socket.socket) -> None:
    """Close ``connection`` with a TCP reset instead of an orderly close."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def test_client_reset_mid_response_is_quiet(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    openapi, _ = files
    scenario = tmp_path / "large.yaml"
    large = "x" * (8 * 1024 * 1024)
    scenario.write_text(
        f"routes:\n  - request: GET /large\n    responses:\n      - rawBody: {large}\n"
    )
    process = MockProcess(arazzo_command(), openapi, scenario, tmp_path / "log.jsonl")
    port = int(process.url.rsplit(":", 1)[1])

    for _ in range(3):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"GET /api/large HTTP/1.1\r\nHost: mock\r\n\r\n")
        first = connection.recv(100)
        _reset(connection)
    stderr = process.stop()

    assert first.startswith(b"HTTP/1.1 200 ")
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
    assert "ConnectionResetError" not in stderr
    assert stderr == ""


def test_client_reset_before_reading_is_quiet(mock_process: MockProcess) -> None:
    port = int(mock_process.url.rsplit(":", 1)[1])

    for _ in range(3):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(post("Content-Length: 14\r\n", b'{"name": "a"}\n'))
        _reset(connection)
    stderr = mock_process.stop()

    assert "Traceback" not in stderr
    assert stderr == ""


def chunked(*parts: bytes) -> bytes:
    """Return ``parts`` in chunked transfer coding, with an empty trailer section."""
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts)
    return encoded + b"0\r\n\r\n"


def responses(data: bytes) -> list[tuple[int, bytes]]:
    """Split the responses sent on one connection into status and body pairs."""
    found = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        fields = dict(line.split(": ", 1) for line in lines[1:])
        length = int(fields["Content-Length"])
        found.append((int(lines[0].split(" ")[1]), rest[:length]))
        data = rest[length:]
    return found


def test_chunked_body_is_decoded(mock: MockServer) -> None:
    body = chunked(b'{"name":', b' "chunked"}')
    request = post(
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n",
        body,
    )

    status, reply = parse(exchange(mock.port, request))

    assert status == 200
    assert reply == {"received": {"name": "chunked"}}
    assert mock.requests[0]["rawBody"] == '{"name": "chunked"}'


def test_chunk_extensions_and_trailers_ignored(mock: MockServer) -> None:
    body = (
        b'4;note="x"\r\n{"na\r\n'
        + b'F\r\nme": "trailer"}\r\n'
        + b"0\r\nX-Sum: 1\r\n\r\n"
    )
    request = post("Transfer-Encoding: chunked\r\nConnection: close\r\n", body)

    status, reply = parse(exchange(mock.port, request))

    assert status == 200
    assert reply == {"received": {"name": "trailer"}}


def test_chunked_request_keeps_connection(mock: MockServer) -> None:
    first = post("Transfer-Encoding: chunked\r\n", chunked(b'{"name": "one"}'))
    second = post("Content-Length: 15\r\nConnection: close\r\n", b'{"name": "two"}')

    found = responses(exchange(mock.port, first + second))

    assert [status for status, _ in found] == [200, 200]
    assert json.loads(found[0][1]) == {"received": {"name": "one"}}
    assert json.loads(found[1][1]) == {"received": {"name": "two"}}


@pytest.mark.parametrize(
    ("headers", "body", "status", "detail"),
    [
        (
            "Transfer-Encoding: chunked\r\n",
            b"zz\r\n{}\r\n0\r\n\r\n",
            400,
            "invalid chunk size 'zz' in the chunked request body",
        ),
        (
            "Transfer-Encoding: chunked\r\n",
            b"2\r\n{}XX0\r\n\r\n",
            400,
            "a chunk of the chunked request body does not end with CRLF",
        ),
        (
            "Transfer-Encoding: chunked\r\n",
            chunked(b"x" * 600, b"y" * 600),
            413,
            "the chunked request body is larger than the mock's limit of 1000 bytes",
        ),
        (
            "Transfer-Encoding: gzip\r\n",
            b"{}",
            400,
            "the final transfer coding of the request is 'gzip', not 'chunked', "
            "so the length of its body is unknown",
        ),
        (
            "Transfer-Encoding: gzip, chunked\r\n",
            chunked(b"{}"),
            501,
            "the mock decodes only the chunked transfer coding, not 'gzip'",
        ),
        (
            "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n",
            chunked(b"{}"),
            400,
            "the request has both Transfer-Encoding and Content-Length",
        ),
    ],
    ids=[
        "bad-size",
        "missing-crlf",
        "over-limit",
        "not-chunked-last",
        "other-coding",
        "with-content-length",
    ],
)
def test_invalid_chunked_body_rejected(
    mock: MockServer, headers: str, body: bytes, status: int, detail: str
) -> None:
    found = responses(exchange(mock.port, post(headers, body)))

    assert len(found) == 1
    assert found[0][0] == status
    assert json.loads(found[0][1])["detail"] == detail
