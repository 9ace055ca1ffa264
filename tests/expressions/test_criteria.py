"""Criteria of every type, the flagship's conditions, LEN-1 and compile errors."""

from __future__ import annotations

from typing import Any

import pytest

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.criteria import (
    CriterionFieldError,
    CriterionResult,
    compile_criterion,
)
from arazzo_runner.expressions.scope import Exchange, Scope
from tests.expressions.conftest import make_scope

SUCCEEDED = '$.status == "succeeded"'
ENDED = '$.status == "failed" || $.status == "canceled"'
POLLING = '$.status == "starting" || $.status == "processing"'

FLAGSHIP = [
    ("succeeded", {"status": "succeeded"}, (True, False, False)),
    ("failed", {"status": "failed"}, (False, True, False)),
    ("canceled", {"status": "canceled"}, (False, True, False)),
    ("starting", {"status": "starting"}, (False, False, True)),
    ("processing", {"status": "processing"}, (False, False, True)),
    ("unknown status", {"status": "queued"}, (False, False, False)),
    ("no status", {"id": "t1"}, (False, False, False)),
    ("status as json text", '{"status": "failed"}', (False, True, False)),
]


@pytest.mark.parametrize(
    ("body", "expected"),
    [row[1:] for row in FLAGSHIP],
    ids=[row[0] for row in FLAGSHIP],
)
def test_flagship_polling_conditions(body: Any, expected: tuple[bool, ...]) -> None:
    scope = make_scope(body)
    results = tuple(
        compile_criterion(condition, context="$response.body", type="jsonpath")
        .evaluate(scope)
        .passed
        for condition in (SUCCEEDED, ENDED, POLLING)
    )
    assert results == expected


@pytest.mark.parametrize(
    ("condition", "suggestion"),
    [
        (SUCCEEDED, "$response.body#/status == 'succeeded'"),
        (
            ENDED,
            "$response.body#/status == 'failed' || $response.body#/status == 'canceled'",
        ),
    ],
    ids=["succeeded", "ended"],
)
def test_flagship_condition_leniency(condition: str, suggestion: str) -> None:
    criterion = compile_criterion(condition, context="$response.body", type="jsonpath")
    (found,) = criterion.leniencies
    assert found.code == "LEN-1"
    assert found.suggestion == suggestion


def test_flagship_suggestion_is_valid_simple(scope: Scope) -> None:
    criterion = compile_criterion(ENDED, context="$response.body", type="jsonpath")
    (found,) = criterion.leniencies
    assert compile_criterion(found.suggestion).evaluate(scope).passed is False


@pytest.mark.parametrize(
    ("status", "passed"),
    [(200, True), (404, False), (None, False)],
    ids=["ok", "not found", "no response"],
)
def test_flagship_status_criterion(status: int | None, passed: bool) -> None:
    criterion = compile_criterion("$statusCode == 200")
    assert criterion.evaluate(make_scope(None, status_code=status)).passed is passed


def test_simple_failure_shows_values() -> None:
    result = compile_criterion("$statusCode == 200").evaluate(
        make_scope(None, status_code=404)
    )
    assert result == CriterionResult(
        False, "condition is false", "$statusCode == 200: 404 == 200"
    )


def test_simple_pass_has_no_reason(scope: Scope) -> None:
    result = compile_criterion("$statusCode == 200 && $inputs.flag").evaluate(scope)
    assert result == CriterionResult(
        True, None, "$statusCode == 200 && $inputs.flag: 200 == 200 && true"
    )


def test_simple_detail_nests_logic(scope: Scope) -> None:
    result = compile_criterion(
        "$statusCode == 1 || ($inputs.count > 2 && !false)"
    ).evaluate(scope)
    assert result.detail.endswith(": 200 == 1 || (3 > 2 && !false)")


def test_simple_kind_and_context(scope: Scope) -> None:
    criterion = compile_criterion(
        "$statusCode == 200", context="$response.body", type="simple"
    )
    assert criterion.kind == "simple"
    assert criterion.evaluate(scope).passed is True


def test_braced_simple_criterion(scope: Scope) -> None:
    criterion = compile_criterion("{$statusCode == 200}")
    assert [item.code for item in criterion.leniencies] == ["LEN-5"]
    assert criterion.evaluate(scope).passed is True


