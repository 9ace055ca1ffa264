"""Load-time syntax checks of ``jsonpath`` conditions that embed ``{$...}``."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.criteria import JsonPathCriterion, compile_criterion

GOESSNER = {"type": "jsonpath", "version": "draft-goessner-dispatch-jsonpath-00"}


def compile_jsonpath(condition: str, kind: Any = "jsonpath") -> Any:
    return compile_criterion(condition, context="$response.body", type=kind)


@pytest.mark.parametrize(
    ("condition", "kind", "message", "index"),
    [
        (
            "$.x[?@ == {$inputs.y}]]",
            "jsonpath",
            "invalid JSONPath query '$.x[?@ == 0]]': expected '.', '..' or a"
            " bracketed selection, found ']' (checked with each {$...} replaced"
            " by '0')",
            22,
        ),
        (
            "$.a[?@.b == {$inputs.y}] ==== 1",
            "jsonpath",
            "invalid JSONPath comparison '$.a[?@.b == 0] ==== 1': expected a"
            " value, found '==' (checked with each {$...} replaced by '0')",
            27,
        ),
        (
            "x{$inputs.y}",
            "jsonpath",
            "invalid JSONPath query 'x0': expected '$', found 'x' (checked with"
            " each {$...} replaced by '0')",
            0,
        ),
        (
            "$.a[{$inputs.i}][{$inputs.j}",
            GOESSNER,
            "invalid JSONPath query '$.a[0][0': Parse error near the end of"
            " string! (checked with each {$...} replaced by '0')",
            28,
        ),
    ],
    ids=["extra bracket", "repeated operator", "no root", "goessner unclosed"],
)
def test_template_syntax_error_at_compile(
    condition: str, kind: Any, message: str, index: int
) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_jsonpath(condition, kind)
    assert caught.value.message == message
    assert caught.value.index == index


@pytest.mark.parametrize(
    "condition",
    [
        "$.items[?@.id == {$inputs.id}]",
        "$.items[{$inputs.index}]",
        "$.items[?@.name == '{$inputs.name}']",
        "$.{$inputs.field}",
        "$[?@.n {$inputs.operator} 3]",
        "{$inputs.query}",
        "$.status == '{$inputs.status}'",
        "$.items[{$inputs.start}:{$inputs.end}]",
    ],
    ids=[
        "filter value",
        "index",
        "inside a string",
        "member name",
        "operator",
        "whole query",
        "comparison",
        "two expressions",
    ],
)
def test_template_valid_for_some_value(condition: str) -> None:
    criterion = compile_jsonpath(condition)
    assert isinstance(criterion, JsonPathCriterion)
    assert criterion.template is not None


def test_many_expressions_checked_at_run() -> None:
    condition = "$[{$inputs.a}{$inputs.b}{$inputs.c}{$inputs.d}"
    criterion = compile_jsonpath(condition)
    assert isinstance(criterion, JsonPathCriterion)
