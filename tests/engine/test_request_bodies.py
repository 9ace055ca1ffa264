"""Request bodies by media type, content type choice and payload replacements,
sent to a real server on 127.0.0.1."""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import pytest

from tests.support.documents import arazzo, openapi, run_flow, write
from tests.support.http_server import Received, Reply, ScriptedServer


def body_api(content: dict[str, Any] | None, method: str = "post") -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": "send",
        "responses": {"200": {"description": "ok"}},
    }
    if content is not None:
        operation["requestBody"] = {"content": content}
    return openapi({"/things": {method: operation}})


def send_body(
    tmp_path: Path,
    server: ScriptedServer,
    request_body: dict[str, Any],
    *,
    content: dict[str, Any] | None = None,
    inputs: dict[str, Any] | None = None,
    method: str = "post",
) -> tuple[Received | None, Any]:
    server.route(method.upper(), "/things", Reply(200, {}))
    doc = arazzo(
        [{"stepId": "send", "operationId": "send", "requestBody": request_body}]
    )
    result = run_flow(
        tmp_path, server.url, body_api(content, method), doc, inputs or {}
    )
    return (server.requests[-1] if server.requests else None), result


JSON_CASES = [
    ({"a": 1, "b": [True, None]}, {"a": 1, "b": [True, None]}),
    ([1, "two"], [1, "two"]),
    (None, None),
    ("plain text", "plain text"),
]


@pytest.mark.parametrize(
    ("value", "expected"), JSON_CASES, ids=["object", "array", "null", "string"]
)
def test_json_payload_from_expression(
    tmp_path: Path, api_server: ScriptedServer, value: Any, expected: Any
) -> None:
    request, _ = send_body(
        tmp_path,
        api_server,
        {"contentType": "application/json", "payload": "$inputs.value"},
        inputs={"value": value},
    )
    assert request is not None
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == expected