REGEX = [
    ("status code as text", "^200$", "$statusCode", True),
    ("search is not anchored", "succ", "$response.body#/status", True),
    ("no match", "^fail", "$response.body#/status", False),
    ("object as json", '"version":"v2"', "$response.body#/output", True),
    ("boolean as json", "^true$", "$inputs.flag", True),
    ("header", "json", "$response.header.Content-Type", True),
]


@pytest.mark.parametrize(
    ("pattern", "context", "passed"),
    [row[1:] for row in REGEX],
    ids=[row[0] for row in REGEX],
)
def test_regex_criterion(
    scope: Scope, pattern: str, context: str, passed: bool
) -> None:
    criterion = compile_criterion(pattern, context=context, type="regex")
    assert criterion.evaluate(scope).passed is passed


@pytest.mark.parametrize(
    ("context", "reason"),
    [
        (
            "$response.body#/output/weights",
            "context '$response.body#/output/weights' is null",
        ),
        ("$inputs.webhook", "context '$inputs.webhook' reaches no value"),
    ],
    ids=["null", "missing"],
)
def test_regex_without_value_fails(scope: Scope, context: str, reason: str) -> None:
    result = compile_criterion(".*", context=context, type="regex").evaluate(scope)
    assert result == CriterionResult(False, reason)


JSONPATH = [
    ("match", "$.items[?@.id == 2]", True),
    ("no match", "$.items[?@.id == 3]", False),
    ("member exists", "$.output.version", True),
    ("null node counts", "$.output.weights", True),
    ("absent member", "$.nothing", False),
    ("filter on root children", "$[?@.version == 'v2']", True),
    ("count function on children", "$[?count(@.items) > 0]", False),
    (
        "embedded expression",
        "$.items[?@.name == '{$steps.getTraining.outputs.status}']",
        False,
    ),
    ("embedded number", "$.items[?@.id == {$response.body#/items/1/id}]", True),
]


@pytest.mark.parametrize(
    ("query", "passed"),
    [row[1:] for row in JSONPATH],
    ids=[row[0] for row in JSONPATH],
)
def test_jsonpath_criterion(scope: Scope, query: str, passed: bool) -> None:
    criterion = compile_criterion(query, context="$response.body", type="jsonpath")
    assert criterion.evaluate(scope).passed is passed


def test_jsonpath_detail_counts_nodes(scope: Scope) -> None:
    result = compile_criterion(
        "$.items[*]", context="$response.body", type="jsonpath"
    ).evaluate(scope)
    assert result.detail == "$.items[*]: 2 nodes"


def test_jsonpath_standard_query_no_leniency() -> None:
    criterion = compile_criterion(
        "$.items[*]", context="$response.body", type="jsonpath"
    )
    assert criterion.leniencies == ()


def test_jsonpath_text_context_not_json() -> None:
    criterion = compile_criterion("$.a", context="$response.body", type="jsonpath")
    result = criterion.evaluate(make_scope("<xml/>"))
    assert result.reason == "context '$response.body' is text, not JSON"


def test_jsonpath_unresolved_embedded_fails(scope: Scope) -> None:
    criterion = compile_criterion(
        "$[?@ == '{$inputs.webhook}']", context="$response.body", type="jsonpath"
    )
    result = criterion.evaluate(scope)
    assert result.reason == "condition: '$inputs.webhook' reaches no value"


def test_jsonpath_bare_words_not_substituted(scope: Scope) -> None:
    criterion = compile_criterion(
        "$[?@ == '$inputs.apiToken']", context="$response.body", type="jsonpath"
    )
    assert criterion.evaluate(scope).passed is False


GOESSNER = {"type": "jsonpath", "version": "draft-goessner-dispatch-jsonpath-00"}


@pytest.mark.parametrize(
    ("query", "passed"),
    [
        ("$.items[?(@.id > 1)]", True),
        ("$.items[?(@.id > 5)]", False),
        ("$.output.version", True),
        ("$.status == 'succeeded'", True),
    ],
    ids=["filter match", "filter no match", "path", "comparison leniency"],
)
def test_goessner_criterion(scope: Scope, query: str, passed: bool) -> None:
    criterion = compile_criterion(query, context="$response.body", type=GOESSNER)
    assert criterion.evaluate(scope).passed is passed


