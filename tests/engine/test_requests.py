"""Requests as the OpenAPI description shapes them, sent to a real server.

Every test runs a workflow against a server on 127.0.0.1 and checks the bytes
that arrived: the raw path and query, the headers, cookies and the body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arazzo_runner import ValidationError
from tests.support.documents import arazzo, openapi, run_flow, write
from tests.support.http_server import Reply, ScriptedServer

OBJECT = {"role": "admin", "firstName": "Alex"}
ARRAY = [3, 4, 5]


def one_parameter_api(
    in_: str, style: str | None, explode: bool | None, **extra: Any
) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": "id", "in": in_, **extra}
    if style is not None:
        parameter["style"] = style
    if explode is not None:
        parameter["explode"] = explode
    if in_ == "path":
        parameter["required"] = True
    if "content" not in extra:
        parameter["schema"] = {}
    path = "/p/{id}" if in_ == "path" else "/p"
    return openapi(
        {
            path: {
                "get": {
                    "operationId": "op",
                    "parameters": [parameter],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )


def send_parameter(
    tmp_path: Path,
    server: ScriptedServer,
    in_: str,
    style: str | None,
    explode: bool | None,
    value: Any,
    **extra: Any,
) -> Any:
    server.route("GET", "/p", Reply(200, {}))
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [{"name": "id", "in": in_, "value": "$inputs.value"}],
            }
        ]
    )
    result = run_flow(
        tmp_path,
        server.url,
        one_parameter_api(in_, style, explode, **extra),
        doc,
        {"value": value},
    )
    assert server.requests, result.error
    return server.requests[-1]


PATH_CASES = [
    ("simple", False, 5, "5"),
    ("simple", False, ARRAY, "3,4,5"),
    ("simple", True, ARRAY, "3,4,5"),
    ("simple", False, OBJECT, "role,admin,firstName,Alex"),
    ("simple", True, OBJECT, "role=admin,firstName=Alex"),
    ("label", False, 5, ".5"),
    ("label", False, ARRAY, ".3,4,5"),
    ("label", True, ARRAY, ".3.4.5"),
    ("label", False, OBJECT, ".role,admin,firstName,Alex"),
    ("label", True, OBJECT, ".role=admin.firstName=Alex"),
    ("matrix", False, 5, ";id=5"),
    ("matrix", False, ARRAY, ";id=3,4,5"),
    ("matrix", True, ARRAY, ";id=3;id=4;id=5"),
    ("matrix", False, OBJECT, ";id=role,admin,firstName,Alex"),
    ("matrix", True, OBJECT, ";role=admin;firstName=Alex"),
    ("matrix", False, "", ";id"),
    ("matrix", True, ["a", ""], ";id=a;id"),
    ("matrix", True, {"role": ""}, ";role"),
    ("simple", False, "a b/c", "a%20b%2Fc"),
]


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    PATH_CASES,
    ids=[f"{c[0]}-{'explode' if c[1] else 'flat'}-{c[3]}" for c in PATH_CASES],
)
def test_path_styles(
    tmp_path: Path,
    api_server: ScriptedServer,
    style: str,
    explode: bool,
    value: Any,
    expected: str,
) -> None:
    request = send_parameter(tmp_path, api_server, "path", style, explode, value)
    assert request.raw_path == "/p/" + expected


QUERY_CASES = [
    ("form", True, 5, "id=5"),
    ("form", True, ARRAY, "id=3&id=4&id=5"),
    ("form", False, ARRAY, "id=3,4,5"),
    ("form", True, OBJECT, "role=admin&firstName=Alex"),
    ("form", False, OBJECT, "id=role,admin,firstName,Alex"),
    ("spaceDelimited", False, ARRAY, "id=3%204%205"),
    ("pipeDelimited", False, ARRAY, "id=3|4|5"),
    ("spaceDelimited", True, ARRAY, "id=3&id=4&id=5"),
    ("deepObject", True, OBJECT, "id%5Brole%5D=admin&id%5BfirstName%5D=Alex"),
    ("form", True, "a&b=c d", "id=a%26b%3Dc%20d"),
    ("form", True, True, "id=true"),
    ("form", True, None, "id="),
]


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    QUERY_CASES,
    ids=[f"{c[0]}-{'explode' if c[1] else 'flat'}-{c[3]}" for c in QUERY_CASES],
)
def test_query_styles(
    tmp_path: Path,
    api_server: ScriptedServer,
    style: str,
    explode: bool,
    value: Any,
    expected: str,
) -> None:
    request = send_parameter(tmp_path, api_server, "query", style, explode, value)
    assert request.raw_query.replace("%7C", "|") == expected


def test_query_defaults_to_form_explode(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request = send_parameter(tmp_path, api_server, "query", None, None, ARRAY)
    assert request.raw_query == "id=3&id=4&id=5"


def test_query_allow_reserved(tmp_path: Path, api_server: ScriptedServer) -> None:
    request = send_parameter(
        tmp_path, api_server, "query", "form", True, "a/b?c:d", allowReserved=True
    )
    assert request.raw_query == "id=a/b?c:d"


def test_query_allow_reserved_keeps_octets(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request = send_parameter(
        tmp_path, api_server, "query", "form", True, "a%20b c", allowReserved=True
    )
    assert request.raw_query == "id=a%20b%20c"


def test_query_content_is_json(tmp_path: Path, api_server: ScriptedServer) -> None:
    request = send_parameter(
        tmp_path,
        api_server,
        "query",
        None,
        None,
        {"a": [1, 2]},
        content={"application/json": {"schema": {}}},
    )
    assert request.query == {"id": ['{"a":[1,2]}']}


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (False, 5, "5"),
        (False, ARRAY, "3,4,5"),
        (False, OBJECT, "role,admin,firstName,Alex"),
        (True, OBJECT, "role=admin,firstName=Alex"),
    ],
    ids=["primitive", "array", "object", "object-explode"],
)
def test_header_simple_style(
    tmp_path: Path, api_server: ScriptedServer, explode: bool, value: Any, expected: str
) -> None:
    request = send_parameter(tmp_path, api_server, "header", "simple", explode, value)
    assert request.headers["id"] == expected


def test_header_content_is_json(tmp_path: Path, api_server: ScriptedServer) -> None:
    request = send_parameter(
        tmp_path,
        api_server,
        "header",
        None,
        None,
        {"a": 1},
        content={"application/json": {"schema": {}}},
    )
    assert request.headers["id"] == '{"a":1}'


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (True, 5, "id=5"),
        (False, ARRAY, "id=3,4,5"),
        (True, ARRAY, "id=3; id=4; id=5"),
        (True, OBJECT, "role=admin; firstName=Alex"),
        (False, OBJECT, "id=role,admin,firstName,Alex"),
        (True, "a b;c", "id=a%20b%3Bc"),
    ],
    ids=["primitive", "array", "array-explode", "object-explode", "object", "encoded"],
)
def test_cookie_form_style(
    tmp_path: Path, api_server: ScriptedServer, explode: bool, value: Any, expected: str
) -> None:
    request = send_parameter(tmp_path, api_server, "cookie", "form", explode, value)
    assert request.headers["cookie"] == expected


def test_undeclared_parameters_sent_with_warning(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/p", Reply(200, {}))
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [
                    {"name": "extra", "in": "query", "value": "x"},
                    {"name": "X-Extra", "in": "header", "value": "y"},
                ],
            }
        ]
    )
    result = run_flow(
        tmp_path, api_server.url, one_parameter_api("query", None, None), doc
    )
    request = api_server.requests[-1]
    assert request.query == {"extra": ["x"]}
    assert request.headers["x-extra"] == "y"
    assert any("'extra' is not declared" in w for w in result.warnings)
    assert any("'X-Extra' is not declared" in w for w in result.warnings)


def test_unfilled_path_parameter_fails_before_sending(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    doc = arazzo([{"stepId": "call", "operationId": "op"}])
    result = run_flow(
        tmp_path, api_server.url, one_parameter_api("path", None, None), doc
    )
    assert result.status == "failed"
    assert api_server.requests == []
    assert result.error is not None
    assert "path parameter 'id' of GET /p/{id} has no value" in result.error.message


def test_optional_input_parameter_not_sent(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/p", Reply(200, {}))
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [{"name": "id", "in": "query", "value": "$inputs.value"}],
            }
        ]
    )
    doc["workflows"][0]["inputs"] = {
        "type": "object",
        "properties": {"value": {"type": "string"}},
    }
    run_flow(tmp_path, api_server.url, one_parameter_api("query", None, None), doc)
    assert api_server.requests[-1].raw_query == ""


def test_path_level_parameter_declaration_applies(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    description = openapi(
        {
            "/p/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "style": "label"}
                ],
                "get": {
                    "operationId": "op",
                    "responses": {"200": {"description": "ok"}},
                },
            }
        }
    )
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [{"name": "id", "in": "path", "value": 7}],
            }
        ]
    )
    run_flow(tmp_path, api_server.url, description, doc)
    assert api_server.requests[-1].raw_path == "/p/.7"


def test_referenced_parameter_declaration_applies(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    description = openapi(
        {
            "/p": {
                "get": {
                    "operationId": "op",
                    "parameters": [{"$ref": "#/components/parameters/ids"}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        components={
            "parameters": {
                "ids": {"name": "ids", "in": "query", "explode": False, "schema": {}}
            }
        },
    )
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [{"name": "ids", "in": "query", "value": [1, 2]}],
            }
        ]
    )
    api_server.route("GET", "/p", Reply(200, {}))
    run_flow(tmp_path, api_server.url, description, doc)
    assert api_server.requests[-1].raw_query == "ids=1,2"


def test_null_path_value_is_an_error(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [{"name": "id", "in": "path", "value": None}],
            }
        ]
    )
    result = run_flow(
        tmp_path, api_server.url, one_parameter_api("path", None, None), doc
    )
    assert result.error is not None
    assert "path parameter 'id' is null" in result.error.message
    assert api_server.requests == []


def test_deep_object_needs_object(tmp_path: Path, api_server: ScriptedServer) -> None:
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [{"name": "id", "in": "query", "value": [1]}],
            }
        ]
    )
    description = one_parameter_api("query", "deepObject", True)
    result = run_flow(tmp_path, api_server.url, description, doc)
    assert api_server.requests == []
    assert result.error is not None
    assert "uses style deepObject, so its value must be an object" in (
        result.error.message
    )


def test_header_with_line_break_not_sent(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [
                    {"name": "id", "in": "header", "value": "a\r\nX-Evil: 1"}
                ],
            }
        ]
    )
    result = run_flow(
        tmp_path, api_server.url, one_parameter_api("header", None, None), doc
    )
    assert result.status == "failed"
    assert api_server.requests == []
    assert result.error is not None
    assert "line break" in result.error.message


def test_ambiguous_operation_id_is_load_error(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    description = one_parameter_api("query", None, None)
    write(tmp_path, "other.yaml", description)
    doc = arazzo(
        [{"stepId": "call", "operationId": "op"}],
        sources=[
            {"name": "first", "url": "openapi.yaml", "type": "openapi"},
            {"name": "second", "url": "other.yaml", "type": "openapi"},
        ],
    )
    with pytest.raises(ValidationError) as caught:
        run_flow(tmp_path, api_server.url, description, doc)
    messages = [str(d) for d in caught.value.diagnostics]
    assert any("exists in several sources: first, second" in m for m in messages)


def test_api_key_header_does_not_warn(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/p", Reply(200, {}))
    description = one_parameter_api("query", None, None)
    description["components"] = {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
        }
    }
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [
                    {"name": "x-api-key", "in": "header", "value": "k-123"},
                    {"name": "Authorization", "in": "header", "value": "Bearer t"},
                ],
            }
        ]
    )
    result = run_flow(tmp_path, api_server.url, description, doc)
    assert api_server.requests[-1].headers["x-api-key"] == "k-123"
    assert result.warnings == []


def test_non_ascii_header_sent_as_utf8(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    request = send_parameter(tmp_path, api_server, "header", None, None, "café")
    # The test server reads header bytes as ISO-8859-1.
    assert request.headers["id"].encode("latin-1") == "café".encode()


def test_invalid_header_name_fails_step(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    doc = arazzo(
        [
            {
                "stepId": "call",
                "operationId": "op",
                "parameters": [{"name": "Bad Name", "in": "header", "value": "x"}],
            }
        ]
    )
    result = run_flow(
        tmp_path, api_server.url, one_parameter_api("header", None, None), doc
    )
    assert api_server.requests == []
    assert result.error is not None
    assert "header parameter name 'Bad Name' is not a valid header name" in (
        result.error.message
    )
