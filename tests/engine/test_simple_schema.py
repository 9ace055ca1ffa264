"""The fast input-schema check agrees with jsonschema on its keywords."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arazzo_runner.engine import simple_schema

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-5, 5, allow_nan=False)
    | st.text(max_size=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from("abc"), children, max_size=3)
    ),
    max_leaves=8,
)
TYPES = st.sampled_from(
    ["null", "boolean", "object", "array", "string", "number", "integer"]
)
LEAF_SCHEMA = st.fixed_dictionaries(
    {},
    optional={
        "type": TYPES | st.lists(TYPES, min_size=1, max_size=2, unique=True),
        "minLength": st.integers(0, 3),
        "maxLength": st.integers(0, 3),
        "minimum": st.integers(-3, 3),
        "exclusiveMaximum": st.floats(-3, 3, allow_nan=False),
        "enum": st.lists(JSON, min_size=1, max_size=3),
        "const": JSON,
        "minItems": st.integers(0, 2),
        "description": st.text(max_size=3),
    },
)
SCHEMA = st.recursive(
    LEAF_SCHEMA,
    lambda children: st.fixed_dictionaries(
        {},
        optional={
            "type": st.just("object"),
            "properties": st.dictionaries(st.sampled_from("abc"), children, max_size=3),
            "required": st.lists(st.sampled_from("abc"), max_size=3, unique=True),
            "additionalProperties": st.booleans() | children,
            "items": children,
        },
    ),
    max_leaves=4,
)


@settings(max_examples=400, deadline=None)
@given(SCHEMA, JSON)
def test_verdict_matches_jsonschema(schema: dict[str, Any], instance: Any) -> None:
    violations = simple_schema.check(schema, instance)
    expected = jsonschema.Draft202012Validator(schema).is_valid(instance)
    assert violations is not None
    assert (violations == []) == expected


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/components/inputs/a"},
        {"allOf": []},
        {"pattern": "x"},
        {"type": "thing"},
    ],
    ids=["ref", "all-of", "pattern", "unknown-type"],
)
def test_other_keywords_fall_back(schema: dict[str, Any]) -> None:
    assert simple_schema.check(schema, {}) is None


def test_violations_name_pointer() -> None:
    schema = {
        "type": "object",
        "required": ["token"],
        "properties": {"n": {"type": "integer"}},
    }
    assert simple_schema.check(schema, {"n": "x"}) == [
        ("/", "'token' is required"),
        ("/n", "must be of type integer"),
    ]
