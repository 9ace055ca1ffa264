"""Ctrl-C on the installed `arazzo` command: exit code 130 and a partial result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import arazzo_command
from tests.engine.conftest import OPENAPI, document
from tests.support.http_server import Received, Reply, ScriptedServer

TWO_STEPS: dict[str, Any] = {
    "workflowId": "two",
    "steps": [
        {
            "stepId": "list",
            "operationId": "listItems",
            "outputs": {"count": "$response.body#/count"},
        },
        {
            "stepId": "get",
            "operationId": "getItem",
            "parameters": [{"name": "id", "in": "path", "value": "a1"}],
        },
    ],
    "outputs": {"count": "$steps.list.outputs.count"},
}


def stop_run(
    tmp_path: Path, api_server: ScriptedServer, signal_number: int
) -> tuple[int, dict[str, Any], str]:
    """Send ``signal_number`` to a run while its second step waits for a response."""
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    flow = tmp_path / "flow.arazzo.yaml"
    flow.write_text(yaml.safe_dump(document([TWO_STEPS])))
    waiting = threading.Event()
    release = threading.Event()

    def slow(_request: Received) -> Reply:
        waiting.set()
        release.wait(30)
        return Reply(200, {})

    api_server.route("GET", "/v1/items", Reply(200, {"count": 3}))
    api_server.route("GET", "/v1/items/a1", slow)
    process = subprocess.Popen(
        [arazzo_command(), "run", str(flow), "--format", "json"]
        + ["--server", f"api={api_server.url}/v1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    try:
        assert waiting.wait(30), "the second request never arrived"
        # Give the client a moment to be inside its wait for the response.
        time.sleep(0.2)
        process.send_signal(signal_number)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    return process.returncode, json.loads(stdout), stderr


@pytest.fixture
def interrupted(
    tmp_path: Path, api_server: ScriptedServer
) -> tuple[int, dict[str, Any], str]:
    return stop_run(tmp_path, api_server, signal.SIGINT)


def test_sigterm_exits_143(tmp_path: Path, api_server: ScriptedServer) -> None:
    code, _, _ = stop_run(tmp_path, api_server, signal.SIGTERM)
    assert code == 143


def test_sigterm_keeps_finished_steps(
    tmp_path: Path, api_server: ScriptedServer
) -> None:
    _, result, _ = stop_run(tmp_path, api_server, signal.SIGTERM)
    assert [step["stepId"] for step in result["steps"]] == ["list", "get"]


def test_interrupt_exits_130(interrupted: tuple[int, dict[str, Any], str]) -> None:
    assert interrupted[0] == 130


def test_interrupt_error_kind(interrupted: tuple[int, dict[str, Any], str]) -> None:
    assert interrupted[1]["error"]["kind"] == "interrupted"


def test_interrupt_keeps_finished_steps(
    interrupted: tuple[int, dict[str, Any], str],
) -> None:
    assert [step["stepId"] for step in interrupted[1]["steps"]] == ["list", "get"]


def test_interrupt_reports_outputs_so_far(
    interrupted: tuple[int, dict[str, Any], str],
) -> None:
    assert interrupted[1]["outputs"] == {"count": 3}


def test_interrupt_names_current_step(
    interrupted: tuple[int, dict[str, Any], str],
) -> None:
    assert interrupted[1]["error"]["stepId"] == "get"
