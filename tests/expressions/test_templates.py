"""Values with runtime expressions: whole expressions, templates, LEN-2 and LEN-4."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import ArazzoError
from arazzo_runner.expressions.scope import MISSING, Scope
from arazzo_runner.expressions.template import (
    ExpressionValue,
    LiteralValue,
    TemplateValue,
    UnresolvedExpressionError,
    evaluate_output,
    parse_value,
    to_text,
)

VALUES: list[tuple[str, Any, Any]] = [
    ("whole string", "$inputs.apiToken", "tok"),
    ("whole number keeps type", "$inputs.count", 3),
    ("whole boolean keeps type", "$inputs.flag", True),
    (
        "whole object keeps type",
        "$inputs.customer",
        {"firstName": "Ada", "tags": ["a", "b"]},
    ),
    ("whole null", "$inputs.nothing", None),
    ("whole trimmed", "  $statusCode \n", 200),
    ("whole pointer", "$response.body#/output/version", "v2"),
    ("embedded string", "id={$inputs.apiToken}", "id=tok"),
    ("embedded number", "{$inputs.count}", "3"),
    ("embedded boolean", "x{$inputs.flag}", "xtrue"),
    ("embedded null", "<{$inputs.nothing}>", "<null>"),
    (
        "embedded object",
        "c={$inputs.customer}",
        'c={"firstName":"Ada","tags":["a","b"]}',
    ),
    ("embedded array", "{$inputs.customer#/tags}", '["a","b"]'),
    ("embedded twice", "{$inputs.modelOwner}/{$inputs.apiToken}", "acme/tok"),
    ("json text literal braces", '{"a": {$inputs.count}}', '{"a": 3}'),
    ("quoted placeholder", '{"q": "{$inputs.count}"}', '{"q": "3"}'),
    ("bare word", "Bearer $inputs.apiToken", "Bearer tok"),
    ("bare word number", "count $inputs.count items", "count 3 items"),
    ("bare word and braces", "$inputs.modelOwner {$inputs.apiToken}", "acme tok"),
    ("bare word before comma", "Hello $inputs.modelOwner, hi", "Hello acme, hi"),
    ("bare word in parentheses", "n ($inputs.count)", "n (3)"),
    ("bare word at text start", "($inputs.count).", "(3)."),
    ("bare word in quotes", "'$inputs.modelOwner'", "'acme'"),
    ("bare word in brackets", "[$inputs.count]", "[3]"),
    ("bare word before punctuation run", "is $inputs.modelOwner?!)", "is acme?!)"),
    ("bare pointer before period", "v $response.body#/id.", "v t1."),
    ("glued parenthesis literal", "f($inputs.count)", "f($inputs.count)"),
    ("brace after bare word literal", "{ $statusCode}", "{ $statusCode}"),
    ("brace in json text literal", '{"a": $inputs.count}', '{"a": $inputs.count}'),
    ("bare word between braces", "{ $inputs.count }", "{ 3 }"),
    ("money stays literal", "costs $100 today", "costs $100 today"),
    ("jsonpath stays literal", "select $.items[*] now", "select $.items[*] now"),
    ("glued word literal", "scope=$inputs.apiToken", "scope=$inputs.apiToken"),
    (
        "source bare word literal",
        "see $sourceDescriptions.replicateApi.url",
        "see $sourceDescriptions.replicateApi.url",
    ),
    ("dollar literal", "$100", "$100"),
    ("plain literal", "hello", "hello"),
    ("number literal", 5, 5),
    ("null literal", None, None),
    ("unclosed brace", "a {$inputs.count", "a {$inputs.count"),
    ("unclosed then valid", "{$ {$inputs.count}", "{$ 3"),
    ("invalid embedded", "a {$100} b", "a {$100} b"),
    ("stray closing brace", "a } {$inputs.count}", "a } 3"),
    ("empty string", "", ""),
    ("list", ["$inputs.count", "x{$inputs.count}", 1], [3, "x3", 1]),
    (
        "object",
        {"a": "$inputs.count", "b": {"c": "$statusCode"}},
        {"a": 3, "b": {"c": 200}},
    ),
    ("keys stay literal", {"$inputs.count": 1}, {"$inputs.count": 1}),
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [row[1:] for row in VALUES],
    ids=[row[0] for row in VALUES],
)
def test_value_evaluates_to(scope: Scope, value: Any, expected: Any) -> None:
    assert parse_value(value).evaluate(scope) == expected


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("$inputs.a", ExpressionValue),
        ("{$inputs.a}", TemplateValue),
        ("Bearer $inputs.a", TemplateValue),
        ("$100", LiteralValue),
        ("$.items", LiteralValue),
        ("costs $5 per $inputs", LiteralValue),
        ("plain", LiteralValue),
        ("{$ unclosed", TemplateValue),
    ],
)
def test_string_value_kind(value: str, kind: type) -> None:
    assert isinstance(parse_value(value), kind)


@pytest.mark.parametrize(
    "text",
    [
        "Bearer {$inputs.apiToken}",
        "Bearer $inputs.apiToken",
        "{$inputs.a}/{$steps.b.outputs.c#/0}",
        "x $response.body.status y",
        "Hello ($inputs.name), bye.",
    ],
)
def test_template_round_trips(text: str) -> None:
    node = parse_value(text)
    assert str(node) == text


VALUE_TEXTS: list[tuple[str, Any, str]] = [
    ("literal string", "$100", "$100"),
    ("number", 5, "5"),
    ("null", None, "null"),
    ("boolean", True, "true"),
    ("empty array", [], "[]"),
    (
        "object",
        {"a": "$inputs.a", "b": [1, "x {$inputs.b}"], "c": "é"},
        '{"a": "$inputs.a", "b": [1, "x {$inputs.b}"], "c": "é"}',
    ),
    ("array", ["Bearer $inputs.t", {"k": None}], '["Bearer $inputs.t", {"k": null}]'),
]


@pytest.mark.parametrize(
    ("value", "text"),
    [row[1:] for row in VALUE_TEXTS],
    ids=[row[0] for row in VALUE_TEXTS],
)
def test_value_prints_source_text(value: Any, text: str) -> None:
    assert str(parse_value(value)) == text


@pytest.mark.parametrize(
    "value", [row[1] for row in VALUE_TEXTS], ids=[row[0] for row in VALUE_TEXTS]
)
def test_value_data_round_trips(value: Any) -> None:
    node = parse_value(value)
    assert parse_value(node.to_data()) == node


LENIENCIES = [
    ("bare word", "Bearer $inputs.apiToken", "LEN-2", "Bearer {$inputs.apiToken}", 7),
    ("bare status code", "code: $statusCode", "LEN-2", "code: {$statusCode}", 6),
    (
        "bare word with punctuation",
        "Hi ($inputs.name).",
        "LEN-2",
        "Hi ({$inputs.name}).",
        4,
    ),
    (
        "unclosed",
        "a {$inputs.x",
        "TPL-1",
        "a {$inputs.x}",
        2,
    ),
    (
        "invalid embedded",
        "{$100}",
        "TPL-1",
        "",
        0,
    ),
    ("broken whole value", "$inputs.", "TPL-1", "", 0),
    ("broken bare word", "a $inputs. b", "TPL-1", "", 2),
    ("bare root alone", "$steps", "TPL-1", "", 0),
    ("dotted body embedded", "{$response.body.id}", "LEN-6", "$response.body#/id", 15),
]


@pytest.mark.parametrize(
    ("value", "code", "suggestion", "index"),
    [row[1:] for row in LENIENCIES],
    ids=[row[0] for row in LENIENCIES],
)
def test_value_leniency(value: str, code: str, suggestion: str, index: int) -> None:
    (found,) = parse_value(value).leniencies
    assert found.code == code
    assert found.suggestion == suggestion
    assert found.index == index


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (
            "{ $statusCode}",
            "to embed the expression, write '{$statusCode}' with no whitespace"
            " inside the braces",
        ),
        (
            '{"n": $inputs.count}',
            "to embed the expression, write '{$inputs.count}' with no whitespace"
            " inside the braces",
        ),
        ("x $inputs.}", "complete the expression, as in '$inputs.name'"),
    ],
    ids=["space after brace", "json text", "broken before brace"],
)
def test_bare_word_brace_warns(value: str, hint: str) -> None:
    (found,) = parse_value(value).leniencies
    assert found.code == "TPL-1"
    assert found.hint == hint


def test_bare_word_inner_punctuation_kept() -> None:
    # Only trailing punctuation ends a bare expression; a name may contain it.
    (expression,) = parse_value("x $inputs.a,b.").expressions()
    assert str(expression) == "$inputs.a,b"


def test_bare_word_message_names_expression() -> None:
    (found,) = parse_value("Bearer $inputs.apiToken").leniencies
    assert found.message == "bare expression '$inputs.apiToken' inside a string"


def test_bare_word_with_dotted_body() -> None:
    codes = [item.code for item in parse_value("x $response.body.id").leniencies]
    assert codes == ["LEN-2", "LEN-6"]


@pytest.mark.parametrize(
    "value",
    ["{$inputs.a}", "$inputs.a", "literal $100", {"a": ["{$inputs.b}"]}, "{ not $ }"],
)
def test_standard_values_have_no_leniency(value: Any) -> None:
    assert parse_value(value).leniencies == ()


def test_located_leniencies_give_pointers() -> None:
    node = parse_value(
        {"auth": "Bearer $inputs.t", "list": [1, {"a/b": "$response.body.x"}]}
    )
    located = [(pointer, item.code) for pointer, item in node.located_leniencies()]
    assert located == [("/auth", "LEN-2"), ("/list/1/a~1b", "LEN-6")]


def test_payload_omits_absent_input(scope: Scope) -> None:
    payload = parse_value(
        {"destination": "$inputs.modelOwner", "webhook": "$inputs.webhook"}
    )
    assert payload.evaluate(scope) == {"destination": "acme"}


def test_omitted_member_is_reported(scope: Scope) -> None:
    omitted: list[tuple[str, str]] = []
    payload = parse_value({"a": {"webhook": "$inputs.webhook"}})
    payload.evaluate(
        scope, on_omit=lambda pointer, text: omitted.append((pointer, text))
    )
    assert omitted == [("/a/webhook", "$inputs.webhook")]


def test_null_input_member_is_kept(scope: Scope) -> None:
    payload = parse_value({"n": "$inputs.nothing"})
    assert payload.evaluate(scope) == {"n": None}


def test_whole_absent_input_is_missing(scope: Scope) -> None:
    assert parse_value("$inputs.webhook").evaluate(scope) is MISSING


@pytest.mark.parametrize(
    ("value", "expression"),
    [
        ("$steps.a.outputs.b", "$steps.a.outputs.b"),
        ("x{$inputs.webhook}", "$inputs.webhook"),
        ("Bearer $inputs.webhook", "$inputs.webhook"),
        ({"p": "$inputs.webhook#/x"}, "$inputs.webhook#/x"),
        (["$inputs.webhook"], "$inputs.webhook"),
        ({"s": "$response.body#/nope"}, "$response.body#/nope"),
    ],
    ids=[
        "step output",
        "embedded",
        "bare word",
        "pointer member",
        "array item",
        "body",
    ],
)
def test_unresolved_reference_raises(scope: Scope, value: Any, expression: str) -> None:
    with pytest.raises(UnresolvedExpressionError) as caught:
        parse_value(value).evaluate(scope)
    assert caught.value.expression == expression
    assert caught.value.message == f"{expression!r} reaches no value"


def test_unresolved_error_is_arazzo_error() -> None:
    assert issubclass(UnresolvedExpressionError, ArazzoError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$steps.cancel.outputs.status", None),
        ("$steps.getTraining.outputs.status", "succeeded"),
        ("id {$inputs.webhook}", "id null"),
        ({"a": "$inputs.webhook", "b": 1}, {"a": None, "b": 1}),
        ("$inputs.webhook", None),
    ],
    ids=["missing step", "present", "embedded", "object member", "absent input"],
)
def test_output_evaluation_never_raises(
    scope: Scope, value: Any, expected: Any
) -> None:
    assert evaluate_output(parse_value(value), scope) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("abc", "abc"),
        (True, "true"),
        (None, "null"),
        (3, "3"),
        (2.5, "2.5"),
        ({"a": [1, "é"]}, '{"a":[1,"é"]}'),
        (b"<xml/>", "<xml/>"),
    ],
)
def test_embedded_value_text(value: Any, text: str) -> None:
    assert to_text(value) == text


def test_expressions_listed_in_order() -> None:
    node = parse_value({"a": "$inputs.x", "b": ["{$steps.s.outputs.y} $statusCode"]})
    texts = [str(expression) for expression in node.expressions()]
    assert texts == ["$inputs.x", "$steps.s.outputs.y", "$statusCode"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("__import__('os').system('x')", "__import__('os').system('x')"),
        ("{0.__class__}", "{0.__class__}"),
        ("%(apiToken)s {apiToken} ${apiToken}", "%(apiToken)s {apiToken} ${apiToken}"),
        ("{{$inputs.apiToken}}", "{tok}"),
        ("$inputs.apiToken.__class__", None),
    ],
    ids=["import call", "format field", "format specs", "double braces", "dunder"],
)
def test_hostile_text_stays_inert(scope: Scope, text: str, expected: Any) -> None:
    assert evaluate_output(parse_value(text), scope) == expected


def test_dunder_chain_reaches_no_value(scope: Scope) -> None:
    with pytest.raises(UnresolvedExpressionError):
        parse_value("{$inputs.apiToken.__class__.__mro__}").evaluate(scope)


def test_bare_words_share_one_suggestion() -> None:
    node = parse_value("$inputs.a and $inputs.b")
    suggestions = {item.suggestion for item in node.leniencies}
    assert suggestions == {"{$inputs.a} and {$inputs.b}"}
