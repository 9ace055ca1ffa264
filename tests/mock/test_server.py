"""The mock server over real HTTP on 127.0.0.1, with a scenario written per test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from arazzo_runner import DocumentError, InputError
from arazzo_runner.mock import MockServer
from tests.mock.conftest import OPENAPI, Serve

CREATE = "/models/acme/base/versions/v1/trainings"
AUTH = {"Authorization": "Bearer test-token"}
BODY = {"destination": "acme/tuned", "input": {"steps": 3}}
SCENARIO = """
require:
  headers:
    Authorization: Bearer test-token
routes:
  - request: POST /models/{model_owner}/{model_name}/versions/{version_id}/trainings
    creates: training
    responses:
      - status: 201
        headers:
          Location: "{{baseUrl}}/trainings/{{id}}"
        body:
          id: "{{id}}"
          input: "{{body#/input}}"
          steps: "{{body#/input/steps}}"
          summary: "steps={{body#/input/steps}} for {{path.model_owner}}"
          owner: "{{path.model_owner}}"
          page: "{{query.page}}"
          client: "{{header.x-client}}"
          missing: "{{body#/nothing}}"
  - request: GET /trainings/{training_id}
    known: training_id
    sequenceBy: training_id
    responses:
      - body: {id: "{{id}}", poll: 1}
      - body: {id: "{{id}}", poll: 2}
  - request: GET /trainings
    require: {headers: {}}
    responses:
      - body: {page: 1}
      - body: {page: 2}
  - request: POST /trainings/{training_id}/cancel
    validateRequestBody: false
    responses:
      - status: 204
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO)
    return path


