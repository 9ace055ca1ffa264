"""Success and failure actions, retries and workflow-level defaults."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner import ValidationError
from tests.engine.conftest import Harness, document
from tests.support.http_server import Reply


def get_step(**fields: Any) -> dict[str, Any]:
    step: dict[str, Any] = {
        "stepId": "get",
        "operationId": "getItem",
        "parameters": [{"name": "id", "in": "path", "value": "a1"}],
        "successCriteria": [{"condition": "$statusCode == 200"}],
        "outputs": {"state": "$response.body#/state"},
    }
    step.update(fields)
    return step


def list_step(step_id: str = "list", **fields: Any) -> dict[str, Any]:
    return {"stepId": step_id, "operationId": "listItems", **fields}


def workflow(*steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"workflowId": "flow", "steps": list(steps), **fields}


def retry(name: str = "again", **fields: Any) -> dict[str, Any]:
    return {"name": name, "type": "retry", **fields}


def test_failure_retry_repeats_same_step(harness: Harness) -> None:
    harness.server.sequence(
        "GET", "/v1/items/a1", [Reply(500), Reply(200, {"state": "ok"})]
    )
    harness.server.route("GET", "/v1/items", Reply(200, []))
    doc = document([workflow(get_step(onFailure=[retry()]), list_step())])
    result = harness.runner(doc).run()
    assert [s.step_id for s in result.steps] == ["get", "list"]
    assert len(harness.server.received("GET", "/v1/items/a1")) == 2


def test_step_passing_on_retry_is_succeeded(harness: Harness) -> None:
    harness.server.sequence(
        "GET", "/v1/items/a1", [Reply(503), Reply(200, {"state": "ok"})]
    )
    result = harness.runner(document([workflow(get_step(onFailure=[retry()]))])).run()
    assert result.status == "succeeded"
    assert result.steps[0].outcome == "succeeded"
    assert len(result.steps[0].attempts) == 2


def test_action_criteria_see_response(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(409, {"code": "busy"}))
    action = {
        "name": "busy",
        "type": "end",
        "criteria": [
            {"condition": "$statusCode == 409"},
            {"context": "$response.body", "condition": "$.code", "type": "jsonpath"},
        ],
    }
    result = harness.runner(document([workflow(get_step(onFailure=[action]))])).run()
    assert result.error is not None
    assert result.error.kind == "failure-action-end"


def test_retry_limit_defaults_to_one(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500))
    harness.runner(document([workflow(get_step(onFailure=[retry()]))])).run()
    assert len(harness.server.received("GET", "/v1/items/a1")) == 2


def test_retry_limit_zero_never_retries(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500))
    doc = document([workflow(get_step(onFailure=[retry(retryLimit=0)]))])
    harness.runner(doc).run()
    assert len(harness.server.received("GET", "/v1/items/a1")) == 1


def test_exhausted_retry_falls_to_next_action(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    actions = [
        retry(retryLimit=2),
        {"name": "recover", "type": "goto", "stepId": "list"},
    ]
    doc = document([workflow(get_step(onFailure=actions), list_step())])
    result = harness.runner(doc).run()
    assert len(harness.server.received("GET", "/v1/items/a1")) == 3
    assert [s.step_id for s in result.steps] == ["get", "list"]


def test_retry_counter_resets_on_goto(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500))
    harness.server.sequence("GET", "/v1/items", [Reply(200, [1]), Reply(200, [])])
    back = {
        "name": "back",
        "type": "goto",
        "stepId": "get",
        "criteria": [{"condition": "$response.body#/0 == 1"}],
    }
    actions = [retry(retryLimit=1), {"name": "on", "type": "goto", "stepId": "list"}]
    doc = document([workflow(get_step(onFailure=actions), list_step(onSuccess=[back]))])
    harness.runner(doc).run()
    # Each entry into 'get' gets a fresh retry: two entries, two attempts each.
    assert len(harness.server.received("GET", "/v1/items/a1")) == 4


def test_retry_side_trip_step(harness: Harness) -> None:
    harness.server.sequence(
        "GET", "/v1/items/a1", [Reply(401), Reply(200, {"state": "ok"})]
    )
    harness.server.route("POST", "/v1/token", Reply(200, {"token": "t2"}))
    refresh = {"stepId": "refresh", "operationId": "refreshToken"}
    action = retry(stepId="refresh", criteria=[{"condition": "$statusCode == 401"}])
    doc = document([workflow(get_step(onFailure=[action]), refresh)])
    result = harness.runner(doc).run()
    order = [(r.method, r.path) for r in harness.server.requests]
    assert order[:3] == [
        ("GET", "/v1/items/a1"),
        ("POST", "/v1/token"),
        ("GET", "/v1/items/a1"),
    ]
    assert result.steps[0].outcome == "succeeded"


def test_side_trip_listed_among_steps(harness: Harness) -> None:
    harness.server.sequence(
        "GET", "/v1/items/a1", [Reply(401), Reply(200, {"state": "ok"})]
    )
    harness.server.route("POST", "/v1/token", Reply(200, {"token": "t2"}))
    refresh = {
        "stepId": "refresh",
        "operationId": "refreshToken",
        "onSuccess": [{"name": "done", "type": "end"}],
    }
    action = retry(stepId="refresh", criteria=[{"condition": "$statusCode == 401"}])
    doc = document([workflow(get_step(onFailure=[action]), refresh)])
    result = harness.runner(doc).run()
    assert [step.step_id for step in result.steps] == ["get", "refresh", "refresh"]


def test_retry_through_workflow_then_again(harness: Harness) -> None:
    harness.server.sequence(
        "GET", "/v1/items/a1", [Reply(401), Reply(200, {"state": "ok"})]
    )
    harness.server.route("POST", "/v1/token", Reply(200, {"token": "t2"}))
    refresh = {
        "workflowId": "refresh",
        "steps": [{"stepId": "token", "operationId": "refreshToken"}],
    }
    action = retry(workflowId="refresh", criteria=[{"condition": "$statusCode == 401"}])
    doc = document([workflow(get_step(onFailure=[action])), refresh])
    harness.runner(doc).run("flow")
    order = [(r.method, r.path) for r in harness.server.requests]
    assert order == [
        ("GET", "/v1/items/a1"),
        ("POST", "/v1/token"),
        ("GET", "/v1/items/a1"),
    ]


def test_exhausted_retry_warns_once(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500))
    actions = [
        retry("first", retryLimit=1),
        retry("second", retryLimit=2),
    ]
    doc = document([workflow(get_step(onFailure=actions))])
    result = harness.runner(doc).run()
    warned = [w for w in result.warnings if "'first' reached its limit" in w]
    assert len(warned) == 1


def test_retry_naming_own_step_has_no_side_trip(harness: Harness) -> None:
    harness.server.sequence(
        "GET", "/v1/items/a1", [Reply(500), Reply(200, {"state": "ok"})]
    )
    doc = document([workflow(get_step(onFailure=[retry(stepId="get")]))])
    harness.runner(doc).run()
    assert len(harness.server.requests) == 2


def test_failure_end_fails_with_outputs(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500, {"state": "broken"}))
    doc = document(
        [
            workflow(
                get_step(onFailure=[{"name": "stop", "type": "end"}]),
                outputs={"state": "$steps.get.outputs.state"},
            )
        ]
    )
    result = harness.runner(doc).run()
    assert result.status == "failed"
    assert result.outputs == {"state": "broken"}


def test_first_matching_action_wins(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"state": "x"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    actions = [
        {
            "name": "no",
            "type": "goto",
            "stepId": "second",
            "criteria": [{"condition": "$statusCode == 201"}],
        },
        {"name": "yes", "type": "end"},
        {"name": "later", "type": "goto", "stepId": "second"},
    ]
    doc = document([workflow(get_step(onSuccess=actions), list_step("second"))])
    result = harness.runner(doc).run()
    assert [s.step_id for s in result.steps] == ["get"]


def test_step_actions_before_workflow_actions(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"state": "x"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    doc = document(
        [
            workflow(
                get_step(onSuccess=[{"name": "step-level", "type": "end"}]),
                list_step(),
                successActions=[
                    {"name": "workflow-level", "type": "goto", "stepId": "list"}
                ],
            )
        ]
    )
    result = harness.runner(doc).run()
    assert [s.step_id for s in result.steps] == ["get"]
    assert result.steps[0].attempts[0].action == "step-level"


def test_step_action_overrides_same_name(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"state": "x"}))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    doc = document(
        [
            workflow(
                get_step(
                    onSuccess=[
                        {
                            "name": "act",
                            "type": "end",
                            "criteria": [{"condition": "$statusCode == 999"}],
                        }
                    ]
                ),
                list_step(),
                successActions=[{"name": "act", "type": "end"}],
            )
        ]
    )
    result = harness.runner(doc).run()
    assert [s.step_id for s in result.steps] == ["get", "list"]


def test_workflow_actions_apply_to_every_step(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(500))
    harness.server.route("GET", "/v1/items", Reply(200, []))
    doc = document(
        [
            workflow(
                get_step(),
                list_step(),
                failureActions=[{"name": "skip", "type": "goto", "stepId": "list"}],
            )
        ]
    )
    result = harness.runner(doc).run()
    assert [s.step_id for s in result.steps] == ["get", "list"]


def test_workflow_parameters_merge_by_identity(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {}))
    doc = document(
        [
            workflow(
                get_step(
                    parameters=[
                        {"name": "id", "in": "path", "value": "a1"},
                        {"name": "x-trace", "in": "header", "value": "step"},
                    ]
                ),
                parameters=[
                    {"name": "X-Trace", "in": "header", "value": "workflow"},
                    {"name": "X-Team", "in": "header", "value": "core"},
                ],
            )
        ]
    )
    harness.runner(doc).run()
    headers = harness.server.requests[0].headers
    assert headers["x-trace"] == "step"
    assert headers["x-team"] == "core"


def test_component_parameter_value_override(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/b2", Reply(200, {}))
    components = {"parameters": {"itemId": {"name": "id", "in": "path", "value": "a1"}}}
    step = get_step(
        parameters=[{"reference": "$components.parameters.itemId", "value": "b2"}]
    )
    harness.runner(document([workflow(step)], components=components)).run()
    assert harness.server.requests[0].path == "/v1/items/b2"


def test_component_action_reference(harness: Harness) -> None:
    harness.server.sequence("GET", "/v1/items/a1", [Reply(500), Reply(200, {})])
    components = {
        "failureActions": {"retryOnce": {"name": "retryOnce", "type": "retry"}}
    }
    step = get_step(onFailure=[{"reference": "$components.failureActions.retryOnce"}])
    result = harness.runner(document([workflow(step)], components=components)).run()
    assert result.status == "succeeded"


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("$components.successActions.retryOnce", "not a failure action reference"),
        ("$components.failureActions.nothing", "names no component"),
    ],
    ids=["wrong-kind", "missing"],
)
def test_bad_component_reference_is_load_error(
    harness: Harness, reference: str, message: str
) -> None:
    components = {
        "failureActions": {"retryOnce": {"name": "retryOnce", "type": "retry"}}
    }
    step = get_step(onFailure=[{"reference": reference}])
    with pytest.raises(ValidationError) as caught:
        harness.runner(document([workflow(step)], components=components))
    assert message in str(caught.value.diagnostics[0])


def test_goto_unknown_step_is_load_error(harness: Harness) -> None:
    step = get_step(onSuccess=[{"name": "x", "type": "goto", "stepId": "nowhere"}])
    with pytest.raises(ValidationError) as caught:
        harness.runner(document([workflow(step)]))
    assert "'nowhere' does not exist" in str(caught.value.diagnostics[0])


def test_unhandled_transport_error_can_be_retried(harness: Harness) -> None:
    path = harness.folder / "flow.arazzo.yaml"
    import yaml

    from arazzo_runner import Runner

    doc = document([workflow(get_step(onFailure=[retry(retryLimit=2, retryAfter=1)]))])
    path.write_text(yaml.safe_dump(doc))
    runner = Runner.from_path(
        path, servers={"api": "http://127.0.0.1:9/v1"}, clock=harness.clock
    )
    result = runner.run()
    assert len(result.steps[0].attempts) == 3
    assert harness.clock.sleeps == [1.0, 1.0]
