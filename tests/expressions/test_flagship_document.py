"""Every expression of the Replicate flagship document parses, with the expected leniencies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from arazzo_runner.expressions.criteria import compile_criterion
from arazzo_runner.expressions.scope import Scope
from arazzo_runner.expressions.template import evaluate_output, parse_value
from tests.conftest import REPLICATE

DOCUMENT = REPLICATE / "arazzo" / "train-model-and-poll.arazzo.yaml"


def load_steps() -> list[dict[str, Any]]:
    document = yaml.safe_load(DOCUMENT.read_text())
    steps: list[dict[str, Any]] = document["workflows"][0]["steps"]
    return steps


def iter_criteria() -> Iterator[dict[str, Any]]:
    for step in load_steps():
        yield from step.get("successCriteria", [])
        for action in step.get("onSuccess", []):
            yield from action.get("criteria", [])


def test_flagship_criteria_compile() -> None:
    codes = [
        [
            item.code
            for item in compile_criterion(
                criterion["condition"],
                context=criterion.get("context"),
                type=criterion.get("type"),
            ).leniencies
        ]
        for criterion in iter_criteria()
    ]
    assert codes == [[], [], [], ["LEN-1"], ["LEN-1"], ["LEN-1"]]


def test_flagship_parameters_use_bare_words() -> None:
    authorizations = [
        parse_value(parameter["value"])
        for step in load_steps()
        for parameter in step["parameters"]
        if parameter["name"] == "Authorization"
    ]
    suggestions = [
        item.suggestion for node in authorizations for item in node.leniencies
    ]
    assert suggestions == ["Bearer {$inputs.apiToken}"] * 3


def test_flagship_authorization_value() -> None:
    node = parse_value(load_steps()[0]["parameters"][0]["value"])
    assert node.evaluate(Scope(inputs={"apiToken": "r8_x"})) == "Bearer r8_x"


def test_flagship_payload_omits_webhook() -> None:
    payload = parse_value(load_steps()[1]["requestBody"]["payload"])
    omitted: list[str] = []
    inputs = {"destination": "me/model", "input": {"steps": 3}}
    value = payload.evaluate(
        Scope(inputs=inputs), on_omit=lambda p, _: omitted.append(p)
    )
    assert value == inputs
    assert omitted == ["/webhook"]


def test_flagship_payload_sends_webhook() -> None:
    payload = parse_value(load_steps()[1]["requestBody"]["payload"])
    inputs = {"destination": "d", "input": {}, "webhook": "https://hook.test"}
    assert payload.evaluate(Scope(inputs=inputs)) == inputs


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("trainingId", "t1"),
        ("status", "succeeded"),
        ("trainedVersion", "v2"),
        ("error", None),
    ],
)
def test_flagship_workflow_outputs(name: str, expected: Any) -> None:
    document = yaml.safe_load(DOCUMENT.read_text())
    outputs = document["workflows"][0]["outputs"]
    scope = Scope(
        steps={
            "createTraining": {"trainingId": "t1"},
            "getTraining": {"status": "succeeded", "trainedVersion": "v2"},
        }
    )
    assert evaluate_output(parse_value(outputs[name]), scope) == expected
