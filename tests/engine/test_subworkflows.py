"""Steps that call workflows, dependsOn, cross-document workflows and guards."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from arazzo_runner import Limits, ValidationError
from tests.engine.conftest import Harness, document
from tests.support.http_server import Reply

CHILD: dict[str, Any] = {
    "workflowId": "child",
    "inputs": {"type": "object", "properties": {"id": {"type": "string"}}},
    "steps": [
        {
            "stepId": "get",
            "operationId": "getItem",
            "parameters": [{"name": "id", "in": "path", "value": "$inputs.id"}],
            "successCriteria": [{"condition": "$statusCode == 200"}],
            "outputs": {"name": "$response.body#/name"},
        }
    ],
    "outputs": {"name": "$steps.get.outputs.name"},
}


def parent(**step: Any) -> dict[str, Any]:
    call: dict[str, Any] = {
        "stepId": "call",
        "workflowId": "child",
        "parameters": [{"name": "id", "value": "a1"}],
        "outputs": {"childName": "$outputs.name"},
    }
    call.update(step)
    return {
        "workflowId": "parent",
        "steps": [call, {"stepId": "after", "operationId": "listItems"}],
        "outputs": {"name": "$steps.call.outputs.childName"},
    }


def test_child_outputs_reach_parent(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"name": "A"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document([parent(), CHILD])).run("parent")
    assert result.status == "succeeded"
    assert result.outputs == {"name": "A"}


def test_failed_child_stops_parent(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(404, {"detail": "gone"}))
    result = harness.runner(document([parent(), CHILD])).run("parent")
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.kind == "workflow-failed"
    assert harness.server.received("GET", "/v1/items") == []


def test_parent_failure_action_handles_child(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(404))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    doc = document(
        [parent(onFailure=[{"name": "on", "type": "goto", "stepId": "after"}]), CHILD]
    )
    result = harness.runner(doc).run("parent")
    assert result.status == "succeeded"


def test_undeclared_child_input_not_passed(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"name": "A"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    params = [{"name": "id", "value": "a1"}, {"name": "stray", "value": 1}]
    result = harness.runner(document([parent(parameters=params), CHILD])).run("parent")
    assert any("'stray'" in w for w in result.warnings)


def test_depends_on_runs_first_once(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"name": "A"}))
    main = {
        "workflowId": "main",
        "dependsOn": ["child"],
        "steps": [{"stepId": "list", "operationId": "listItems"}],
        "outputs": {"fromDependency": "$workflows.child.outputs.name"},
    }
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document([main, CHILD])).run(
        "main", {"main": {}, "child": {"id": "a1"}}
    )
    assert result.outputs == {"fromDependency": "A"}
    assert [r.path for r in harness.server.requests] == ["/v1/items/a1", "/v1/items"]


def test_failed_dependency_fails_dependent(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500))
    main = {
        "workflowId": "main",
        "dependsOn": ["child"],
        "steps": [{"stepId": "list", "operationId": "listItems"}],
    }
    result = harness.runner(document([main, CHILD])).run(
        "main", {"child": {"id": "a1"}}
    )
    assert result.error is not None
    assert result.error.kind == "dependency-failed"
    assert harness.server.received("GET", "/v1/items") == []


def test_dependency_cycle_is_load_error(harness: Harness) -> None:
    a = {
        "workflowId": "a",
        "dependsOn": ["b"],
        "steps": [{"stepId": "s", "operationId": "listItems"}],
    }
    b = {
        "workflowId": "b",
        "dependsOn": ["a"],
        "steps": [{"stepId": "s", "operationId": "listItems"}],
    }
    with pytest.raises(ValidationError) as caught:
        harness.runner(document([a, b]))
    assert "cycle" in str(caught.value.diagnostics[0])


def test_recursive_call_is_load_error(harness: Harness) -> None:
    loop = {"workflowId": "loop", "steps": [{"stepId": "again", "workflowId": "loop"}]}
    with pytest.raises(ValidationError) as caught:
        harness.runner(document([loop]))
    codes = [diagnostic.code for diagnostic in caught.value.diagnostics]
    assert codes == ["workflow-recursion"]


def test_goto_back_to_caller_is_recursion(harness: Harness) -> None:
    # A goto hands control over within the called workflow, whose caller is
    # still running, so going to the caller is recursion, found at run time.
    caller = {
        "workflowId": "caller",
        "steps": [{"stepId": "call", "workflowId": "callee"}],
    }
    callee = {
        "workflowId": "callee",
        "steps": [
            {
                "stepId": "list",
                "operationId": "listItems",
                "onSuccess": [{"name": "back", "type": "goto", "workflowId": "caller"}],
            }
        ],
    }
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document([caller, callee])).run("caller")
    assert result.error is not None
    assert result.error.kind == "workflow-recursion"


def test_depth_limit(harness: Harness) -> None:
    chain = [
        {"workflowId": f"w{i}", "steps": [{"stepId": "s", "workflowId": f"w{i + 1}"}]}
        for i in range(4)
    ]
    chain.append(
        {"workflowId": "w4", "steps": [{"stepId": "s", "operationId": "listItems"}]}
    )
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document(chain), limits=Limits(max_depth=2)).run("w0")
    assert result.error is not None
    assert result.error.kind == "depth-limit-exceeded"


def test_goto_workflow_transfers_control(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(404))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    start = {
        "workflowId": "start",
        "inputs": {"type": "object", "properties": {"id": {"type": "string"}}},
        "steps": [
            {
                "stepId": "first",
                "operationId": "listItems",
                "onSuccess": [{"name": "go", "type": "goto", "workflowId": "child"}],
            },
            {"stepId": "never", "operationId": "listItems"},
        ],
    }
    result = harness.runner(document([start, CHILD])).run("start", {"id": "a1"})
    assert result.status == "failed"
    assert len(harness.server.received("GET", "/v1/items")) == 1


def goto_start(target: str) -> dict[str, Any]:
    return {
        "workflowId": "start",
        "inputs": {"type": "object", "properties": {"id": {"type": "string"}}},
        "steps": [
            {
                "stepId": "first",
                "operationId": "listItems",
                "onSuccess": [{"name": "go", "type": "goto", "workflowId": target}],
                "outputs": {"count": "$response.body#/count"},
            },
        ],
        "outputs": {"count": "$steps.first.outputs.count"},
    }


def test_goto_workflow_lists_target_steps(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"name": "A"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document([goto_start("child"), CHILD])).run(
        "start", {"id": "a1"}
    )
    assert [step.step_id for step in result.steps] == ["first", "get"]


def test_goto_workflow_takes_target_status(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"name": "A"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document([goto_start("child"), CHILD])).run(
        "start", {"id": "a1"}
    )
    assert result.status == "succeeded"


def test_goto_workflow_error_names_target_step(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document([goto_start("child"), CHILD])).run(
        "start", {"id": "a1"}
    )
    assert result.error is not None
    assert result.error.step_id == "get"


NEEDY: dict[str, Any] = {
    "workflowId": "needy",
    "inputs": {
        "type": "object",
        "required": ["needed"],
        "properties": {"needed": {"type": "string"}},
    },
    "steps": [
        {
            "stepId": "use",
            "operationId": "getItem",
            "parameters": [{"name": "id", "in": "path", "value": "$inputs.needed"}],
        }
    ],
}


def test_goto_target_invalid_inputs_fails_run(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document([goto_start("needy"), NEEDY])).run(
        "start", {"id": "a1"}
    )
    assert result.error is not None
    assert result.error.kind == "workflow-failed"


def test_goto_target_failure_keeps_steps(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(document([goto_start("needy"), NEEDY])).run(
        "start", {"id": "a1"}
    )
    assert [step.step_id for step in result.steps] == ["first"]


def test_goto_target_gets_inputs_by_id(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items", Reply(200, []))
    harness.server.route("GET", "/v1/items/n5", Reply(200, {}))
    result = harness.runner(document([goto_start("needy"), NEEDY])).run(
        "start", {"start": {"id": "a1"}, "needy": {"needed": "n5"}}
    )
    assert result.status == "succeeded"


def test_dependency_input_error_names_keyed_form(harness: Harness) -> None:
    main = {
        "workflowId": "main",
        "dependsOn": ["needy"],
        "steps": [{"stepId": "list", "operationId": "listItems"}],
    }
    result = harness.runner(document([main, NEEDY])).run("main", {})
    assert result.error is not None
    assert "keyed by workflow id" in result.error.message


def test_goto_same_workflow_loops_to_limit(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items", Reply(200, []))
    runner = harness.runner(
        document([goto_start("start")]), limits=Limits(max_step_executions=1200)
    )
    result = runner.run("start", {"id": "a1"})
    assert result.error is not None
    assert result.error.kind == "step-limit-exceeded"


def test_goto_chain_does_not_count_depth(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items", Reply(200, []))
    back = goto_start("start")
    back["workflowId"] = "back"
    runner = harness.runner(
        document([goto_start("back"), back]),
        limits=Limits(max_depth=2, max_step_executions=10),
    )
    result = runner.run("start", {"id": "a1"})
    assert result.error is not None
    assert result.error.kind == "step-limit-exceeded"


def test_child_without_request_leaves_status_null(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items", Reply(201, {"from": "first"}))
    flow = {
        "workflowId": "parent",
        "steps": [
            {"stepId": "before", "operationId": "listItems"},
            {
                "stepId": "call",
                "workflowId": "child",
                # The child's input schema wants a string, so it sends nothing.
                "parameters": [{"name": "id", "value": 5}],
                "outputs": {"code": "$statusCode"},
                "onFailure": [{"name": "done", "type": "end"}],
            },
        ],
    }
    result = harness.runner(document([flow, CHILD])).run("parent")
    assert result.steps[1].outputs == {"code": None}


def test_dependency_inputs_checked_before_requests(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items", Reply(200, []))
    first = {
        "workflowId": "first",
        "steps": [{"stepId": "list", "operationId": "listItems"}],
    }
    main = {
        "workflowId": "main",
        "dependsOn": ["first", "child"],
        "steps": [{"stepId": "list", "operationId": "listItems"}],
    }
    result = harness.runner(document([main, first, CHILD])).run(
        "main", {"main": {}, "child": {"id": 7}}
    )
    assert harness.server.requests == []
    assert result.error is not None
    assert result.error.kind == "invalid-inputs"


def test_cross_document_workflow(harness: Harness) -> None:
    other = document([CHILD])
    other["sourceDescriptions"] = [{"name": "api", "url": "openapi.yaml"}]
    sub = harness.folder / "sub"
    sub.mkdir()
    (sub / "openapi.yaml").write_text((harness.folder / "openapi.yaml").read_text())
    (sub / "child.arazzo.yaml").write_text(yaml.safe_dump(other))
    main = parent(workflowId="$sourceDescriptions.lib.child")
    doc = document([main])
    doc["sourceDescriptions"].append(
        {"name": "lib", "url": "sub/child.arazzo.yaml", "type": "arazzo"}
    )
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"name": "far"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(doc).run("parent")
    assert result.outputs == {"name": "far"}


def test_cross_document_dependency_gets_inputs(harness: Harness) -> None:
    other = document([CHILD])
    sub = harness.folder / "sub"
    sub.mkdir()
    (sub / "openapi.yaml").write_text((harness.folder / "openapi.yaml").read_text())
    (sub / "child.arazzo.yaml").write_text(yaml.safe_dump(other))
    main = {
        "workflowId": "main",
        "dependsOn": ["$sourceDescriptions.lib.child"],
        "steps": [{"stepId": "list", "operationId": "listItems"}],
    }
    doc = document([main])
    doc["sourceDescriptions"].append(
        {"name": "lib", "url": "sub/child.arazzo.yaml", "type": "arazzo"}
    )
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"name": "far"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(doc).run("main", {"main": {}, "child": {"id": "a1"}})
    assert result.status == "succeeded"


def test_cross_document_uses_own_components(harness: Harness) -> None:
    child = dict(CHILD)
    child["steps"] = [
        dict(
            CHILD["steps"][0],
            parameters=[{"reference": "$components.parameters.itemId"}],
        )
    ]
    other = document(
        [child],
        components={
            "parameters": {"itemId": {"name": "id", "in": "path", "value": "own"}}
        },
    )
    sub = harness.folder / "lib"
    sub.mkdir()
    (sub / "openapi.yaml").write_text((harness.folder / "openapi.yaml").read_text())
    (sub / "child.arazzo.yaml").write_text(yaml.safe_dump(other))
    doc = document([parent(workflowId="$sourceDescriptions.lib.child")])
    doc["sourceDescriptions"].append({"name": "lib", "url": "lib/child.arazzo.yaml"})
    harness.server.route("GET", "/v1/items/own", Reply(200, {"name": "mine"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    result = harness.runner(doc).run("parent")
    assert result.outputs == {"name": "mine"}
