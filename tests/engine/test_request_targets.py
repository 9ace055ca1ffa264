"""Naming operations, choosing servers, loading sources, and the transport's
cookies, redirects and timeouts, against a real server on 127.0.0.1."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from arazzo_runner import Runner, ValidationError
from tests.conftest import run_arazzo
from tests.support.documents import arazzo, load_runner, openapi, run_flow, write
from tests.support.http_server import Received, Reply, ScriptedServer

PETS = openapi(
    {
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "parameters": [{"name": "petId", "in": "path", "required": True}],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/a~b": {
            "get": {"operationId": "tilde", "responses": {"200": {"description": "ok"}}}
        },
        "/search": {
            "query": {
                "operationId": "search",
                "responses": {"200": {"description": "ok"}},
            },
        },
    }
)


def pet_step(**target: Any) -> dict[str, Any]:
    return {
        "stepId": "get",
        **target,
        "parameters": [{"name": "petId", "in": "path", "value": 7}],
        "successCriteria": [{"condition": "$statusCode == 200"}],
    }


@pytest.mark.parametrize(
    "target",
    [
        {"operationId": "getPet"},
        {"operationId": "$sourceDescriptions.api.getPet"},
        {"operationPath": "{$sourceDescriptions.api.url}#/paths/~1pets~1{petId}/get"},
        {
            "operationPath": "{$sourceDescriptions.api.url}"
            "#/paths/~1pets~1%7BpetId%7D/get"
        },
    ],
    ids=["operation-id", "qualified-id", "operation-path", "percent-encoded-path"],
)
def test_operation_named_each_way(
    tmp_path: Path, api_server: ScriptedServer, target: dict[str, Any]
) -> None:
    api_server.route("GET", "/pets/7", Reply(200, {}))
    result = run_flow(tmp_path, api_server.url, PETS, arazzo([pet_step(**target)]))
    assert result.status == "succeeded"
    assert [r.path for r in api_server.requests] == ["/pets/7"]


def test_operation_path_with_tilde(tmp_path: Path, api_server: ScriptedServer) -> None:
    api_server.route("GET", "/a~b", Reply(200, {}))
    step = {
        "stepId": "t",
        "operationPath": "{$sourceDescriptions.api.url}#/paths/~1a~0b/get",
    }
    result = run_flow(tmp_path, api_server.url, PETS, arazzo([step]))
    assert result.status == "succeeded"


def test_operation_path_to_path_item_warns(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/pets/7", Reply(200, {}))
    step = pet_step(
        operationPath="{$sourceDescriptions.api.url}#/paths/~1pets~1{petId}"
    )
    runner = load_runner(
        tmp_path, PETS, arazzo([step]), servers={"api": api_server.url}
    )
    assert any("points to a path item" in str(w) for w in runner.warnings)
    assert runner.run().status == "succeeded"


def test_query_method_in_openapi_31(tmp_path: Path, api_server: ScriptedServer) -> None:
    api_server.route("QUERY", "/search", Reply(200, {"hits": 2}))
    steps = [
        {"stepId": "byId", "operationId": "search"},
        {
            "stepId": "byPath",
            "operationPath": "{$sourceDescriptions.api.url}#/paths/~1search/query",
        },
    ]
    result = run_flow(tmp_path, api_server.url, PETS, arazzo(steps))
    assert result.status == "succeeded"
    assert [r.method for r in api_server.requests] == ["QUERY", "QUERY"]


def test_additional_operations_in_openapi_32(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    description = openapi(
        {
            "/files/{name}": {
                "parameters": [{"name": "name", "in": "path", "required": True}],
                "additionalOperations": {
                    "COPY": {
                        "operationId": "copyFile",
                        "responses": {"201": {"description": "copied"}},
                    }
                },
            }
        },
        version="3.2.0",
    )
    api_server.route("COPY", "/files/a.txt", Reply(201, {}))
    steps = [
        {
            "stepId": "copy",
            "operationId": "copyFile",
            "parameters": [{"name": "name", "in": "path", "value": "a.txt"}],
        },
        {
            "stepId": "copyByPath",
            "operationPath": "{$sourceDescriptions.api.url}"
            "#/paths/~1files~1{name}/additionalOperations/COPY",
            "parameters": [{"name": "name", "in": "path", "value": "a.txt"}],
        },
    ]
    result = run_flow(tmp_path, api_server.url, description, arazzo(steps))
    assert result.status == "succeeded"
    assert [r.method for r in api_server.requests] == ["COPY", "COPY"]


def test_additional_operation_keeps_method_case(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    description = openapi(
        {
            "/files/a.txt": {
                "additionalOperations": {
                    "Purge": {
                        "operationId": "purgeFile",
                        "responses": {"204": {"description": "purged"}},
                    }
                },
                "get": {
                    "operationId": "getFile",
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
        version="3.2.0",
    )
    api_server.route("Purge", "/files/a.txt", Reply(204))
    api_server.route("GET", "/files/a.txt", Reply(200, {}))
    steps = [
        {
            "stepId": "purge",
            "operationId": "purgeFile",
            "outputs": {"method": "$method"},
        },
        {"stepId": "get", "operationId": "getFile"},
    ]
    result = run_flow(tmp_path, api_server.url, description, arazzo(steps))
    assert result.status == "succeeded", result.error
    assert [r.method for r in api_server.requests] == ["Purge", "GET"]
    assert result.steps[0].outputs == {"method": "Purge"}


def test_several_sources_need_qualified_ids(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    other = openapi(
        {
            "/other": {
                "get": {
                    "operationId": "getPet",
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    write(tmp_path, "other.yaml", other)
    api_server.route("GET", "/other", Reply(200, {}))
    sources = [
        {"name": "api", "url": "openapi.yaml", "type": "openapi"},
        {"name": "other", "url": "other.yaml", "type": "openapi"},
    ]
    doc = arazzo(
        [{"stepId": "s", "operationId": "$sourceDescriptions.other.getPet"}],
        sources=sources,
    )
    result = run_flow(
        tmp_path,
        api_server.url,
        PETS,
        doc,
        servers={"api": api_server.url, "other": api_server.url},
    )
    assert result.status == "succeeded"
    assert api_server.requests[0].path == "/other"


# Servers


def server_api(servers: list[dict[str, Any]], **levels: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": "ping",
        "responses": {"200": {"description": "ok"}},
    }
    if "operation" in levels:
        operation["servers"] = levels["operation"]
    item: dict[str, Any] = {"get": operation}
    if "path_item" in levels:
        item["servers"] = levels["path_item"]
    return openapi({"/ping": item}, servers=servers)


def run_ping(tmp_path: Path, description: dict[str, Any], **options: Any) -> Any:
    runner = load_runner(
        tmp_path,
        description,
        arazzo([{"stepId": "ping", "operationId": "ping"}]),
        **options,
    )
    return runner.run()


def test_server_variables_take_defaults(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    port = api_server.url.rsplit(":", 1)[1]
    description = server_api(
        [
            {
                "url": "http://{host}:{port}/{base}",
                "variables": {
                    "host": {"default": "127.0.0.1"},
                    "port": {"default": port},
                    "base": {"default": "v2", "enum": ["v1", "v2"]},
                },
            }
        ]
    )
    api_server.route("GET", "/v2/ping", Reply(200, {}))
    assert run_ping(tmp_path, description).status == "succeeded"


def test_server_variable_default_outside_enum(tmp_path: Path) -> None:
    description = server_api(
        [
            {
                "url": "http://127.0.0.1/{base}",
                "variables": {"base": {"default": "v3", "enum": ["v1", "v2"]}},
            }
        ]
    )
    with pytest.raises(ValidationError) as caught:
        run_ping(tmp_path, description)
    assert "default 'v3', which is not one of its enum values" in str(
        caught.value.diagnostics[0]
    )


def test_operation_and_path_item_servers_win(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/op/ping", Reply(200, {}))
    api_server.route("GET", "/item/ping", Reply(200, {}))
    description = server_api(
        [{"url": "http://127.0.0.1:9/doc"}],
        path_item=[{"url": api_server.url + "/item"}],
        operation=[{"url": api_server.url + "/op"}],
    )
    assert run_ping(tmp_path, description).status == "succeeded"
    del description["paths"]["/ping"]["get"]["servers"]
    assert run_ping(tmp_path, description).status == "succeeded"
    assert [r.path for r in api_server.requests] == ["/op/ping", "/item/ping"]


def test_server_override_replaces_servers(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/base/ping", Reply(200, {}))
    description = server_api([{"url": "https://api.invalid/v1"}])
    result = run_ping(tmp_path, description, servers={"api": api_server.url + "/base/"})
    assert result.status == "succeeded"


@pytest.mark.parametrize(
    ("servers", "message"),
    [
        ([], "declares no server"),
        ([{"url": "/v1"}], "the server URL '/v1' of source 'api' is relative"),
    ],
    ids=["no-servers", "relative-server-local-file"],
)
def test_no_usable_server_is_load_error(
    tmp_path: Path, servers: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        run_ping(tmp_path, server_api(servers))
    diagnostic = caught.value.diagnostics[0]
    assert message in str(diagnostic)
    assert "--server api=URL" in str(diagnostic)


def serve_description(server: ScriptedServer, path: str, data: dict[str, Any]) -> None:
    server.route(
        "GET",
        path,
        Reply(
            200,
            yaml.safe_dump(data).encode(),
            headers={"Content-Type": "application/yaml"},
        ),
    )


def test_remote_description_with_relative_server(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    serve_description(api_server, "/specs/openapi.yaml", server_api([{"url": "/api"}]))
    api_server.route("GET", "/api/ping", Reply(200, {}))
    sources = [{"name": "api", "url": api_server.url + "/specs/openapi.yaml"}]
    doc = arazzo([{"stepId": "ping", "operationId": "ping"}], sources=sources)
    path = write(tmp_path, "flow.arazzo.yaml", doc)
    result = Runner.from_path(path).run()
    assert result.status == "succeeded"
    assert [r.path for r in api_server.requests] == ["/specs/openapi.yaml", "/api/ping"]


def test_source_override_loads_other_file(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/ping", Reply(200, {}))
    write(tmp_path, "elsewhere/api.yaml", server_api([{"url": api_server.url}]))
    doc = arazzo(
        [{"stepId": "ping", "operationId": "ping"}],
        sources=[{"name": "api", "url": "https://example.invalid/openapi.yaml"}],
    )
    path = write(tmp_path, "flow.arazzo.yaml", doc)
    runner = Runner.from_path(
        path, sources={"api": str(tmp_path / "elsewhere/api.yaml")}
    )
    assert runner.run().status == "succeeded"


# Sources and references


def test_sources_resolved_against_their_document(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    # The Arazzo file sits in one folder, the description in a sibling, and
    # the description's $refs point into a third file beside it.
    write(
        tmp_path,
        "apis/shared.yaml",
        {
            "parameters": {
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "explode": False,
                    "schema": {},
                }
            },
            "paths": {
                "items": {
                    "get": {
                        "operationId": "listItems",
                        "parameters": [{"$ref": "#/parameters/limit"}],
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            },
        },
    )
    write(
        tmp_path,
        "apis/openapi.yaml",
        openapi(
            {"/items": {"$ref": "shared.yaml#/paths/items"}},
            servers=[{"url": api_server.url}],
        ),
    )
    api_server.route("GET", "/items", Reply(200, []))
    doc = arazzo(
        [
            {
                "stepId": "list",
                "operationId": "listItems",
                "parameters": [{"name": "limit", "in": "query", "value": [1, 2]}],
            }
        ],
        sources=[{"name": "api", "url": "../apis/openapi.yaml"}],
    )
    path = write(tmp_path, "flows/flow.arazzo.yaml", doc)
    result = Runner.from_path(path).run()
    assert result.status == "succeeded"
    assert api_server.requests[0].raw_query == "limit=1,2"


def test_circular_schemas_load(tmp_path: Path, api_server: ScriptedServer) -> None:
    description = openapi(
        {
            "/nodes": {
                "post": {
                    "operationId": "addNode",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Node"}
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        components={
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        }
                    },
                }
            }
        },
    )
    api_server.route("POST", "/nodes", Reply(200, {"children": [{"children": []}]}))
    doc = arazzo(
        [
            {
                "stepId": "add",
                "operationId": "addNode",
                "requestBody": {"payload": {"children": []}},
            }
        ]
    )
    result = run_flow(
        tmp_path, api_server.url, description, doc, validate_responses=True
    )
    assert result.status == "succeeded"


def test_remote_source_fetched_once(tmp_path: Path, api_server: ScriptedServer) -> None:
    serve_description(
        api_server, "/specs/openapi.yaml", server_api([{"url": api_server.url}])
    )
    api_server.route("GET", "/ping", Reply(200, {}))
    url = api_server.url + "/specs/openapi.yaml"
    doc = arazzo(
        [{"stepId": "ping", "operationId": "$sourceDescriptions.first.ping"}],
        sources=[{"name": "first", "url": url}, {"name": "second", "url": url}],
    )
    path = write(tmp_path, "flow.arazzo.yaml", doc)
    assert Runner.from_path(path).run().status == "succeeded"
    assert len(api_server.received("GET", "/specs/openapi.yaml")) == 1


def test_unreachable_source_is_load_error(tmp_path: Path) -> None:
    doc = arazzo(
        [{"stepId": "ping", "operationId": "ping"}],
        sources=[{"name": "api", "url": "missing/openapi.yaml"}],
    )
    path = write(tmp_path, "flow.arazzo.yaml", doc)
    with pytest.raises(ValidationError) as caught:
        Runner.from_path(path)
    assert "source 'api': cannot read" in str(caught.value.diagnostics[0])


def test_swagger_2_source_rejected(tmp_path: Path) -> None:
    write(tmp_path, "openapi.yaml", {"swagger": "2.0", "paths": {}})
    path = write(
        tmp_path, "flow.arazzo.yaml", arazzo([{"stepId": "s", "operationId": "x"}])
    )
    with pytest.raises(ValidationError) as caught:
        Runner.from_path(path)
    messages = [str(d) for d in caught.value.diagnostics]
    assert any("Swagger 2.0 descriptions are not supported" in m for m in messages)


# Transport: cookies, redirects, timeouts


def test_cookies_from_responses_sent_later(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    description = openapi(
        {
            "/login": {
                "post": {
                    "operationId": "login",
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/me": {
                "get": {
                    "operationId": "me",
                    "responses": {"200": {"description": "ok"}},
                }
            },
        }
    )
    api_server.route(
        "POST",
        "/login",
        Reply(200, {}, headers={"Set-Cookie": "session=s3cr3t; Path=/"}),
    )
    api_server.route("GET", "/me", Reply(200, {}))
    doc = arazzo(
        [
            {"stepId": "login", "operationId": "login"},
            {"stepId": "me", "operationId": "me"},
            {
                "stepId": "meAgain",
                "operationId": "me",
                "parameters": [{"name": "theme", "in": "cookie", "value": "dark"}],
            },
        ]
    )
    result = run_flow(tmp_path, api_server.url, description, doc)
    assert result.status == "succeeded"
    first, second = api_server.received("GET", "/me")
    assert first.headers["cookie"] == "session=s3cr3t"
    assert second.headers["cookie"] == "session=s3cr3t; theme=dark"


def test_redirect_not_followed(tmp_path: Path, api_server: ScriptedServer) -> None:
    description = openapi(
        {
            "/start": {
                "get": {
                    "operationId": "start",
                    "responses": {"302": {"description": "go"}},
                }
            }
        }
    )
    api_server.route(
        "GET", "/start", Reply(302, None, headers={"Location": "/elsewhere?code=abc"})
    )
    doc = arazzo(
        [
            {
                "stepId": "start",
                "operationId": "start",
                "successCriteria": [{"condition": "$statusCode == 302"}],
                "outputs": {"location": "$response.header.Location"},
            }
        ],
        outputs={"location": "$steps.start.outputs.location"},
    )
    result = run_flow(tmp_path, api_server.url, description, doc)
    assert result.status == "succeeded"
    assert result.outputs == {"location": "/elsewhere?code=abc"}
    assert [r.path for r in api_server.requests] == ["/start"]


def test_timeout_fails_step(tmp_path: Path, api_server: ScriptedServer) -> None:
    def slow(_request: Received) -> Reply:
        time.sleep(0.5)
        return Reply(200, {})

    api_server.route("GET", "/ping", slow)
    result = run_ping(tmp_path, server_api([{"url": api_server.url}]), timeout=0.1)
    assert result.status == "failed"
    assert result.error is not None
    assert "timed out after 0.1 s" in result.error.message


def test_cli_server_and_source_options(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/base/ping", Reply(200, {}))
    write(tmp_path, "copy/api.yaml", server_api([{"url": "/relative"}]))
    doc = arazzo(
        [{"stepId": "ping", "operationId": "ping"}],
        sources=[{"name": "api", "url": "https://example.invalid/openapi.yaml"}],
    )
    path = write(tmp_path, "flow.arazzo.yaml", doc)
    source = f"api={tmp_path / 'copy/api.yaml'}"
    missing_server = run_arazzo("run", str(path), "--source", source)
    assert missing_server.returncode == 2
    assert "the server URL '/relative' of source 'api' is relative" in (
        missing_server.stderr
    )
    assert "no request was sent" in missing_server.stderr
    completed = run_arazzo(
        "run", str(path), "--source", source, "--server", f"api={api_server.url}/base"
    )
    assert completed.returncode == 0, completed.stderr
    assert [r.path for r in api_server.requests] == ["/base/ping"]


def test_unknown_server_name_is_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        load_runner(
            tmp_path,
            server_api([{"url": "http://127.0.0.1:9"}]),
            arazzo([{"stepId": "ping", "operationId": "ping"}]),
            servers={"nope": "http://127.0.0.1:9"},
        )
    messages = [str(d) for d in caught.value.diagnostics]
    assert any("server override 'nope' names no source" in m for m in messages)


def test_unknown_source_name_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        load_runner(
            tmp_path,
            server_api([{"url": "http://127.0.0.1:9"}]),
            arazzo([{"stepId": "ping", "operationId": "ping"}]),
            sources={"other": "x.yaml"},
        )
    codes = [d.code for d in caught.value.diagnostics]
    assert "unknown-source-override" in codes


@pytest.mark.parametrize("server", ["localhost:8080", "http://127.0.0.1:99999"])
def test_server_override_must_be_url(tmp_path: Path, server: str) -> None:
    with pytest.raises(ValidationError) as caught:
        run_ping(
            tmp_path,
            server_api([{"url": "http://127.0.0.1:9"}]),
            servers={"api": server},
        )
    message = str(caught.value.diagnostics[0])
    assert f"the server {server!r} given for source 'api' is not a valid" in message


@pytest.mark.parametrize(
    "server", ["http://127.0.0.1:9/v1?x=1", "http://127.0.0.1:9/#a"]
)
def test_server_override_without_query(tmp_path: Path, server: str) -> None:
    with pytest.raises(ValidationError) as caught:
        run_ping(
            tmp_path,
            server_api([{"url": "http://127.0.0.1:9"}]),
            servers={"api": server},
        )
    message = str(caught.value.diagnostics[0])
    assert "has a query string or fragment" in message


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[ScriptedServer]:
    """A ScriptedServer on 127.0.0.1 behind a self-signed certificate."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = ScriptedServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    server.start()
    yield server
    server.stop()


