"""The installed `arazzo` command: arguments, exit codes and output streams."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPLICATE, run_arazzo
from tests.engine.conftest import OPENAPI, document
from tests.support.http_server import Reply, ScriptedServer

ECHO_WORKFLOW: dict[str, Any] = {
    "workflowId": "echo",
    "inputs": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, "extra": {}},
    },
    "steps": [
        {
            "stepId": "get",
            "operationId": "getItem",
            "parameters": [{"name": "id", "in": "path", "value": "$inputs.id"}],
            "successCriteria": [{"condition": "$statusCode == 200"}],
            "outputs": {"name": "$response.body#/name"},
        }
    ],
    "outputs": {"name": "$steps.get.outputs.name", "extra": "$inputs.extra"},
}


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    path = tmp_path / "flow.arazzo.yaml"
    path.write_text(yaml.safe_dump(document([ECHO_WORKFLOW])))
    return path


def run_json(
    flow: Path, server: ScriptedServer, *args: str
) -> tuple[int, dict[str, Any]]:
    completed = run_arazzo(
        "run", str(flow), "--server", f"api={server.url}/v1", "--format", "json", *args
    )
    return completed.returncode, json.loads(completed.stdout)


def test_input_value_read_as_json(flow: Path, api_server: ScriptedServer) -> None:
    api_server.route("GET", "/v1/items/x", Reply(200, {"name": "X"}))
    code, result = run_json(
        flow, api_server, "--input", "id=x", "--input", 'extra={"a": [1, true]}'
    )
    assert code == 0
    assert result["outputs"]["extra"] == {"a": [1, True]}


def test_numeric_input_is_a_number(flow: Path, api_server: ScriptedServer) -> None:
    # `7` parses as JSON, so it is the number 7, which the string schema rejects.
    code, result = run_json(flow, api_server, "--input", "id=7")
    assert code == 2
    assert "must be of type string" in result["error"]["message"]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_input_nan_is_a_string(
    flow: Path, api_server: ScriptedServer, text: str
) -> None:
    api_server.route("GET", f"/v1/items/{text}", Reply(200, {"name": "N"}))
    code, result = run_json(flow, api_server, "--input", f"id={text}")
    assert code == 0, result
    assert api_server.requests[0].path == f"/v1/items/{text}"


def test_input_file_with_nan_exits_2(
    flow: Path, api_server: ScriptedServer, tmp_path: Path
) -> None:
    (tmp_path / "extra.json").write_text('{"n": NaN}')
    completed = run_arazzo(
        "run",
        str(flow),
        "--server",
        f"api={api_server.url}/v1",
        "--input",
        "id=a",
        "--input",
        f"extra=@{tmp_path / 'extra.json'}",
    )
    assert completed.returncode == 2
    assert "is not valid JSON: NaN is not a JSON value" in completed.stderr
    assert api_server.requests == []


def test_input_from_file(
    flow: Path, api_server: ScriptedServer, tmp_path: Path
) -> None:
    api_server.route("GET", "/v1/items/a", Reply(200, {"name": "A"}))
    (tmp_path / "extra.json").write_text("[1, 2]")
    code, result = run_json(
        flow,
        api_server,
        "--input",
        "id=a",
        "--input",
        f"extra=@{tmp_path / 'extra.json'}",
    )
    assert result["outputs"]["extra"] == [1, 2]


def test_inputs_file_then_override(
    flow: Path, api_server: ScriptedServer, tmp_path: Path
) -> None:
    api_server.route("GET", "/v1/items/b", Reply(200, {"name": "B"}))
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text("id: a\nextra: on\n")
    code, result = run_json(
        flow, api_server, "--inputs", str(inputs), "--input", "id=b"
    )
    assert code == 0
    assert result["outputs"] == {"name": "B", "extra": "on"}


def test_missing_required_input_exits_2(flow: Path, api_server: ScriptedServer) -> None:
    code, result = run_json(flow, api_server)
    assert code == 2
    assert result["error"]["kind"] == "invalid-inputs"
    assert api_server.requests == []


def test_failed_workflow_exits_1(flow: Path, api_server: ScriptedServer) -> None:
    code, result = run_json(flow, api_server, "--input", "id=none")
    assert code == 1
    assert result["status"] == "failed"


def test_invalid_document_exits_2(tmp_path: Path, api_server: ScriptedServer) -> None:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    broken = dict(
        ECHO_WORKFLOW, steps=[dict(ECHO_WORKFLOW["steps"][0], operationId="missing")]
    )
    path = tmp_path / "flow.arazzo.yaml"
    path.write_text(yaml.safe_dump(document([broken])))
    completed = run_arazzo(
        "run", str(path), "--input", "id=a", "--server", f"api={api_server.url}/v1"
    )
    assert completed.returncode == 2
    assert "flow.arazzo.yaml:" in completed.stderr
    assert "'missing'" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert api_server.requests == []


def test_unknown_workflow_exits_2(flow: Path, api_server: ScriptedServer) -> None:
    code, result = run_json(flow, api_server, "--workflow", "nope", "--input", "id=a")
    assert code == 2
    assert result["error"]["kind"] == "invalid-arguments"


def test_bad_server_option_exits_2(flow: Path) -> None:
    completed = run_arazzo("run", str(flow), "--server", "no-equals-sign")
    assert completed.returncode == 2
    assert "SOURCE=URL" in completed.stderr


def test_missing_document_exits_2(tmp_path: Path) -> None:
    completed = run_arazzo("run", str(tmp_path / "none.yaml"))
    assert completed.returncode == 2
    assert "file not found" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_json_output_is_one_object(flow: Path, api_server: ScriptedServer) -> None:
    api_server.route("GET", "/v1/items/a", Reply(200, {"name": "A"}))
    completed = run_arazzo(
        "run",
        str(flow),
        "--server",
        f"api={api_server.url}/v1",
        "--format",
        "json",
        "--input",
        "id=a",
    )
    result = json.loads(completed.stdout)
    assert set(result) >= {
        "workflowId",
        "status",
        "outputs",
        "steps",
        "warnings",
        "error",
    }


def test_validate_reports_problem(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    broken = dict(
        ECHO_WORKFLOW, steps=[dict(ECHO_WORKFLOW["steps"][0], operationId="missing")]
    )
    path = tmp_path / "flow.arazzo.yaml"
    path.write_text(yaml.safe_dump(document([broken])))
    completed = run_arazzo("validate", str(path))
    assert completed.returncode == 1
    assert "operation-target" in completed.stdout


def test_max_steps_option_limits_loops(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    looping = dict(
        ECHO_WORKFLOW,
        steps=[
            dict(
                ECHO_WORKFLOW["steps"][0],
                onSuccess=[{"name": "again", "type": "goto", "stepId": "get"}],
            )
        ],
    )
    path = tmp_path / "flow.arazzo.yaml"
    path.write_text(yaml.safe_dump(document([looping])))
    api_server.route("GET", "/v1/items/a", Reply(200, {"name": "A"}))
    completed = run_arazzo(
        "run",
        str(path),
        "--input",
        "id=a",
        "--server",
        f"api={api_server.url}/v1",
        "--max-steps",
        "3",
        "--format",
        "json",
    )
    result = json.loads(completed.stdout)
    assert completed.returncode == 1
    assert result["error"]["kind"] == "step-limit-exceeded"
    assert len(api_server.requests) == 3


def test_unknown_server_source_exits_2(flow: Path, api_server: ScriptedServer) -> None:
    completed = run_arazzo(
        "run", str(flow), "--input", "id=a", "--server", f"typo={api_server.url}/v1"
    )
    assert completed.returncode == 2
    assert "'typo'" in completed.stderr
    assert api_server.requests == []


def test_unknown_server_source_is_argument_error(
    flow: Path, api_server: ScriptedServer
) -> None:
    code, result = run_json(flow, api_server, "--input", "id=a", "--server", "typo=x")
    assert result["error"]["kind"] == "invalid-arguments"


def test_unknown_source_override_exits_2(
    flow: Path, api_server: ScriptedServer
) -> None:
    code, result = run_json(flow, api_server, "--input", "id=a", "--source", "typo=x")
    assert code == 2


def test_bad_server_option_hint(flow: Path) -> None:
    completed = run_arazzo("run", str(flow), "--server", "api")
    assert "hint: write --server SOURCE=URL" in completed.stderr


def test_bad_input_option_prints_json(flow: Path, api_server: ScriptedServer) -> None:
    code, result = run_json(flow, api_server, "--input", "id")
    assert result["error"]["kind"] == "invalid-arguments"


def test_input_file_folder_rejected(flow: Path, api_server: ScriptedServer) -> None:
    completed = run_arazzo("run", str(flow), "--input", f"id=@{flow.parent}")
    assert "is a folder" in completed.stderr


def test_missing_document_hint_names_path(tmp_path: Path) -> None:
    completed = run_arazzo("run", str(tmp_path / "nope.yaml"))
    assert "check the path" in completed.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--max-retry-wait", "nan"),
    ],
    ids=["timeout-nan", "timeout-inf", "retry-wait-nan"],
)
def test_non_finite_seconds_exit_2(
    flow: Path, api_server: ScriptedServer, option: str, value: str
) -> None:
    completed = run_arazzo(
        "run",
        str(flow),
        "--input",
        "id=a",
        "--server",
        f"api={api_server.url}/v1",
        option,
        value,
    )
    assert completed.returncode == 2
    assert f"Invalid value for '{option}'" in completed.stderr
    assert f"'{value}' is not a" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert api_server.requests == []


def test_infinite_retry_wait_means_no_cap(
    flow: Path, api_server: ScriptedServer
) -> None:
    api_server.route("GET", "/v1/items/a", Reply(200, {"name": "A"}))
    code, result = run_json(
        flow, api_server, "--input", "id=a", "--max-retry-wait", "inf"
    )
    assert code == 0
    assert result["status"] == "succeeded"


def test_run_document_from_url(api_server: ScriptedServer) -> None:
    api_server.route("GET", "/flows/openapi.yaml", Reply(200, yaml.safe_dump(OPENAPI)))
    api_server.route(
        "GET",
        "/flows/flow.arazzo.yaml",
        Reply(200, yaml.safe_dump(document([ECHO_WORKFLOW]))),
    )
    api_server.route("GET", "/v1/items/a", Reply(200, {"name": "A"}))
    completed = run_arazzo(
        "run",
        f"{api_server.url}/flows/flow.arazzo.yaml",
        "--input",
        "id=a",
        "--server",
        f"api={api_server.url}/v1",
        "--format",
        "json",
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["outputs"]["name"] == "A"
    assert len(api_server.received("GET", "/flows/openapi.yaml")) == 1


def test_validate_document_from_url(api_server: ScriptedServer) -> None:
    api_server.route("GET", "/flows/openapi.yaml", Reply(200, yaml.safe_dump(OPENAPI)))
    api_server.route(
        "GET",
        "/flows/flow.arazzo.yaml",
        Reply(200, yaml.safe_dump(document([ECHO_WORKFLOW]))),
    )
    completed = run_arazzo("validate", f"{api_server.url}/flows/flow.arazzo.yaml")
    assert completed.returncode == 0, completed.stdout
    assert "http:/127" not in completed.stdout


def test_missing_url_document_names_url(api_server: ScriptedServer) -> None:
    url = f"{api_server.url}/flows/none.arazzo.yaml"
    completed = run_arazzo("run", url)
    assert completed.returncode == 2
    assert f"cannot fetch {url!r}" in completed.stderr
    assert "status 404 Not Found" in completed.stderr
    assert "--source" not in completed.stderr
    assert "Traceback" not in completed.stderr


def test_mock_rejects_arazzo_document() -> None:
    arazzo = REPLICATE / "arazzo" / "train-model-and-poll.arazzo.yaml"
    scenario = REPLICATE / "scenarios" / "success.yaml"

    completed = run_arazzo("mock", str(arazzo), "--scenario", str(scenario), timeout=20)

    assert completed.returncode == 2
    assert "listening on" not in completed.stdout
    assert "not an OpenAPI description: it is an Arazzo document" in completed.stderr


def test_input_option_joins_keyed_inputs(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    dependency = {
        "workflowId": "dep",
        "inputs": {"type": "object", "required": ["n"], "properties": {"n": {}}},
        "steps": [{"stepId": "d", "operationId": "listItems"}],
    }
    main = dict(ECHO_WORKFLOW, dependsOn=["dep"])
    flow = tmp_path / "flow.arazzo.yaml"
    flow.write_text(yaml.safe_dump(document([main, dependency])))
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({"echo": {}, "dep": {"n": 1}}))
    api_server.route("GET", "/v1/items", Reply(200, []))
    api_server.route("GET", "/v1/items/a", Reply(200, {"name": "A"}))
    code, result = run_json(
        flow,
        api_server,
        "--workflow",
        "echo",
        "--inputs",
        str(inputs),
        "--input",
        "id=a",
    )
    assert result["outputs"]["name"] == "A"