LENIENT = [
    ("number", "$.items[0].id == 1", True),
    ("single quotes", "$.status == 'SUCCEEDED'", True),
    ("not equal", '$.status != "failed"', True),
    ("none selected is null", "$.nothing == null", True),
    ("negation", '!($.status == "failed")', True),
    ("and", "$.id == 't1' && $.output.version == 'v2'", True),
    ("order", "$.items[1].id >= 2", True),
    ("query on both sides", "$.items[0].id < $.items[1].id", True),
    ("bracket with spaces", "$['with space'] == 'spaced'", True),
    ("bracket with operator chars", "$['a.b'].c == 'dotted key'", True),
    ("filter with string", "$.items[?@.name == 'two'].id == 2", True),
    ("escaped string", '$.status == "succ\\u0065eded"', True),
    ("bare query", "!$.nothing", True),
]


@pytest.mark.parametrize(
    ("condition", "passed"),
    [row[1:] for row in LENIENT],
    ids=[row[0] for row in LENIENT],
)
def test_comparison_jsonpath_criterion(
    scope: Scope, condition: str, passed: bool
) -> None:
    criterion = compile_criterion(condition, context="$response.body", type="jsonpath")
    assert criterion.evaluate(scope).passed is passed


def test_comparison_query_two_nodes_fails(scope: Scope) -> None:
    criterion = compile_criterion(
        "$.items[*].id == 1", context="$response.body", type="jsonpath"
    )
    result = criterion.evaluate(scope)
    assert result == CriterionResult(
        False, "query '$.items[*].id' selects 2 nodes; a comparison needs at most one"
    )


@pytest.mark.parametrize(
    ("condition", "context", "suggestion"),
    [
        ("$['a'][0].b == 1", "$response.body", "$response.body#/a/0/b == 1"),
        ("$.x == 1", "$response.body#/data", "$response.body#/data/x == 1"),
        ("$.x == 1", "$response.body.data", "$response.body#/data/x == 1"),
        ("$.x == 1", "$steps.s.outputs.o", "$steps.s.outputs.o#/x == 1"),
        ("$ == 1", "$inputs.n", "$inputs.n == 1"),
        (
            "$..x == 1",
            "$response.body",
            "a simple condition with JSON Pointers into the context, such as $response.body#/status == 'succeeded'",
        ),
        (
            "$.x == 1",
            "$statusCode",
            "a simple condition with JSON Pointers into the context, such as $statusCode#/status == 'succeeded'",
        ),
    ],
    ids=[
        "brackets",
        "context pointer",
        "context dotted",
        "step output",
        "root",
        "descendant",
        "no pointer context",
    ],
)
def test_comparison_suggestion_form(
    condition: str, context: str, suggestion: str
) -> None:
    criterion = compile_criterion(condition, context=context, type="jsonpath")
    (found,) = criterion.leniencies
    assert found.suggestion == suggestion


XML = "<order><status>shipped</status><item n='1'/><item n='2'/></order>"

XPATH = [
    ("comparison", "/order/status = 'shipped'", None, True),
    ("comparison false", "/order/status = 'lost'", None, False),
    ("count", "count(//item) = 2", None, True),
    ("node set", "//item[@n='2']", None, True),
    ("empty node set", "//item[@n='3']", None, False),
    ("string", "string(/order/missing)", None, False),
    ("version 1.0", "count(//item) > 1", "xpath-10", True),
    ("version 2.0", "//item[1]/@n = '1'", "xpath-20", True),
    ("version 3.0", "let $n := count(//item) return $n = 2", "xpath-30", True),
]


@pytest.mark.parametrize(
    ("expression", "version", "passed"),
    [row[1:] for row in XPATH],
    ids=[row[0] for row in XPATH],
)
def test_xpath_criterion(expression: str, version: str | None, passed: bool) -> None:
    kind: Any = "xpath" if version is None else {"type": "xpath", "version": version}
    criterion = compile_criterion(expression, context="$response.body", type=kind)
    assert criterion.evaluate(make_scope(XML)).passed is passed


