"""Workflow inputs checked against the input schema before a run."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.engine.inputs import validate_inputs
from arazzo_runner.errors import InputError

COMPONENTS: dict[str, Any] = {
    "order": {
        "type": "object",
        "required": ["pet", "quantity"],
        "properties": {
            "pet": {"$ref": "#/components/inputs/pet"},
            "quantity": {"type": "integer", "minimum": 1},
        },
    },
    "pet": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string", "pattern": "^pet-"}},
    },
}
SCHEMA = {"$ref": "#/components/inputs/order"}


def test_valid_inputs_pass() -> None:
    validate_inputs(
        "order", SCHEMA, COMPONENTS, {"pet": {"id": "pet-1"}, "quantity": 2}
    )


def test_every_violation_is_located() -> None:
    with pytest.raises(InputError) as caught:
        validate_inputs(
            "order", SCHEMA, COMPONENTS, {"pet": {"id": "x"}, "quantity": 0}
        )
    message = caught.value.message
    assert "/pet/id: " in message
    assert "/quantity: " in message
    assert caught.value.location.pointer == "/inputs"


def test_missing_inputs_name_their_parent() -> None:
    with pytest.raises(InputError) as caught:
        validate_inputs("order", SCHEMA, COMPONENTS, {"pet": {}})
    message = caught.value.message
    assert "/: 'quantity' is required" in message
    assert "/pet: 'id' is required" in message


def test_inputs_must_be_object() -> None:
    with pytest.raises(InputError, match="must be an object"):
        validate_inputs("order", SCHEMA, COMPONENTS, [1, 2])
