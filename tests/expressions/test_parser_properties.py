"""Property tests: random text into every parser, round trips, evaluation safety."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.conditions import (
    EvaluationContext,
    is_truthy,
    parse_condition,
)
from arazzo_runner.expressions.criteria import compile_criterion, describe
from arazzo_runner.expressions.jsonpath import GOESSNER, RFC_9535
from arazzo_runner.expressions.lenient_jsonpath import parse_jsonpath_comparison
from arazzo_runner.expressions.loose import loose_compare, loose_equals
from arazzo_runner.expressions.pointer import format_pointer, parse_pointer
from arazzo_runner.expressions.runtime import parse_expression
from arazzo_runner.expressions.template import evaluate_output, parse_value
from tests.expressions.conftest import make_scope

# Pieces that reach deep into the grammars, mixed with arbitrary characters.
PIECES = [
    "$",
    "$url",
    "$method",
    "$statusCode",
    "$request.",
    "$response.",
    "$inputs.",
    "$outputs.",
    "$steps.",
    "$workflows.",
    "$sourceDescriptions.",
    "$components.",
    "header.",
    "query.",
    "path.",
    "body",
    "outputs.",
    "inputs.",
    "parameters.",
    "#",
    "/",
    "~0",
    "~1",
    "~",
    "%20",
    "%",
    ".",
    "..",
    "a",
    "0",
    "01",
    "-",
    "{",
    "}",
    "{$",
    "[",
    "]",
    "(",
    ")",
    "'",
    "''",
    '"',
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "!",
    "&&",
    "||",
    "&",
    "|",
    " ",
    "\t",
    "\n",
    "true",
    "false",
    "null",
    "1.5e3",
    "-2",
    "@",
    "?",
    "*",
    ",",
    "__class__",
    "é",
    "\x00",
]
TEXT = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(max_size=40),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
TYPES: list[Any] = [
    None,
    "simple",
    "regex",
    "jsonpath",
    "xpath",
    {"type": "jsonpath", "version": "draft-goessner-dispatch-jsonpath-00"},
    {"type": "xpath", "version": "xpath-10"},
]


def parse_or_none(parse: Any, text: str) -> Any:
    """Return ``parse(text)``, or ``None`` when it raises a syntax error."""
    try:
        return parse(text)
    except ExpressionSyntaxError as error:
        assert 0 <= error.index <= len(error.text)
        return None


@given(TEXT)
def test_expression_parser_total(text: str) -> None:
    node = parse_or_none(parse_expression, text)
    if node is not None:
        assert parse_expression(str(node)) == node


@given(TEXT)
def test_condition_parser_total(text: str) -> None:
    condition = parse_or_none(parse_condition, text)
    if condition is not None:
        assert parse_condition(str(condition)) == condition


@given(TEXT)
def test_pointer_parser_total(text: str) -> None:
    parse_or_none(lambda value: parse_pointer(value), text)


@given(st.lists(st.text(max_size=6), max_size=5))
def test_pointer_format_round_trips(tokens: list[str]) -> None:
    assert parse_pointer(format_pointer(tokens)).tokens == tuple(tokens)


@given(TEXT)
def test_comparison_parser_total(text: str) -> None:
    parse_or_none(lambda value: parse_jsonpath_comparison(value, RFC_9535), text)
    parse_or_none(lambda value: parse_jsonpath_comparison(value, GOESSNER), text)


@settings(max_examples=300)
@given(TEXT, st.sampled_from(TYPES), st.sampled_from([None, "$response.body", "$foo"]))
def test_criterion_compiler_total(text: str, kind: Any, context: str | None) -> None:
    criterion = parse_or_none(
        lambda value: compile_criterion(value, context=context, type=kind), text
    )
    if criterion is not None:
        result = criterion.evaluate(make_scope({"status": "x", "items": [1, 2]}))
        assert isinstance(result.passed, bool)


@given(
    st.recursive(
        TEXT | st.integers() | st.booleans() | st.none(),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=4), children, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_value_round_trips(value: Any) -> None:
    node = parse_value(value)
    assert parse_value(node.to_data()) == node


@given(JSON_VALUES, TEXT)
def test_value_evaluation_never_raises_for_outputs(document: Any, text: str) -> None:
    node = parse_value({"text": text, "list": [text]})
    evaluate_output(node, make_scope(document))


@given(JSON_VALUES)
def test_criteria_survive_any_body(body: Any) -> None:
    scope = make_scope(body)
    for condition, kind in [
        ("$.status == 'succeeded' || $.items[0] > 1", "jsonpath"),
        ("$..*", "jsonpath"),
        ("^2", "regex"),
        ("/a", "xpath"),
    ]:
        result = compile_criterion(
            condition, context="$response.body", type=kind
        ).evaluate(scope)
        assert isinstance(result.passed, bool)
    simple = compile_criterion("$response.body#/status == 'x' && $response.body[0] < 1")
    assert isinstance(simple.evaluate(scope).passed, bool)


@given(JSON_VALUES, JSON_VALUES)
def test_loose_equality_is_symmetric(left: Any, right: Any) -> None:
    assert loose_equals(left, right) == loose_equals(right, left)


@given(JSON_VALUES)
def test_loose_equality_is_reflexive(value: Any) -> None:
    assert loose_equals(value, value)


@given(JSON_VALUES, JSON_VALUES, st.sampled_from(["<", "<=", ">", ">="]))
def test_loose_order_never_raises(left: Any, right: Any, operator: str) -> None:
    assert isinstance(loose_compare(operator, left, right), bool)


@settings(max_examples=300)
@given(TEXT, JSON_VALUES)
def test_simple_criterion_matches_condition(text: str, body: Any) -> None:
    # A simple criterion computes its value and detail in one pass; both must
    # equal those of short-circuit evaluation and of `describe`.
    condition = parse_or_none(parse_condition, text)
    if condition is None:
        return
    scope = make_scope(body)
    result = compile_criterion(text).evaluate(scope)
    described = describe(condition.node, EvaluationContext(scope))
    assert result.passed is is_truthy(condition.evaluate(scope))
    assert result.detail == f"{condition}: {described}"
