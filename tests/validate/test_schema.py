"""The Arazzo 1.0.x JSON Schema shipped with the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from arazzo_runner.document.reader import read_path, read_text
from arazzo_runner.validate_schema import arazzo_schema, check_schema
from tests.conftest import SHARED
from tests.validate.conftest import valid_document

SPEC = SHARED / "spec-examples"
FIXTURES = SPEC / "v1.0-dev" / "tests" / "schema"
EXAMPLES = SPEC / "main" / "examples" / "1.0.0"


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def _arazzo_files(folder: Path) -> list[Path]:
    # The examples folder also holds the OpenAPI descriptions they use.
    return [path for path in _files(folder) if "openapi" not in path.name]


def _errors(data: Any) -> list[str]:
    parsed = read_text("{}", uri="memory")
    parsed.data = data
    return [str(d) for d in check_schema(parsed) if d.severity == "error"]


def test_schema_is_valid_json_schema() -> None:
    Draft202012Validator.check_schema(arazzo_schema())


@pytest.mark.parametrize("path", _files(FIXTURES / "pass"), ids=lambda p: p.name)
def test_pass_fixture_passes(path: Path) -> None:
    assert check_schema(read_path(path)) == []


@pytest.mark.parametrize("path", _files(FIXTURES / "fail"), ids=lambda p: p.name)
def test_fail_fixture_fails(path: Path) -> None:
    found = check_schema(read_path(path))
    assert any(d.severity == "error" for d in found)


@pytest.mark.parametrize("path", _arazzo_files(EXAMPLES), ids=lambda p: p.name)
def test_specification_example_passes(path: Path) -> None:
    assert check_schema(read_path(path)) == []


def test_not_an_object_names_root() -> None:
    (found,) = check_schema(read_path(FIXTURES / "fail" / "not-an-object.yaml"))
    assert found.message.startswith("the document root must be an object")
    assert found.location.pointer == ""


def _step(document: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = document["workflows"][0]["steps"][0]
    return step


# Forms the specification text allows but the published 1.0 schema rejects.
def _retry_without_target(document: dict[str, Any]) -> None:
    _step(document)["onFailure"] = [{"name": "again", "type": "retry"}]


def _criterion_type_object(document: dict[str, Any]) -> None:
    _step(document)["successCriteria"] = [
        {
            "context": "$response.body",
            "condition": "$.id",
            "type": {
                "type": "jsonpath",
                "version": "draft-goessner-dispatch-jsonpath-00",
            },
        }
    ]


def _replacement_number(document: dict[str, Any]) -> None:
    _step(document)["requestBody"] = {
        "payload": {"count": 1},
        "replacements": [{"target": "/count", "value": 10}],
    }


def _reusable_extra_field(document: dict[str, Any]) -> None:
    _step(document)["parameters"] = [
        {"reference": "$components.parameters.page", "value": 2, "note": "ignored"}
    ]


def _source_name_with_dot(document: dict[str, Any]) -> None:
    document["sourceDescriptions"][0]["name"] = "api.v1"


def _output_number(document: dict[str, Any]) -> None:
    _step(document)["outputs"]["answer"] = 42


def _empty_criteria(document: dict[str, Any]) -> None:
    _step(document)["successCriteria"] = []
    _step(document)["onSuccess"] = [{"name": "stop", "type": "end", "criteria": []}]


@pytest.mark.parametrize(
    "change",
    [
        _retry_without_target,
        _criterion_type_object,
        _replacement_number,
        _reusable_extra_field,
        _source_name_with_dot,
        _output_number,
        _empty_criteria,
    ],
    ids=lambda change: change.__name__.strip("_").replace("_", "-"),
)
def test_schema_accepts_specification_form(change: Any) -> None:
    document = valid_document()
    change(document)
    assert _errors(document) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: _step(d).update(workflowId="main"),
            "a step needs exactly one of operationId, operationPath and workflowId",
        ),
        (
            lambda d: _step(d).update(onSuccess=[{"name": "j", "type": "goto"}]),
            "a goto action needs exactly one of stepId and workflowId",
        ),
        (
            lambda d: _step(d).update(
                onFailure=[
                    {"name": "r", "type": "retry", "stepId": "a", "workflowId": "b"}
                ]
            ),
            "a retry action takes at most one of stepId and workflowId",
        ),
        (
            lambda d: _step(d).update(successCriteria=[{"condition": "x", "type": 3}]),
            "unknown criterion type",
        ),
        (
            lambda d: _step(d).update(
                successCriteria=[{"condition": "x", "type": "regex"}]
            ),
            "'context'",
        ),
        (
            lambda d: d["info"].update(version=1.0),
            "'version' must be a string, not a number",
        ),
        (
            lambda d: d.update(sourceDescriptions=[]),
            "'sourceDescriptions' must not be empty",
        ),
    ],
    ids=[
        "two-targets",
        "goto-target",
        "retry-targets",
        "criterion-type",
        "type-needs-context",
        "version-type",
        "empty-list",
    ],
)
def test_schema_message_names_problem(change: Any, expected: str) -> None:
    document = valid_document()
    change(document)
    messages = _errors(document)
    assert any(expected in message for message in messages), messages