def test_xpath_rejects_json_context(scope: Scope) -> None:
    criterion = compile_criterion("/a", context="$response.body", type="xpath")
    result = criterion.evaluate(scope)
    assert result == CriterionResult(False, "context is not XML text but dict")


def test_xpath_malformed_xml_fails() -> None:
    criterion = compile_criterion("/a", context="$response.body", type="xpath")
    result = criterion.evaluate(make_scope("<a>"))
    assert (result.reason or "").startswith("context is not well-formed XML: ")


def test_xpath_entities_not_expanded() -> None:
    body = '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'
    criterion = compile_criterion(
        "contains(/a, 'root')", context="$response.body", type="xpath"
    )
    assert criterion.evaluate(make_scope(body)).passed is False


def test_xpath_cannot_read_files() -> None:
    with pytest.raises(ExpressionSyntaxError, match="is not allowed"):
        compile_criterion(
            "unparsed-text('/etc/hostname')", context="$response.body", type="xpath"
        )


def test_xpath_cannot_read_environment() -> None:
    criterion = compile_criterion(
        "environment-variable('PATH')", context="$response.body", type="xpath"
    )
    assert criterion.evaluate(make_scope(XML)).passed is False


def test_criterion_kinds() -> None:
    kinds = [
        compile_criterion("$statusCode == 200").kind,
        compile_criterion("x", context="$statusCode", type="regex").kind,
        compile_criterion("$.a", context="$response.body", type="jsonpath").kind,
        compile_criterion("/a", context="$response.body", type="xpath").kind,
    ]
    assert kinds == ["simple", "regex", "jsonpath", "xpath"]


COMPILE_ERRORS: list[tuple[str, str, dict[str, Any], str, int]] = [
    ("simple syntax", "$statusCode = 200", {}, "use '=='", 12),
    (
        "bad context",
        "x",
        {"context": "$foo", "type": "regex"},
        "unknown runtime expression '$foo'",
        0,
    ),
    (
        "type without context",
        "x",
        {"type": "regex"},
        "a criterion of type 'regex' needs a 'context'",
        0,
    ),
    ("simple type without context", "true", {"type": "simple"}, "needs a 'context'", 0),
    (
        "bad regex",
        "a(b",
        {"context": "$statusCode", "type": "regex"},
        "invalid regular expression 'a(b'",
        1,
    ),
    (
        "bad jsonpath",
        "$.a[",
        {"context": "$response.body", "type": "jsonpath"},
        "invalid JSONPath query '$.a['",
        4,
    ),
    (
        "bad comparison query",
        "$.a[ == 1",
        {"context": "$response.body", "type": "jsonpath"},
        "invalid JSONPath query",
        5,
    ),
    (
        "jsonpath not comparison",
        "$.a == ",
        {"context": "$response.body", "type": "jsonpath"},
        "invalid JSONPath comparison '$.a ==': expected a value, found end",
        7,
    ),
    (
        "jsonpath comparison bad operand",
        '$.status == "done" && ^x',
        {"context": "$response.body", "type": "jsonpath"},
        "invalid JSONPath comparison '$.status == \"done\" && ^x': unexpected character '^'",
        22,
    ),
    (
        "jsonpath neither query nor comparison",
        "$.a[ x",
        {"context": "$response.body", "type": "jsonpath"},
        "invalid JSONPath query '$.a[ x'",
        5,
    ),
    (
        "bad xpath",
        "1 +",
        {"context": "$response.body", "type": "xpath"},
        "invalid XPath expression '1 +'",
        3,
    ),
    (
        "unknown type",
        "x",
        {"context": "$statusCode", "type": "glob"},
        "unknown criterion type 'glob'",
        0,
    ),
    (
        "unknown object type",
        "x",
        {"context": "$statusCode", "type": {"type": "regex", "version": "1"}},
        "expected 'jsonpath' or 'xpath'",
        0,
    ),
    (
        "unknown jsonpath version",
        "$.a",
        {
            "context": "$response.body",
            "type": {"type": "jsonpath", "version": "rfc9535"},
        },
        "unknown jsonpath version 'rfc9535'",
        0,
    ),
    (
        "unknown xpath version",
        "/a",
        {"context": "$response.body", "type": {"type": "xpath", "version": "xpath-31"}},
        "unknown xpath version 'xpath-31'",
        0,
    ),
    (
        "missing version",
        "/a",
        {"context": "$response.body", "type": {"type": "xpath"}},
        "unknown xpath version None",
        0,
    ),
]