def test_json_payload_object_with_expressions(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request, _ = send_body(
        tmp_path,
        api_server,
        {"payload": {"name": "$inputs.name", "tags": ["x", "{$inputs.name}-2"]}},
        inputs={"name": "rex"},
    )
    assert request is not None
    assert request.json() == {"name": "rex", "tags": ["x", "rex-2"]}


def test_json_text_template_sent_as_written(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request, result = send_body(
        tmp_path,
        api_server,
        {
            "contentType": "application/json",
            "payload": '{"quantity": {$inputs.quantity}, "note": "{$inputs.note}"}',
        },
        inputs={"quantity": 3, "note": "hi"},
    )
    assert request is not None
    assert request.body == b'{"quantity": 3, "note": "hi"}'
    assert result.warnings == []


def test_invalid_json_text_sent_with_warning(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    # A quoted placeholder that receives an object makes invalid JSON. The
    # runner sends the text as written and adds a warning.
    request, result = send_body(
        tmp_path,
        api_server,
        {
            "contentType": "application/json",
            "payload": '{"customer": "{$inputs.customer}"}',
        },
        inputs={"customer": {"name": "Ann"}},
    )
    assert request is not None
    assert request.body == b'{"customer": "{"name":"Ann"}"}'
    assert any("is not valid JSON" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("payload", "inputs", "where"),
    [
        ({"n": float("nan")}, {}, "nan at /n"),
        ({"a": [1, "$inputs.n"]}, {"n": float("inf")}, "inf at /a/1"),
        ("$inputs.n", {"n": float("-inf")}, "-inf at /"),
    ],
    ids=["yaml-nan", "input-inf", "whole-payload"],
)
def test_non_finite_number_fails_before_sending(
    tmp_path: Path,
    api_server: ScriptedServer,
    payload: Any,
    inputs: dict[str, Any],
    where: str,
) -> None:
    request, result = send_body(
        tmp_path,
        api_server,
        {"contentType": "application/json", "payload": payload},
        inputs=inputs,
    )
    assert request is None
    assert result.error is not None
    assert result.error.kind == "request-error"
    assert f"the value {where} cannot be sent as JSON" in result.error.message


def test_nan_in_json_text_warns(tmp_path: Path, api_server: ScriptedServer) -> None:
    request, result = send_body(
        tmp_path,
        api_server,
        {"contentType": "application/json", "payload": '{"n": {$inputs.n}}'},
        inputs={"n": float("nan")},
    )
    assert request is not None
    assert request.body == b'{"n": NaN}'
    assert any("NaN is not a JSON value" in w for w in result.warnings)


def test_plus_json_media_type(tmp_path: Path, api_server: ScriptedServer) -> None:
    request, _ = send_body(
        tmp_path,
        api_server,
        {"payload": {"op": "add"}},
        content={"application/merge-patch+json": {"schema": {}}},
    )
    assert request is not None
    assert request.headers["content-type"] == "application/merge-patch+json"
    assert request.json() == {"op": "add"}


def test_form_urlencoded_object(tmp_path: Path, api_server: ScriptedServer) -> None:
    request, _ = send_body(
        tmp_path,
        api_server,
        {
            "contentType": "application/x-www-form-urlencoded",
            "payload": {
                "grant_type": "code",
                "scope": ["read", "write"],
                "redirect": "https://x/y?z=1 2",
            },
        },
    )
    assert request is not None
    assert request.body == (
        b"grant_type=code&scope=read&scope=write&redirect=https%3A%2F%2Fx%2Fy%3Fz%3D1+2"
    )


def test_form_urlencoded_string(tmp_path: Path, api_server: ScriptedServer) -> None:
    request, _ = send_body(
        tmp_path,
        api_server,
        {
            "contentType": "application/x-www-form-urlencoded",
            "payload": "client_id={$inputs.id}&grant_type=code",
        },
        inputs={"id": "abc"},
    )
    assert request is not None
    assert request.body == b"client_id=abc&grant_type=code"


def test_multipart_fields_and_files(tmp_path: Path, api_server: ScriptedServer) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n-bytes-")
    content = {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "meta": {"type": "object"},
                    "picture": {"type": "string", "format": "binary"},
                },
            }
        }
    }
    request, _ = send_body(
        tmp_path,
        api_server,
        {
            "payload": {
                "name": "$inputs.name",
                "tag": ["a", "b"],
                "meta": {"size": 2},
                "picture": "$inputs.picture",
            }
        },
        content=content,
        inputs={"name": "Rex", "picture": str(picture)},
    )
    assert request is not None
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.body
    )
    parts = [
        (
            part.get_param("name", header="content-disposition"),
            part.get_filename(),
            part.get_content_type(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    ]
    assert parts == [
        ("name", None, "text/plain", b"Rex"),
        ("tag", None, "text/plain", b"a"),
        ("tag", None, "text/plain", b"b"),
        ("meta", None, "application/json", b'{"size":2}'),
        ("picture", "photo.png", "image/png", b"\x89PNG\r\n\x1a\n-bytes-"),
    ]


def test_multipart_missing_file_fails_step(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    content = {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    }
    request, result = send_body(
        tmp_path,
        api_server,
        {"payload": {"file": str(tmp_path / "missing.bin")}},
        content=content,
    )
    assert request is None
    assert result.error is not None
    assert "multipart field 'file': cannot read file" in result.error.message


@pytest.mark.parametrize(
    ("content_type", "payload"),
    [
        ("application/xml", "<pet><name>{$inputs.name}</name></pet>"),
        ("text/plain", "name={$inputs.name}"),
    ],
    ids=["xml", "text"],
)
def test_text_bodies_sent_as_written(
    tmp_path: Path, api_server: ScriptedServer, content_type: str, payload: str
) -> None:
    request, _ = send_body(
        tmp_path,
        api_server,
        {"contentType": content_type, "payload": payload},
        inputs={"name": "Rex"},
    )
    assert request is not None
    assert request.headers["content-type"] == content_type
    assert request.body == payload.replace("{$inputs.name}", "Rex").encode()


def test_xml_object_payload_rejected(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request, result = send_body(
        tmp_path,
        api_server,
        {"contentType": "application/xml", "payload": {"name": "Rex"}},
    )
    assert request is None
    assert result.error is not None
    assert "application/xml payload must be a string" in result.error.message


def test_raw_bytes_from_earlier_response(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    blob = bytes(range(256))
    api_server.route(
        "GET",
        "/blob",
        Reply(200, blob, headers={"Content-Type": "application/octet-stream"}),
    )
    api_server.route("PUT", "/things", Reply(200, {}))
    description = openapi(
        {
            "/blob": {
                "get": {
                    "operationId": "fetch",
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/things": {
                "put": {
                    "operationId": "upload",
                    "requestBody": {"content": {"application/octet-stream": {}}},
                    "responses": {"200": {"description": "ok"}},
                }
            },
        }
    )
    doc = arazzo(
        [
            {
                "stepId": "fetch",
                "operationId": "fetch",
                "outputs": {"blob": "$response.body"},
            },
            {
                "stepId": "upload",
                "operationId": "upload",
                "requestBody": {"payload": "$steps.fetch.outputs.blob"},
            },
        ]
    )
    result = run_flow(tmp_path, api_server.url, description, doc)
    assert result.status == "succeeded"
    upload = api_server.received("PUT", "/things")[0]
    assert upload.headers["content-type"] == "application/octet-stream"
    assert upload.body == blob


CHOICE_CASES = [
    (
        {"application/x-www-form-urlencoded": {}},
        "application/x-www-form-urlencoded",
        False,
    ),
    ({"application/xml": {}, "application/json": {}}, "application/json", False),
    ({"application/xml": {}, "text/plain": {}}, "application/xml", True),
    (None, "application/json", False),
    ({"*/*": {}}, "application/json", False),
]


@pytest.mark.parametrize(
    ("content", "expected", "warns"),
    CHOICE_CASES,
    ids=["single", "several-with-json", "several-without-json", "none", "wildcard"],
)
def test_content_type_choice(
    tmp_path: Path,
    api_server: ScriptedServer,
    content: dict[str, Any] | None,
    expected: str,
    warns: bool,
) -> None:
    request, result = send_body(
        tmp_path, api_server, {"payload": "text"}, content=content
    )
    assert request is not None
    assert request.headers["content-type"] == expected
    warned = any("accepts several media types" in w for w in result.warnings)
    assert warned is warns


def test_declared_content_type_wins(tmp_path: Path, api_server: ScriptedServer) -> None:
    request, _ = send_body(
        tmp_path,
        api_server,
        {"contentType": "text/csv", "payload": "a,b"},
        content={"application/json": {}},
    )
    assert request is not None
    assert request.headers["content-type"] == "text/csv"


def test_body_on_get_warns(tmp_path: Path, api_server: ScriptedServer) -> None:
    request, result = send_body(
        tmp_path, api_server, {"payload": {"q": 1}}, method="get"
    )
    assert request is not None
    assert request.json() == {"q": 1}
    assert any("request body is sent with GET" in w for w in result.warnings)


def test_query_method_with_body(tmp_path: Path, api_server: ScriptedServer) -> None:
    request, result = send_body(
        tmp_path,
        api_server,
        {"payload": {"select": "name"}},
        content={"application/json": {}},
        method="query",
    )
    assert request is not None
    assert request.method == "QUERY"
    assert request.json() == {"select": "name"}
    assert result.status == "succeeded"


# Payload replacements


def replace_in(
    tmp_path: Path,
    server: ScriptedServer,
    payload: Any,
    replacements: list[dict[str, Any]],
    content_type: str = "application/json",
) -> tuple[Received | None, Any]:
    return send_body(
        tmp_path,
        server,
        {"contentType": content_type, "payload": payload, "replacements": replacements},
        inputs={"name": "Rex", "count": 4},
    )


def test_pointer_replacements_replace_add_append(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request, _ = replace_in(
        tmp_path,
        api_server,
        {"pet": {"name": "old", "tags": ["a"]}, "n": 1},
        [
            {"target": "/pet/name", "value": "$inputs.name"},
            {"target": "/pet/age", "value": 3},
            {"target": "/pet/tags/-", "value": "b"},
            {"target": "/pet/tags/0", "value": "z"},
            {"target": "/n", "value": "$inputs.count"},
        ],
    )
    assert request is not None
    assert request.json() == {
        "pet": {"name": "Rex", "tags": ["z", "b"], "age": 3},
        "n": 4,
    }


def test_pointer_replacement_on_json_text(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request, _ = replace_in(
        tmp_path,
        api_server,
        '{"a": {"b": 1}}',
        [{"target": "/a/b", "value": {"deep": True}}],
    )
    assert request is not None
    assert request.json() == {"a": {"b": {"deep": True}}}


def test_pointer_missing_parent_fails(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request, result = replace_in(
        tmp_path, api_server, {"a": {}}, [{"target": "/x/y", "value": 1}]
    )
    assert request is None
    assert result.error is not None
    assert "replacement target '/x/y': /x does not exist" in result.error.message


def test_xpath_replacements(tmp_path: Path, api_server: ScriptedServer) -> None:
    request, _ = replace_in(
        tmp_path,
        api_server,
        '<?xml version="1.0"?><order id="1"><pet>old</pet><qty>0</qty></order>',
        [
            {"target": "/order/pet", "value": "$inputs.name"},
            {"target": "/order/@id", "value": 42},
            {"target": "//qty/text()", "value": "$inputs.count"},
        ],
        content_type="application/xml",
    )
    assert request is not None
    assert request.body.startswith(b"<?xml")
    assert request.body.endswith(b'<order id="42"><pet>Rex</pet><qty>4</qty></order>')


def test_xpath_selecting_nothing_fails(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request, result = replace_in(
        tmp_path,
        api_server,
        "<order/>",
        [{"target": "/order/missing", "value": 1}],
        content_type="application/xml",
    )
    assert request is None
    assert result.error is not None
    assert "selects nothing in the XML payload" in result.error.message


def test_form_encoding_object_styles(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    content = {
        "application/x-www-form-urlencoded": {
            "schema": {"type": "object"},
            "encoding": {
                "metadata": {"style": "deepObject", "explode": True},
                "ids": {"explode": False},
            },
        }
    }
    request, _ = send_body(
        tmp_path,
        api_server,
        {
            "payload": {
                "metadata": {"plan": "gold"},
                "ids": [1, 2],
                "other": {"a": 1},
            }
        },
        content=content,
    )
    assert request is not None
    assert request.body == (b"metadata%5Bplan%5D=gold&ids=1,2&other=%7B%22a%22%3A1%7D")


def test_multipart_schema_in_other_file(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    # The schema lives in another file, and its property refers to a schema
    # beside it: that reference resolves against the other file.
    write(
        tmp_path,
        "schemas/upload.yaml",
        {
            "Upload": {
                "type": "object",
                "properties": {"picture": {"$ref": "#/Binary"}},
            },
            "Binary": {"type": "string", "format": "binary"},
        },
    )
    picture = tmp_path / "a.bin"
    picture.write_bytes(b"\x00\x01")
    content = {
        "multipart/form-data": {"schema": {"$ref": "schemas/upload.yaml#/Upload"}}
    }
    request, _ = send_body(
        tmp_path,
        api_server,
        {"payload": {"picture": str(picture)}},
        content=content,
    )
    assert request is not None
    assert b'filename="a.bin"' in request.body
    assert b"\r\n\r\n\x00\x01\r\n" in request.body
