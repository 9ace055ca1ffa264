"""A fast check for the small input schemas most workflows declare.

Importing jsonschema costs more than the rest of a typical run, so schemas
that use only the keywords below are checked here, with the same verdicts as
JSON Schema 2020-12. Any other keyword (``$ref``, ``allOf``, ``pattern`` and
the like) makes :func:`check` return ``None``, and the caller falls back to
jsonschema.
"""

from __future__ import annotations

import math
import operator
from typing import Any

_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "format",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
    }
)
_ASSERTIONS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
    }
)
_SUPPORTED = _ANNOTATIONS | _ASSERTIONS

Violation = tuple[str, str]


def check(schema: Any, instance: Any) -> list[Violation] | None:
    """Return the violations as (JSON Pointer, message) pairs, or ``None``
    when the schema uses a keyword this module does not check."""
    if not _supported(schema):
        return None
    violations: list[Violation] = []
    _check(schema, instance, "", violations)
    return violations


def _supported(schema: Any) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict) or not set(schema) <= _SUPPORTED:
        return False
    if not _well_formed(schema):
        return False
    properties = schema.get("properties", {})
    if not isinstance(properties, dict) or not all(
        _supported(sub) for sub in properties.values()
    ):
        return False
    return all(
        _supported(schema[key])
        for key in ("additionalProperties", "items")
        if key in schema
    )


_TYPE_NAMES = frozenset(
    {"null", "boolean", "object", "array", "string", "number", "integer"}
)


def _well_formed(schema: dict[str, Any]) -> bool:
    """Return whether each keyword's value has the shape the checks assume."""
    expected = schema.get("type")
    names = expected if isinstance(expected, list) else [expected]
    if "type" in schema and not all(name in _TYPE_NAMES for name in names):
        return False
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
        return False
    if "enum" in schema and not isinstance(schema["enum"], list):
        return False
    counts = ("minLength", "maxLength", "minItems", "maxItems")
    bounds = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    return all(
        isinstance(schema[key], int) and not isinstance(schema[key], bool)
        for key in counts
        if key in schema
    ) and all(_is_number(schema[key]) for key in bounds if key in schema)


def _type_matches(expected: str, value: Any) -> bool:
    if expected == "null":
        return value is None
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected == "number":
        return is_number
    if expected == "integer":
        return is_number and (isinstance(value, int) or float(value).is_integer())
    return False


def _equal(left: Any, right: Any) -> bool:
    # JSON equality: true is not 1, and 1 equals 1.0.
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            _equal(left[k], right[k]) for k in left
        )
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_equal, left, right))
    return bool(
        type(left) is type(right) or (_is_number(left) and _is_number(right))
    ) and (left == right)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(schema: Any, value: Any, pointer: str, out: list[Violation]) -> None:
    if schema is True:
        return
    if schema is False:
        out.append((pointer or "/", "is not allowed"))
        return
    where = pointer or "/"
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_type_matches(name, value) for name in names):
            out.append((where, f"must be of type {' or '.join(names)}"))
            return
    if "enum" in schema and not any(_equal(value, item) for item in schema["enum"]):
        out.append((where, "is not one of the allowed values"))
    if "const" in schema and not _equal(value, schema["const"]):
        out.append((where, "is not the required constant value"))
    if isinstance(value, str):
        _check_string(schema, value, where, out)
    elif _is_number(value):
        _check_number(schema, value, where, out)
    elif isinstance(value, list):
        _check_array(schema, value, pointer, out)
    elif isinstance(value, dict):
        _check_object(schema, value, pointer, out)


def _check_string(
    schema: dict[str, Any], value: str, where: str, out: list[Violation]
) -> None:
    # JSON Schema counts code points, as len() does.
    if "minLength" in schema and len(value) < schema["minLength"]:
        out.append((where, f"is shorter than {schema['minLength']} characters"))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append((where, f"is longer than {schema['maxLength']} characters"))


def _check_number(
    schema: dict[str, Any], value: float, where: str, out: list[Violation]
) -> None:
    if math.isnan(value):
        return
    checks = (
        ("minimum", operator.ge, "is less than"),
        ("maximum", operator.le, "is greater than"),
        ("exclusiveMinimum", operator.gt, "is less than or equal to"),
        ("exclusiveMaximum", operator.lt, "is greater than or equal to"),
    )
    for keyword, holds, words in checks:
        if keyword in schema and not holds(value, schema[keyword]):
            out.append((where, f"{words} {schema[keyword]}"))


def _check_array(
    schema: dict[str, Any], value: list[Any], pointer: str, out: list[Violation]
) -> None:
    where = pointer or "/"
    if "minItems" in schema and len(value) < schema["minItems"]:
        out.append((where, f"has fewer than {schema['minItems']} items"))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        out.append((where, f"has more than {schema['maxItems']} items"))
    if "items" in schema:
        for index, item in enumerate(value):
            _check(schema["items"], item, f"{pointer}/{index}", out)


def _check_object(
    schema: dict[str, Any], value: dict[str, Any], pointer: str, out: list[Violation]
) -> None:
    where = pointer or "/"
    for name in schema.get("required", []):
        if name not in value:
            out.append((where, f"{name!r} is required"))
    properties = schema.get("properties", {})
    additional = schema.get("additionalProperties", True)
    for name, item in value.items():
        child = f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}"
        if name in properties:
            _check(properties[name], item, child, out)
        elif additional is False:
            out.append((child, "is not an allowed property"))
        elif additional is not True:
            _check(additional, item, child, out)
