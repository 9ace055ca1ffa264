"""The step engine against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import struct
import threading
from typing import Any

import pytest
import yaml

from arazzo_runner import InputError, Limits, Runner, RunResult, ValidationError
from tests.engine.conftest import Harness, document
from tests.support.http_server import Reply


def poll_workflow(on_success: list[dict[str, Any]], **step: Any) -> dict[str, Any]:
    return {
        "workflowId": "poll",
        "steps": [
            {
                "stepId": "get",
                "operationId": "getItem",
                "parameters": [{"name": "id", "in": "path", "value": "a1"}],
                "successCriteria": [{"condition": "$statusCode == 200"}],
                "onSuccess": on_success,
                "outputs": {"state": "$response.body#/state"},
                **step,
            }
        ],
        "outputs": {"state": "$steps.get.outputs.state"},
    }


RETRY_WHILE_RUNNING = {
    "name": "again",
    "type": "retry",
    "retryAfter": 10,
    "retryLimit": 3,
    "criteria": [{"condition": "$response.body#/state == 'running'"}],
}


def test_success_retry_polls_until_done(harness: Harness) -> None:
    harness.server.sequence(
        "GET",
        "/v1/items/a1",
        [
            Reply(200, {"state": "running"}),
            Reply(200, {"state": "running"}),
            Reply(200, {"state": "done"}),
        ],
    )
    result = harness.runner(document([poll_workflow([RETRY_WHILE_RUNNING])])).run()
    assert result.status == "succeeded"
    assert result.outputs == {"state": "done"}
    assert len(harness.server.received("GET", "/v1/items/a1")) == 3
    assert harness.clock.sleeps == [10.0, 10.0]


def test_exhausted_retry_falls_through(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"state": "running"}))
    result = harness.runner(document([poll_workflow([RETRY_WHILE_RUNNING])])).run()
    assert result.status == "succeeded"
    assert len(harness.server.received("GET", "/v1/items/a1")) == 4
    assert result.steps[0].status_code == 200
    assert any("limit of 3 retries" in w for w in result.warnings)


def test_retry_after_header_wins(harness: Harness) -> None:
    harness.server.sequence(
        "GET",
        "/v1/items/a1",
        [
            Reply(200, {"state": "running"}, {"Retry-After": "2"}),
            Reply(200, {"state": "done"}),
        ],
    )
    harness.runner(document([poll_workflow([RETRY_WHILE_RUNNING])])).run()
    assert harness.clock.sleeps == [2.0]


def huge_retry_after(harness: Harness) -> RunResult:
    harness.server.sequence(
        "GET",
        "/v1/items/a1",
        [
            Reply(200, {"state": "running"}, {"Retry-After": "999999999"}),
            Reply(200, {"state": "done"}),
        ],
    )
    return harness.runner(document([poll_workflow([RETRY_WHILE_RUNNING])])).run()


def test_retry_after_header_capped(harness: Harness) -> None:
    huge_retry_after(harness)
    assert harness.clock.sleeps == [3600.0]


def test_retry_after_cap_warns(harness: Harness) -> None:
    result = huge_retry_after(harness)
    assert any("waiting 3600 s instead" in w for w in result.warnings)


def test_explicit_retry_wait_lifts_header_cap(harness: Harness) -> None:
    harness.server.sequence(
        "GET",
        "/v1/items/a1",
        [
            Reply(200, {"state": "running"}, {"Retry-After": "7200"}),
            Reply(200, {"state": "done"}),
        ],
    )
    limits = Limits(max_retry_wait=float("inf"))
    doc = document([poll_workflow([RETRY_WHILE_RUNNING])])
    harness.runner(doc, limits=limits).run()
    assert harness.clock.sleeps == [7200.0]


def test_list_inputs_rejected(harness: Harness) -> None:
    runner = harness.runner(document([poll_workflow([])]))
    with pytest.raises(InputError):
        runner.run(None, [1, 2])  # type: ignore[arg-type]


def test_max_retry_wait_caps_each_wait(harness: Harness) -> None:
    harness.server.sequence(
        "GET",
        "/v1/items/a1",
        [Reply(200, {"state": "running"}), Reply(200, {"state": "done"})],
    )
    runner = harness.runner(
        document([poll_workflow([RETRY_WHILE_RUNNING])]),
        limits=Limits(max_retry_wait=0.5),
    )
    runner.run()
    assert harness.clock.sleeps == [0.5]


def test_failure_without_actions_fails_workflow(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(404, {"detail": "not found"}))
    result = harness.runner(document([poll_workflow([])])).run()
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.kind == "criteria-failed"
    assert result.error.step_id == "get"
    assert "not found" in result.error.message


def test_end_action_stops_workflow(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"state": "done"}))
    workflow = poll_workflow([{"name": "stop", "type": "end"}])
    workflow["steps"].append({"stepId": "never", "operationId": "listItems"})
    result = harness.runner(document([workflow])).run()
    assert result.status == "succeeded"
    assert [step.step_id for step in result.steps] == ["get"]


def test_transport_error_fails_with_null_status(harness: Harness) -> None:
    doc = document([poll_workflow([])])
    path = harness.folder / "flow.arazzo.yaml"
    import yaml

    path.write_text(yaml.safe_dump(doc))
    from arazzo_runner import Runner

    runner = Runner.from_path(
        path, servers={"api": "http://127.0.0.1:9/v1"}, clock=harness.clock
    )
    result = runner.run()
    assert result.error is not None
    assert result.error.kind == "transport-error"
    assert result.steps[0].status_code is None


def run_against(harness: Harness, url: str) -> RunResult:
    path = harness.folder / "flow.arazzo.yaml"
    path.write_text(yaml.safe_dump(document([poll_workflow([])])))
    return Runner.from_path(path, servers={"api": url}, clock=harness.clock).run()


def test_refused_connection_gives_hint(harness: Harness) -> None:
    result = run_against(harness, "http://127.0.0.1:9/v1")
    assert result.error is not None
    assert "check that the server is running" in result.error.message


def test_reset_connection_gives_reason(harness: Harness) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def reset() -> None:
            connection, _ = listener.accept()
            connection.recv(65536)
            # A zero linger time makes close() send a TCP reset.
            linger = struct.pack("ii", 1, 0)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            connection.close()

        thread = threading.Thread(target=reset, daemon=True)
        thread.start()
        port = listener.getsockname()[1]
        result = run_against(harness, f"http://127.0.0.1:{port}/v1")
        thread.join(timeout=5)
    assert result.error is not None
    assert "connection was reset" in result.error.message


def test_timeout_bounds_whole_exchange(harness: Harness) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        stop = threading.Event()

        def dribble() -> None:
            connection, _ = listener.accept()
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            # One body byte at a time, each well within the read timeout.
            while not stop.wait(0.05):
                try:
                    connection.sendall(b"x")
                except OSError:
                    break
            connection.close()

        thread = threading.Thread(target=dribble, daemon=True)
        thread.start()
        path = harness.folder / "flow.arazzo.yaml"
        path.write_text(yaml.safe_dump(document([poll_workflow([])])))
        runner = Runner.from_path(
            path,
            servers={"api": f"http://127.0.0.1:{listener.getsockname()[1]}/v1"},
            clock=harness.clock,
            timeout=0.5,
        )
        result = runner.run()
        stop.set()
        thread.join(timeout=5)
    assert result.error is not None
    assert "timed out" in result.error.message


def test_large_response_rejected(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, "x" * 5000))
    limits = Limits(max_response_bytes=1000)
    result = harness.runner(document([poll_workflow([])]), limits=limits).run()
    assert result.error is not None
    assert "larger than the limit of 1000 bytes" in result.error.message


def test_large_undeclared_response_rejected(harness: Harness) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def stream() -> None:
            connection, _ = listener.accept()
            connection.recv(65536)
            # No Content-Length: the body ends when the connection closes.
            connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            connection.sendall(b"x" * 5000)
            connection.close()

        thread = threading.Thread(target=stream, daemon=True)
        thread.start()
        path = harness.folder / "flow.arazzo.yaml"
        path.write_text(yaml.safe_dump(document([poll_workflow([])])))
        runner = Runner.from_path(
            path,
            servers={"api": f"http://127.0.0.1:{listener.getsockname()[1]}/v1"},
            clock=harness.clock,
            limits=Limits(max_response_bytes=1000),
        )
        result = runner.run()
        thread.join(timeout=5)
    assert result.error is not None
    assert "larger than the limit" in result.error.message


def test_optional_input_left_out_of_body(harness: Harness) -> None:
    harness.server.route("POST", "/v1/items", Reply(201, {"id": "x"}))
    workflow = {
        "workflowId": "create",
        "inputs": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "hook": {"type": "string"}},
        },
        "steps": [
            {
                "stepId": "create",
                "operationId": "createItem",
                "requestBody": {
                    "contentType": "application/json",
                    "payload": {"name": "$inputs.name", "hook": "$inputs.hook"},
                },
                "successCriteria": [{"condition": "$statusCode == 201"}],
            }
        ],
    }
    harness.runner(document([workflow])).run(inputs={"name": "n"})
    assert harness.server.received("POST", "/v1/items")[0].json() == {"name": "n"}


def test_invalid_inputs_send_nothing(harness: Harness) -> None:
    workflow = poll_workflow([])
    workflow["inputs"] = {"type": "object", "required": ["token"]}
    result = harness.runner(document([workflow])).run(inputs={})
    assert result.error is not None
    assert result.error.kind == "invalid-inputs"
    assert harness.server.requests == []


def test_unknown_operation_is_load_error(harness: Harness) -> None:
    workflow = poll_workflow([])
    workflow["steps"][0]["operationId"] = "nope"
    with pytest.raises(ValidationError) as caught:
        harness.runner(document([workflow]))
    assert "nope" in str(caught.value.diagnostics[0])


def test_goto_loops_back_and_keeps_outputs(harness: Harness) -> None:
    harness.server.sequence(
        "GET",
        "/v1/items/a1",
        [Reply(200, {"state": "running"}), Reply(200, {"state": "done"})],
    )
    harness.server.route("GET", "/v1/items", Reply(200, []))
    workflow = poll_workflow([])
    workflow["steps"].append(
        {
            "stepId": "check",
            "operationId": "listItems",
            "onSuccess": [
                {
                    "name": "back",
                    "type": "goto",
                    "stepId": "get",
                    "criteria": [
                        {"condition": "$steps.get.outputs.state == 'running'"}
                    ],
                }
            ],
        }
    )
    result = harness.runner(document([workflow])).run()
    assert [step.step_id for step in result.steps] == ["get", "check", "get", "check"]
    assert result.outputs == {"state": "done"}


def test_step_limit_stops_endless_goto(harness: Harness) -> None:
    harness.server.route("GET", "/v1/items/a1", Reply(200, {"state": "x"}))
    workflow = poll_workflow([{"name": "loop", "type": "goto", "stepId": "get"}])
    result = harness.runner(
        document([workflow]), limits=Limits(max_step_executions=5)
    ).run()
    assert result.error is not None
    assert result.error.kind == "step-limit-exceeded"


def test_timeout_is_transport_error(harness: Harness) -> None:
    import time

    def slow(_request: object) -> Reply:
        time.sleep(1.0)
        return Reply(200, {"state": "late"})

    harness.server.route("GET", "/v1/items/a1", slow)
    result = harness.runner(document([poll_workflow([])]), timeout=0.2).run()
    assert result.error is not None
    assert result.error.kind == "transport-error"
    assert "timed out" in result.error.message


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": float("nan")},
        {"timeout": float("inf")},
        {"timeout": 0.0},
        {"limits": Limits(max_retry_wait=float("nan"))},
        {"limits": Limits(max_retry_wait=-1.0)},
    ],
    ids=["timeout-nan", "timeout-inf", "timeout-zero", "wait-nan", "wait-negative"],
)
def test_runner_rejects_invalid_durations(
    harness: Harness, options: dict[str, Any]
) -> None:
    with pytest.raises(InputError, match="is not a"):
        harness.runner(document([poll_workflow([])]), **options)
    assert harness.server.requests == []


def test_retry_after_http_date(harness: Harness) -> None:
    from email.utils import formatdate

    moment = formatdate(harness.clock.now() + 7, usegmt=True)
    harness.server.sequence(
        "GET",
        "/v1/items/a1",
        [
            Reply(200, {"state": "running"}, {"Retry-After": moment}),
            Reply(200, {"state": "done"}),
        ],
    )
    harness.runner(document([poll_workflow([RETRY_WHILE_RUNNING])])).run()
    assert harness.clock.sleeps == [7.0]


def test_fractional_retry_after(harness: Harness) -> None:
    harness.server.sequence(
        "GET",
        "/v1/items/a1",
        [Reply(200, {"state": "running"}), Reply(200, {"state": "done"})],
    )
    action = dict(RETRY_WHILE_RUNNING, retryAfter=0.25)
    harness.runner(document([poll_workflow([action])])).run()
    assert harness.clock.sleeps == [0.25]
