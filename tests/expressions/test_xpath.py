"""XPath criteria: parser failures, namespaces and the XPath 1.0 comparison rules."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions._xpath1 import to_number
from arazzo_runner.expressions.criteria import compile_criterion
from tests.conftest import run_arazzo
from tests.expressions.conftest import make_scope
from tests.validate.conftest import valid_document, write_documents

VERSIONS: list[Any] = [
    "xpath",
    {"type": "xpath", "version": "xpath-30"},
    {"type": "xpath", "version": "xpath-20"},
    {"type": "xpath", "version": "xpath-10"},
]


def compile_xpath(text: str, kind: Any = "xpath") -> Any:
    return compile_criterion(text, context="$response.body", type=kind)


# Failures inside elementpath


@pytest.mark.parametrize(
    ("text", "index"),
    [("Q{0", 0), ("Q{0)map{", 0), ("1 + Q{0", 4), ("a[Q{0]", 2)],
    ids=["shortest", "audit text", "after operator", "in predicate"],
)
def test_parser_assertion_is_syntax_error(text: str, index: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_xpath(text)
    assert caught.value.message.startswith(f"cannot parse XPath expression {text!r}")
    assert "AssertionError" in caught.value.message
    assert caught.value.index == index


@pytest.mark.parametrize("kind", VERSIONS, ids=["3.1", "3.0", "2.0", "1.0"])
def test_deep_nesting_is_syntax_error(kind: Any) -> None:
    text = "(" * 600 + "1" + ")" * 600
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
        compile_xpath(text, kind)


def test_validate_reports_parser_failure(tmp_path: Path) -> None:
    document = valid_document()
    step = document["workflows"][0]["steps"][0]
    step["successCriteria"] = [
        {"condition": "Q{0", "context": "$response.body", "type": "xpath"}
    ]
    completed = run_arazzo("validate", str(write_documents(tmp_path, document)))
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "cannot parse XPath expression 'Q{0'" in completed.stdout
    assert "\n  Q{0\n  ^ (at /workflows/0/steps/0/successCriteria/0/condition)" in (
        completed.stdout
    )


# Namespace prefixes

NESTED_NAMESPACES = (
    "<r xmlns:a='urn:a'><a:x>1</a:x>"
    "<m xmlns:b='urn:b1'><b:z>2</b:z></m>"
    "<n xmlns:b='urn:b2'><b:z>3</b:z></n></r>"
)


@pytest.mark.parametrize(
    ("text", "passed"),
    [
        ("/r/a:x = '1'", True),
        ("//b:z = '2'", True),
        ("count(//b:z) = 1", True),
        ("//b:z = '3'", False),
        ("//m/b:z and //n/*[local-name() = 'z']", True),
    ],
    ids=["root", "below root", "first wins", "second ignored", "mixed"],
)
@pytest.mark.parametrize("kind", VERSIONS, ids=["3.1", "3.0", "2.0", "1.0"])
def test_prefix_declared_anywhere(text: str, passed: bool, kind: Any) -> None:
    result = compile_xpath(text, kind).evaluate(make_scope(NESTED_NAMESPACES))
    assert result.passed is passed


def test_undeclared_prefix_fails_evaluation() -> None:
    result = compile_xpath("//c:z").evaluate(make_scope(NESTED_NAMESPACES))
    assert result.passed is False
    assert result.reason == (
        "evaluation failed: namespace prefix 'c' is not declared in the context"
        " document"
    )


@pytest.mark.parametrize(
    ("text", "message", "index"),
    [
        ("//a:b[", "unexpected end of source", 6),
        ("//a:b ==== 1", "unexpected '=' operator", 7),
        ("a:b/c:d[", "unexpected end of source", 8),
    ],
    ids=["unclosed predicate", "repeated operator", "two prefixes"],
)
@pytest.mark.parametrize("kind", VERSIONS, ids=["3.1", "3.0", "2.0", "1.0"])
def test_prefixed_syntax_checked_at_compile(
    text: str, message: str, index: int, kind: Any
) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_xpath(text, kind)
    assert caught.value.message == f"invalid XPath expression {text!r}: {message}"
    assert caught.value.index == index


@pytest.mark.parametrize(
    "text",
    ["p:f(1) = 1", "p:count(//a) = 1"],
    ids=["unknown function", "function in another namespace"],
)
def test_namespace_dependent_errors_wait(text: str) -> None:
    criterion = compile_xpath(text)
    assert criterion.query.prefixes == ("p",)


# XPath 1.0 comparisons (XPath 1.0 section 3.4)

XPATH1 = {"type": "xpath", "version": "xpath-10"}
NUMBERS = "<r><y>2</y><x>1</x><s>abc</s><e/><w> 3 </w><f>1e3</f></r>"
XPATH1_COMPARISONS = [
    # A node-set and a number: each string-value is converted to a number.
    ("node-set = number", "/r/y = 2", True),
    ("number = node-set", "2 = /r/y", True),
    ("node-set = decimal", "/r/y = 2.0", True),
    ("node-set != number", "/r/y != 2", False),
    ("some node = number", "/r/* = 1", True),
    ("wildcard name test", "/r/*[local-name() = 'x'] = 1", True),
    ("node-set < number", "/r/y < 3", True),
    ("number > node-set", "3 > /r/y", True),
    ("whitespace around number", "/r/w = 3", True),
    ("exponent is not a number", "/r/f = 1000", False),
    ("text is not a number", "/r/s < 3", False),
    ("empty node-set = number", "/r/none = 0", False),
    ("empty node-set != number", "/r/none != 0", False),
    # A node-set and a string: string-values are compared as strings.
    ("node-set = string", "/r/s = 'abc'", True),
    ("node-set = other case", "/r/s = 'ABC'", False),
    ("empty element = empty string", "/r/e = ''", True),
    ("node-set < numeric string", "/r/y < '10'", True),
    # A node-set and a boolean: the node-set becomes a boolean.
    ("node-set = true", "/r/y = true()", True),
    ("empty node-set = false", "/r/none = false()", True),
    ("empty node-set != true", "/r/none != true()", True),
    ("node-set = false", "/r/y = false()", False),
    # Two node-sets: some pair of string-values compares true.
    ("node-sets equal", "/r/* = /r/y", True),
    ("node-sets differ", "/r/x = /r/y", False),
    ("node-sets ordered", "/r/y > /r/x", True),
    # Neither is a node-set.
    ("string = number", "string(/r/y) = 2", True),
    ("boolean = number", "true() = 1", True),
    ("false = zero", "0 = false()", True),
    ("false = empty string", "'' = false()", True),
    ("strings keep case", "'a' = 'A'", False),
    ("number < string", "1 < '2'", True),
    ("predicate", "/r/*[. = 2]", True),
]


@pytest.mark.parametrize(
    ("text", "passed"),
    [row[1:] for row in XPATH1_COMPARISONS],
    ids=[row[0] for row in XPATH1_COMPARISONS],
)
def test_xpath1_comparison_rule(text: str, passed: bool) -> None:
    result = compile_xpath(text, XPATH1).evaluate(make_scope(NUMBERS))
    assert result.passed is passed


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", 2.0), (" -1.5\n", -1.5), (".5", 0.5), ("7.", 7.0), (True, 1.0)],
    ids=["integer", "whitespace", "leading dot", "trailing dot", "boolean"],
)
def test_xpath1_number_conversion(value: Any, expected: float) -> None:
    assert to_number(value) == expected


@pytest.mark.parametrize(
    "text",
    ["1e3", "INF", "+1", "", "1 2"],
    ids=["exponent", "infinity", "plus sign", "empty", "two numbers"],
)
def test_xpath1_number_not_a_number(text: str) -> None:
    assert math.isnan(to_number(text))


# Random text: the XPath path either compiles or raises a syntax error.

XPATH_PIECES = [
    "Q{",
    "Q{0",
    "Q{0}",
    "Q{urn:a}",
    "}",
    "{",
    "map{",
    "array{",
    "0",
    "1.5e3",
    "a",
    "b:c",
    "p:",
    ":",
    "*",
    "/",
    "//",
    "@",
    "[",
    "]",
    "(",
    ")",
    "(:",
    ":)",
    "'",
    '"',
    "=",
    "!=",
    "<",
    ">",
    "!",
    "=>",
    "#",
    "#1",
    "$",
    "$x",
    ",",
    "..",
    ".",
    " ",
    "\n",
    "and",
    "or",
    "let",
    "for",
    "in",
    "return",
    "if",
    "function(",
    "node()",
    "text()",
    "ancestor::",
    "count(",
    "é",
    "\x00",
]
XPATH_TEXT = st.one_of(
    st.lists(st.sampled_from(XPATH_PIECES), min_size=1, max_size=10).map("".join),
    st.text(max_size=30),
)
XML = "<r xmlns:p='urn:p'><p:b n='1'>2</p:b><c/></r>"


@settings(max_examples=400)
@given(XPATH_TEXT, st.sampled_from(VERSIONS))
def test_xpath_compile_never_crashes(text: str, kind: Any) -> None:
    try:
        criterion = compile_xpath(text, kind)
    except ExpressionSyntaxError as error:
        assert 0 <= error.index <= len(error.text)
        return
    result = criterion.evaluate(make_scope(XML))
    assert isinstance(result.passed, bool)
