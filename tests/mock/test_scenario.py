"""Loading scenario files: the shape, the rules and where problems are reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from arazzo_runner import DocumentError
from arazzo_runner.mock import load_scenario
from arazzo_runner.mock.scenario import scenario_schema
from tests.conftest import REPLICATE

SCENARIOS = sorted((REPLICATE / "scenarios").glob("*.yaml"))
Write = Callable[[str], Path]
GET_X = "routes:\n  - request: GET /x/{x_id}\n"

BAD = [
    pytest.param("routes: []\n", "should be non-empty", "/routes", 1, id="no-routes"),
    pytest.param("- routes\n", "is not of type 'object'", "", 1, id="not-object"),
    pytest.param(
        "routez: []\n", "unknown field 'routez'", "/routez", 1, id="top-field"
    ),
    pytest.param(
        GET_X + "    respones: [{}]\n",
        "unknown field 'respones'",
        "/routes/0/respones",
        3,
        id="route-field",
    ),
    pytest.param(
        "routes:\n  - request: FETCH /x\n    responses: [{}]\n",
        "'FETCH /x' has the wrong form",
        "/routes/0/request",
        2,
        id="method",
    ),
    pytest.param(
        GET_X + "    responses:\n      - status: 99\n",
        "99 is less than the minimum of 100",
        "/routes/0/responses/0/status",
        4,
        id="status",
    ),
    pytest.param(
        GET_X + "    sequenceBy: id\n    responses: [{}]\n",
        "sequenceBy 'id' is not a parameter of '/x/{x_id}'",
        "/routes/0/sequenceBy",
        3,
        id="sequence-by",
    ),
    pytest.param(
        GET_X + "    known: other\n    responses: [{}]\n",
        "known 'other' is not a parameter",
        "/routes/0/known",
        3,
        id="known",
    ),
    pytest.param(
        "routes:\n  - request: GET /x/{x-id}\n    responses: [{}]\n",
        "path parameter 'x-id' must be a unique name",
        "/routes/0/request",
        2,
        id="parameter-name",
    ),
    pytest.param(
        GET_X + "    responses:\n      - body:\n          id: '{{path.x_id'\n",
        "is not closed",
        "/routes/0/responses/0/body/id",
        5,
        id="unclosed",
    ),
    pytest.param(
        GET_X + "    responses:\n      - body: ['{{nope}}']\n",
        r"unknown placeholder \{\{nope\}\}",
        "/routes/0/responses/0/body/0",
        4,
        id="unknown-placeholder",
    ),
    pytest.param(
        GET_X + "    responses:\n      - headers: {Location: '{{path.y}}'}\n",
        r"placeholder \{\{path.y\}\} names no path parameter",
        "/routes/0/responses/0/headers/Location",
        4,
        id="path-placeholder",
    ),
]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def write_scenario(text: str) -> Path:
        path = tmp_path / "bad.yaml"
        path.write_text(text)
        return path

    return write_scenario


@pytest.mark.parametrize(("text", "message", "pointer", "line"), BAD)
def test_bad_scenario_message(
    write: Write, text: str, message: str, pointer: str, line: int
) -> None:
    with pytest.raises(DocumentError, match=message):
        load_scenario(write(text))


@pytest.mark.parametrize(("text", "message", "pointer", "line"), BAD)
def test_bad_scenario_location(
    write: Write, text: str, message: str, pointer: str, line: int
) -> None:
    path = write(text)
    with pytest.raises(DocumentError) as caught:
        load_scenario(path)
    location = caught.value.location
    assert location.document == str(path)
    assert location.pointer == pointer
    assert location.line == line


@pytest.mark.parametrize(("text", "message", "pointer", "line"), BAD)
def test_bad_scenario_has_hint(
    write: Write, text: str, message: str, pointer: str, line: int
) -> None:
    with pytest.raises(DocumentError) as caught:
        load_scenario(write(text))
    assert caught.value.hint


def test_yaml_syntax_error_is_located(write: Write) -> None:
    with pytest.raises(DocumentError) as caught:
        load_scenario(write("routes: [\n"))
    assert caught.value.location.line is not None


def test_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(scenario_schema())


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_replicate_scenario_loads(path: Path) -> None:
    assert load_scenario(path).name == path.stem


def test_route_fields_are_read(write: Write) -> None:
    text = (
        GET_X
        + "    sequenceBy: x_id\n    known: x_id\n    creates: thing\n"
        + "    require: {headers: {X-Key: k}}\n    validateRequestBody: false\n"
        + "    responses: [{status: 202, headers: {Retry-After: 5}, body: null}]\n"
    )
    route = load_scenario(write(text)).routes[0]
    assert route.method == "GET"
    assert route.path == "/x/{x_id}"
    assert route.parameters == ("x_id",)
    assert route.sequence_by == "x_id"
    assert route.known == "x_id"
    assert route.creates == "thing"
    assert route.require_headers == {"X-Key": "k"}
    assert route.validate_body is False
    assert route.responses[0].headers == {"Retry-After": "5"}
    assert route.responses[0].has_body is True


def test_route_match_decodes_parameters(write: Write) -> None:
    scenario = load_scenario(write(GET_X + "    responses: [{}]\n"))
    assert scenario.match("GET", "/x/a%20b") == (scenario.routes[0], {"x_id": "a b"})


def test_route_match_checks_method(write: Write) -> None:
    scenario = load_scenario(write(GET_X + "    responses: [{}]\n"))
    assert scenario.match("POST", "/x/1") is None
