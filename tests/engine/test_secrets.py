"""Secrets stay out of run results, wherever the run copied them.

Each test runs a workflow against a server on 127.0.0.1 and looks for the
secret in the result's JSON form, which is what `arazzo run --format json`
prints.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from arazzo_runner import RunResult
from tests.support.documents import arazzo, openapi, run_flow
from tests.support.http_server import Reply, ScriptedServer

TOKEN = "t0k/en+secret="
API_KEY = "key-4242-secret"

API = openapi(
    {
        "/echo": {
            "get": {
                "operationId": "echo",
                "parameters": [
                    {"name": "key", "in": "query", "schema": {"type": "string"}},
                    {"name": "X-Client", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
    components={
        "securitySchemes": {
            "queryKey": {"type": "apiKey", "in": "query", "name": "key"},
            "headerKey": {"type": "apiKey", "in": "header", "name": "X-Client"},
        }
    },
)


def run_echo(
    tmp_path: Path,
    server: ScriptedServer,
    parameters: list[dict[str, Any]],
    outputs: dict[str, str],
    inputs: dict[str, Any],
    reply: Reply | None = None,
    criteria: list[dict[str, Any]] | None = None,
) -> RunResult:
    server.route("GET", "/echo", reply or Reply(200, {"ok": True}))
    step: dict[str, Any] = {
        "stepId": "call",
        "operationId": "echo",
        "parameters": parameters,
        "outputs": outputs,
    }
    if criteria:
        step["successCriteria"] = criteria
    return run_flow(tmp_path, server.url, API, arazzo([step]), inputs)


def result_text(result: RunResult) -> str:
    return json.dumps(result.to_dict())


def test_step_outputs_masked(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = run_echo(
        tmp_path,
        api_server,
        [
            {
                "name": "Authorization",
                "in": "header",
                "value": "Bearer {$inputs.apiToken}",
            }
        ],
        {"auth": "$request.header.Authorization"},
        {"apiToken": TOKEN},
    )
    assert result.steps[0].outputs["auth"] == "Bearer ***"


def test_criteria_detail_masked(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = run_echo(
        tmp_path,
        api_server,
        [
            {
                "name": "Authorization",
                "in": "header",
                "value": "Bearer {$inputs.apiToken}",
            }
        ],
        {},
        {"apiToken": TOKEN},
        criteria=[{"condition": "$request.header.Authorization == 'x'"}],
    )
    assert TOKEN not in result_text(result)


def test_criteria_debug_log_masked(
    tmp_path: Path, api_server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="arazzo_runner")
    run_echo(
        tmp_path,
        api_server,
        [
            {
                "name": "Authorization",
                "in": "header",
                "value": "Bearer {$inputs.apiToken}",
            }
        ],
        {},
        {"apiToken": TOKEN},
        criteria=[{"condition": "$request.header.Authorization == 'x'"}],
    )
    assert TOKEN not in caplog.text


def test_percent_encoded_secret_masked(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    result = run_echo(
        tmp_path,
        api_server,
        [{"name": "key", "in": "query", "value": "$inputs.apiToken"}],
        {"url": "$url"},
        {"apiToken": TOKEN},
    )
    assert "key=***" in result.steps[0].outputs["url"]


def test_api_key_header_masked(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = run_echo(
        tmp_path,
        api_server,
        [{"name": "X-Client", "in": "header", "value": "$inputs.client"}],
        {"sent": "$request.header.X-Client"},
        {"client": API_KEY},
    )
    assert result.steps[0].outputs["sent"] == "***"


def test_api_key_query_masked(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = run_echo(
        tmp_path,
        api_server,
        [{"name": "key", "in": "query", "value": "$inputs.client"}],
        {"sent": "$request.query.key"},
        {"client": API_KEY},
    )
    assert result.steps[0].outputs["sent"] == "***"


def test_set_cookie_value_masked(tmp_path: Path, api_server: ScriptedServer) -> None:
    result = run_echo(
        tmp_path,
        api_server,
        [],
        {"cookie": "$response.header.Set-Cookie"},
        {},
        reply=Reply(200, {}, {"Set-Cookie": "sid=session-98765; Path=/"}),
    )
    assert "session-98765" not in result_text(result)


def test_httpx_log_masked(
    tmp_path: Path, api_server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    run_echo(
        tmp_path,
        api_server,
        [{"name": "key", "in": "query", "value": "$inputs.apiToken"}],
        {},
        {"apiToken": TOKEN},
    )
    assert "key=***" in caplog.text
