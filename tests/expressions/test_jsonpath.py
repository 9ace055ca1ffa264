"""The RFC 9535 dialect's own path for singular queries, and deferred imports."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import jsonpath_rfc9535
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.jsonpath import (
    GOESSNER,
    RFC_9535,
    JsonPathDialect,
    SingularPath,
    parse_singular_path,
)

SINGULAR = [
    ("root", "$", ()),
    ("name", "$.status", ("status",)),
    ("index", "$[0]", (0,)),
    ("single-quoted", "$['a b']", ("a b",)),
    ("double-quoted", '$["a.b"]', ("a.b",)),
    ("mixed", "$.items[1]['id']", ("items", 1, "id")),
    ("underscore", "$._x1", ("_x1",)),
]


@pytest.mark.parametrize(
    ("query", "segments"),
    [row[1:] for row in SINGULAR],
    ids=[row[0] for row in SINGULAR],
)
def test_singular_path_parsed(query: str, segments: tuple[Any, ...]) -> None:
    assert parse_singular_path(query) == SingularPath(segments)


@pytest.mark.parametrize(
    "query",
    [
        "$..a",
        "$.*",
        "$[-1]",
        "$[01]",
        "$[0:1]",
        "$[?@.a]",
        "$.a-b",
        "$.é",
        "$['a\\'b']",
        "$['\\u0041']",
        "$ .a",
        "$[1234567890123456]",
        "@.a",
        "$a",
    ],
)
def test_other_queries_use_library(query: str) -> None:
    assert parse_singular_path(query) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$.a", True),
        ("$[?@.a == 1]", True),
        ("$[?(@.a < 1)]", True),
        ("$['=']", True),
        ("$.a == 1", False),
        ("$.a || $.b", False),
        ("!$.a", False),
        ("$.a\n&& $.b", False),
    ],
)
def test_may_be_query(text: str, expected: bool) -> None:
    assert RFC_9535.may_be_query(text) is expected


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "0", ""]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "0", "a b"]), children, max_size=3)
    ),
    max_leaves=12,
)
SEGMENTS = st.lists(
    st.sampled_from([".a", ".b", "[0]", "[1]", "[2]", "['0']", "['a b']", '["a"]']),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(document=JSON_VALUES, segments=SEGMENTS)
def test_singular_path_matches_library(document: Any, segments: list[str]) -> None:
    query = "$" + "".join(segments)
    compiled = RFC_9535.compile(query, source=query, offset=0)
    assert isinstance(compiled, SingularPath)
    expected = list(jsonpath_rfc9535.compile(query).find(document).values())
    assert json.dumps(RFC_9535.find(compiled, document)) == json.dumps(expected)


def test_runner_imports_no_query_engine() -> None:
    # Loading the CLI and the engine, and compiling simple, regex and
    # comparison-style jsonpath criteria, must not import the XPath or
    # JSONPath packages, which together take about 100 ms to import.
    script = """
import sys
import arazzo_runner.cli, arazzo_runner.runner
from arazzo_runner.expressions.criteria import compile_criterion
compile_criterion("$statusCode == 200 && $response.body#/status == 'done'")
compile_criterion("^ok", context="$response.body", type="regex")
compile_criterion(
    '$.status == "failed" || $.items[0].id == 3',
    context="$response.body",
    type="jsonpath",
)
loaded = {name.split(".")[0] for name in sys.modules}
print(sorted(loaded & {"elementpath", "lxml", "jsonpath_ng", "jsonpath_rfc9535"}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_deep_nesting_is_syntax_error() -> None:
    query = "$[?" + "(" * 600 + "@" + ")" * 600 + "]"
    with pytest.raises(ExpressionSyntaxError) as caught:
        RFC_9535.compile(query, source=query, offset=0)
    assert caught.value.message.startswith("cannot parse JSONPath query")
    assert caught.value.message.endswith("it is nested too deeply")


@pytest.mark.parametrize(
    ("dialect", "module"),
    [(RFC_9535, "jsonpath_rfc9535"), (GOESSNER, "jsonpath_ng.ext.parser")],
    ids=["rfc 9535", "goessner"],
)
def test_parser_failure_is_syntax_error(
    dialect: JsonPathDialect, module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(query: str) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(
        f"{module}.{'compile' if dialect is RFC_9535 else 'parse'}", fail
    )
    with pytest.raises(ExpressionSyntaxError) as caught:
        dialect.compile("$[?@.a]", source="x == $[?@.a]", offset=5)
    assert caught.value.message == (
        "cannot parse JSONPath query '$[?@.a]': the parser failed with"
        " IndexError: list index out of range"
    )
    assert caught.value.index == 5
