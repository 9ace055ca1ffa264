"""Runtime expressions: every form, evaluation, round trips, errors, leniencies."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.runtime import (
    InputExpression,
    MessageExpression,
    StatusLineExpression,
    StepOutputExpression,
    parse_expression,
    walk_dotted,
)
from arazzo_runner.expressions.scope import MISSING, Exchange, Scope

EVALUATIONS: list[tuple[str, str, Any]] = [
    ("url", "$url", "https://api.example.test/v1/trainings/t1?verbose=true"),
    ("method", "$method", "GET"),
    ("status code", "$statusCode", 200),
    ("request header", "$request.header.Authorization", "Bearer tok"),
    ("request header lower", "$request.header.x-trace", "abc"),
    ("request header absent", "$request.header.X-Missing", MISSING),
    ("request query", "$request.query.verbose", "true"),
    ("request query dotted", "$request.query.filter.name", "x"),
    ("request path", "$request.path.training_id", "t1"),
    (
        "request body",
        "$request.body",
        {"destination": "me/model", "input": {"steps": 3}},
    ),
    ("request body pointer", "$request.body#/input/steps", 3),
    ("request body dotted", "$request.body.input.steps", 3),
    ("response header", "$response.header.Content-Type", "application/json"),
    ("response header upper", "$response.header.X-COUNT", "2"),
    ("response body pointer", "$response.body#/status", "succeeded"),
    ("response body nested", "$response.body#/output/version", "v2"),
    ("response body null", "$response.body#/output/weights", None),
    ("response body array", "$response.body#/items/1/name", "two"),
    ("response body past end", "$response.body#/items/2", MISSING),
    ("response body dash", "$response.body#/items/-", MISSING),
    ("response body leading zero", "$response.body#/items/01", MISSING),
    ("response body escapes", "$response.body#/~0~1", "escaped"),
    ("response body percent", "$response.body#/with%20space", "spaced"),
    ("response body empty key", "$response.body#/", "empty key"),
    ("response body dotted", "$response.body.status", "succeeded"),
    ("response body dotted index", "$response.body.items.0.id", 1),
    ("response body dotted key", "$response.body.a.b.c", "dotted key"),
    ("response body missing", "$response.body#/nope", MISSING),
    ("input", "$inputs.apiToken", "tok"),
    ("input number", "$inputs.count", 3),
    ("input object", "$inputs.customer", {"firstName": "Ada", "tags": ["a", "b"]}),
    ("input pointer", "$inputs.customer#/firstName", "Ada"),
    ("input dotted", "$inputs.customer.firstName", "Ada"),
    ("input dotted index", "$inputs.customer.tags.1", "b"),
    ("input exact dotted name", "$inputs.dotted.name", "exact"),
    ("input null", "$inputs.nothing", None),
    ("input absent", "$inputs.webhook", MISSING),
    ("input pointer escapes", "$inputs.path/key#/a~0b", 1),
    ("output", "$outputs.workflow_order_id", 42),
    ("output absent", "$outputs.other", MISSING),
    ("step output", "$steps.createTraining.outputs.trainingId", "t1"),
    ("step output pointer", "$steps.createTraining.outputs.list#/1/id", 8),
    ("step output dotted", "$steps.createTraining.outputs.list.0.id", 7),
    ("step output null", "$steps.getTraining.outputs.output", None),
    ("step not run", "$steps.cancel.outputs.status", MISSING),
    ("step outputs omitted", "$steps.getTraining.status", "succeeded"),
    ("workflow input", "$workflows.child.inputs.size", 5),
    ("workflow output pointer", "$workflows.child.outputs.result#/ok", True),
    ("workflow not run", "$workflows.other.outputs.result", MISSING),
    ("source url", "$sourceDescriptions.replicateApi.url", "../openapi.yml"),
    ("source operation", "$sourceDescriptions.replicateApi.models.get", MISSING),
    ("source absent", "$sourceDescriptions.other.url", MISSING),
    ("component", "$components.parameters.page", MISSING),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(text, expected) for _, text, expected in EVALUATIONS],
    ids=[name for name, _, _ in EVALUATIONS],
)
def test_expression_evaluates_to(scope: Scope, text: str, expected: Any) -> None:
    assert parse_expression(text).evaluate(scope) == expected


@pytest.mark.parametrize(
    "text",
    [text for _, text, _ in EVALUATIONS],
    ids=[name for name, _, _ in EVALUATIONS],
)
def test_expression_round_trips(text: str) -> None:
    node = parse_expression(text)
    assert parse_expression(str(node)) == node


@pytest.mark.parametrize(
    "text",
    ["$url", "$statusCode", "$response.body#/status", "$steps.a.outputs.b"],
)
def test_exchange_expressions_without_exchange(text: str) -> None:
    assert parse_expression(text).evaluate(Scope()) is MISSING


def test_empty_pointer_selects_whole_body(scope: Scope) -> None:
    whole = parse_expression("$response.body").evaluate(scope)
    assert parse_expression("$response.body#").evaluate(scope) == whole


def test_status_code_without_response() -> None:
    scope = Scope(exchange=Exchange(status_code=None))
    assert parse_expression("$statusCode").evaluate(scope) is MISSING


def test_empty_response_body_is_null() -> None:
    scope = Scope(exchange=Exchange(response_body=None))
    assert parse_expression("$response.body").evaluate(scope) is None


def test_pointer_into_text_body() -> None:
    scope = Scope(exchange=Exchange(response_body="<xml/>"))
    assert parse_expression("$response.body#/a").evaluate(scope) is MISSING


def test_header_lookup_ignores_key_case() -> None:
    scope = Scope(exchange=Exchange(response_headers={"X-Mixed": "1"}))
    assert parse_expression("$response.header.x-mixed").evaluate(scope) == "1"


STRUCTURE = [
    ("status line", "$method", StatusLineExpression("method")),
    (
        "header",
        "$request.header.Accept",
        MessageExpression("request", "header", "Accept"),
    ),
    ("input", "$inputs.a.b", InputExpression("a.b")),
    (
        "dotted body",
        "$response.body.a.b",
        MessageExpression("response", "body", None, None, ("a", "b")),
    ),
    (
        "outputs omitted",
        "$steps.s.name",
        StepOutputExpression("s", "name", None, outputs_omitted=True),
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(text, node) for _, text, node in STRUCTURE],
    ids=[name for name, _, _ in STRUCTURE],
)
def test_expression_parses_to_node(text: str, expected: object) -> None:
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("$url", "url"),
        ("$statusCode", "statusCode"),
        ("$request.body", "request"),
        ("$response.header.A", "response"),
        ("$inputs.a", "inputs"),
        ("$outputs.a", "outputs"),
        ("$steps.a.outputs.b", "steps"),
        ("$workflows.w.inputs.a", "workflows"),
        ("$sourceDescriptions.s.url", "sourceDescriptions"),
        ("$components.parameters.p", "components"),
    ],
)
def test_expression_root_names(text: str, root: str) -> None:
    assert parse_expression(text).root == root


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("$inputs.webhook", "webhook"),
        ("$inputs.customer.firstName", "customer.firstName"),
        ("$inputs.customer#/firstName", None),
        ("$outputs.webhook", None),
        ("$steps.a.outputs.b", None),
    ],
)
def test_input_name_of_expression(text: str, name: str | None) -> None:
    assert parse_expression(text).input_name() == name


LENIENCIES = [
    (
        "dotted response body",
        "$response.body.status",
        "LEN-6",
        "$response.body#/status",
        14,
    ),
    ("dotted request body", "$request.body.a.0", "LEN-6", "$request.body#/a/0", 13),
    ("dotted then pointer", "$response.body.a#/b", "LEN-6", "$response.body#/a/b", 14),
    ("dotted odd key", "$response.body.a=b", "LEN-6", "$response.body#/a%3Db", 14),
]


@pytest.mark.parametrize(
    ("text", "code", "suggestion", "index"),
    [row[1:] for row in LENIENCIES],
    ids=[row[0] for row in LENIENCIES],
)
def test_expression_leniency(text: str, code: str, suggestion: str, index: int) -> None:
    (found,) = parse_expression(text).leniencies
    assert found.code == code
    assert found.suggestion == suggestion
    assert found.index == index


@pytest.mark.parametrize(
    "text",
    ["$steps.poll.status", "$steps.poll.list.0.id", "$inputs.customer.firstName"],
    ids=["outputs omitted", "outputs omitted dotted", "dotted input"],
)
def test_name_forms_not_parser_leniencies(text: str) -> None:
    # Their standard form depends on the names the document defines, so the
    # semantic checks report them (LEN-9, LEN-6).
    assert parse_expression(text).leniencies == ()


@pytest.mark.parametrize(
    "text",
    [
        "$inputs.a.b",
        "$steps.a.outputs.b.c",
        "$response.body#/a.b",
        "$outputs.a.b",
        "$request.query.a.b",
    ],
)
def test_standard_forms_have_no_leniency(text: str) -> None:
    assert parse_expression(text).leniencies == ()


def test_dotted_suggestion_parses_to_same_value(scope: Scope) -> None:
    (found,) = parse_expression("$response.body.items.1.name").leniencies
    assert parse_expression(found.suggestion).evaluate(scope) == "two"


ERRORS = [
    ("empty", "", "must start with '$'", 0),
    ("no dollar", "inputs.a", "must start with '$'", 0),
    ("unknown root", "$foo.bar", "unknown runtime expression '$foo.bar'", 0),
    ("jsonpath", "$.status", "type 'jsonpath'", 0),
    ("money", "$100", "unknown runtime expression '$100'", 0),
    ("root suffix", "$urlx", "unknown runtime expression", 0),
    ("status code suffix", "$statusCode.x", "unexpected '.x' after '$statusCode'", 11),
    ("space", "$inputs.a b", "unexpected ' '", 9),
    ("brace", "$inputs.a}", "unexpected '}'", 9),
    ("no input name", "$inputs.", "missing input name", 8),
    ("no dot", "$inputs", "expected '.' after '$inputs'", 7),
    ("empty segment", "$inputs.a..b", "empty segment", 10),
    ("response source", "$response.query.a", "unknown response source 'query'", 10),
    ("request source", "$request.cookie.a", "unknown request source 'cookie'", 9),
    ("body suffix", "$response.bodyx", "unknown response source 'bodyx'", 10),
    ("header name", "$response.header.a:b", "invalid header name 'a:b'", 17),
    ("header missing", "$response.header.", "invalid header name ''", 17),
    ("body empty property", "$response.body.", "missing property name", 15),
    ("pointer no slash", "$response.body#a", "must start with '/'", 15),
    ("pointer bad escape", "$response.body#/a~2", "invalid escape '~2'", 17),
    ("pointer trailing tilde", "$inputs.a#/b~", "invalid escape '~'", 12),
    ("step id missing", "$steps..outputs.a", "missing step id", 7),
    (
        "step outputs no name",
        "$steps.a.outputs",
        "expected '.' after '$steps.a.outputs'",
        16,
    ),
    ("workflow field", "$workflows.w.steps.a", "expected 'inputs' or 'outputs'", 13),
    ("source name", "$sourceDescriptions.", "missing source description name", 20),
    ("source field", "$sourceDescriptions.s.", "missing field", 22),
    ("component type", "$components.inputs.a", "unknown component type 'inputs'", 12),
    ("component name", "$components.parameters.", "missing component name", 23),
]


@pytest.mark.parametrize(
    ("text", "message", "index"),
    [row[1:] for row in ERRORS],
    ids=[row[0] for row in ERRORS],
)
def test_expression_syntax_error(text: str, message: str, index: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression(text)
    assert message in caught.value.message
    assert caught.value.index == index


def test_syntax_error_draws_caret() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression("$inputs.a b")
    assert str(caught.value).endswith("  $inputs.a b\n           ^")


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        (["a.b", "c"], 1),
        (["a", "b", "c"], 1),
        (["a", "x"], 2),
        (["list", "1"], "y"),
        (["list", "2"], MISSING),
        (["list", "x"], MISSING),
        (["a", "x", "deeper"], MISSING),
    ],
)
def test_dotted_walk_prefers_longest_key(segments: list[str], expected: Any) -> None:
    value = {"a.b": {"c": 1}, "a": {"x": 2, "b": {"c": 3}}, "list": ["x", "y"]}
    assert walk_dotted(value, segments) == expected


def test_missing_dot_message_at_end() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression("$inputs")
    assert caught.value.message == "expected '.' after '$inputs', found end of text"
