"""The flagship through the Python API, with the engine's clock injected."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from arazzo_runner import FakeClock, Runner
from arazzo_runner.mock import MockServer
from tests.conftest import REPLICATE

DOCUMENT = REPLICATE / "arazzo" / "train-model-and-poll.arazzo.yaml"
OPENAPI = REPLICATE / "openapi" / "replicate-openapi.yml"
INPUTS = json.loads((REPLICATE / "inputs.example.json").read_text())


@pytest.fixture
def never_finishes() -> Iterator[MockServer]:
    with MockServer(OPENAPI, REPLICATE / "scenarios" / "never-finishes.yaml") as server:
        yield server


def test_polls_wait_ten_seconds_each(never_finishes: MockServer) -> None:
    clock = FakeClock()
    runner = Runner.from_path(
        DOCUMENT, servers={"replicateApi": never_finishes.base_url}, clock=clock
    )
    result = runner.run("train-model-and-poll", INPUTS)
    assert clock.sleeps == [10.0] * 120
    assert result.steps[2].status_code == 200
    assert len(result.steps[2].attempts) == 121


def test_result_to_dict_matches_fields(never_finishes: MockServer) -> None:
    runner = Runner.from_path(
        DOCUMENT, servers={"replicateApi": never_finishes.base_url}, clock=FakeClock()
    )
    result = runner.run(inputs=INPUTS)
    data = result.to_dict()
    assert data["workflowId"] == result.workflow_id
    assert data["status"] == result.status
    assert data["outputs"] == result.outputs
    assert data["steps"][2]["attempts"] == len(result.steps[2].attempts)
    assert data["warnings"] == result.warnings


def test_runner_warns_about_lenient_forms() -> None:
    runner = Runner.from_path(DOCUMENT)
    codes = sorted({warning.code for warning in runner.warnings})
    assert codes == ["LEN-1", "LEN-2", "LEN-3"]
