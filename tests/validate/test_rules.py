"""One case per validation rule: a small change to a valid document and the
diagnostic it must produce, with its severity and JSON Pointer."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from arazzo_runner.validate import validate_document
from tests.validate.conftest import (
    OPENAPI,
    findings,
    valid_document,
    validate,
    write_documents,
)

STEP0 = "/workflows/0/steps/0"
STEP1 = "/workflows/0/steps/1"
CALL = "/workflows/1/steps/0"


def _parent(document: Any, pointer: str) -> tuple[Any, str]:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    current = document
    for part in parts[:-1]:
        current = current[int(part)] if isinstance(current, list) else current[part]
    return current, parts[-1]


def set_at(pointer: str, value: Any) -> Any:
    def change(document: Any) -> None:
        parent, key = _parent(document, pointer)
        if isinstance(parent, list):
            parent[int(key)] = value
        else:
            parent[key] = value

    return change


def delete_at(pointer: str) -> Any:
    def change(document: Any) -> None:
        parent, key = _parent(document, pointer)
        del parent[int(key) if isinstance(parent, list) else key]

    return change


def append_at(pointer: str, value: Any) -> Any:
    def change(document: Any) -> None:
        parent, key = _parent(document, pointer)
        parent[key].append(value)

    return change


GOTO_PATH = "{$sourceDescriptions.api.url}#/paths/~1items/get"

CASES: list[tuple[str, list[Any], str, str, str]] = [
    # Structure: the JSON Schema pass.
    ("version-1.1", [set_at("/arazzo", "1.1.0")], "error", "structure", "/arazzo"),
    ("version-number", [set_at("/arazzo", 1.0)], "error", "structure", "/arazzo"),
    ("missing-info", [delete_at("/info")], "error", "structure", ""),
    (
        "info-version-number",
        [set_at("/info/version", 1.0)],
        "error",
        "structure",
        "/info/version",
    ),
    ("empty-workflows", [set_at("/workflows", [])], "error", "structure", "/workflows"),
    (
        "unknown-field",
        [set_at(f"{STEP0}/summary", "x")],
        "warning",
        "unknown-field",
        f"{STEP0}/summary",
    ),
    (
        "step-without-target",
        [delete_at(f"{STEP0}/operationId")],
        "error",
        "structure",
        STEP0,
    ),
    (
        "step-with-two-targets",
        [set_at(f"{STEP0}/operationPath", GOTO_PATH)],
        "error",
        "structure",
        STEP0,
    ),
    (
        "parameter-in-body",
        [set_at(f"{STEP1}/parameters/0/in", "body")],
        "error",
        "structure",
        f"{STEP1}/parameters/0/in",
    ),
    (
        "parameter-without-value",
        [delete_at(f"{STEP1}/parameters/0/value")],
        "error",
        "structure",
        f"{STEP1}/parameters/0",
    ),
    (
        "source-type-unknown",
        [set_at("/sourceDescriptions/0/type", "asyncapi")],
        "error",
        "structure",
        "/sourceDescriptions/0/type",
    ),
    (
        "retry-limit-negative",
        [
            set_at(
                f"{STEP0}/onFailure", [{"name": "r", "type": "retry", "retryLimit": -1}]
            )
        ],
        "error",
        "structure",
        f"{STEP0}/onFailure/0/retryLimit",
    ),
    (
        "component-name",
        [
            set_at(
                "/components/parameters/bad name",
                {"name": "p", "in": "query", "value": 1},
            )
        ],
        "error",
        "structure",
        "/components/parameters/bad name",
    ),
    (
        "depends-on-twice",
        [set_at("/workflows/1/dependsOn", ["main", "main"])],
        "error",
        "structure",
        "/workflows/1/dependsOn",
    ),
    # Unique ids.
    (
        "duplicate-source",
        [append_at("/sourceDescriptions", {"name": "api", "url": "openapi.yaml"})],
        "error",
        "duplicate-id",
        "/sourceDescriptions/1/name",
    ),
    (
        "duplicate-workflow",
        [set_at("/workflows/1/workflowId", "main")],
        "error",
        "duplicate-id",
        "/workflows/1/workflowId",
    ),
    (
        "duplicate-step",
        [set_at(f"{STEP1}/stepId", "list")],
        "error",
        "duplicate-id",
        f"{STEP1}/stepId",
    ),
    (
        "duplicate-parameter",
        [append_at(f"{STEP1}/parameters", {"name": "id", "in": "path", "value": "x"})],
        "error",
        "duplicate-parameter",
        f"{STEP1}/parameters/1",
    ),
    (
        "duplicate-action",
        [
            set_at(
                f"{STEP0}/onSuccess",
                [{"name": "done", "type": "end"}, {"name": "done", "type": "end"}],
            )
        ],
        "error",
        "duplicate-action",
        f"{STEP0}/onSuccess/1",
    ),
    # Parameters need 'in' on operation steps.
    (
        "parameter-without-in",
        [delete_at(f"{STEP1}/parameters/0/in")],
        "error",
        "parameter-in",
        f"{STEP1}/parameters/0",
    ),
    (
        "component-parameter-without-in",
        [
            delete_at("/components/parameters/page/in"),
            set_at(
                f"{STEP0}/parameters", [{"reference": "$components.parameters.page"}]
            ),
        ],
        "error",
        "parameter-in",
        "/components/parameters/page",
    ),
    # Targets.
    (
        "operation-missing",
        [set_at(f"{STEP0}/operationId", "nope")],
        "error",
        "operation-target",
        f"{STEP0}/operationId",
    ),
    (
        "operation-path-missing",
        [
            delete_at(f"{STEP0}/operationId"),
            set_at(
                f"{STEP0}/operationPath",
                "{$sourceDescriptions.api.url}#/paths/~1nothing/get",
            ),
        ],
        "error",
        "operation-path",
        f"{STEP0}/operationPath",
    ),
    (
        "operation-path-malformed",
        [
            delete_at(f"{STEP0}/operationId"),
            set_at(f"{STEP0}/operationPath", "GET /items"),
        ],
        "error",
        "operation-path",
        f"{STEP0}/operationPath",
    ),
    (
        "workflow-missing",
        [set_at(f"{CALL}/workflowId", "nope")],
        "error",
        "workflow-target",
        f"{CALL}/workflowId",
    ),
    (
        "goto-step-missing",
        [
            set_at(
                f"{STEP0}/onSuccess",
                [{"name": "jump", "type": "goto", "stepId": "nope"}],
            )
        ],
        "error",
        "action-target",
        f"{STEP0}/onSuccess/0/stepId",
    ),
    (
        "goto-without-target",
        [set_at(f"{STEP0}/onSuccess", [{"name": "jump", "type": "goto"}])],
        "error",
        "action-target",
        f"{STEP0}/onSuccess/0",
    ),
    (
        "retry-two-targets",
        [
            set_at(
                f"{STEP0}/onFailure",
                [
                    {
                        "name": "r",
                        "type": "retry",
                        "stepId": "get",
                        "workflowId": "caller",
                    }
                ],
            )
        ],
        "error",
        "action-target",
        f"{STEP0}/onFailure/0",
    ),
    (
        "action-type-unknown",
        [set_at(f"{STEP0}/onFailure", [{"name": "r", "type": "skip"}])],
        "error",
        "action-type",
        f"{STEP0}/onFailure/0/type",
    ),
    (
        "component-missing",
        [set_at(f"{STEP0}/parameters", [{"reference": "$components.parameters.nope"}])],
        "error",
        "reference-missing",
        f"{STEP0}/parameters/0/reference",
    ),
    (
        "component-wrong-kind",
        [
            set_at(
                f"{STEP0}/onSuccess", [{"reference": "$components.failureActions.stop"}]
            )
        ],
        "error",
        "reference-kind",
        f"{STEP0}/onSuccess/0/reference",
    ),
    (
        "depends-on-missing",
        [set_at("/workflows/0/dependsOn", ["nope"])],
        "error",
        "workflow-target",
        "/workflows/0/dependsOn/0",
    ),
    (
        "depends-on-cycle",
        [
            set_at("/workflows/0/dependsOn", ["caller"]),
            set_at("/workflows/1/dependsOn", ["main"]),
        ],
        "error",
        "dependency-cycle",
        "/workflows/1",
    ),
    (
        "workflow-calls-itself",
        [set_at(f"{CALL}/workflowId", "caller")],
        "error",
        "workflow-recursion",
        f"{CALL}/workflowId",
    ),
    (
        "workflows-call-each-other",
        [append_at("/workflows/0/steps", {"stepId": "back", "workflowId": "caller"})],
        "error",
        "workflow-recursion",
        f"{CALL}/workflowId",
    ),
    (
        "call-into-own-dependency",
        [set_at("/workflows/0/dependsOn", ["caller"])],
        "error",
        "workflow-recursion",
        f"{CALL}/workflowId",
    ),
    (
        "source-unavailable",
        [set_at("/sourceDescriptions/0/url", "missing.yaml")],
        "error",
        "source-unavailable",
        "/sourceDescriptions/0/url",
    ),
    (
        "path-placeholder-unfilled",
        [delete_at(f"{STEP1}/parameters/0")],
        "warning",
        "path-parameter-missing",
        f"{STEP1}/operationId",
    ),
    (
        "path-parameter-unknown",
        [
            append_at(
                f"{STEP1}/parameters", {"name": "item", "in": "path", "value": "x"}
            )
        ],
        "warning",
        "path-parameter-unknown",
        f"{STEP1}/parameters/1",
    ),
    # Expressions, conditions and queries.
    (
        "output-name",
        [set_at("/workflows/0/outputs/bad name", "$steps.get.outputs.name")],
        "error",
        "output-name",
        "/workflows/0/outputs/bad name",
    ),
    (
        "condition-syntax",
        [set_at(f"{STEP0}/successCriteria/0/condition", "$statusCode ==")],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0/condition",
    ),
    (
        "jsonpath-syntax",
        [
            set_at(
                f"{STEP0}/successCriteria",
                [{"context": "$response.body", "condition": "$[?", "type": "jsonpath"}],
            )
        ],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0/condition",
    ),
    (
        "regex-syntax",
        [
            set_at(
                f"{STEP0}/successCriteria",
                [{"context": "$statusCode", "condition": "(", "type": "regex"}],
            )
        ],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0/condition",
    ),
    (
        "jsonpath-template-syntax",
        [
            set_at(
                f"{STEP0}/successCriteria",
                [
                    {
                        "context": "$response.body",
                        "condition": "$.x[?@ == {$inputs.limit}]]",
                        "type": "jsonpath",
                    }
                ],
            )
        ],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0/condition",
    ),
    (
        "xpath-prefixed-syntax",
        [
            set_at(
                f"{STEP0}/successCriteria",
                [{"context": "$response.body", "condition": "//a:b[", "type": "xpath"}],
            )
        ],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0/condition",
    ),
    (
        "type-without-context",
        [
            set_at(
                f"{STEP0}/successCriteria",
                [{"condition": "$statusCode == 200", "type": "simple"}],
            )
        ],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0",
    ),
    (
        "type-unknown",
        [
            set_at(
                f"{STEP0}/successCriteria",
                [{"context": "$statusCode", "condition": "2", "type": "magic"}],
            )
        ],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0/type",
    ),
    (
        "jsonpath-version-unknown",
        [
            set_at(
                f"{STEP0}/successCriteria",
                [
                    {
                        "context": "$response.body",
                        "condition": "$.id",
                        "type": {"type": "jsonpath", "version": "rfc9535"},
                    }
                ],
            )
        ],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0/type",
    ),
    (
        "context-syntax",
        [
            set_at(
                f"{STEP0}/successCriteria",
                [{"context": "$response.nope", "condition": "^2", "type": "regex"}],
            )
        ],
        "error",
        "expression-syntax",
        f"{STEP0}/successCriteria/0/context",
    ),
    (
        "output-expression-syntax",
        [set_at(f"{STEP0}/outputs/location", "$response.headers.Location")],
        "error",
        "expression-syntax",
        f"{STEP0}/outputs/location",
    ),
    # References to steps, workflows, outputs and inputs.
    (
        "step-output-undefined",
        [set_at("/workflows/0/outputs/name", "$steps.get.outputs.nope")],
        "error",
        "output-reference",
        "/workflows/0/outputs/name",
    ),
    (
        "step-missing",
        [set_at("/workflows/0/outputs/name", "$steps.nope.outputs.name")],
        "error",
        "step-reference",
        "/workflows/0/outputs/name",
    ),
    (
        "workflow-output-undefined",
        [set_at(f"{CALL}/outputs/other", "$workflows.main.outputs.nope")],
        "error",
        "output-reference",
        f"{CALL}/outputs/other",
    ),
    (
        "workflow-value-missing",
        [set_at(f"{CALL}/outputs/other", "$workflows.nope.outputs.name")],
        "error",
        "workflow-reference",
        f"{CALL}/outputs/other",
    ),
    (
        "child-output-undefined",
        [set_at(f"{CALL}/outputs/name", "$outputs.nope")],
        "error",
        "output-reference",
        f"{CALL}/outputs/name",
    ),
    (
        "step-used-before-run",
        [
            set_at(
                f"{STEP0}/parameters",
                [{"name": "page", "in": "query", "value": "$steps.get.outputs.name"}],
            )
        ],
        "warning",
        "step-order",
        f"{STEP0}/parameters/0/value",
    ),
    (
        "step-reads-own-output-first",
        [set_at(f"{STEP1}/parameters/0/value", "$steps.get.outputs.name")],
        "warning",
        "step-order",
        f"{STEP1}/parameters/0/value",
    ),
    (
        "input-undeclared",
        [
            set_at(
                f"{STEP0}/parameters",
                [{"name": "page", "in": "query", "value": "$inputs.nope"}],
            )
        ],
        "warning",
        "input-reference",
        f"{STEP0}/parameters/0/value",
    ),
    # Input schemas.
    (
        "inputs-schema-invalid",
        [set_at("/workflows/0/inputs/required", True)],
        "error",
        "inputs-schema",
        "/workflows/0/inputs/required",
    ),
    (
        "inputs-ref-missing",
        [set_at("/workflows/0/inputs", {"$ref": "#/components/inputs/nope"})],
        "error",
        "inputs-reference",
        "/workflows/0/inputs/$ref",
    ),
    (
        "inputs-ref-external",
        [set_at("/workflows/0/inputs", {"$ref": "inputs.json"})],
        "error",
        "inputs-reference",
        "/workflows/0/inputs/$ref",
    ),
    # SHOULD rules and likely mistakes: warnings.
    (
        "source-name-pattern",
        [set_at("/sourceDescriptions/0/name", "my.api")],
        "warning",
        "id-pattern",
        "/sourceDescriptions/0/name",
    ),
    (
        "step-id-pattern",
        [set_at(f"{CALL}/stepId", "call it")],
        "warning",
        "id-pattern",
        f"{CALL}/stepId",
    ),
    (
        "empty-success-criteria",
        [set_at(f"{STEP0}/successCriteria", [])],
        "warning",
        "empty-criteria",
        f"{STEP0}/successCriteria",
    ),
    (
        "body-on-get",
        [set_at(f"{STEP0}/requestBody", {"payload": {"a": 1}})],
        "warning",
        "body-not-expected",
        f"{STEP0}/requestBody",
    ),
    (
        "body-on-workflow-step",
        [set_at(f"{CALL}/requestBody", {"payload": {"a": 1}})],
        "warning",
        "body-on-workflow-step",
        f"{CALL}/requestBody",
    ),
    (
        "operation-path-with-id",
        [
            delete_at(f"{STEP0}/operationId"),
            set_at(f"{STEP0}/operationPath", GOTO_PATH),
        ],
        "warning",
        "operation-path-with-id",
        f"{STEP0}/operationPath",
    ),
    (
        "in-on-workflow-step",
        [set_at(f"{CALL}/parameters/0/in", "query")],
        "warning",
        "parameter-in-ignored",
        f"{CALL}/parameters/0/in",
    ),
    (
        "output-literal",
        [set_at(f"{STEP0}/outputs/constant", "hello")],
        "warning",
        "output-literal",
        f"{STEP0}/outputs/constant",
    ),
    (
        "end-with-target",
        [
            set_at(
                f"{STEP0}/onSuccess", [{"name": "stop", "type": "end", "stepId": "get"}]
            )
        ],
        "warning",
        "action-field-ignored",
        f"{STEP0}/onSuccess/0",
    ),
    (
        "retry-fields-on-goto",
        [
            set_at(
                f"{STEP0}/onFailure",
                [{"name": "again", "type": "goto", "stepId": "list", "retryLimit": 2}],
            )
        ],
        "warning",
        "action-field-ignored",
        f"{STEP0}/onFailure/0",
    ),
    (
        "reusable-extra-field",
        [
            set_at(
                f"{STEP0}/parameters",
                [{"reference": "$components.parameters.page", "note": "x"}],
            )
        ],
        "warning",
        "unknown-field",
        f"{STEP0}/parameters/0/note",
    ),
    (
        "reusable-action-value",
        [
            set_at(
                f"{STEP0}/onFailure",
                [{"reference": "$components.failureActions.stop", "value": 1}],
            )
        ],
        "warning",
        "action-field-ignored",
        f"{STEP0}/onFailure/0/value",
    ),
    # Lenient forms (documented in docs/lenient-forms.md).
    (
        "retry-among-success-actions",
        [
            set_at(
                f"{STEP0}/onSuccess",
                [{"name": "poll", "type": "retry", "retryAfter": 1, "retryLimit": 3}],
            )
        ],
        "warning",
        "LEN-3",
        f"{STEP0}/onSuccess/0/type",
    ),
    (
        "bare-expression-in-string",
        [
            set_at(
                f"{STEP0}/parameters",
                [
                    {
                        "name": "Authorization",
                        "in": "header",
                        "value": "Bearer $inputs.limit",
                    }
                ],
            )
        ],
        "warning",
        "LEN-2",
        f"{STEP0}/parameters/0/value",
    ),
    (
        "outputs-left-out",
        [set_at("/workflows/0/outputs/name", "$steps.get.name")],
        "warning",
        "LEN-9",
        "/workflows/0/outputs/name",
    ),
    (
        "outputs-left-out-in-comparison",
        [
            set_at(
                f"{STEP1}/successCriteria",
                [
                    {
                        "context": "$response.body",
                        "condition": "$.id == $steps.list.first",
                        "type": "jsonpath",
                    }
                ],
            )
        ],
        "warning",
        "LEN-9",
        f"{STEP1}/successCriteria/0/condition",
    ),
    (
        "dotted-step-output",
        [set_at(f"{STEP1}/parameters/0/value", "$steps.list.outputs.first.0.id")],
        "warning",
        "LEN-6",
        f"{STEP1}/parameters/0/value",
    ),
    (
        "dotted-input",
        [set_at(f"{STEP0}/successCriteria/0/condition", "$inputs.limit.max > 1")],
        "warning",
        "LEN-6",
        f"{STEP0}/successCriteria/0/condition",
    ),
    (
        "dotted-workflow-output",
        [set_at("/workflows/1/outputs", {"x": "$workflows.main.outputs.name.first"})],
        "warning",
        "LEN-6",
        "/workflows/1/outputs/x",
    ),
    (
        "dotted-called-output",
        [set_at(f"{CALL}/outputs/name", "$outputs.name.first")],
        "warning",
        "LEN-6",
        f"{CALL}/outputs/name",
    ),
    (
        "dotted-in-workflow-action",
        [
            set_at(
                "/workflows/0/successActions",
                [
                    {
                        "name": "done",
                        "type": "end",
                        "criteria": [{"condition": "$steps.list.outputs.first.a"}],
                    }
                ],
            )
        ],
        "warning",
        "LEN-6",
        "/workflows/0/successActions/0/criteria/0/condition",
    ),
]


@pytest.mark.parametrize(
    ("changes", "severity", "code", "pointer"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rule_reports_problem(
    tmp_path: Path, changes: list[Any], severity: str, code: str, pointer: str
) -> None:
    document = valid_document()
    for change in changes:
        change(document)
    found = validate(tmp_path, document)
    assert (severity, code, pointer) in findings(found), "\n".join(map(str, found))
    repeated = Counter((d.location.pointer, d.message) for d in found)
    assert [key for key, count in repeated.items() if count > 1] == []
    for diagnostic in found:
        assert diagnostic.location.line is not None, str(diagnostic)
        assert diagnostic.location.column is not None, str(diagnostic)
        assert diagnostic.hint, str(diagnostic)


def test_valid_document_has_no_diagnostics(tmp_path: Path) -> None:
    assert validate(tmp_path, valid_document()) == []


def test_extensions_are_accepted(tmp_path: Path) -> None:
    document = valid_document()
    document["x-owner"] = "team"
    document["workflows"][0]["x-note"] = {"any": ["value"]}
    document["workflows"][0]["steps"][0]["x-order"] = 1
    assert validate(tmp_path, document) == []


def test_goto_makes_later_step_available(tmp_path: Path) -> None:
    document = valid_document()
    steps = document["workflows"][0]["steps"]
    steps[0]["parameters"] = [
        {"name": "page", "in": "query", "value": "$steps.get.outputs.name"}
    ]
    steps[1]["onSuccess"] = [{"name": "again", "type": "goto", "stepId": "list"}]
    assert validate(tmp_path, document) == []


def test_criterion_problem_reported_once(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["successCriteria"] = [
        {
            "condition": "$.id",
            "context": "$response.body",
            "type": {"type": "jsonpath", "version": "nope"},
        }
    ]
    found = validate(tmp_path, document)
    assert [(d.code, d.location.pointer) for d in found] == [
        ("expression-syntax", f"{STEP0}/successCriteria/0/type")
    ]


def test_criterion_problems_at_own_fields(tmp_path: Path) -> None:
    # A missing context and an unknown version are two problems, each
    # reported once at its own place.
    document = valid_document()
    document["workflows"][0]["steps"][0]["successCriteria"] = [
        {"condition": "$.id", "type": {"type": "jsonpath", "version": "nope"}}
    ]
    found = validate(tmp_path, document)
    assert [(d.code, d.location.pointer) for d in found] == [
        ("structure", f"{STEP0}/successCriteria/0"),
        ("expression-syntax", f"{STEP0}/successCriteria/0/type"),
    ]


WRONG_FIELDS = [
    (
        "type number",
        {"condition": "a", "context": "$response.body", "type": 5},
        "type",
        "'type' must be a string or an object, not a number 5",
    ),
    (
        "type list",
        {"condition": "a", "context": "$response.body", "type": ["regex"]},
        "type",
        "'type' must be a string or an object, not an array ['regex']",
    ),
    (
        "context number",
        {"condition": "$statusCode == 200", "context": 7, "type": "regex"},
        "context",
        "'context' must be a runtime expression string, not a number 7",
    ),
    (
        "condition number",
        {"condition": 5},
        "condition",
        "'condition' must be a string, not a number",
    ),
]


@pytest.mark.parametrize(
    ("criterion", "field", "message"),
    [row[1:] for row in WRONG_FIELDS],
    ids=[row[0] for row in WRONG_FIELDS],
)
def test_criterion_field_error_located(
    tmp_path: Path, criterion: dict[str, Any], field: str, message: str
) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["successCriteria"] = [criterion]
    found = validate(tmp_path, document)
    assert [d.location.pointer for d in found] == [f"{STEP0}/successCriteria/0/{field}"]
    assert found[0].message.startswith(message)


def test_lenient_retry_reports_no_schema_error(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["onSuccess"] = [
        {"name": "poll", "type": "retry", "retryAfter": 1, "retryLimit": 3}
    ]
    found = validate(tmp_path, document)
    assert [d.code for d in found] == ["LEN-3"]


def test_unavailable_source_hides_its_targets(tmp_path: Path) -> None:
    document = valid_document()
    document["sourceDescriptions"][0]["url"] = "missing.yaml"
    found = validate(tmp_path, document)
    assert [d.code for d in found] == ["source-unavailable"]


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["summary"] = "not a field"
    lenient = validate(tmp_path, document)
    strict = validate(tmp_path, document, strict=True)
    assert [d.severity for d in lenient] == ["warning"]
    assert [d.severity for d in strict] == ["error"]
    assert [d.code for d in strict] == ["unknown-field"]


def test_diagnostic_points_at_line_and_column(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["operationId"] = "nope"
    (found,) = validate(tmp_path, document)
    path = tmp_path / "flow.arazzo.yaml"
    line = path.read_text().splitlines()[found.location.line - 1]
    assert found.location.document == str(path)
    assert line[found.location.column - 1 :].startswith("operationId: nope")
    assert found.hint


def test_schema_error_survives_semantic_warning(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["requestBody"] = "not an object"
    found = findings(validate(tmp_path, document))
    assert ("error", "structure", f"{STEP0}/requestBody") in found


NAME_FORMS = [
    (
        "dotted output",
        "$steps.list.outputs.first.0.id",
        [("LEN-6", "$steps.list.outputs.first#/0/id")],
    ),
    (
        "outputs left out",
        "$steps.list.first",
        [("LEN-9", "$steps.list.outputs.first")],
    ),
    (
        "outputs left out and dotted",
        "$steps.list.first.0",
        [
            ("LEN-6", "$steps.list.outputs.first#/0"),
            ("LEN-9", "$steps.list.outputs.first#/0"),
        ],
    ),
    (
        "dotted then pointer",
        "$steps.list.outputs.first.a#/b",
        [("LEN-6", "$steps.list.outputs.first#/a/b")],
    ),
    ("dotted input", "$inputs.limit.max", [("LEN-6", "$inputs.limit#/max")]),
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [row[1:] for row in NAME_FORMS],
    ids=[row[0] for row in NAME_FORMS],
)
def test_name_form_suggests_pointer(
    tmp_path: Path, value: str, expected: list[tuple[str, str]]
) -> None:
    document = valid_document()
    document["workflows"][0]["outputs"]["name"] = value
    found = validate(tmp_path, document)
    hints = [(d.code, d.hint) for d in found]
    assert hints == [(code, f"write it as {form}") for code, form in expected]


def test_dotted_output_name_is_no_leniency(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["outputs"]["first.id"] = "$response.body"
    document["workflows"][0]["outputs"]["name"] = "$steps.list.outputs.first.id"
    assert validate(tmp_path, document) == []


def test_open_inputs_schema_no_leniency(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["inputs"] = {"type": "object"}
    document["workflows"][0]["outputs"]["name"] = "$inputs.customer.firstName"
    assert validate(tmp_path, document) == []


def test_strict_rejects_dotted_output(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["outputs"]["name"] = "$steps.list.outputs.first.0"
    found = validate(tmp_path, document, strict=True)
    assert [(d.severity, d.code) for d in found] == [("error", "LEN-6")]


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ({"condition": "$statusCode =="}, "as in $statusCode == 200"),
        (
            {"condition": "(", "context": "$statusCode", "type": "regex"},
            "regular expression (ECMA-262 syntax)",
        ),
        (
            {"condition": "$[?", "context": "$response.body", "type": "jsonpath"},
            "JSONPath query (RFC 9535)",
        ),
    ],
    ids=["simple", "regex", "jsonpath"],
)
def test_condition_syntax_hint_names_form(
    tmp_path: Path, criterion: dict[str, Any], expected: str
) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["successCriteria"] = [criterion]
    (found,) = validate(tmp_path, document)
    assert found.code == "expression-syntax"
    assert found.hint is not None
    assert expected in found.hint


def test_output_name_hint_suggests_name(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["outputs"]["bad name"] = "$steps.get.outputs.name"
    (found,) = validate(tmp_path, document)
    assert found.code == "output-name"
    assert found.hint is not None
    assert "'bad_name'" in found.hint


def test_mistyped_criteria_get_schema_findings_only(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["successCriteria"] = [
        "$statusCode == 200",
        {"condition": 5},
    ]
    found = findings(validate(tmp_path, document))
    assert found == {
        ("error", "structure", f"{STEP0}/successCriteria/0"),
        ("error", "structure", f"{STEP0}/successCriteria/1/condition"),
    }


def test_mistyped_action_gets_schema_finding_only(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["successActions"] = [5]
    found = validate(tmp_path, document)
    assert [(d.code, d.location.pointer) for d in found] == [
        ("structure", "/workflows/0/successActions/0")
    ]
    assert (
        found[0].message
        == "entry 0 of 'successActions' must be an object, not a number"
    )


def test_mistyped_goto_target_reported_once(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["onSuccess"] = [
        {"name": "jump", "type": "goto", "stepId": 5}
    ]
    found = findings(validate(tmp_path, document))
    assert found == {("error", "structure", f"{STEP0}/onSuccess/0/stepId")}


def test_mistyped_workflow_ids_are_not_duplicates(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][1]["workflowId"] = 7
    document["workflows"].append(None)
    document["workflows"].append(
        {"workflowId": 8, "steps": [{"stepId": "a", "operationId": "listItems"}]}
    )
    found = findings(validate(tmp_path, document))
    assert found == {
        ("error", "structure", "/workflows/1/workflowId"),
        ("error", "structure", "/workflows/2"),
        ("error", "structure", "/workflows/3/workflowId"),
    }


@pytest.mark.parametrize(
    "operation_id", ["listItems", "$sourceDescriptions.api.listItems"]
)
def test_operation_id_duplicated_in_one_source(
    tmp_path: Path, operation_id: str
) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["operationId"] = operation_id
    path = write_documents(tmp_path, document)
    openapi = copy.deepcopy(OPENAPI)
    openapi["paths"]["/items"]["post"]["operationId"] = "listItems"
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(openapi))
    (found,) = validate_document(path)
    assert found.code == "operation-ambiguous"
    assert "is duplicated within source 'api'" in found.message
    assert "GET /items (" in found.message
    assert "POST /items (" in found.message


@pytest.mark.parametrize(
    "actions",
    [
        [{"name": "x", "type": "goto", "stepId": "nope"}, {"name": "x", "type": "end"}],
        [{"name": "x", "type": "end"}, {"name": "x", "type": "goto", "stepId": "nope"}],
    ],
    ids=["bad-target-first", "bad-target-second"],
)
def test_duplicate_action_with_bad_target(
    tmp_path: Path, actions: list[dict[str, Any]]
) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["onSuccess"] = actions
    found = findings(validate(tmp_path, document))
    assert ("error", "duplicate-action", f"{STEP0}/onSuccess/1") in found


def test_duplicate_action_reference_located_at_entry(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["onFailure"] = [
        {"name": "stop", "type": "end"},
        {"reference": "$components.failureActions.stop"},
    ]
    found = findings(validate(tmp_path, document))
    assert found == {("error", "duplicate-action", f"{STEP0}/onFailure/1")}


def test_duplicate_parameter_reference_located_at_entry(tmp_path: Path) -> None:
    document = valid_document()
    document["workflows"][0]["steps"][0]["parameters"] = [
        {"name": "page", "in": "query", "value": 2},
        {"reference": "$components.parameters.page"},
    ]
    found = findings(validate(tmp_path, document))
    assert found == {("error", "duplicate-parameter", f"{STEP0}/parameters/1")}
