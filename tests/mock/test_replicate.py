"""The Replicate scenarios walked through by hand, as the workflow would."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import REPLICATE
from tests.mock.conftest import AUTH, INPUTS, Serve

SCENARIOS = REPLICATE / "scenarios"
VERSION = f"/models/{INPUTS['modelOwner']}/{INPUTS['modelName']}/versions/{INPUTS['versionId']}"
TRAINING_BODY = {"destination": INPUTS["destination"], "input": INPUTS["input"]}
TERMINAL = {"succeeded", "failed", "canceled", "aborted"}
MAX_POLLS = 10


def walk(client: httpx.Client) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check the version, create a training, and poll until it ends or MAX_POLLS."""
    assert client.get(VERSION, headers=AUTH).status_code == 200
    created = client.post(f"{VERSION}/trainings", json=TRAINING_BODY, headers=AUTH)
    assert created.status_code == 201
    polls: list[dict[str, Any]] = []
    while len(polls) < MAX_POLLS:
        polled = client.get(f"/trainings/{created.json()['id']}", headers=AUTH)
        polls.append(polled.json())
        if polls[-1]["status"] in TERMINAL:
            break
    return created.json(), polls


@pytest.mark.parametrize(
    ("scenario", "statuses"),
    [
        ("success", ["processing", "processing", "succeeded"]),
        ("failed", ["processing", "failed"]),
        ("canceled", ["processing", "canceled"]),
        ("never-finishes", ["processing"] * MAX_POLLS),
    ],
)
def test_polls_reach_status(serve: Serve, scenario: str, statuses: list[str]) -> None:
    _, client = serve(SCENARIOS / f"{scenario}.yaml")
    _, polls = walk(client)
    assert [poll["status"] for poll in polls] == statuses


@pytest.mark.parametrize(
    "scenario", ["success", "failed", "canceled", "never-finishes"]
)
def test_created_training_is_starting(serve: Serve, scenario: str) -> None:
    _, client = serve(SCENARIOS / f"{scenario}.yaml")
    created, _ = walk(client)
    assert created["status"] == "starting"


def test_created_training_echoes_input(serve: Serve) -> None:
    _, client = serve(SCENARIOS / "success.yaml")
    created, _ = walk(client)
    assert created["input"] == INPUTS["input"]


def test_polls_keep_training_id(serve: Serve) -> None:
    _, client = serve(SCENARIOS / "success.yaml")
    created, polls = walk(client)
    assert {poll["id"] for poll in polls} == {created["id"]}


def test_success_sets_output_version(serve: Serve) -> None:
    _, client = serve(SCENARIOS / "success.yaml")
    _, polls = walk(client)
    assert polls[-1]["output"]["version"]


def test_failed_sets_error(serve: Serve) -> None:
    _, client = serve(SCENARIOS / "failed.yaml")
    _, polls = walk(client)
    assert polls[-1]["error"]


@pytest.mark.parametrize(
    "scenario", ["success", "failed", "canceled", "never-finishes"]
)
def test_cancel_returns_canceled(serve: Serve, scenario: str) -> None:
    _, client = serve(SCENARIOS / f"{scenario}.yaml")
    created, _ = walk(client)
    canceled = client.post(f"/trainings/{created['id']}/cancel", headers=AUTH)
    assert canceled.json()["status"] == "canceled"


def test_unknown_version_gets_404(serve: Serve) -> None:
    _, client = serve(SCENARIOS / "unknown-version.yaml")
    response = client.get(VERSION, headers=AUTH)
    assert response.status_code == 404
    assert INPUTS["versionId"] in response.json()["detail"]


@pytest.mark.parametrize(
    "request_line",
    [
        ("GET", VERSION),
        ("POST", f"{VERSION}/trainings"),
        ("GET", "/trainings/any-id"),
        ("POST", "/trainings/any-id/cancel"),
    ],
    ids=["version", "create", "get", "cancel"],
)
def test_wrong_token_gets_401(serve: Serve, request_line: tuple[str, str]) -> None:
    _, client = serve(SCENARIOS / "wrong-token.yaml")
    method, path = request_line
    response = client.request(method, path, json=TRAINING_BODY, headers=AUTH)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "scenario", ["success", "failed", "canceled", "unknown-version", "never-finishes"]
)
def test_other_token_gets_401(serve: Serve, scenario: str) -> None:
    _, client = serve(SCENARIOS / f"{scenario}.yaml")
    response = client.get(VERSION, headers={"Authorization": "Bearer r8_other"})
    assert response.status_code == 401


def test_example_inputs_pass_body_check(serve: Serve) -> None:
    _, client = serve(SCENARIOS / "success.yaml")
    response = client.post(f"{VERSION}/trainings", json=TRAINING_BODY, headers=AUTH)
    assert response.status_code == 201
