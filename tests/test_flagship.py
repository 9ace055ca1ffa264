"""The Replicate flagship workflow end to end: `arazzo run` against `arazzo mock`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPLICATE, arazzo_command, run_arazzo
from tests.support.mock_process import MockProcess

DOCUMENT = REPLICATE / "arazzo" / "train-model-and-poll.arazzo.yaml"
OPENAPI = REPLICATE / "openapi" / "replicate-openapi.yml"
INPUTS = REPLICATE / "inputs.example.json"
TOKEN = json.loads(INPUTS.read_text())["apiToken"]

StartMock = Callable[[str], MockProcess]


@pytest.fixture
def start_mock(tmp_path: Path) -> Iterator[StartMock]:
    started: list[MockProcess] = []

    def start(scenario: str) -> MockProcess:
        mock = MockProcess(
            arazzo_command(),
            OPENAPI,
            REPLICATE / "scenarios" / f"{scenario}.yaml",
            tmp_path / f"{scenario}.log",
        )
        started.append(mock)
        return mock

    yield start
    for mock in started:
        mock.stop()


def run_flagship(mock: MockProcess, *extra: str) -> tuple[int, dict[str, Any], str]:
    completed = run_arazzo(
        "run",
        str(DOCUMENT),
        "--inputs",
        str(INPUTS),
        "--server",
        f"replicateApi={mock.url}/v1",
        "--max-retry-wait",
        "0",
        "--format",
        "json",
        *extra,
    )
    return completed.returncode, json.loads(completed.stdout), completed.stderr


def created_trainings(mock: MockProcess) -> list[dict[str, Any]]:
    return [
        r
        for r in mock.requests()
        if r["method"] == "POST" and r["path"].endswith("/trainings")
    ]


def test_success_returns_trained_version(start_mock: StartMock) -> None:
    mock = start_mock("success")
    code, result, _ = run_flagship(mock)
    assert code == 0
    assert result["status"] == "succeeded"
    assert result["outputs"]["status"] == "succeeded"
    assert result["outputs"]["trainedVersion"]
    assert result["outputs"]["trainingId"]
    assert result["outputs"]["error"] is None
    assert result["error"] is None
    assert len(created_trainings(mock)) == 1


def test_success_body_has_no_webhook(start_mock: StartMock) -> None:
    mock = start_mock("success")
    run_flagship(mock)
    body = created_trainings(mock)[0]["body"]
    assert "webhook" not in body


def test_success_steps_report_attempts(start_mock: StartMock) -> None:
    mock = start_mock("success")
    _, result, _ = run_flagship(mock)
    steps = result["steps"]
    assert [s["stepId"] for s in steps] == [
        "getBaseVersion",
        "createTraining",
        "getTraining",
    ]
    assert steps[2]["attempts"] == 3
    assert steps[2]["statusCode"] == 200
    assert steps[2]["outcome"] == "succeeded"


def test_lenient_forms_are_warned(start_mock: StartMock) -> None:
    mock = start_mock("success")
    _, result, _ = run_flagship(mock)
    codes = {
        code
        for code in ("LEN-1", "LEN-2", "LEN-3")
        if any(code in w for w in result["warnings"])
    }
    assert codes == {"LEN-1", "LEN-2", "LEN-3"}


@pytest.mark.parametrize("scenario", ["failed", "canceled"])
def test_training_ends_without_success(start_mock: StartMock, scenario: str) -> None:
    mock = start_mock(scenario)
    code, result, _ = run_flagship(mock)
    assert code == 0
    assert result["outputs"]["status"] == scenario
    assert result["outputs"]["trainedVersion"] is None
    if scenario == "failed":
        assert result["outputs"]["error"]


def test_unknown_version_creates_no_training(start_mock: StartMock) -> None:
    mock = start_mock("unknown-version")
    code, result, _ = run_flagship(mock)
    assert code == 1
    assert result["error"]["stepId"] == "getBaseVersion"
    assert result["steps"][0]["statusCode"] == 404
    assert created_trainings(mock) == []


def test_wrong_token_fails_first_step(start_mock: StartMock) -> None:
    mock = start_mock("wrong-token")
    code, result, stderr = run_flagship(mock)
    assert code == 1
    assert result["error"]["stepId"] == "getBaseVersion"
    assert "401" in result["error"]["message"]
    assert len(mock.requests()) == 1


def test_never_finishes_polls_121_times(start_mock: StartMock) -> None:
    mock = start_mock("never-finishes")
    code, result, _ = run_flagship(mock)
    polls = [
        r
        for r in mock.requests()
        if r["method"] == "GET" and "/trainings/" in r["path"]
    ]
    assert code == 0
    assert len(polls) == 121
    assert result["steps"][2]["attempts"] == 121
    assert result["outputs"]["status"] == "processing"
    assert result["outputs"]["trainedVersion"] is None
    assert any("retry" in w and "limit" in w for w in result["warnings"])


def test_token_never_appears_in_output(start_mock: StartMock) -> None:
    mock = start_mock("wrong-token")
    completed = run_arazzo(
        "run",
        str(DOCUMENT),
        "--inputs",
        str(INPUTS),
        "--server",
        f"replicateApi={mock.url}/v1",
        "--max-retry-wait",
        "0",
        "-vv",
    )
    assert TOKEN not in completed.stdout + completed.stderr
    assert TOKEN not in mock.log.read_text()


def test_progress_line_per_request(start_mock: StartMock) -> None:
    mock = start_mock("success")
    _, _, stderr = run_flagship(mock)
    lines = [line for line in stderr.splitlines() if " -> " in line]
    assert len(lines) == 5
    assert lines[0].startswith("getBaseVersion #1 GET http://127.0.0.1:")


def test_strict_refuses_flagship(start_mock: StartMock) -> None:
    mock = start_mock("success")
    code, result, _ = run_flagship(mock, "--strict")
    assert code == 2
    assert result["error"]["kind"] == "invalid-document"
    assert mock.requests() == []


def test_text_output_prints_trained_version(start_mock: StartMock) -> None:
    mock = start_mock("success")
    completed = run_arazzo(
        "run",
        str(DOCUMENT),
        "--inputs",
        str(INPUTS),
        "--server",
        f"replicateApi={mock.url}/v1",
        "--max-retry-wait",
        "0",
    )
    assert completed.returncode == 0
    assert "trainedVersion: " in completed.stdout