def create(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    """Create a training, with ``extra`` passed on to ``client.post``."""
    extra.setdefault("headers", AUTH)
    response = client.post(CREATE, json=BODY, **extra)
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


def test_base_url_has_server_path(serve: Serve, scenario: Path) -> None:
    server, _ = serve(scenario)
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"


def test_port_zero_picks_free_port(serve: Serve, scenario: Path) -> None:
    server, _ = serve(scenario)
    assert server.port > 0


def test_last_response_repeats(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    pages = [client.get("/trainings").json()["page"] for _ in range(4)]
    assert pages == [1, 2, 2, 2]


def test_sequence_kept_per_resource(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    first, second = create(client)["id"], create(client)["id"]
    first_polls = [
        client.get(f"/trainings/{first}", headers=AUTH).json()["poll"] for _ in range(3)
    ]
    second_poll = client.get(f"/trainings/{second}", headers=AUTH).json()["poll"]
    assert first_polls == [1, 2, 2]
    assert second_poll == 1


def test_generated_id_is_stable(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    training_id = create(client)["id"]
    polled = client.get(f"/trainings/{training_id}", headers=AUTH).json()["id"]
    assert polled == training_id


def test_generated_ids_are_distinct(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    ids = {create(client)["id"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("input", {"steps": 3}),
        ("steps", 3),
        ("summary", "steps=3 for acme"),
        ("owner", "acme"),
        ("page", "7"),
        ("client", "tests"),
        ("missing", None),
    ],
)
def test_placeholder_values(
    serve: Serve, scenario: Path, member: str, expected: object
) -> None:
    _, client = serve(scenario)
    training = create(
        client, params={"page": "7"}, headers={**AUTH, "X-Client": "tests"}
    )
    assert training[member] == expected


def test_response_header_is_templated(serve: Serve, scenario: Path) -> None:
    server, client = serve(scenario)
    response = client.post(CREATE, json=BODY, headers=AUTH)
    location = f"{server.base_url}/trainings/{response.json()['id']}"
    assert response.headers["Location"] == location


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer other-token"}, {"Authorization": "test-token"}],
    ids=["missing", "wrong", "no-scheme"],
)
def test_required_header_gets_401(
    serve: Serve, scenario: Path, headers: dict[str, str]
) -> None:
    _, client = serve(scenario)
    assert client.post(CREATE, json=BODY, headers=headers).status_code == 401


def test_401_has_detail(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    assert client.post(CREATE, json=BODY).json()["detail"]


def test_header_name_is_case_insensitive(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    response = client.post(
        CREATE, json=BODY, headers={"authorization": "Bearer test-token"}
    )
    assert response.status_code == 201


def test_route_require_overrides_scenario(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    assert client.get("/trainings").status_code == 200


def test_body_without_destination_gets_422(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    response = client.post(CREATE, json={"input": {}}, headers=AUTH)
    assert response.status_code == 422
    assert "'destination' is a required property" in response.json()["detail"]


def test_422_points_at_root(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    response = client.post(CREATE, json={"input": {}}, headers=AUTH)
    assert response.json()["detail"] == "/: 'destination' is a required property"


def test_422_pointer_escapes_names(serve: Serve, tmp_path: Path) -> None:
    openapi = tmp_path / "openapi.yaml"
    openapi.write_text(
        """
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /items:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                a/b: {type: integer}
                c~d: {type: integer}
      responses: {'201': {description: created}}
"""
    )
    scenario = tmp_path / "items.yaml"
    scenario.write_text(
        "routes:\n  - request: POST /items\n    responses: [{status: 201}]\n"
    )
    _, client = serve(scenario, openapi=openapi)
    detail = client.post("/items", json={"a/b": "x", "c~d": "y"}).json()["detail"]
    assert detail == (
        "/a~1b: 'x' is not of type 'integer'; /c~0d: 'y' is not of type 'integer'"
    )


def test_422_lists_every_violation(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    body = {"destination": "no-slash", "input": []}
    detail = client.post(CREATE, json=body, headers=AUTH).json()["detail"]
    assert "/destination: 'no-slash' does not match" in detail
    assert "/input: [] is not of type 'object'" in detail


@pytest.mark.parametrize(
    "extra",
    [
        {"webhook": "not a url"},
        {"webhook": None},
        {"webhook_events_filter": ["finished"]},
    ],
    ids=["webhook-not-uri", "webhook-null", "unknown-event"],
)
def test_invalid_optional_member_gets_422(
    serve: Serve, scenario: Path, extra: dict[str, object]
) -> None:
    _, client = serve(scenario)
    response = client.post(CREATE, json={**BODY, **extra}, headers=AUTH)
    assert response.status_code == 422


def test_valid_webhook_is_accepted(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    body = {**BODY, "webhook": "https://example.com/hook"}
    assert client.post(CREATE, json=body, headers=AUTH).status_code == 201


def test_missing_required_body_gets_422(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    response = client.post(CREATE, headers=AUTH)
    assert response.json()["detail"] == "a request body is required"


def test_invalid_json_gets_400(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    headers = {**AUTH, "Content-Type": "application/json"}
    response = client.post(CREATE, content=b"{not json", headers=headers)
    assert response.status_code == 400


def test_unchecked_route_takes_any_body(serve: Serve, scenario: Path) -> None:
    server, client = serve(scenario)
    training_id = create(client)["id"]
    response = client.post(f"/trainings/{training_id}/cancel", json=[1], headers=AUTH)
    assert response.status_code == 204


def test_response_without_body_is_empty(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    training_id = create(client)["id"]
    response = client.post(f"/trainings/{training_id}/cancel", headers=AUTH)
    assert response.content == b""


@pytest.mark.parametrize(
    "path",
    ["http://127.0.0.1:{port}/v1/nothing", "http://127.0.0.1:{port}/trainings"],
    ids=["unknown-route", "outside-base-path"],
)
def test_unmatched_path_gets_404(serve: Serve, scenario: Path, path: str) -> None:
    server, client = serve(scenario)
    response = client.get(path.format(port=server.port), headers=AUTH)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_uncreated_id_gets_404(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    assert client.get("/trainings/never-created", headers=AUTH).status_code == 404


def test_trailing_slash_matches(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    assert client.get("/trainings/").status_code == 200


def test_log_has_line_per_request(serve: Serve, scenario: Path, tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    _, client = serve(scenario, log_path=log)
    create(client)
    client.get("/trainings?cursor=abc")
    lines = log.read_text().splitlines()
    assert len(lines) == 2


def test_log_entry_fields(serve: Serve, scenario: Path, tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    _, client = serve(scenario, log_path=log)
    create(client, params={"page": "2"})
    entry = json.loads(log.read_text().splitlines()[0])
    assert entry["method"] == "POST"
    assert entry["path"] == f"/v1{CREATE}"
    assert entry["query"] == {"page": ["2"]}
    assert entry["body"] == BODY
    assert entry["status"] == 201


@pytest.mark.parametrize("name", ["Authorization", "Cookie", "Proxy-Authorization"])
def test_log_masks_secret_header(
    serve: Serve, scenario: Path, tmp_path: Path, name: str
) -> None:
    log = tmp_path / "requests.jsonl"
    _, client = serve(scenario, log_path=log)
    client.get("/trainings", headers={name: "secret-value-123"})
    assert "secret-value-123" not in log.read_text()
    assert json.loads(log.read_text())["headers"][name] == "***"


def test_requests_match_log(serve: Serve, scenario: Path, tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    server, client = serve(scenario, log_path=log)
    create(client)
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert server.requests == logged


def test_stop_without_start_returns(scenario: Path) -> None:
    server = MockServer(OPENAPI, scenario)
    server.stop()
    server.stop()


def test_context_manager_serves(scenario: Path) -> None:
    with MockServer(OPENAPI, scenario) as server:
        status = httpx.get(f"{server.base_url}/trainings").status_code
    assert status == 200


def test_remote_reference_is_not_fetched(tmp_path: Path, scenario: Path) -> None:
    openapi = tmp_path / "openapi.yaml"
    openapi.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /trainings:\n    $ref: 'http://127.0.0.1:9/paths.yaml'\n"
    )
    with pytest.raises(DocumentError, match="local descriptions only"):
        MockServer(openapi, scenario)


def test_openapi_30_nullable_accepts_null(serve: Serve, tmp_path: Path) -> None:
    openapi = tmp_path / "openapi.yaml"
    openapi.write_text(
        """
openapi: 3.0.3
info: {title: t, version: '1'}
servers: [{url: 'http://example.com/api'}]
paths:
  /items:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses: {'201': {description: created}}
components:
  schemas:
    Item:
      type: object
      properties:
        note: {type: string, nullable: true}
"""
    )
    scenario = tmp_path / "items.yaml"
    scenario.write_text(
        "routes:\n  - request: POST /items\n    responses: [{status: 201}]\n"
    )
    _, client = serve(scenario, openapi=openapi)
    assert client.post("/items", json={"note": None}).status_code == 201


def test_rejected_request_keeps_position(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    training_id = create(client)["id"]
    client.get(f"/trainings/{training_id}")
    poll = client.get(f"/trainings/{training_id}", headers=AUTH).json()["poll"]
    assert poll == 1


def test_blank_query_value_is_empty(serve: Serve, scenario: Path) -> None:
    _, client = serve(scenario)
    assert create(client, params={"page": ""})["page"] == ""


def test_unwritable_log_is_input_error(scenario: Path, tmp_path: Path) -> None:
    log = tmp_path / "missing-directory" / "requests.jsonl"
    with pytest.raises(InputError, match="cannot open the log file"):
        MockServer(OPENAPI, scenario, log_path=log)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\n",
            "not an OpenAPI description: it is an Arazzo document",
        ),
        (
            "info: {title: t, version: '1'}\npaths: {}\n",
            "not an OpenAPI description: it has no 'openapi' member",
        ),
        (
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "Swagger 2.0 descriptions are not supported: OpenAPI 3.x required",
        ),
        (
            "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "OpenAPI version '4.0.0' is not supported: OpenAPI 3.x required",
        ),
    ],
    ids=["arazzo", "no-version", "swagger-2", "openapi-4"],
)
def test_non_openapi_document_rejected(
    tmp_path: Path, scenario: Path, text: str, message: str
) -> None:
    document = tmp_path / "document.yaml"
    document.write_text(text)

    with pytest.raises(DocumentError) as raised:
        MockServer(document, scenario)

    assert raised.value.message == message


def test_unquoted_openapi_version_accepted(tmp_path: Path, scenario: Path) -> None:
    document = tmp_path / "openapi.yaml"
    document.write_text("openapi: 3.0\ninfo: {title: t, version: '1'}\npaths: {}\n")

    with MockServer(document, scenario) as server:
        assert server.port > 0
