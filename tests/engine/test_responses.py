"""Reading responses and validating them against the description, against a
real server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from arazzo_runner import Runner, ValidationError
from tests.conftest import run_arazzo
from tests.support.documents import arazzo, openapi, run_flow, write
from tests.support.http_server import Reply, ScriptedServer

PET_SCHEMA = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
}

API = openapi(
    {
        "/pet": {
            "get": {
                "operationId": "getPet",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": PET_SCHEMA}},
                    }
                },
            }
        }
    }
)


def fetch(
    tmp_path: Path,
    server: ScriptedServer,
    reply: Reply,
    outputs: dict[str, str],
    criteria: list[dict[str, Any]] | None = None,
    **options: Any,
) -> Any:
    server.route("GET", "/pet", reply)
    step: dict[str, Any] = {
        "stepId": "get",
        "operationId": "getPet",
        "outputs": outputs,
    }
    if criteria:
        step["successCriteria"] = criteria
    doc = arazzo([step], outputs={k: f"$steps.get.outputs.{k}" for k in outputs})
    return run_flow(tmp_path, server.url, API, doc, **options)


def test_json_body_parsed(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = fetch(
        tmp_path,
        api_server,
        Reply(200, {"name": "Rex", "age": 3}),
        {"name": "$response.body#/name", "age": "$response.body#/age"},
    )
    assert result.outputs == {"name": "Rex", "age": 3}


JSON_HEADERS = {"Content-Type": "application/json"}


def test_invalid_json_body_warns(tmp_path: Path, api_server: ScriptedServer) -> None:
    reply = Reply(200, b"<html>oops</html>", headers=JSON_HEADERS)
    result = fetch(tmp_path, api_server, reply, {"body": "$response.body"})
    assert any("is not valid JSON" in warning for warning in result.warnings)


def test_json_string_body_no_warning(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    reply = Reply(200, b'"plain"', headers=JSON_HEADERS)
    result = fetch(tmp_path, api_server, reply, {"body": "$response.body"})
    assert result.warnings == []


def test_deeply_nested_json_kept_as_text(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    reply = Reply(200, b"[" * 100_000, headers=JSON_HEADERS)
    result = fetch(tmp_path, api_server, reply, {"body": "$response.body"})
    assert result.outputs == {"body": "[" * 100_000}


def test_nan_body_is_not_json(tmp_path: Path, api_server: ScriptedServer) -> None:
    reply = Reply(200, b"NaN", headers=JSON_HEADERS)
    result = fetch(tmp_path, api_server, reply, {"body": "$response.body"})
    assert result.outputs == {"body": "NaN"}


def test_non_utf8_body_validated_without_crash(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    reply = Reply(200, b"\xff\xfe{bad", headers=JSON_HEADERS)
    result = fetch(
        tmp_path, api_server, reply, {"body": "$response.body"}, validate_responses=True
    )
    assert result.status == "succeeded"


def test_plus_json_body_parsed(tmp_path: Path, api_server: ScriptedServer) -> None:
    reply = Reply(
        200,
        b'{"title": "bad"}',
        headers={"Content-Type": "application/problem+json; charset=utf-8"},
    )
    result = fetch(tmp_path, api_server, reply, {"title": "$response.body#/title"})
    assert result.outputs == {"title": "bad"}


def test_xml_body_kept_for_xpath(tmp_path: Path, api_server: ScriptedServer) -> None:
    reply = Reply(
        200,
        b"<pet><name>Rex</name></pet>",
        headers={"Content-Type": "application/xml"},
    )
    result = fetch(
        tmp_path,
        api_server,
        reply,
        {"body": "$response.body"},
        [
            {
                "context": "$response.body",
                "condition": "/pet/name[text()='Rex']",
                "type": "xpath",
            }
        ],
    )
    assert result.status == "succeeded"
    assert result.outputs == {"body": "<pet><name>Rex</name></pet>"}


def test_text_body_decoded_by_charset(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    reply = Reply(
        200,
        "café".encode("latin-1"),
        headers={"Content-Type": "text/plain; charset=latin-1"},
    )
    result = fetch(tmp_path, api_server, reply, {"body": "$response.body"})
    assert result.outputs == {"body": "café"}


def test_empty_body_is_null(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = fetch(tmp_path, api_server, Reply(200, None), {"body": "$response.body"})
    assert result.outputs == {"body": None}


def test_binary_body_is_bytes(tmp_path: Path, api_server: ScriptedServer) -> None:
    blob = bytes(range(200))
    reply = Reply(200, blob, headers={"Content-Type": "image/png"})
    api_server.route("GET", "/pet", reply)
    doc = arazzo(
        [
            {
                "stepId": "get",
                "operationId": "getPet",
                "outputs": {"body": "$response.body"},
                "successCriteria": [{"condition": "$statusCode == 200"}],
            }
        ]
    )
    result = run_flow(tmp_path, api_server.url, API, doc)
    assert result.status == "succeeded"
    assert result.steps[0].outputs == {"body": blob}
    reported = result.to_dict()["steps"][0]["outputs"]
    assert reported == {"body": {"binary": True, "length": 200}}


def test_invalid_response_warns(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = fetch(
        tmp_path,
        api_server,
        Reply(200, {"age": "three"}),
        {"age": "$response.body#/age"},
        validate_responses=True,
    )
    assert result.status == "succeeded"
    problems = [w for w in result.warnings if "does not match GET /pet" in w]
    assert len(problems) == 1
    assert "'name' is a required property" in problems[0]
    assert "/age: 'three' is not of type 'integer'" in problems[0]


def test_undeclared_status_warns(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = fetch(
        tmp_path,
        api_server,
        Reply(418, {"name": "Rex"}),
        {},
        [{"condition": "$statusCode == 418"}],
        validate_responses=True,
    )
    assert result.status == "succeeded"
    assert any("status 418 is not a declared response" in w for w in result.warnings)


def test_valid_response_has_no_warning(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    result = fetch(
        tmp_path,
        api_server,
        Reply(200, {"name": "Rex"}),
        {},
        validate_responses=True,
    )
    assert result.status == "succeeded"
    assert result.warnings == []


def test_invalid_response_fails_when_strict(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    result = fetch(
        tmp_path,
        api_server,
        Reply(200, {"age": 3}),
        {},
        validate_responses=True,
        strict=True,
    )
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.kind == "response-invalid"
    assert "'name' is a required property" in result.error.message


def test_validation_off_by_default(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = fetch(tmp_path, api_server, Reply(200, {"age": "x"}), {})
    assert result.warnings == []


@pytest.mark.parametrize("strict", [False, True], ids=["warn", "strict"])
def test_cli_validate_responses(
    tmp_path: Path, api_server: ScriptedServer, strict: bool
) -> None:
    api_server.route("GET", "/pet", Reply(200, {"age": 3}))
    write(tmp_path, "openapi.yaml", API)
    path = write(
        tmp_path,
        "flow.arazzo.yaml",
        arazzo([{"stepId": "get", "operationId": "getPet"}]),
    )
    args = [
        "run",
        str(path),
        "--server",
        f"api={api_server.url}",
        "--validate-responses",
        "--format",
        "json",
    ]
    completed = run_arazzo(*args, *(["--strict"] if strict else []))
    result = json.loads(completed.stdout)
    assert completed.returncode == (1 if strict else 0), completed.stderr
    if strict:
        assert result["error"]["kind"] == "response-invalid"
    else:
        assert any("'name' is a required property" in w for w in result["warnings"])


def test_query_method_response_validated(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    description = openapi(
        {
            "/search": {
                "query": {
                    "operationId": "search",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": PET_SCHEMA}},
                        }
                    },
                }
            }
        }
    )
    api_server.route("QUERY", "/search", Reply(200, {"age": 1}))
    doc = arazzo([{"stepId": "search", "operationId": "search"}])
    result = run_flow(
        tmp_path, api_server.url, description, doc, validate_responses=True
    )
    assert result.status == "succeeded"
    assert any(
        "does not match QUERY /search" in w and "'name' is a required property" in w
        for w in result.warnings
    )


def test_validation_follows_external_refs(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    write(tmp_path, "schemas/pet.yaml", PET_SCHEMA)
    description = openapi(
        {
            "/pet": {
                "get": {
                    "operationId": "getPet",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "schemas/pet.yaml"}
                                }
                            },
                        }
                    },
                }
            }
        }
    )
    api_server.route("GET", "/pet", Reply(200, {"name": 5}))
    doc = arazzo([{"stepId": "get", "operationId": "getPet"}])
    result = run_flow(
        tmp_path, api_server.url, description, doc, validate_responses=True
    )
    assert any("/name: 5 is not of type 'string'" in w for w in result.warnings)


def validate_one(
    tmp_path: Path,
    server: ScriptedServer,
    operation: dict[str, Any],
    reply: Reply,
    **options: Any,
) -> Any:
    """Run one GET /thing step with response validation and return the result."""
    server.route("GET", "/thing", reply)
    description = openapi({"/thing": {"get": {"operationId": "getThing", **operation}}})
    doc = arazzo([{"stepId": "get", "operationId": "getThing"}])
    return run_flow(
        tmp_path, server.url, description, doc, validate_responses=True, **options
    )


def declares(media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "responses": {
            "200": {"description": "ok", "content": {media_type: {"schema": schema}}}
        }
    }


PROBLEM = {"type": "object", "required": ["title"]}


@pytest.mark.parametrize(
    "media_type", ["application/problem+json", "application/merge-patch+json"]
)
def test_plus_json_body_validated_as_json(
    tmp_path: Path, api_server: ScriptedServer, media_type: str
) -> None:
    reply = Reply(200, b'{"title": "bad"}', headers={"Content-Type": media_type})
    result = validate_one(tmp_path, api_server, declares(media_type, PROBLEM), reply)
    assert result.warnings == []


def test_invalid_plus_json_body_reported(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    media_type = "application/problem+json"
    reply = Reply(200, b'{"status": 400}', headers={"Content-Type": media_type})
    result = validate_one(tmp_path, api_server, declares(media_type, PROBLEM), reply)
    assert len(result.warnings) == 1
    assert "/: 'title' is a required property" in result.warnings[0]


def test_media_type_range_body_parsed(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    reply = Reply(200, {"title": "bad"})
    result = validate_one(
        tmp_path, api_server, declares("application/*", PROBLEM), reply
    )
    assert result.warnings == []


def test_text_body_validated_as_text(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    reply = Reply(200, b"a,b", headers={"Content-Type": "text/csv"})
    operation = declares("text/csv", {"type": "string", "maxLength": 2})
    result = validate_one(tmp_path, api_server, operation, reply)
    assert len(result.warnings) == 1
    assert "/: 'a,b' is too long" in result.warnings[0]


def test_xml_body_schema_not_checked(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    reply = Reply(200, b"<a><b>hi</b></a>", headers={"Content-Type": "application/xml"})
    operation = declares("application/xml", {"type": "object"})
    result = validate_one(tmp_path, api_server, operation, reply, strict=True)
    assert result.status == "succeeded"
    assert result.warnings == []


def test_xml_response_status_still_checked(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    reply = Reply(201, b"<a/>", headers={"Content-Type": "application/xml"})
    operation = declares("application/xml", {"type": "object"})
    result = validate_one(tmp_path, api_server, operation, reply)
    assert any("status 201 is not a declared response" in w for w in result.warnings)


def test_operation_without_responses_passes(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    result = validate_one(tmp_path, api_server, {}, Reply(200, {}), strict=True)
    assert result.status == "succeeded"
    assert result.warnings == []


def test_unresolvable_schema_reference_refused(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    # A broken reference is found when the document is loaded, so the run
    # never reaches response validation.
    operation = declares("application/json", {"$ref": "#/components/schemas/Nope"})
    with pytest.raises(ValidationError) as caught:
        validate_one(tmp_path, api_server, operation, Reply(200, {}))
    codes = [d.code for d in caught.value.diagnostics]
    assert codes == ["source-reference"]


def test_library_failure_names_openapi_core(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    # `type: 5` is an invalid schema, which openapi-core fails on with a
    # TypeError of its own.
    operation = declares("application/json", {"type": 5})
    result = validate_one(tmp_path, api_server, operation, Reply(200, {}))
    assert len(result.warnings) == 1
    assert "the response could not be validated: openapi-core " in result.warnings[0]
    assert "failed: TypeError" in result.warnings[0]


def test_remote_references_fetched_once(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    # The path item lives in another file, which the runner reads while
    # loading; response validation must reuse it rather than fetch it again.
    root = openapi({"/pet": {"$ref": "paths.yaml#/pet"}})
    paths = {
        "pet": {
            "get": {
                "operationId": "getPet",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "schemas.yaml#/Pet"}
                            }
                        },
                    }
                },
            }
        }
    }

    files = {
        "/specs/openapi.yaml": root,
        "/specs/paths.yaml": paths,
        "/specs/schemas.yaml": {"Pet": PET_SCHEMA},
    }
    for route, data in files.items():
        api_server.route("GET", route, Reply(200, yaml.safe_dump(data)))
    api_server.route("GET", "/pet", Reply(200, {"name": 5}))

    sources = [
        {
            "name": "api",
            "url": f"{api_server.url}/specs/openapi.yaml",
            "type": "openapi",
        }
    ]
    path = write(
        tmp_path,
        "flow.arazzo.yaml",
        arazzo([{"stepId": "get", "operationId": "getPet"}], sources=sources),
    )
    runner = Runner.from_path(
        path, servers={"api": api_server.url}, validate_responses=True
    )

    first = runner.run()
    second = runner.run()
    assert any("/name: 5 is not of type 'string'" in w for w in first.warnings)
    assert any("/name: 5 is not of type 'string'" in w for w in second.warnings)
    for route in files:
        assert len(api_server.received("GET", route)) == 1, route


def test_missing_referenced_file_refused(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    operation = declares("application/json", {"$ref": "schemas/missing.yaml"})
    with pytest.raises(ValidationError) as caught:
        validate_one(tmp_path, api_server, operation, Reply(200, {}))
    assert "schemas/missing.yaml" in caught.value.diagnostics[0].message
