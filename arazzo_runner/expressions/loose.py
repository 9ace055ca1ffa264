"""The loose comparison rules of simple conditions (Arazzo 1.0.1, Criterion Object).

Arazzo 1.0.1 requires "loose" comparisons and case-insensitive strings but
does not define them. Each function below states the rules this runner uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arazzo_runner.expressions import _tokens
from arazzo_runner.expressions.scope import MISSING

_ORDER_OPERATORS = ("<", "<=", ">", ">=")


def is_truthy(value: Any) -> bool:
    """Return whether a condition's result passes.

    Boolean ``true`` passes and ``false`` fails. Any other value passes unless
    it is null, ``MISSING``, the number 0 or the empty string.
    """
    if isinstance(value, bool):
        return value
    if value is None or value is MISSING:
        return False
    if isinstance(value, (int, float)):
        return value != 0
    return bool(value != "")


def loose_equals(left: Any, right: Any) -> bool:
    """Compare two values by the loose rules of simple conditions.

    Strings compare case-insensitively. A number and a string holding a JSON
    number compare as numbers. Null (or ``MISSING``) equals only null.
    Booleans equal only booleans, so ``true == 'true'`` is false. Arrays and
    objects compare deeply, member by member, by these same rules.
    """
    left = None if left is MISSING else left
    right = None if right is MISSING else right
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    pair = _as_numbers(left, right)
    if pair is not None:
        return pair[0] == pair[1]
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            loose_equals(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(
            loose_equals(left[key], right[key]) for key in left
        )
    return bool(left == right) and type(left) is type(right)


def loose_compare(operator: str, left: Any, right: Any) -> bool:
    """Apply a comparison operator (``== != < <= > >=``) by the loose rules.

    Ordering is defined between two numbers (a numeric string counts as a
    number when the other side is a number) and between two strings
    (case-insensitive). Every other ordering is false, not an error.

    Raises:
        ValueError: ``operator`` is not a comparison operator.
    """
    if operator == "==":
        return loose_equals(left, right)
    if operator == "!=":
        return not loose_equals(left, right)
    if operator not in _ORDER_OPERATORS:
        raise ValueError(f"unknown comparison operator {operator!r}")
    pair: tuple[Any, Any] | None = _as_numbers(left, right)
    if pair is None and isinstance(left, str) and isinstance(right, str):
        pair = (left.casefold(), right.casefold())
    if pair is None:
        return False
    a, b = pair
    if operator == "<":
        return bool(a < b)
    if operator == "<=":
        return bool(a <= b)
    if operator == ">":
        return bool(a > b)
    return bool(a >= b)


def _as_numbers(left: Any, right: Any) -> tuple[int | float, int | float] | None:
    """Return both sides as numbers when one is a number and the other one too,
    or a string holding a JSON number; else ``None``."""
    left_number = _is_number(left)
    right_number = _is_number(right)
    if not (left_number or right_number):
        return None
    a = left if left_number else _parse_number(left)
    b = right if right_number else _parse_number(right)
    if a is None or b is None:
        return None
    return a, b


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_number(value: Any) -> int | float | None:
    if isinstance(value, str) and _tokens.NUMBER_PATTERN.fullmatch(value):
        return _tokens.number_value(value)
    return None
