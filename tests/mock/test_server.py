"""The scenario-scripted mock server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from arazzo_runner import DocumentError
from arazzo_runner.mock import MockServer, load_scenario
from tests.conftest import REPLICATE

OPENAPI = REPLICATE / "openapi" / "replicate-openapi.yml"
TOKEN = json.loads((REPLICATE / "inputs.example.json").read_text())["apiToken"]
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = {"destination": "acme/model", "input": {"steps": 3}}
CREATE = "/models/o/m/versions/v1/trainings"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    servers: list[MockServer] = []
    clients: list[httpx.Client] = []

    def start(scenario: str, log: bool = False) -> tuple[MockServer, httpx.Client]:
        server = MockServer(
            OPENAPI,
            REPLICATE / "scenarios" / f"{scenario}.yaml",
            log_path=tmp_path / "requests.log" if log else None,
        )
        server.start()
        servers.append(server)
        clients.append(httpx.Client(base_url=server.base_url))
        return server, clients[-1]

    yield start
    for client in clients:
        client.close()
    for server in servers:
        server.stop()


def test_base_url_has_server_path(serve: Any) -> None:
    server, _ = serve("success")
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"


def test_sequence_advances_per_training(serve: Any) -> None:
    _, client = serve("success")
    first = client.post(CREATE, json=BODY, headers=AUTH).json()["id"]
    second = client.post(CREATE, json=BODY, headers=AUTH).json()["id"]
    states = [
        client.get(f"/trainings/{first}", headers=AUTH).json()["status"]
        for _ in range(4)
    ]
    other = client.get(f"/trainings/{second}", headers=AUTH).json()["status"]
    assert states == ["starting", "processing", "succeeded", "succeeded"]
    assert other == "starting"


def test_generated_ids_are_distinct(serve: Any) -> None:
    _, client = serve("success")
    ids = {client.post(CREATE, json=BODY, headers=AUTH).json()["id"] for _ in range(3)}
    assert len(ids) == 3


def test_whole_placeholder_keeps_type(serve: Any) -> None:
    _, client = serve("success")
    training = client.post(CREATE, json=BODY, headers=AUTH).json()
    assert training["input"] == {"steps": 3}


def test_embedded_placeholder_makes_text(serve: Any) -> None:
    server, client = serve("success")
    training = client.post(CREATE, json=BODY, headers=AUTH).json()
    assert training["urls"]["get"] == f"{server.base_url}/trainings/{training['id']}"


def test_missing_token_gets_401(serve: Any) -> None:
    _, client = serve("success")
    response = client.get("/models/o/m/versions/v1")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_wrong_token_scenario_rejects_example(serve: Any) -> None:
    _, client = serve("wrong-token")
    assert client.get("/models/o/m/versions/v1", headers=AUTH).status_code == 401


def test_body_without_destination_gets_422(serve: Any) -> None:
    _, client = serve("success")
    response = client.post(CREATE, json={"input": {}}, headers=AUTH)
    assert response.status_code == 422
    assert "destination" in response.json()["detail"]


def test_webhook_null_gets_422(serve: Any) -> None:
    _, client = serve("success")
    response = client.post(CREATE, json={**BODY, "webhook": None}, headers=AUTH)
    assert response.status_code == 422


def test_unknown_route_gets_404(serve: Any) -> None:
    _, client = serve("success")
    assert client.get("/nothing", headers=AUTH).status_code == 404


def test_unknown_training_gets_404(serve: Any) -> None:
    _, client = serve("success")
    assert client.get("/trainings/not-created", headers=AUTH).status_code == 404


def test_log_masks_authorization(serve: Any, tmp_path: Path) -> None:
    _, client = serve("success", log=True)
    client.post(CREATE, json=BODY, headers=AUTH)
    entry = json.loads((tmp_path / "requests.log").read_text().splitlines()[0])
    assert entry["headers"]["Authorization"] == "***"
    assert entry["body"] == BODY
    assert entry["status"] == 201
    assert TOKEN not in (tmp_path / "requests.log").read_text()


@pytest.mark.parametrize(
    ("scenario", "final"),
    [
        ("success", "succeeded"),
        ("failed", "failed"),
        ("canceled", "canceled"),
        ("never-finishes", "processing"),
    ],
)
def test_scenario_reaches_final_state(serve: Any, scenario: str, final: str) -> None:
    _, client = serve(scenario)
    training = client.post(CREATE, json=BODY, headers=AUTH).json()
    states = [
        client.get(f"/trainings/{training['id']}", headers=AUTH).json()["status"]
        for _ in range(5)
    ]
    assert states[-1] == final


def test_unknown_version_gets_404(serve: Any) -> None:
    _, client = serve("unknown-version")
    assert client.get("/models/o/m/versions/v1", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("routes: []", "'routes' must be a non-empty list"),
        (
            "routes:\n  - request: FETCH /x\n    responses: [{status: 200}]",
            "'request' must be a method and a path",
        ),
        (
            "routes:\n  - request: GET /x\n    responses: [{status: 99}]",
            "status must be an HTTP status code",
        ),
        (
            "routes:\n  - request: GET /x\n    sequenceBy: id\n    responses: [{}]",
            "not a parameter",
        ),
        ("routez: []", "unknown scenario field"),
    ],
    ids=["empty", "method", "status", "sequence-by", "unknown-field"],
)
def test_bad_scenario_is_located(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(DocumentError, match=message) as caught:
        load_scenario(path)
    assert caught.value.location.document == str(path)


def test_unknown_placeholder_is_load_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "routes:\n  - request: GET /x\n    responses: [{body: '{{nope}}'}]\n"
    )
    with pytest.raises(DocumentError, match="unknown placeholder"):
        MockServer(OPENAPI, path)
