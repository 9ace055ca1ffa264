"""Simple conditions: literals, operators, precedence, loose rules, errors, LEN-5."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.conditions import (
    Binary,
    ExpressionOperand,
    Index,
    Literal,
    Member,
    Not,
    is_truthy,
    loose_compare,
    loose_equals,
    parse_condition,
)
from arazzo_runner.expressions.runtime import parse_expression
from arazzo_runner.expressions.scope import MISSING, Scope

EVALUATIONS: list[tuple[str, str, Any]] = [
    ("status equals", "$statusCode == 200", True),
    ("status not equals", "$statusCode != 200", False),
    ("less", "$statusCode < 300", True),
    ("less equal", "$statusCode <= 200", True),
    ("greater", "$statusCode > 200", False),
    ("greater equal", "$statusCode >= 200", True),
    ("not", "!($statusCode == 404)", True),
    ("and", "$statusCode == 200 && $inputs.count == 3", True),
    ("or", "$statusCode == 404 || $inputs.count == 3", True),
    ("no spaces", "$statusCode==200&&$inputs.count>=3", True),
    ("string case-insensitive", "$response.body#/status == 'SUCCEEDED'", True),
    ("string order", "'apple' < 'Banana'", True),
    ("numeric string vs number", "$request.query.verbose == 'true'", True),
    ("number vs numeric string", "$response.header.X-Count == 2", True),
    ("numeric string order", "$response.header.X-Count > 10", False),
    ("negative number", "-1 < 0", True),
    ("exponent number", "2e2 == 200", True),
    ("float equals int", "200.0 == $statusCode", True),
    ("null equals null", "null == null", True),
    ("missing is null", "$response.body#/nope == null", True),
    ("null is not empty", "$inputs.empty == null", False),
    ("null is not zero", "null == 0", False),
    ("true is not string", "true == 'true'", False),
    ("true is not one", "true == 1", False),
    ("boolean input", "$inputs.flag == true", True),
    ("boolean order", "true > false", False),
    ("null order", "null < 1", False),
    ("mixed order", "'abc' < 1", False),
    ("object equality", "$inputs.customer == $inputs.customer", True),
    ("object vs string", "$inputs.customer == 'Ada'", False),
    ("escaped quote", "'it''s' == 'IT''S'", True),
    ("index", "$response.body#/items[1].name == 'two'", True),
    ("index past end", "$response.body#/items[5] == null", True),
    ("member of group", "($response.body#/output).version == 'v2'", True),
    ("dotted body", "$response.body.status == 'succeeded'", True),
    ("bare truthy", "$response.body#/status", True),
    ("bare zero", "0", False),
    ("bare empty", "$inputs.empty", False),
    ("bare missing", "$inputs.webhook", False),
    ("not missing", "!$inputs.webhook", True),
    ("double not", "!!$inputs.flag", True),
    ("precedence and over or", "true || false && false", True),
    ("grouping", "(true || false) && false", False),
    ("not binds tighter", "!false == true", True),
    ("order binds tighter", "1 < 2 == true", True),
    ("equality of comparisons", "($statusCode == 200) == ($inputs.count == 3)", True),
    ("header with dot", "$response.header.content-type == 'application/JSON'", True),
    ("whitespace and newlines", "$statusCode\n  ==\t200", True),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [row[1:] for row in EVALUATIONS],
    ids=[row[0] for row in EVALUATIONS],
)
def test_condition_evaluates_to(scope: Scope, text: str, expected: Any) -> None:
    assert is_truthy(parse_condition(text).evaluate(scope)) is expected


@pytest.mark.parametrize(
    "text",
    [row[1] for row in EVALUATIONS]
    + [
        "!(true && false)",
        "(true || false) || (false || true)",
        "true || (false || true)",
        "(1 < 2) < 3",
        "1 < (2 < 3)",
        "!(1)[0]",
        "(-1).x",
        "('a' == 'b') == false",
        "!!!true",
        "$statusCode < 1e400",
        "$statusCode > -1e400",
    ],
)
def test_condition_round_trips(text: str) -> None:
    condition = parse_condition(text)
    assert parse_condition(str(condition)) == condition


@pytest.mark.parametrize(
    ("text", "printed"),
    [("1e400", "1e999"), ("-1e400", "-1e999"), ("1e308", "1e+308")],
    ids=["overflow", "negative overflow", "largest finite"],
)
def test_number_literal_prints_parseable(text: str, printed: str) -> None:
    assert str(parse_condition(text)) == printed


STRUCTURE = [
    (
        "and binds tighter than or",
        "true || false && null",
        Binary("||", Literal(True), Binary("&&", Literal(False), Literal(None))),
    ),
    (
        "or is left associative",
        "1 || 2 || 3",
        Binary("||", Binary("||", Literal(1), Literal(2)), Literal(3)),
    ),
    (
        "equality looser than order",
        "1 < 2 == 3 > 4",
        Binary(
            "==",
            Binary("<", Literal(1), Literal(2)),
            Binary(">", Literal(3), Literal(4)),
        ),
    ),
    (
        "not tighter than comparison",
        "!1 == 2",
        Binary("==", Not(Literal(1)), Literal(2)),
    ),
    (
        "postfix tighter than not",
        "!$inputs.a[0].b",
        Not(Member(Index(ExpressionOperand(parse_expression("$inputs.a")), 0), "b")),
    ),
    ("string escape", "'a''b'", Literal("a'b")),
    ("float", "2.5", Literal(2.5)),
    ("negative", "-7", Literal(-7)),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [row[1:] for row in STRUCTURE],
    ids=[row[0] for row in STRUCTURE],
)
def test_condition_parses_to_tree(text: str, expected: object) -> None:
    assert parse_condition(text).node == expected


def test_comparison_returns_boolean(scope: Scope) -> None:
    assert parse_condition("$statusCode == 200").evaluate(scope) is True


def test_bare_operand_returns_value(scope: Scope) -> None:
    assert parse_condition("$inputs.count").evaluate(scope) == 3


def test_condition_lists_expressions() -> None:
    condition = parse_condition("$statusCode == 200 && $steps.a.outputs.b")
    texts = [str(expression) for expression in condition.expressions()]
    assert texts == ["$statusCode", "$steps.a.outputs.b"]


def test_braced_condition_is_leniency(scope: Scope) -> None:
    condition = parse_condition("{$statusCode == 200}")
    (found,) = condition.leniencies
    assert found.code == "LEN-5"
    assert found.suggestion == "$statusCode == 200"
    assert found.index == 0


def test_braced_condition_evaluates(scope: Scope) -> None:
    assert parse_condition("  { $statusCode == 200 } ").evaluate(scope) is True


def test_braced_condition_equals_plain() -> None:
    assert parse_condition("{$statusCode == 200}") == parse_condition(
        "$statusCode == 200"
    )


def test_dotted_body_leniency_index() -> None:
    (found,) = parse_condition("$statusCode == 200 && $response.body.id").leniencies
    assert found.code == "LEN-6"
    assert found.index == 22 + len("$response.body")


def test_braced_leniency_indexes_shift() -> None:
    condition = parse_condition("{$response.body.a}")
    codes = [(item.code, item.index) for item in condition.leniencies]
    assert codes == [("LEN-5", 0), ("LEN-6", 15)]


ERRORS = [
    ("empty", "", "empty condition", 0),
    ("blank", "   ", "empty condition", 3),
    ("chained order", "1 < 2 < 3", "comparisons cannot be chained: '<' follows '<'", 6),
    ("chained equality", "1 == 2 != 3", "comparisons cannot be chained", 7),
    (
        "double quotes",
        '$statusCode == "ok"',
        "strings in conditions use single quotes, as in 'ok'",
        15,
    ),
    ("bare word", "$statusCode == ok", "unexpected word 'ok'", 15),
    ("capital true", "True", "unexpected word 'True'", 0),
    ("single equals", "$statusCode = 200", "use '==' to compare", 12),
    ("single ampersand", "true & false", "use '&&'", 5),
    ("single pipe", "true | false", "use '||'", 5),
    ("unterminated string", "'abc", "unterminated string", 0),
    (
        "missing right operand",
        "$statusCode ==",
        "expected a value, found end of condition",
        14,
    ),
    ("missing paren", "(true", "expected ')', found end of condition", 5),
    ("extra paren", "true)", "unexpected ')'", 4),
    ("two operands", "true false", "unexpected 'false'", 5),
    ("bad index", "$inputs.a[x]", "unexpected word 'x'", 10),
    ("negative index", "$inputs.a[-1]", "expected an array index", 10),
    ("float index", "$inputs.a[1.5]", "expected an array index", 10),
    ("missing property", "(1).", "expected a property name after '.'", 4),
    ("bad number", "12abc", "invalid number '12abc'", 0),
    ("lone minus", "- 1", "invalid number", 0),
    ("comma", "1, 2", "unexpected character ','", 1),
    ("bad expression", "$foo == 1", "unknown runtime expression '$foo'", 0),
    ("jsonpath in simple", '$.status == "x"', "type 'jsonpath'", 0),
    ("expression error index", "1 == $inputs.a#b", "must start with '/'", 15),
    ("embedded braces", "{$statusCode} == 200", "without braces", 0),
    (
        "parentheses too deep",
        "(" * 33 + "true" + ")" * 33,
        "nests '(' and '!' more than 32 levels deep",
        32,
    ),
    ("negations too deep", "!" * 33 + "true", "more than 32 levels deep", 32),
    (
        "too many operators",
        " || ".join(["true"] * 102),
        "condition has more than 100 operators",
        805,
    ),
]


@pytest.mark.parametrize(
    "text",
    ["(" * 32 + "true" + ")" * 32, " && ".join(["true"] * 101)],
    ids=["deepest nesting", "most operators"],
)
def test_condition_limits_inclusive(text: str) -> None:
    condition = parse_condition(text)
    assert parse_condition(str(condition)) == condition


@pytest.mark.parametrize(
    ("text", "message", "index"),
    [row[1:] for row in ERRORS],
    ids=[row[0] for row in ERRORS],
)
def test_condition_syntax_error(text: str, message: str, index: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_condition(text)
    assert message in caught.value.message
    assert caught.value.index == index


TRUTHINESS: list[tuple[str, Any, bool]] = [
    ("true", True, True),
    ("false", False, False),
    ("null", None, False),
    ("missing", MISSING, False),
    ("zero", 0, False),
    ("zero float", 0.0, False),
    ("empty string", "", False),
    ("number", 5, True),
    ("string", "no", True),
    ("empty list", [], True),
    ("object", {"a": 1}, True),
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [row[1:] for row in TRUTHINESS],
    ids=[row[0] for row in TRUTHINESS],
)
def test_truthiness_of_value(value: Any, expected: bool) -> None:
    assert is_truthy(value) is expected


EQUALITY = [
    ("strings ignore case", "Abc", "aBC", True),
    ("numeric string", "200", 200, True),
    ("numeric string float", 2.5, "2.5", True),
    ("non-numeric string", "2x", 2, False),
    ("two numeric strings compare as text", "1.0", "1", False),
    ("null and null", None, None, True),
    ("missing and null", MISSING, None, True),
    ("null and false", None, False, False),
    ("bool and string", True, "true", False),
    ("bool and number", True, 1, False),
    ("deep lists", [1, "A"], [1.0, "a"], True),
    ("list lengths", [1], [1, 2], False),
    ("deep objects", {"a": {"b": "X"}}, {"a": {"b": "x"}}, True),
    ("object keys", {"a": 1}, {"b": 1}, False),
    ("list and object", [], {}, False),
]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [row[1:] for row in EQUALITY],
    ids=[row[0] for row in EQUALITY],
)
def test_loose_equality_rule(left: Any, right: Any, expected: bool) -> None:
    assert loose_equals(left, right) is expected


ORDERING = [
    ("numbers", "<", 1, 2, True),
    ("numeric string", ">", "10", 9, True),
    ("strings as text", "<", "10", "9", True),
    ("strings ignore case", "<=", "abc", "ABC", True),
    ("null", "<", None, 1, False),
    ("null equal order", "<=", None, None, False),
    ("booleans", ">", True, False, False),
    ("lists", "<", [1], [2], False),
    ("not equal", "!=", "a", "A", False),
]


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [row[1:] for row in ORDERING],
    ids=[row[0] for row in ORDERING],
)
def test_loose_ordering_rule(
    operator: str, left: Any, right: Any, expected: bool
) -> None:
    assert loose_compare(operator, left, right) is expected


def test_unknown_operator_raises() -> None:
    with pytest.raises(ValueError, match="unknown comparison operator '<>'"):
        loose_compare("<>", 1, 2)


def test_true_and_one_differ() -> None:
    assert parse_condition("true") != parse_condition("1")


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('x')",
        "'%s' % 1",
        "exec('1')",
        "lambda: 1",
    ],
    ids=["import call", "percent format", "exec call", "lambda"],
)
def test_hostile_condition_rejected(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse_condition(text)


@pytest.mark.parametrize(
    "text",
    [
        "$inputs.apiToken.__class__ == null",
        "($inputs.customer).__class__ == null",
        "$inputs.customer[0] == null",
        "{0.__class__ == null}",
    ],
    ids=["dunder name", "dunder member", "index on object", "braced format field"],
)
def test_dunder_access_reaches_null(scope: Scope, text: str) -> None:
    assert parse_condition(text).evaluate(scope) is True