@pytest.mark.parametrize(
    ("condition", "options", "message", "index"),
    [row[1:] for row in COMPILE_ERRORS],
    ids=[row[0] for row in COMPILE_ERRORS],
)
def test_criterion_compile_error(
    condition: str, options: dict[str, Any], message: str, index: int
) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_criterion(condition, **options)
    assert message in caught.value.message
    assert caught.value.index == index


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"context": "$statusCode", "type": "glob"}, "type"),
        ({"context": "$statusCode", "type": 5}, "type"),
        ({"context": "$response.body", "type": {"type": "xpath"}}, "type"),
        ({"context": "$foo", "type": "regex"}, "context"),
        ({"context": ["$statusCode"], "type": "regex"}, "context"),
        ({"type": "regex"}, ""),
    ],
    ids=[
        "unknown type",
        "type number",
        "missing version",
        "bad context",
        "context list",
        "no context",
    ],
)
def test_criterion_field_error_names_field(options: dict[str, Any], field: str) -> None:
    with pytest.raises(CriterionFieldError) as caught:
        compile_criterion("x", **options)
    assert caught.value.field == field


def test_evaluation_error_becomes_failure() -> None:
    criterion = compile_criterion(
        "xs:integer(/a) = 1", context="$response.body", type="xpath"
    )
    result = criterion.evaluate(make_scope("<a>x</a>"))
    assert result.passed is False
    assert (result.reason or "").startswith("evaluation failed: ")


def test_no_exchange_fails_cleanly() -> None:
    criterion = compile_criterion("$.a", context="$response.body", type="jsonpath")
    assert (
        criterion.evaluate(Scope(exchange=Exchange())).reason
        == "context '$response.body' is null"
    )


def test_jsonpath_query_whitespace_trimmed(scope: Scope) -> None:
    criterion = compile_criterion(
        " $.status\n", context="$response.body", type="jsonpath"
    )
    assert criterion.evaluate(scope).passed is True


@pytest.mark.parametrize(
    "condition", ["($.status)", "$.a $.b"], ids=["grouped", "two queries"]
)
def test_comparison_needs_operator(condition: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match="invalid JSONPath query"):
        compile_criterion(condition, context="$response.body", type="jsonpath")


def test_regex_future_warning_silenced(scope: Scope) -> None:
    criterion = compile_criterion(
        "[[s]", context="$response.body#/status", type="regex"
    )
    assert criterion.evaluate(scope).passed is True


NAMESPACED = '<?xml version="1.0" encoding="UTF-8"?><a xmlns:p="urn:p"><p:b>x</p:b></a>'


@pytest.mark.parametrize(
    ("expression", "passed"),
    [("/a/p:b = 'x'", True), ("/a/p:b = 'y'", False), ("/a/q:b", None)],
    ids=["declared prefix", "declared prefix false", "undeclared prefix"],
)
def test_xpath_document_prefixes(expression: str, passed: bool | None) -> None:
    criterion = compile_criterion(expression, context="$response.body", type="xpath")
    result = criterion.evaluate(make_scope(NAMESPACED))
    assert result.passed is bool(passed)
    if passed is None:
        assert "namespace prefix 'q' is not declared" in (result.reason or "")


def test_comparison_with_runtime_expression(scope: Scope) -> None:
    criterion = compile_criterion(
        "$.id == $steps.createTraining.outputs.trainingId && $.items[0].id < $inputs.count",
        context="$response.body",
        type="jsonpath",
    )
    assert criterion.evaluate(scope).passed is True


def test_comparison_expression_suggestion() -> None:
    criterion = compile_criterion(
        "$.id == $inputs.id", context="$response.body", type="jsonpath"
    )
    assert criterion.leniencies[0].suggestion == "$response.body#/id == $inputs.id"


def test_comparison_expression_leniency_index() -> None:
    criterion = compile_criterion(
        "$.a == $response.body.b", context="$response.body", type="jsonpath"
    )
    codes = [(item.code, item.index) for item in criterion.leniencies]
    assert codes == [("LEN-1", 0), ("LEN-6", 21)]
