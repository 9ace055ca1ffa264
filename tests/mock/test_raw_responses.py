"""Mock features the conformance cases need: raw bodies, dropped connections,
unmasked request logs and the matched route in each log entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from arazzo_runner import DocumentError
from arazzo_runner.mock import MockServer
from arazzo_runner.mock.scenario import load_scenario

OPENAPI = """
openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "http://127.0.0.1:9/api"}]
paths:
  /report/{id}:
    get:
      responses: {"200": {description: ok}}
  /broken:
    get:
      responses: {"200": {description: ok}}
  /echo:
    post:
      responses: {"200": {description: ok}}
"""

SCENARIO = """
routes:
  - request: GET /report/{id}
    responses:
      - rawBody: "<report id='{{path.id}}'/>"
        contentType: application/xml
      - rawBody: plain words
  - request: GET /broken
    responses:
      - close: true
      - status: 200
        body: {ok: true}
  - request: POST /echo
    responses:
      - status: 200
        headers:
          Set-Cookie: [a=1, "b={{query.b}}"]
"""


@pytest.fixture
def mock(tmp_path: Path) -> Any:
    openapi = tmp_path / "openapi.yaml"
    openapi.write_text(OPENAPI)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    seen: list[dict[str, Any]] = []
    server = MockServer(openapi, scenario, mask_secrets=False, on_request=seen.append)
    with server:
        yield server, seen


def test_raw_body_with_content_type(mock: Any) -> None:
    server, _ = mock

    first = httpx.get(server.base_url + "/report/7")
    second = httpx.get(server.base_url + "/report/7")

    assert first.text == "<report id='7'/>"
    assert first.headers["content-type"] == "application/xml"
    assert second.text == "plain words"
    assert second.headers["content-type"] == "text/plain"


def test_close_drops_connection(mock: Any) -> None:
    server, seen = mock

    with pytest.raises(httpx.TransportError):
        httpx.get(server.base_url + "/broken")
    after = httpx.get(server.base_url + "/broken")

    assert after.json() == {"ok": True}
    assert seen[0]["status"] is None
    assert seen[1]["status"] == 200


def test_log_has_route_raw_body_and_query(mock: Any) -> None:
    server, seen = mock

    httpx.post(
        server.base_url + "/echo?a=1&a=2&b=x%20y",
        content=b"k=v&k=w",
        headers={"Authorization": "Bearer t", "Content-Type": "text/plain"},
    )

    [entry] = seen
    assert entry["route"] == "POST /echo"
    assert entry["rawBody"] == "k=v&k=w"
    assert entry["queryString"] == "a=1&a=2&b=x%20y"
    assert entry["query"] == {"a": ["1", "2"], "b": ["x y"]}
    assert entry["headers"]["Authorization"] == "Bearer t"
    assert server.requests == seen


def test_list_header_sends_each_line(mock: Any) -> None:
    server, _ = mock

    response = httpx.post(server.base_url + "/echo?b=2")

    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_secrets_masked_by_default(tmp_path: Path) -> None:
    openapi = tmp_path / "openapi.yaml"
    openapi.write_text(OPENAPI)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)

    with MockServer(openapi, scenario) as server:
        httpx.post(server.base_url + "/echo", headers={"Cookie": "sid=1"})

    assert server.requests[0]["headers"]["Cookie"] == "***"


def test_body_and_raw_body_exclusive(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "routes:\n  - request: GET /x\n    responses:\n      - {body: 1, rawBody: '1'}\n"
    )

    with pytest.raises(DocumentError):
        load_scenario(scenario)