def test_tls_verified_unless_turned_off(
    tmp_path: Path, tls_server: ScriptedServer
) -> None:
    tls_server.route("GET", "/ping", Reply(200, {}))
    url = tls_server.url.replace("http://", "https://")
    description = server_api([{"url": url}])
    verified = run_ping(tmp_path, description)
    assert verified.status == "failed"
    assert verified.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in verified.error.message
    insecure = run_ping(tmp_path, description, verify_tls=False)
    assert insecure.status == "succeeded"
    assert [r.path for r in tls_server.requests] == ["/ping"]


def test_remote_references_across_files(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route(
        "GET",
        "/specs/common/params.yaml",
        Reply(
            200,
            yaml.safe_dump(
                {
                    "limit": {
                        "name": "limit",
                        "in": "query",
                        "style": "pipeDelimited",
                        "explode": False,
                    }
                }
            ).encode(),
            headers={"Content-Type": "application/yaml"},
        ),
    )
    description = openapi(
        {
            "/items": {
                "get": {
                    "operationId": "listItems",
                    "parameters": [{"$ref": "common/params.yaml#/limit"}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        servers=[{"url": "/api"}],
    )
    serve_description(api_server, "/specs/openapi.yaml", description)
    api_server.route("GET", "/api/items", Reply(200, []))
    doc = arazzo(
        [
            {
                "stepId": "list",
                "operationId": "listItems",
                "parameters": [{"name": "limit", "in": "query", "value": [1, 2]}],
            }
        ],
        sources=[{"name": "api", "url": api_server.url + "/specs/openapi.yaml"}],
    )
    path = write(tmp_path, "flow.arazzo.yaml", doc)
    assert Runner.from_path(path).run().status == "succeeded"
    assert api_server.received("GET", "/api/items")[0].raw_query == "limit=1|2"
